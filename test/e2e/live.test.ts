/**
 * The live dashboard end to end: a real `observer daemon` (and `observer serve`) on 127.0.0.1 with
 * a real SQLite store, a real target server whose status the test flips, and a real Chromium on
 * the page. When a run finishes the page re-renders in place: no reload (a window marker set
 * before survives, one navigation), the filter and the scroll position are kept, the new status
 * shows. A page with nothing new to show sends no request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSandbox, runCli, spawnCli, waitForOutput } from './sandbox.js';

const CHROMIUM = process.env.OBSERVER_CHROMIUM ?? '/usr/bin/chromium';
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const TOKEN = 'wall-screen-token-5b1e0d9a';

/** The watched service: /health answers `status.health`, /other always 200. */
async function startTarget(): Promise<{ url: string; status: { health: number }; close(): Promise<void> }> {
  const status = { health: 200 };
  const server = http.createServer((req, res) => {
    const code = req.url?.startsWith('/health') ? status.health : 200;
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: code === 200 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    status,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let browser: Browser;
let target: Awaited<ReturnType<typeof startTarget>>;
beforeAll(async () => {
  browser = await chromium.launch(LAUNCH);
  target = await startTarget();
});
afterAll(async () => {
  await browser?.close();
  await target?.close();
});

/** Bounded wait until the dashboard shows a board (the first run is in the store). */
async function waitForBoard(base: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`${base}/?token=${TOKEN}`)).text();
    if (text.includes('id="overall-status"')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the dashboard never showed a board');
}

describe('live dashboard', () => {
  it('observer daemon: the page in Chromium updates in place when a run finishes; reports/ is kept current; SIGTERM closes the streams', { timeout: 180_000 }, async () => {
    const box = makeSandbox('live');
    target.status.health = 200;
    const { child, done } = spawnCli(['daemon', '--port', '0', '--host', '127.0.0.1', '--write-interval', '1'], {
      cwd: box.dir,
      env: { OBSERVER_BASE_URL: target.url, DASHBOARD_TOKEN: TOKEN },
      timeoutMs: 120_000,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 600 } });
    try {
      const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/`)).status).toBe(401);
      await waitForBoard(base);

      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      // Full page loads (same-document history changes by the filters do not count).
      let loads = 0;
      page.on('load', () => loads++);
      await page.goto(`${base}/?token=${TOKEN}#monitor=target`);
      await page.waitForFunction(() => document.documentElement.getAttribute('data-live-state') === 'live', null, { timeout: 15_000 });
      expect(await page.locator('#overall-status').textContent()).toBe('healthy');
      expect(await page.locator('#filter-monitor').inputValue()).toBe('target');
      // Marks that a reload would lose: a window property, and the scroll position.
      await page.evaluate(() => {
        (window as unknown as { liveMarker: number }).liveMarker = 4242;
        document.body.style.minHeight = '4000px';
        window.scrollTo(0, 300);
      });
      const scrollBefore = await page.evaluate(() => window.scrollY);
      expect(scrollBefore).toBe(300);
      const versionBefore = await page.evaluate(() => document.documentElement.getAttribute('data-live-version'));

      // The target fails; the next run's result reaches the page through the event stream.
      target.status.health = 503;
      await page.waitForFunction(() => document.getElementById('overall-status')?.textContent === 'down', null, { timeout: 30_000 });
      const after = await page.evaluate(() => ({
        marker: (window as unknown as { liveMarker?: number }).liveMarker,
        version: document.documentElement.getAttribute('data-live-version'),
        filter: (document.getElementById('filter-monitor') as HTMLSelectElement).value,
        hash: location.hash,
        title: document.title,
        navigations: performance.getEntriesByType('navigation').length,
        charts: document.querySelectorAll('.chart-card .uplot canvas').length,
        otherChartsHidden: Array.from(document.querySelectorAll('.chart-card[data-monitor="other"]')).every((el) => (el as HTMLElement).hidden),
      }));
      expect(after.marker).toBe(4242);
      expect(after.version).not.toBe(versionBefore);
      expect(after.filter).toBe('target');
      expect(after.hash).toBe('#monitor=target');
      expect(after.title).toMatch(/^Down · /);
      expect(after.navigations).toBe(1);
      expect(after.charts).toBeGreaterThan(0);
      expect(after.otherChartsHidden).toBe(true);
      expect(loads).toBe(1);
      expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);
      expect(await page.locator('main').textContent()).toContain('503');
      expect(consoleErrors).toEqual([]);

      // reports/ on disk follows (written at most every second, when something changed).
      const index = path.join(box.dir, 'reports', 'index.html');
      for (let i = 0; i < 50 && !(existsSync(index) && readFileSync(index, 'utf8').includes('<title>Down ')); i++) await new Promise((r) => setTimeout(r, 200));
      const written = readFileSync(index, 'utf8');
      expect(written).toContain('<title>Down ');
      // The file on disk stays the self-contained report: no live script, no connect-src.
      expect(written).not.toContain('observer-live');
      expect(written).not.toContain('connect-src');

      child.kill('SIGTERM');
      await page.waitForFunction(() => document.documentElement.getAttribute('data-live-state') !== 'live', null, { timeout: 15_000 });
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stderr + r.stdout).not.toContain(TOKEN);
    } finally {
      await context.close();
      if (child.exitCode === null) child.kill('SIGKILL');
      target.status.health = 200;
      box.cleanup();
    }
  });

  it('observer serve: a quiet page sends nothing; a run written by another process shows up without a reload', { timeout: 180_000 }, async () => {
    const box = makeSandbox('live');
    target.status.health = 200;
    const env = { OBSERVER_BASE_URL: target.url, DASHBOARD_TOKEN: TOKEN };
    expect((await runCli(['run'], { cwd: box.dir, env, timeoutMs: 60_000 })).code).toBe(0);
    const { child, done } = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--poll-interval', '1', '--write-interval', '0'], { cwd: box.dir, env, timeoutMs: 120_000 });
    const context = await browser.newContext();
    try {
      const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/readyz`)).text()).toMatch(/^ready: serving the store sqlite:/);
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(new URL(req.url()).pathname));
      await page.goto(`${base}/?token=${TOKEN}`);
      await page.waitForFunction(() => document.documentElement.getAttribute('data-live-state') === 'live', null, { timeout: 15_000 });
      expect(await page.locator('#overall-status').textContent()).toBe('healthy');
      await page.evaluate(() => ((window as unknown as { liveMarker: string }).liveMarker = 'kept'));
      // Three polls of the store by the server with nothing new: the page asks for nothing.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(requests).toEqual(['/', '/events']);

      target.status.health = 503;
      expect((await runCli(['run'], { cwd: box.dir, env, timeoutMs: 60_000 })).code).toBe(1);
      await page.waitForFunction(() => document.getElementById('overall-status')?.textContent === 'down', null, { timeout: 30_000 });
      expect(await page.evaluate(() => (window as unknown as { liveMarker?: string }).liveMarker)).toBe('kept');
      expect(requests.filter((p) => p === '/').length).toBeGreaterThanOrEqual(2);
      expect(requests.filter((p) => p !== '/' && p !== '/events')).toEqual([]);

      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    } finally {
      await context.close();
      if (child.exitCode === null) child.kill('SIGKILL');
      target.status.health = 200;
      box.cleanup();
    }
  });
});
