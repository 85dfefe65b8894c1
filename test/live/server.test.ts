/**
 * The live dashboard's server on 127.0.0.1 with a real SQLite store: the route table and its
 * token (401 without, 200 with Bearer or ?token=), the page (the report plus the live script, CSP
 * allowing only its own origin), SSE framing (retry, hello, keepalive comments, update, bye), the
 * client cap (503 with retry-after), the store watcher, and reports/ rewritten only on change.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoardSource } from '../../src/live/board.js';
import { LiveDashboard } from '../../src/live/dashboard.js';
import { liveCsp } from '../../src/live/inject.js';
import { sseFrame } from '../../src/live/sse.js';
import { StoreWatcher } from '../../src/live/watch.js';
import { ObserverMetrics } from '../../src/metrics/registry.js';
import { createLogger } from '../../src/runtime/log.js';
import { Redactor } from '../../src/runtime/redact.js';
import { builtinRoutes, startHttpServer, type HttpServer } from '../../src/scheduler/http.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { apiResult, run, T0 } from '../store/fixtures.js';

const TOKEN = 'live-dashboard-token-7f3a9c';
const clock = { nowMs: () => T0 + 3_600_000, monotonicMs: () => performance.now() };

let dir: string;
let store: Store;
let server: HttpServer | undefined;
let dashboard: LiveDashboard;
let logLines: string[];

async function start(opts: { maxClients?: number; heartbeatMs?: number; writeIntervalMs?: number; token?: string } = {}): Promise<string> {
  const redactor = new Redactor();
  redactor.add(TOKEN);
  logLines = [];
  const log = createLogger({ format: 'json', redactor, stream: { write: (s: string) => logLines.push(s) } as unknown as NodeJS.WritableStream });
  const source = new BoardSource({ store, clock, window: '24h', outDir: path.join(dir, 'reports'), reporters: ['json', 'html', 'markdown'], reporterOptions: { redactor } });
  dashboard = new LiveDashboard({ source, log, retryMs: 1500, debounceMs: 10, ...opts });
  const routes = builtinRoutes({ metrics: new ObserverMetrics({ processMetrics: false }), health: { ready: true, monitorCount: 1 } });
  dashboard.addRoutes(routes);
  const d = dashboard;
  server = await startHttpServer({ port: 0, host: '127.0.0.1', routes, token: opts.token ?? TOKEN, onClose: [() => d.close()] });
  return `http://127.0.0.1:${server.port}`;
}

async function addRun(id: string, atMs: number, status: 'passed' | 'failed'): Promise<void> {
  await store.saveRun(run(id, { atMs, finishedAt: new Date(atMs + 100).toISOString() }));
  await store.saveResults([apiResult(id, 'api-health', atMs, { status, ...(status === 'failed' ? { error: { class: 'http_status', message: 'status (503) == 200' }, httpStatus: 503 } : {}) })]);
}

/** An open event stream read raw: every byte received, and the response. */
function openStream(url: string, headers: Record<string, string> = {}): Promise<{ res: http.IncomingMessage; text: () => string; waitFor(re: RegExp): Promise<void>; close(): void; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buf = '';
      const waiters: Array<{ re: RegExp; done: () => void }> = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (const w of [...waiters]) {
          if (!w.re.test(buf)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.done();
        }
      });
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        res,
        text: () => buf,
        waitFor: (re) =>
          new Promise<void>((ok, fail) => {
            if (re.test(buf)) return ok();
            const t = setTimeout(() => fail(new Error(`timed out waiting for ${re}; got ${JSON.stringify(buf)}`)), 10_000);
            waiters.push({
              re,
              done: () => {
                clearTimeout(t);
                ok();
              },
            });
          }),
        close: () => req.destroy(),
        ended,
      });
    });
    req.on('error', reject);
  });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'observer-live-'));
  store = await openStore({ path: path.join(dir, 'observer.db') });
  await store.migrate();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('live dashboard server', () => {
  it('asks for the token on / and /events (Bearer or ?token=), leaves /healthz and /metrics open, never logs it', async () => {
    await addRun('r1', T0, 'passed');
    const base = await start();
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/`, { headers: { authorization: 'Bearer wrong-token-of-same-size' } })).status).toBe(401);
    expect((await fetch(`${base}/?token=${TOKEN}x`)).status).toBe(401);
    const unauth = await fetch(`${base}/events`);
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bearer = await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    const byQuery = await fetch(`${base}/?token=${TOKEN}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('/events');
    expect((await fetch(`${base}/`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    // The page never carries the token (it is read from the address by the script).
    const html = await byQuery.text();
    expect(html).not.toContain(TOKEN);
    await server!.close();
    server = undefined;
    expect(logLines.join('')).not.toContain(TOKEN);
  });

  it('serves the report with the live script: the CSP allows its hash and its own origin only', async () => {
    await addRun('r1', T0, 'failed');
    const base = await start();
    const res = await fetch(`${base}/?token=${TOKEN}`);
    const html = await res.text();
    expect(html).toContain('id="overall-status"');
    expect(html).toContain('<script id="observer-client">');
    expect(html).toMatch(/<script type="application\/json" id="observer-live">\{"build":"[0-9a-f]{16}","version":"[0-9a-f]{8}-0","retryMs":1500\}<\/script>/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1].replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp.match(/'sha256-/g)).toHaveLength(3);
    // Conditional GET by version.
    const etag = res.headers.get('etag')!;
    expect((await fetch(`${base}/?token=${TOKEN}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(liveCsp("default-src 'none'; connect-src https://x; script-src 'sha256-a'", 'x')).toMatch(/^default-src 'none'; script-src 'sha256-a' 'sha256-[^']+'; connect-src 'self'$/);
  });

  it('frames server-sent events: retry and hello on connect, keepalive comments, one update per change, bye on close', async () => {
    await addRun('r1', T0, 'passed');
    const base = await start({ heartbeatMs: 50 });
    const s = await openStream(`${base}/events`, { authorization: `Bearer ${TOKEN}` });
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.res.headers['cache-control']).toBe('no-store');
    await s.waitFor(/^retry: 1500\n\nevent: hello\ndata: \{"version":"([0-9a-f]{8})-0"\}\n\n/);
    await s.waitFor(/\n: keepalive\n\n/);
    const first = dashboard.version;
    // Three changes in a burst: coalesced into updates that end on the newest version.
    dashboard.changed();
    dashboard.changed();
    dashboard.changed();
    await s.waitFor(new RegExp(`event: update\\ndata: \\{"version":"${first.split('-')[0]}-3"\\}\\n\\n`));
    expect(s.text().match(/event: update/g)).toHaveLength(1);
    await server!.close();
    server = undefined;
    await s.ended;
    expect(s.text()).toMatch(/event: bye\ndata: shutting down\n\n$/);
    expect(sseFrame('update', 'a\nb\r\nc')).toBe('event: update\ndata: a\ndata: b\ndata: c\n\n');
    expect(() => sseFrame('x\ny', '')).toThrow(/one line/);
  });

  it('caps the open streams: the next client gets 503 with retry-after; a closed one frees its place', async () => {
    await addRun('r1', T0, 'passed');
    const base = await start({ maxClients: 2 });
    const a = await openStream(`${base}/events?token=${TOKEN}`);
    const b = await openStream(`${base}/events?token=${TOKEN}`);
    await a.waitFor(/event: hello/);
    await b.waitFor(/event: hello/);
    const c = await fetch(`${base}/events?token=${TOKEN}`);
    expect(c.status).toBe(503);
    expect(c.headers.get('retry-after')).toBe('2');
    expect(await c.text()).toContain('at most 2');
    expect(dashboard.clients).toBe(2);
    a.close();
    await a.ended;
    for (let i = 0; i < 100 && dashboard.clients !== 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(dashboard.clients).toBe(1);
    const d = await openStream(`${base}/events?token=${TOKEN}`);
    expect(d.res.statusCode).toBe(200);
    d.close();
    b.close();
  });

  it('watches the store: a new result changes the signature and pushes an update; the page shows the new state', async () => {
    await addRun('r1', T0, 'passed');
    const base = await start();
    const changes: number[] = [];
    const watcher = new StoreWatcher(store, { intervalMs: 60_000, onChange: () => (changes.push(1), dashboard.changed()), onError: (e) => { throw e; } });
    await watcher.start();
    try {
      const s = await openStream(`${base}/events?token=${TOKEN}`);
      await s.waitFor(/event: hello/);
      expect(await (await fetch(`${base}/?token=${TOKEN}`)).text()).toMatch(/id="overall-status">(healthy|passing|ok)/i);
      await watcher.poll();
      expect(changes).toHaveLength(0);
      await addRun('r2', T0 + 60_000, 'failed');
      await watcher.poll();
      expect(changes).toHaveLength(1);
      await s.waitFor(/event: update/);
      const html = await (await fetch(`${base}/?token=${TOKEN}`)).text();
      expect(html).toContain('status (503) == 200');
      expect(html).not.toMatch(/id="overall-status">(healthy|passing|ok)/i);
      s.close();
    } finally {
      watcher.stop();
    }
  });

  it('renders on a change only while a page is connected (a daemon with no page open does no render work)', async () => {
    await addRun('r1', T0, 'passed');
    await start();
    let renders = 0;
    const source = (dashboard as unknown as { opts: { source: BoardSource } }).opts.source;
    const html = source.html.bind(source);
    source.html = () => (renders++, html());
    dashboard.changed();
    await new Promise((r) => setTimeout(r, 100));
    expect(renders).toBe(0);
    const base = `http://127.0.0.1:${server!.port}`;
    const s = await openStream(`${base}/events?token=${TOKEN}`);
    await s.waitFor(/event: hello/);
    dashboard.changed();
    await s.waitFor(/event: update/);
    expect(renders).toBe(1);
    // The pages then ask for the version already rendered.
    await (await fetch(`${base}/?token=${TOKEN}`)).text();
    expect(renders).toBe(1);
    s.close();
  });

  it('serves the board\'s artifacts from reports/artifacts/ only, behind the token', async () => {
    await addRun('r1', T0, 'passed');
    const base = await start();
    const folder = path.join(dir, 'reports', 'artifacts', 'r1', 'shop');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(path.join(folder, 'page.html'), '<script>alert(1)</script>');
    writeFileSync(path.join(dir, 'outside.txt'), 'not for the dashboard');
    symlinkSync(path.join(dir, 'outside.txt'), path.join(folder, 'link.txt'));
    const get = (p: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        // Raw requests: fetch would normalise the dot segments away.
        http
          .get(`${base}${p}`, (res) => {
            let body = '';
            res.setEncoding('latin1');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
          })
          .on('error', reject);
      });
    expect((await get('/artifacts/r1/shop/shot.png')).status).toBe(401);
    const shot = await get(`/artifacts/r1/shop/shot.png?token=${TOKEN}`);
    expect(shot.status).toBe(200);
    expect(shot.headers['content-type']).toBe('image/png');
    expect(shot.body).toBe('\x89PNG');
    const page = await get(`/artifacts/r1/shop/page.html?token=${TOKEN}`);
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(page.headers['content-type']).toBe('application/octet-stream');
    for (const bad of ['/artifacts/../outside.txt', '/artifacts/%2e%2e/outside.txt', '/artifacts/r1%2fshop%2fshot.png', '/artifacts/r1/shop/link.txt', '/artifacts/r1/shop', '/artifacts/r1/shop/missing.png']) {
      const r = await get(`${bad}?token=${TOKEN}`);
      expect(r.status, bad).toBe(404);
      expect(r.body).not.toContain('not for the dashboard');
    }
  });

  it('rewrites reports/ only when something changed since the last write', async () => {
    await addRun('r1', T0, 'passed');
    await start();
    await dashboard.writeIfChanged();
    const index = path.join(dir, 'reports', 'index.html');
    const first = statSync(index).mtimeMs;
    expect(readdirSync(path.join(dir, 'reports')).sort()).toEqual(['index.html', 'latest.json', 'run-r1.json', 'status.md']);
    await new Promise((r) => setTimeout(r, 30));
    await dashboard.writeIfChanged();
    expect(statSync(index).mtimeMs).toBe(first);
    await addRun('r2', T0 + 60_000, 'failed');
    dashboard.changed();
    await dashboard.writeIfChanged();
    expect(statSync(index).mtimeMs).toBeGreaterThan(first);
    expect(readdirSync(path.join(dir, 'reports'))).toContain('run-r2.json');
  });
});
