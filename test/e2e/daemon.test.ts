/**
 * `observer daemon` end to end: real cron ticks (every second), overlap recorded as skipped ticks,
 * /metrics, /healthz, /readyz, a rejected and an accepted SIGHUP reload, and a graceful SIGTERM.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { makeSandbox, spawnCli, waitForOutput } from './sandbox.js';

let shop: DemoShop;
let box: { dir: string; cleanup(): void };

beforeAll(async () => {
  shop = await startDemoShop({ port: 0 });
  box = makeSandbox('daemon');
});
afterAll(async () => {
  await shop.close();
  box.cleanup();
});

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}

describe('observer daemon', () => {
  it('schedules, skips overlapping ticks, serves metrics, reloads on SIGHUP and drains on SIGTERM', async () => {
    shop.setFault('/api/products', { latencyMs: 2_500 });
    const { child, done } = spawnCli(['daemon', '--port', '0', '--host', '127.0.0.1'], {
      cwd: box.dir,
      env: { OBSERVER_BASE_URL: shop.url },
      timeoutMs: 90_000,
    });
    try {
      const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
      const base = `http://127.0.0.1:${port}`;
      expect((await get(`${base}/healthz`)).status).toBe(200);
      expect((await get(`${base}/readyz`)).text).toContain('2 monitor(s)');

      // Bounded wait until the quick monitor ran a few times and the slow one overlapped.
      let metrics = '';
      for (let i = 0; i < 40; i++) {
        await new Promise((r) => setTimeout(r, 250));
        metrics = (await get(`${base}/metrics`)).text;
        const quickRuns = metricValue(metrics, 'observer_runs_total', { monitor: 'quick' });
        const skipped = metricValue(metrics, 'observer_skipped_ticks_total', { monitor: 'slow', reason: 'overlap' });
        if (quickRuns >= 3 && skipped >= 1) break;
      }
      expect(metricValue(metrics, 'observer_runs_total', { monitor: 'quick', status: 'passed' })).toBeGreaterThanOrEqual(3);
      expect(metricValue(metrics, 'observer_skipped_ticks_total', { monitor: 'slow', reason: 'overlap' })).toBeGreaterThanOrEqual(1);
      expect(metrics).toContain('observer_step_duration_seconds_bucket');
      expect(metrics).toContain('observer_process_resident_memory_bytes');
      expect(metricValue(metrics, 'observer_skipped_ticks_total', { monitor: 'quick' })).toBe(0);

      // A broken configuration is rejected; the old schedule keeps running.
      const broken = path.join(box.dir, 'checks', 'broken.check.yaml');
      writeFileSync(broken, 'id: broken\nname: Broken\nrequest: { url: /api/health }\nschedule: "not cron"\n');
      child.kill('SIGHUP');
      await waitForOutput(child, /reload rejected[\s\S]*broken\.check\.yaml/);
      expect((await get(`${base}/readyz`)).status).toBe(200);

      // A good one is applied.
      rmSync(broken);
      writeFileSync(path.join(box.dir, 'checks', 'extra.check.yaml'), 'id: extra\nname: Extra\nrequest: { url: /api/health }\nschedule: "*/1 * * * * *"\n');
      child.kill('SIGHUP');
      await waitForOutput(child, /reloaded: 3 monitor\(s\) scheduled/);

      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/stopped after \d+ run/);
      const db = new Database(path.join(box.dir, '.observer', 'observer.db'), { readonly: true });
      try {
        const rows = db.prepare('select count(*) as n from results').get() as { n: number };
        expect(rows.n).toBeGreaterThanOrEqual(4);
      } finally {
        db.close();
      }
    } finally {
      shop.clearFaults();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('is not ready with nothing to run (no monitor has a schedule)', async () => {
    const b = makeSandbox('api-mixed');
    const { child, done } = spawnCli(['daemon', '--port', '0', '--host', '127.0.0.1'], { cwd: b.dir, env: { OBSERVER_BASE_URL: shop.url }, timeoutMs: 60_000 });
    try {
      const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
      const ready = await get(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await done;
      b.cleanup();
    }
  });
});
