/** The daemon's collection: at most once per interval, handed to /metrics and to the pipeline's analysis. */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeSignals, SignalsPoller, type SystemSignals } from '../../src/sources/index.js';
import type { SqliteStore } from '../../src/store/index.js';
import { openTestStore, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let store: SqliteStore;
beforeAll(async () => {
  tmp = tempDir('poller');
  store = await openTestStore(tmp.dir);
});
afterAll(async () => {
  await store?.close();
  tmp?.cleanup();
});

it('collects at most once per interval and reports each collection', async () => {
  const log = path.join(tmp.dir, 'access.log');
  const line = (status: number) => `127.0.0.1 - - [04/Dec/2026:10:00:00 +0000] "GET /a HTTP/1.1" ${status} 10 "-" "t" 0.010\n`;
  writeFileSync(log, line(200));
  let now = Date.UTC(2026, 11, 4, 10);
  const seen: SystemSignals[] = [];
  const poller = new SignalsPoller({
    sources: [{ type: 'access-log', service: 'web', path: 'access.log', format: 'combined' }],
    store,
    clock: { nowMs: () => now, monotonicMs: () => performance.now() },
    rootDir: tmp.dir,
    location: 'local',
    monitors: () => [],
    minIntervalMs: 60_000,
    onCollected: (s) => seen.push(s),
  });
  expect(await poller.collect()).toBeDefined();
  expect(seen).toHaveLength(1);
  appendFileSync(log, line(500) + line(200));
  now += 30_000;
  expect(await poller.collect()).toBeUndefined();
  expect(seen).toHaveLength(1); // too soon
  now += 30_000;
  const collected = await poller.collect();
  expect(seen).toHaveLength(2);
  await analyzeSignals(store, {}, collected!, []);
  const e5 = seen[1].signals.find((s) => s.signal === 'errors5xx' && s.route === undefined)!;
  expect(e5).toMatchObject({ value: 0.5, status: 'critical' });
  const traffic = seen[1].signals.find((s) => s.signal === 'traffic' && s.route === undefined)!;
  expect(traffic.value).toBeCloseTo(2 / 60, 10); // 2 lines over the 60 s since the previous read
  // The anomaly core keeps state for the signals' series.
  const keys = await store.listStateKeys('anomaly');
  expect(keys.some((k) => k.startsWith('service:web|access-log:web|errorRatio5xx|'))).toBe(true);
});
