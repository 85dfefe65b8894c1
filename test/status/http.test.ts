/**
 * /status and /badge/... over real HTTP: through `observer serve` on a fixture with a filled SQLite
 * store (content types, cache headers, CSP, 404 and 400 badges, read-only), and the route handler
 * on its own (one store read per cache period however many requests; a failing store is a 503).
 */
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteTable, startHttpServer, type HttpServer } from '../../src/scheduler/http.js';
import { statusRoutes } from '../../src/status/http.js';
import { buildSnapshot } from '../../src/status/snapshot.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { makeSandbox, spawnCli, waitForOutput } from '../e2e/sandbox.js';
import { NOW, fill } from './history.js';
import { scenePage, sceneStore } from './scene.js';

describe('observer serve answers /status and the badges', () => {
  let sandbox: { dir: string; cleanup(): void };
  let child: ReturnType<typeof spawnCli>['child'];
  let done: ReturnType<typeof spawnCli>['done'];
  let base: string;
  beforeAll(async () => {
    sandbox = makeSandbox('status-page');
    const store = await openStore({ path: path.join(sandbox.dir, '.observer', 'observer.db') });
    await fill(store);
    await store.close();
    ({ child, done } = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--write-interval', '0'], { cwd: sandbox.dir, timeoutMs: 120_000 }));
    const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
    base = `http://127.0.0.1:${port}`;
  }, 120_000);
  afterAll(async () => {
    child?.kill('SIGTERM');
    await done;
    sandbox?.cleanup();
  });

  it('serves the page self-contained, with a CSP that allows nothing from outside', async () => {
    const res = await fetch(`${base}/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toContain('<title>Example &lt;Shop&gt; status: ');
    expect(html).toContain('<meta http-equiv="refresh" content="60">');
    expect(html).toContain('id="group-core"');
    const json = await (await fetch(`${base}/status.json`)).json();
    expect(Object.keys(json.monitors)).toEqual(['api', 'web']);
    expect(json.monitors.api.name).toBe('Public API');
  });

  it('serves status and uptime badges per monitor and group as SVG with cache headers', async () => {
    for (const url of ['/badge/api/status.svg', '/badge/core/uptime.svg', '/badge/web-shop/uptime.svg?window=90d', '/badge/web/uptime.svg?window=24h']) {
      const res = await fetch(base + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=60');
      const svg = await res.text();
      expect(XMLValidator.validate(svg), url).toBe(true);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    }
    expect(await (await fetch(`${base}/badge/api/status.svg`)).text()).toContain('aria-label="Public API: ');
    expect(await (await fetch(`${base}/badge/core/uptime.svg?window=90d`)).text()).toMatch(/aria-label="uptime 90d: \d+(\.\d+)?%"/);
  });

  it('answers an unknown id with a 404 badge, an unknown window with 400, and writes with 405', async () => {
    const missing = await fetch(`${base}/badge/nope/status.svg`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(await missing.text()).toContain('aria-label="badge: not found"');
    expect((await fetch(`${base}/badge/api/other.svg`)).status).toBe(404);
    const window = await fetch(`${base}/badge/api/uptime.svg?window=1y`);
    expect(window.status).toBe(400);
    expect(await window.text()).toContain('use 24h 7d 30d 90d');
    expect((await fetch(`${base}/status`, { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await fetch(`${base}/badge/api/status.svg`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
  });
});

describe('the status routes on their own', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: HttpServer;
  let loads = 0;
  let broken = false;
  let nowMs = NOW;
  beforeAll(async () => {
    ({ store, dispose } = await sceneStore());
    const page = scenePage();
    const routes = statusRoutes({
      clock: { nowMs: () => nowMs, monotonicMs: () => 0 },
      cacheMs: 10_000,
      load: async () => {
        loads++;
        if (broken) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return buildSnapshot(store, page, { nowMs, environment: 'prod' });
      },
    });
    const table = new RouteTable();
    const handle = (req: Parameters<typeof routes.handle>[0], res: Parameters<typeof routes.handle>[1]) => void routes.handle(req, res);
    table.add({ path: '/status', handle }).add({ path: '/badge/', prefix: true, handle });
    server = await startHttpServer({ port: 0, host: '127.0.0.1', routes: table });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await dispose?.();
  });

  it('reads the store once per cache period for any number of requests, then again', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${base}${i % 2 ? '/status' : '/badge/search/status.svg'}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(loads).toBe(1);
    expect(await answers[0]!.text()).toContain('aria-label="Search &lt;img src=x onerror=alert(1)&gt;: down"');
    nowMs += 10_000;
    await (await fetch(`${base}/status`)).text();
    expect(loads).toBe(2);
  });

  it('answers 503 while the store cannot be read, and recovers', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    broken = true;
    nowMs += 10_000;
    const page = await fetch(`${base}/status`);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('15');
    const badge = await fetch(`${base}/badge/api/status.svg`);
    expect(badge.status).toBe(503);
    expect(await badge.text()).toContain('unavailable');
    broken = false;
    expect((await fetch(`${base}/status`)).status).toBe(200);
  });
});

