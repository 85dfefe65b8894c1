/**
 * Uptime from real SQLite and PostgreSQL stores filled with 90 days of results through the store
 * API: exact numbers worked out by hand (history.ts), maintenance exclusion, runner failures left
 * out, daily buckets and downtime episodes; both backends must agree to the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { BAR_DAYS, dailyCounts, downtimeEpisodes, uptimePct, windowCounts } from '../../src/status/uptime.js';
import { PG_URL, dropSchema, freshSchemaName } from '../store/pg-helpers.js';
import { HOUR, NOW, WEB_MAINTENANCE, at, fill } from './history.js';

const backends: Array<[string, () => Promise<{ store: Store; dispose: () => Promise<void> }>]> = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'observer-uptime-'));
      const store = await openStore({ path: join(dir, 'observer.db') });
      return { store, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = freshSchemaName('obs_uptime');
      const store = await openStore({ url: `${PG_URL}?schema=${schema}`, spool: false });
      return { store, dispose: () => dropSchema(schema) };
    },
  ],
];

const scope = { environment: 'prod', exclude: [{ ...WEB_MAINTENANCE, monitors: ['web'] }] };

describe.each(backends)('uptime on %s', (_name, open) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await open());
    await fill(store);
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await dispose();
  });

  it('counts each window by hand: degraded is up, aborted is not counted, another environment is not counted', async () => {
    const w = await windowCounts(store, NOW, scope);
    const api = w.get('api')!;
    // 24 h: k=0..11 (12 runs) minus the aborted k=7: 11 counted, k=3 failed, k=5 degraded.
    expect(api['24h']).toEqual({ passed: 9, degraded: 1, failed: 1 });
    expect(uptimePct(api['24h'])).toBeCloseTo((10 / 11) * 100, 10);
    // 7 d: k=0..83, 83 counted, failed k=3,20,21,22.
    expect(api['7d']).toEqual({ passed: 78, degraded: 1, failed: 4 });
    expect(uptimePct(api['7d'])).toBeCloseTo((79 / 83) * 100, 10);
    // 30 d: k=0..359, 359 counted, + k=100..105 failed.
    expect(api['30d']).toEqual({ passed: 348, degraded: 1, failed: 10 });
    // 90 d: k=0..1079, 1079 counted, + k=500..507 failed.
    expect(api['90d']).toEqual({ passed: 1060, degraded: 1, failed: 18 });
    expect(uptimePct(api['90d'])).toBeCloseTo((1061 / 1079) * 100, 10);
  });

  it('leaves a monitor-scoped maintenance window out of that monitor only', async () => {
    const w = await windowCounts(store, NOW, scope);
    // web failed k=40..44, all inside its window: 100% over 30 d on the 355 runs left.
    expect(w.get('web')!['30d']).toEqual({ passed: 355, degraded: 0, failed: 0 });
    // Without the window the same failures count.
    const raw = await windowCounts(store, NOW, { environment: 'prod' });
    expect(raw.get('web')!['30d']).toEqual({ passed: 355, degraded: 0, failed: 5 });
    // api ran through the same span (k=40..44 passed): its 30 d keeps all 359 counted runs.
    expect(raw.get('api')!['30d']).toEqual(w.get('api')!['30d']);
  });

  it('aggregates per UTC day in the database: 90 bars, today and a day inside the maintenance window', async () => {
    const days = await dailyCounts(store, NOW, BAR_DAYS, scope);
    const api = days.get('api')!;
    expect(api).toHaveLength(90);
    expect(api[0]!.day).toBe('2026-09-02');
    // Today: k=0..5 at 11:00, 09:00, 07:00, 05:00 (k=3 failed), 03:00, 01:00 (k=5 degraded).
    expect(api[89]).toMatchObject({ day: '2026-11-30', passed: 4, degraded: 1, failed: 1 });
    // Yesterday: k=6..17 (23:00 .. 01:00) with k=7 aborted, not counted: 11 runs.
    expect(api[88]).toMatchObject({ day: '2026-11-29', passed: 11, degraded: 0, failed: 0 });
    // A full day has 12 runs.
    expect(api[60]).toMatchObject({ passed: 12, degraded: 0, failed: 0 });
    // k=100 (11-22 03:00) .. k=105 (11-21 17:00): k=102..105 fall on 11-21, k=100..101 on 11-22.
    expect(api[80]).toMatchObject({ day: '2026-11-21', passed: 8, failed: 4 });
    expect(api[81]).toMatchObject({ day: '2026-11-22', passed: 10, failed: 2 });
    const web = days.get('web')!;
    const k44Day = new Date(at(44)).toISOString().slice(0, 10);
    const inWindow = web.find((d) => d.day === k44Day)!;
    expect(inWindow.failed).toBe(0);
    expect(inWindow.passed).toBeLessThan(12);
  });

  it('finds the up/down changes with a window function and turns them into time-weighted episodes', async () => {
    const changes = await store.statusChanges({ since: new Date(NOW - 90 * 24 * HOUR).toISOString(), until: new Date(NOW).toISOString(), environment: 'prod', monitors: ['api'] });
    expect(changes.map((c) => [c.down, c.at])).toEqual([
      [false, new Date(at(1079)).toISOString()],
      [true, new Date(at(507)).toISOString()],
      [false, new Date(at(499)).toISOString()],
      [true, new Date(at(105)).toISOString()],
      [false, new Date(at(99)).toISOString()],
      [true, new Date(at(22)).toISOString()],
      [false, new Date(at(19)).toISOString()],
      [true, new Date(at(3)).toISOString()],
      [false, new Date(at(2)).toISOString()],
    ]);
    expect(changes[1]).toMatchObject({ monitor: 'api', location: 'eu-west', errorClass: 'http_status', message: 'status (503) == 200 at k=507' });
    const episodes = downtimeEpisodes(changes, NOW);
    expect(episodes.map((e) => e.durationMs / HOUR)).toEqual([16, 12, 6, 2]);
    expect(episodes.every((e) => e.endMs !== null)).toBe(true);
  });

  it('keeps an episode that has not ended open, counted to the end of the window', async () => {
    const until = at(502) + 1;
    const changes = await store.statusChanges({ since: new Date(at(510)).toISOString(), until: new Date(until).toISOString(), environment: 'prod', monitors: ['api'] });
    const [episode] = downtimeEpisodes(changes, until);
    expect(episode).toMatchObject({ startMs: at(507), endMs: null, durationMs: until - at(507) });
  });

  it('rejects a bad query with the field named', async () => {
    await expect(store.uptimeCounts({ since: 'yesterday' })).rejects.toThrow(/query\.since/);
    await expect(store.uptimeCounts({ since: new Date(NOW).toISOString(), bucketMs: 5 })).rejects.toThrow(/query\.bucketMs/);
    await expect(store.uptimeCounts({ since: new Date(NOW).toISOString(), exclude: [{ startMs: 10, endMs: 5 }] })).rejects.toThrow(/query\.exclude\[0\]/);
  });
});
