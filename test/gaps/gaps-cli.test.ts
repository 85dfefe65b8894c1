/**
 * `observer gaps` end to end, all real: the API is an HTTP server on 127.0.0.1, `observer run` runs
 * the fixture's checks against it into the SQLite store, a journey's result (with its network calls)
 * is saved through the store API, production's access log is a real file, and the CLI is spawned.
 * Then the generated checks load and pass with `observer run`, and a second `--write` overwrites nothing.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GapsReport } from '../../src/gaps/analyze.js';
import type { MonitorResult } from '../../src/model/index.js';
import { openStore } from '../../src/store/index.js';
import { makeSandbox, runCli } from '../e2e/sandbox.js';

let server: http.Server;
let origin = '';
const hits: string[] = [];

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(`${req.method} ${url.pathname}`);
    let m: RegExpExecArray | null;
    if (url.pathname === '/api/health') return json(res, 200, { status: 'ok' });
    if (url.pathname === '/api/products') return json(res, 200, { items: [{ id: 1, name: url.searchParams.get('q') ?? '', price: 10 }], total: 1 });
    if ((m = /^\/api\/products\/(\d+)$/.exec(url.pathname))) return json(res, 200, { id: Number(m[1]), name: 'tea', price: 10 });
    if ((m = /^\/api\/orders\/([^/]+)$/.exec(url.pathname))) return json(res, 200, { orderId: m[1], status: 'shipped', note: null });
    if (url.pathname === '/api/cart' && req.method === 'POST') return json(res, 201, { ok: true });
    json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function clf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
function line(atMs: number, method: string, target: string, status: number, seconds: number): string {
  return `10.0.0.7 - - [${clf(atMs)}] "${method} ${target} HTTP/1.1" ${status} 512 "-" "app/2.1" ${seconds.toFixed(3)}`;
}

/** 100 requests in the window (and one older), 2 lines that are not requests. */
function productionLog(nowMs: number): string {
  const t1 = nowMs - 30 * 60_000;
  const t2 = nowMs - 5 * 60_000;
  const lines: string[] = [line(nowMs - 8 * 86_400_000, 'GET', '/api/products?q=old', 200, 1.69)];
  const add = (n: number, at: number, method: string, target: string, status: number, s: number) => {
    for (let i = 0; i < n; i++) lines.push(line(at, method, target, status, s));
  };
  add(40, t1, 'GET', '/api/products?q=tea', 200, 1.69);
  add(10, t1, 'GET', '/api/products/1', 200, 0.05);
  add(10, t1, 'GET', '/api/products/2', 200, 0.05);
  add(15, t1, 'GET', '/api/orders/7', 200, 1.99);
  add(10, t1, 'GET', '/api/health', 200, 1.29);
  add(2, t1, 'GET', '/api/health', 500, 1.29);
  add(5, t1, 'POST', '/api/cart', 201, 0.08);
  lines.push('this is not an access log line', '{"half": "a json line"');
  add(5, t2, 'GET', '/api/orders/9', 503, 1.99);
  add(3, t2, 'GET', '/api/legacy/123?token=s3cret-value', 200, 0.02);
  return lines.join('\n') + '\n';
}

describe('observer gaps (real server, store, log and CLI)', () => {
  const box = makeSandbox('gaps-shop');
  afterAll(() => box.cleanup());
  const env = () => ({ OBSERVER_BASE_URL: origin });

  it('ranks operations by risk, lists missing and inadequate tests, new scenarios, undocumented and unused; writes checks that run', async () => {
    // 1. The checks run for real (health: status only; product: schema and body).
    const run1 = await runCli(['run'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(run1.code, run1.stderr).toBe(0);

    // 2. A journey that posted to the cart, through the store API.
    const nowMs = Date.now();
    const store = await openStore({ path: path.join(box.dir, '.observer', 'observer.db') });
    const at = new Date(nowMs - 60_000).toISOString();
    const journey: MonitorResult = {
      id: 'j1:purchase', runId: 'j1', monitor: 'purchase', name: 'Purchase', kind: 'journey', status: 'passed', startedAt: at, finishedAt: at, durationMs: 900, attempts: 1,
      error: null, location: 'local', environment: 'local', tags: [],
      steps: [{ name: 'Add to cart', status: 'passed', startedAt: at, durationMs: 400, error: null, network: { requests: 3, failedRequests: 0, bytes: 10, calls: [{ method: 'POST', url: `${origin}/api/cart`, count: 1, status: 201 }, { method: 'GET', url: `${origin}/cart`, count: 1, status: 200 }] } }],
    };
    await store.saveRun({ id: 'j1', startedAt: at, finishedAt: at, location: 'local', environment: 'local' });
    await store.saveResults([journey]);
    await store.close();

    // 3. Production's log.
    mkdirSync(path.join(box.dir, 'logs'));
    writeFileSync(path.join(box.dir, 'logs', 'access.log'), productionLog(nowMs));

    // A file in the way is never overwritten (a folder the config does not load: a review area).
    mkdirSync(path.join(box.dir, 'review'));
    writeFileSync(path.join(box.dir, 'review', 'gaps-get-order.check.yaml'), '# mine\n');
    const review = await runCli(['gaps', '--write', 'review', '--top', '3'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(review.code, review.stderr).toBe(0);
    expect(review.stdout).toContain('kept review/gaps-get-order.check.yaml (exists; never overwritten)');
    expect(readFileSync(path.join(box.dir, 'review', 'gaps-get-order.check.yaml'), 'utf8')).toBe('# mine\n');
    expect(readdirSync(path.join(box.dir, 'review')).sort()).toEqual([
      'gaps-get-health.check.yaml',
      'gaps-get-health.schema.json',
      'gaps-get-order.check.yaml',
      'gaps-get-search-products.check.yaml',
      'gaps-get-search-products.schema.json',
    ]);

    const gaps = await runCli(['gaps', '--write', 'checks/generated', '--top', '3'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(gaps.code, gaps.stderr).toBe(0);
    expect(gaps.stderr).toMatch(/warning: 2 log line\(s\) did not parse and were skipped/);
    expect(gaps.stderr).toContain('access.log:');
    expect(gaps.stderr).not.toMatch(/\n\s+at /);

    const report = JSON.parse(readFileSync(path.join(box.dir, 'reports', 'gaps.json'), 'utf8')) as GapsReport;
    expect(report.usage).toMatchObject({ requests: 100, outsideWindow: 1, malformed: 2 });
    expect(report.operations.map((o) => [o.key, o.level, Number(o.share.toFixed(4)), Number(o.risk.toFixed(4))])).toEqual([
      ['GET /api/products', 'none', 0.4, 0.4],
      ['GET /api/orders/{orderId}', 'none', 0.2, 0.2],
      ['GET /api/health', 'status', 0.12, 0.06],
      ['POST /api/cart', 'journey', 0.05, 0.0375],
      ['GET /api/products/{id}', 'asserted', 0.2, 0],
      ['GET /api/admin/stats', 'none', 0, 0],
    ]);
    const byKey = new Map(report.operations.map((o) => [o.key, o]));
    expect(byKey.get('GET /api/products/{id}')?.checks).toEqual(['product']);
    expect(byKey.get('POST /api/cart')?.journeys).toEqual(['purchase › Add to cart']);
    expect(byKey.get('GET /api/orders/{orderId}')?.errors5xx).toBe(5);
    expect(report.missing).toEqual(['GET /api/products', 'GET /api/orders/{orderId}']);

    expect(report.inadequate).toHaveLength(1);
    const health = report.inadequate[0];
    expect(health.key).toBe('GET /api/health');
    expect(health.errors[0]).toBe('5xx: 2 of 12 requests (17%): 500 × 2');
    expect(health.add).toEqual([
      'expect.schema: the 200 response schema of getHealth (from the OpenAPI description)',
      'a body assertion (expect.body) on a field clients read',
      expect.stringMatching(/^expect\.maxResponseTimeMs: (1950|2000) \(observed p99 1[23]\d\d ms × 1\.5\)$/),
    ]);

    expect(report.newScenarios.map((n) => [n.kind, n.key, n.status, n.count, n.documented])).toEqual([
      ['error', 'GET /api/orders/{orderId}', 503, 5, true],
      ['route', 'GET /api/legacy/{id}', undefined, 3, false],
    ]);
    expect(report.undocumented).toEqual([{ key: 'GET /api/legacy/{id}', method: 'GET', path: '/api/legacy/{id}', example: '/api/legacy/123?token=[REDACTED]', requests: 3, share: 0.03, errors5xx: 0 }]);
    expect(report.unused).toEqual([{ key: 'GET /api/admin/stats', operationId: 'adminStats', level: 'none' }]);

    const md = readFileSync(path.join(box.dir, 'reports', 'gaps.md'), 'utf8');
    expect(md).toContain('| 1 | GET /api/products (searchProducts) | 40% (40) | 0 | ');
    expect(md).toContain('- **GET /api/orders/{orderId}**: 20% of traffic (20 requests, 5 × 5xx), risk 0.200, no check or journey');
    expect(md).toContain('503 on GET /api/orders/{orderId}: 5 time(s)');
    expect(md).not.toContain('s3cret-value');
    const html = readFileSync(path.join(box.dir, 'reports', 'index.html'), 'utf8');
    expect(html).toContain('<!-- observer:gaps -->');
    expect(html).toContain('data-risk="0.4000"');
    expect(html.match(/<!-- observer:gaps -->/g)).toHaveLength(1);
    expect(html).toContain('id="observer-data"'); // the run's board is still there

    // 4. Generated checks: the three top-risk GETs, with example values (OpenAPI example, the log's most common value).
    const dir = path.join(box.dir, 'checks', 'generated');
    expect(readdirSync(dir).sort()).toEqual([
      'gaps-get-health.check.yaml',
      'gaps-get-health.schema.json',
      'gaps-get-order.check.yaml',
      'gaps-get-order.schema.json',
      'gaps-get-search-products.check.yaml',
      'gaps-get-search-products.schema.json',
    ]);
    const order = readFileSync(path.join(dir, 'gaps-get-order.check.yaml'), 'utf8');
    expect(order).toContain('url: /api/orders/7\n');
    expect(order).toContain('schema: gaps-get-order.schema.json');
    // p99 of 1.99 s (the histogram's 1% error) × 1.5, rounded up to 50 ms.
    expect(Number(/maxResponseTimeMs: (\d+)/.exec(order)?.[1])).toBeGreaterThanOrEqual(2900);
    expect(Number(/maxResponseTimeMs: (\d+)/.exec(order)?.[1])).toBeLessThanOrEqual(3050);
    expect(readFileSync(path.join(dir, 'gaps-get-search-products.check.yaml'), 'utf8')).toContain('url: /api/products?q=tea\n');
    expect(JSON.parse(readFileSync(path.join(dir, 'gaps-get-order.schema.json'), 'utf8')).properties.note).toEqual({ type: ['string', 'null'] });

    // 5. They load and pass against the server.
    const before = hits.length;
    const run2 = await runCli(['run'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(run2.code, run2.stdout + run2.stderr).toBe(0);
    const latest = JSON.parse(readFileSync(path.join(box.dir, 'reports', 'latest.json'), 'utf8')) as { results: Array<{ monitor: string; status: string; httpStatus?: number }> };
    const generated = latest.results.filter((r) => r.monitor.startsWith('gaps-'));
    // Passed, or degraded on a busy machine (generous limits: p99 1.3-2 s × 1.5); never a schema or status failure.
    expect(generated.map((r) => [r.monitor, r.httpStatus, r.status === 'failed' ? 'failed' : 'ok']).sort(), JSON.stringify(generated)).toEqual([
      ['gaps-get-health', 200, 'ok'],
      ['gaps-get-order', 200, 'ok'],
      ['gaps-get-search-products', 200, 'ok'],
    ]);
    expect(hits.slice(before)).toContain('GET /api/orders/7');
    // The run's new board keeps the gaps section (the html reporter reads gaps.json).
    expect(readFileSync(path.join(box.dir, 'reports', 'index.html'), 'utf8')).toContain('<h2>Test gaps</h2>');

    // 6. Again: the gaps are closed, nothing is written or changed.
    appendFileSync(path.join(dir, 'gaps-get-order.check.yaml'), '# reviewed by hand\n');
    const edited = readFileSync(path.join(dir, 'gaps-get-order.check.yaml'), 'utf8');
    const again = await runCli(['gaps', '--write', 'checks/generated'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'gaps-get-order.check.yaml'), 'utf8')).toBe(edited);
    expect(again.stdout).not.toContain('wrote ');
    const report2 = JSON.parse(readFileSync(path.join(box.dir, 'reports', 'gaps.json'), 'utf8')) as GapsReport;
    expect(report2.missing).toEqual([]);
    expect(report2.operations.find((o) => o.key === 'GET /api/orders/{orderId}')?.level).toBe('asserted');
    expect(existsSync(path.join(dir, 'gaps-get-admin-stats.check.yaml'))).toBe(false);
  }, 600_000);

  it('a missing log or description is a clear error (exit 2, no stack); a broken gaps section too', async () => {
    const r = await runCli(['gaps', '--access-log', 'logs/none.log'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('observer gaps: logs/none.log: no such file (--access-log)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const o = await runCli(['gaps', '--openapi', 'nope.yaml'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('observer gaps: nope.yaml: no such file (--openapi)');
    const cfg = path.join(box.dir, 'observer.config.ts');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, original.replace("accessLogs: ['logs/access.log']", "accessLogs: [{ file: 'logs/access.log' }], since: 'a week'"));
    try {
      const c = await runCli(['gaps'], { cwd: box.dir, env: env(), timeoutMs: 180_000 });
      expect(c.code).toBe(2);
      expect(c.stderr).toMatch(/observer\.config\.ts.*gaps\.accessLogs\[0\]/);
      expect(c.stderr).toMatch(/gaps\.since.*must be a duration such as 90m, 24h or 7d/);
    } finally {
      writeFileSync(cfg, original);
    }
  }, 400_000);
});
