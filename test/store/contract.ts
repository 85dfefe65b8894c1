/**
 * The one Store contract, run against every implementation (sqlite.test.ts, postgres.test.ts).
 * Each test gets a fresh database from the factory and may open several stores on it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorResult } from '../../src/model/index.js';
import { Redactor, REDACTED } from '../../src/runtime/redact.js';
import { StoreClosedError, StoreInvalidInputError, StoreNotFoundError } from '../../src/store/errors.js';
import type { AppliedMigration } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/store.js';
import { T0, alert, apiResult, delivery, finding, iso, marker, result, run } from './fixtures.js';

export interface MigratableStore extends Store {
  appliedMigrations(): Promise<AppliedMigration[]>;
}

export interface ContractDb {
  /** Opens (and migrates) another store on this test's database. */
  open(opts?: { redactor?: Redactor }): Promise<Store>;
  /** Opens a store on this test's database without migrating it. */
  openUnmigrated(): Promise<MigratableStore>;
  /** Drops the database / schema / files. */
  dispose(): Promise<void>;
}

export type ContractFactory = () => Promise<ContractDb>;

export function storeContract(name: string, factory: ContractFactory): void {
  describe(`Store contract: ${name}`, () => {
    let db: ContractDb;
    let opened: Store[] = [];
    const open = async (opts?: { redactor?: Redactor }): Promise<Store> => {
      const s = await db.open(opts);
      opened.push(s);
      return s;
    };
    const openUnmigrated = async (): Promise<MigratableStore> => {
      const s = await db.openUnmigrated();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      db = await factory();
      opened = [];
    });
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()));
      await db.dispose();
    });

    it('has a description without a password and migrates idempotently', async () => {
      const store = await open();
      expect(store.description).toMatch(/^(sqlite:|postgres:\/\/)/);
      expect(store.description).not.toMatch(/:[^/@]*@/);
      await store.migrate();
      await store.migrate();
      expect(await store.listRuns()).toEqual([]);
    });

    it('round-trips runs and updates them by id', async () => {
      const store = await open();
      const started = run('r1', { shard: '2/4' });
      await store.saveRun(started);
      expect(await store.getRun('r1')).toEqual(started);
      const finished = { ...started, finishedAt: iso(T0 + 5000), aborted: true };
      await store.saveRun(finished);
      await store.saveRun(finished);
      expect(await store.getRun('r1')).toEqual(finished);
      expect(await store.getRun('nope')).toBeNull();
      await store.saveRun(run('r2', { atMs: T0 + 60_000 }));
      await store.saveRun(run('r0', { atMs: T0 - 60_000 }));
      expect((await store.listRuns()).map((r) => r.id)).toEqual(['r0', 'r1', 'r2']);
      expect((await store.listRuns({ since: iso(T0) })).map((r) => r.id)).toEqual(['r1', 'r2']);
      expect((await store.listRuns({ limit: 2 })).map((r) => r.id)).toEqual(['r2', 'r1']);
    });

    it('round-trips results with nested steps, timings, attempts and artifacts exactly', async () => {
      const store = await open();
      const journey = result('r1', 'shop', T0);
      const api = apiResult('r1', 'health', T0 + 10);
      await store.saveResults([journey, api]);
      const back = await store.listResults();
      expect(back).toEqual([journey, api]);
      expect(back[0].steps[0].steps?.[1].steps?.[0]).toEqual({ name: 'click accept', status: 'passed', startedAt: iso(T0 + 131), durationMs: 12.75, error: null });
      expect(back[1].steps[0].timings?.firstByteMs).toBe(80.125);
    });

    it('keeps one row per result id when results are written twice or updated', async () => {
      const store = await open();
      const first = result('r1', 'shop', T0);
      await store.saveResults([first]);
      await store.saveResults([first]);
      const updated: MonitorResult = { ...first, status: 'passed', error: null, steps: first.steps.slice(0, 1), attempts: 1 };
      await store.saveResults([updated, apiResult('r1', 'health', T0 + 1)]);
      await store.saveResults([updated]);
      const back = await store.listResults({ monitor: 'shop' });
      expect(back).toEqual([updated]);
      expect(await store.listResults()).toHaveLength(2);
    });

    it('queries results by monitor, location, environment, since and limit', async () => {
      const store = await open();
      const all: MonitorResult[] = [];
      for (let i = 0; i < 6; i++) {
        all.push(apiResult(`r${i}`, 'health', T0 + i * 60_000, { location: i % 2 ? 'us-east' : 'eu-west' }));
        all.push(apiResult(`r${i}`, 'search', T0 + i * 60_000 + 5, { environment: i < 3 ? 'prod' : 'staging' }));
      }
      // Written out of order: reads sort by startedAt.
      await store.saveResults([...all].reverse());
      const ids = (rs: MonitorResult[]) => rs.map((r) => r.id);
      expect(ids(await store.listResults({ monitor: 'health' }))).toEqual(['r0:health', 'r1:health', 'r2:health', 'r3:health', 'r4:health', 'r5:health']);
      expect(ids(await store.listResults({ monitor: 'health', since: iso(T0 + 3 * 60_000) }))).toEqual(['r3:health', 'r4:health', 'r5:health']);
      // `since` is inclusive and compares instants, not strings.
      expect(ids(await store.listResults({ monitor: 'health', since: '2026-03-01T10:03:00Z' }))).toEqual(['r3:health', 'r4:health', 'r5:health']);
      expect(ids(await store.listResults({ monitor: 'health', since: '2026-03-01T11:03:00+01:00' }))).toEqual(['r3:health', 'r4:health', 'r5:health']);
      expect(ids(await store.listResults({ monitor: 'health', limit: 2 }))).toEqual(['r5:health', 'r4:health']);
      expect(ids(await store.listResults({ monitor: 'health', location: 'us-east' }))).toEqual(['r1:health', 'r3:health', 'r5:health']);
      expect(ids(await store.listResults({ environment: 'staging' }))).toEqual(['r3:search', 'r4:search', 'r5:search']);
      expect(ids(await store.listResults({ since: iso(T0 + 5 * 60_000), limit: 10 }))).toEqual(['r5:search', 'r5:health']);
      expect(await store.listResults({ monitor: 'health', limit: 0 })).toEqual([]);
      expect(await store.listResults({ monitor: 'nope' })).toEqual([]);
    });

    it('rejects malformed instants and limits with a typed error naming the field', async () => {
      const store = await open();
      await expect(store.listResults({ since: 'yesterday' })).rejects.toThrow(StoreInvalidInputError);
      await expect(store.listResults({ limit: -1 })).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT', field: 'query.limit' });
      const bad = apiResult('r1', 'health', T0, { startedAt: 'not a date' });
      await expect(store.saveResults([apiResult('r1', 'ok', T0), bad])).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT', field: 'results[1].startedAt' });
      // Nothing of the failed batch was written.
      expect(await store.listResults()).toEqual([]);
    });

    it('upserts findings by id and filters by status, monitor and since', async () => {
      const store = await open();
      const open1 = finding('f1');
      const open2 = finding('f2', { series: { monitor: 'api', step: 'api', metric: 'outcome', location: 'us-east' }, kind: 'error_rate', updatedAt: iso(T0 + 120_000) });
      await store.saveFindings([open1, open2]);
      await store.saveFindings([open1]);
      expect(await store.listFindings()).toEqual([open1, open2]);
      const resolved = { ...open1, status: 'resolved' as const, resolvedAt: iso(T0 + 300_000), updatedAt: iso(T0 + 300_000), count: 5 };
      await store.saveFindings([resolved]);
      expect(await store.listFindings({ status: 'open' })).toEqual([open2]);
      expect(await store.listFindings({ status: 'resolved' })).toEqual([resolved]);
      expect(await store.listFindings({ monitor: 'api' })).toEqual([open2]);
      expect((await store.listFindings({ since: iso(T0 + 200_000) })).map((f) => f.id)).toEqual(['f1']);
      expect(await store.listFindings()).toHaveLength(2);
    });

    it('keeps opaque JSON state per namespace and key', async () => {
      const store = await open();
      const baseline = { n: 40, mean: 812.5, m2: 1234.25, window: [1, 2.5, 3], nested: { seasonal: [[0, 1], [2, 3]] }, flag: true, none: null };
      await store.putStates('anomaly', new Map<string, unknown>([['shop|checkout|durationMs|eu-west', baseline], ['b', 1], ['a', 'text']]));
      await store.putStates('alerts', new Map<string, unknown>([['a', { state: 'firing' }]]));
      const got = await store.getStates('anomaly', ['shop|checkout|durationMs|eu-west', 'missing', 'a']);
      expect([...got.keys()].sort()).toEqual(['a', 'shop|checkout|durationMs|eu-west']);
      expect(got.get('shop|checkout|durationMs|eu-west')).toEqual(baseline);
      expect(got.get('a')).toBe('text');
      await store.putStates('anomaly', new Map<string, unknown>([['a', { v: 2 }]]));
      expect((await store.getStates('anomaly', ['a'])).get('a')).toEqual({ v: 2 });
      expect(await store.listStateKeys('anomaly')).toEqual(['a', 'b', 'shop|checkout|durationMs|eu-west']);
      expect(await store.listStateKeys('alerts')).toEqual(['a']);
      expect((await store.getStates('alerts', ['a'])).get('a')).toEqual({ state: 'firing' });
      expect((await store.getStates('anomaly', [])).size).toBe(0);
      const many = new Map<string, unknown>(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i]));
      await store.putStates('bulk', many);
      const back = await store.getStates('bulk', [...many.keys()]);
      expect(back.size).toBe(1200);
      expect(back.get('k1199')).toBe(1199);
    });

    it('stores deploy markers idempotently and filters them', async () => {
      const store = await open();
      await store.addDeployMarker(marker('d2', T0 + 60_000));
      await store.addDeployMarker(marker('d1', T0));
      await store.addDeployMarker(marker('d1', T0));
      await store.addDeployMarker(marker('d3', T0 + 120_000, 'staging'));
      expect((await store.listDeployMarkers()).map((m) => m.id)).toEqual(['d1', 'd2', 'd3']);
      expect(await store.listDeployMarkers({ environment: 'prod', since: iso(T0 + 1) })).toEqual([marker('d2', T0 + 60_000)]);
    });

    it('follows an alert through open, acknowledge and resolve', async () => {
      const store = await open();
      const opened = alert('a1');
      await store.saveAlert(opened);
      await store.saveAlert(alert('a2', { monitor: 'api', openedAt: iso(T0 + 10), updatedAt: iso(T0 + 10) }));
      expect(await store.getAlert('a1')).toEqual(opened);
      const acked = { ...opened, updatedAt: iso(T0 + 60_000), ack: { at: iso(T0 + 60_000), verdict: 'true_positive' as const, by: 'oncall' }, flaps: 1 };
      await store.saveAlert(acked);
      expect(await store.getAlert('a1')).toEqual(acked);
      const resolved = { ...acked, status: 'resolved' as const, resolvedAt: iso(T0 + 120_000), updatedAt: iso(T0 + 120_000) };
      await store.saveAlert(resolved);
      await store.saveAlert(resolved);
      expect((await store.listAlerts({ status: 'open' })).map((a) => a.id)).toEqual(['a2']);
      expect(await store.listAlerts({ status: 'resolved' })).toEqual([resolved]);
      expect((await store.listAlerts({ monitor: 'shop' })).map((a) => a.id)).toEqual(['a1']);
      expect((await store.listAlerts({ since: iso(T0 + 100_000) })).map((a) => a.id)).toEqual(['a1']);
      expect((await store.listAlerts()).map((a) => a.id)).toEqual(['a1', 'a2']);
      expect(await store.getAlert('nope')).toBeNull();
    });

    it('keeps deliveries in an outbox until they are marked delivered', async () => {
      const store = await open();
      await store.enqueueDelivery(delivery('d2', T0 + 1000));
      await store.enqueueDelivery(delivery('d1', T0));
      await store.enqueueDelivery(delivery('d3', T0 + 2000, { channel: 'webhook', event: 'resolved' }));
      expect((await store.pendingDeliveries()).map((d) => d.id)).toEqual(['d1', 'd2', 'd3']);
      expect(await store.pendingDeliveries(1)).toEqual([delivery('d1', T0)]);
      await store.markDelivery('d1', { deliveredAt: null, attempts: 1, lastError: 'HTTP 503 from hooks.slack.com' });
      // Enqueueing again is a no-op: it must not reset the attempts of a queued delivery.
      await store.enqueueDelivery(delivery('d1', T0));
      expect((await store.pendingDeliveries())[0]).toEqual({ ...delivery('d1', T0), attempts: 1, lastError: 'HTTP 503 from hooks.slack.com' });
      await store.markDelivery('d1', { deliveredAt: iso(T0 + 5000), attempts: 2, lastError: null });
      await store.markDelivery('d3', { deliveredAt: iso(T0 + 5000), attempts: 1, lastError: null });
      expect((await store.pendingDeliveries()).map((d) => d.id)).toEqual(['d2']);
      await store.enqueueDelivery(delivery('d1', T0));
      expect((await store.pendingDeliveries()).map((d) => d.id)).toEqual(['d2']);
      await expect(store.markDelivery('nope', { deliveredAt: null, attempts: 1, lastError: null })).rejects.toThrow(StoreNotFoundError);
    });

    it('redacts secrets in stored results, findings, alerts and deliveries', async () => {
      const redactor = new Redactor();
      redactor.add('s3cr3t-t0ken-value');
      const store = await open({ redactor });
      const leaky = apiResult('r1', 'login', T0, {
        status: 'failed',
        error: { class: 'http_status', message: 'POST https://api.example/login?token=s3cr3t-t0ken-value: 401' },
      });
      await store.saveResults([leaky]);
      await store.saveAlert(alert('a1', { message: 'login failed with s3cr3t-t0ken-value' }));
      await store.saveFindings([finding('f1', { explanation: 'token s3cr3t-t0ken-value rejected' })]);
      await store.enqueueDelivery(delivery('d1', T0, { payload: { text: 'Bearer s3cr3t-t0ken-value' } }));
      await store.markDelivery('d1', { deliveredAt: null, attempts: 1, lastError: 'POST https://hooks/s3cr3t-t0ken-value: 500' });
      const dump = JSON.stringify([await store.listResults(), await store.listAlerts(), await store.listFindings(), await store.pendingDeliveries()]);
      expect(dump).not.toContain('s3cr3t-t0ken-value');
      expect((await store.listResults())[0].error?.message).toBe(`POST https://api.example/login?token=${REDACTED}: 401`);
      expect((await store.pendingDeliveries())[0].lastError).toBe(`POST https://hooks/${REDACTED}: 500`);
    });

    it('stores NUL characters as U+FFFD in both dialects', async () => {
      const store = await open();
      await store.saveResults([apiResult('r1', 'bin', T0, { error: { class: 'invalid_json', message: 'unexpected \u0000 at 3' } })]);
      expect((await store.listResults())[0].error?.message).toBe('unexpected \ufffd at 3');
    });

    it('applies migrations once when several stores migrate at the same time', async () => {
      const stores = await Promise.all(Array.from({ length: 5 }, () => openUnmigrated()));
      await Promise.all(stores.map((s) => s.migrate()));
      const applied = await stores[0].appliedMigrations();
      expect(applied.length).toBeGreaterThan(0);
      expect(applied.map((m) => m.version)).toEqual(applied.map((_, i) => i + 1));
      for (const s of stores) expect(await s.appliedMigrations()).toEqual(applied);
      await Promise.all(stores.map((s) => s.migrate()));
      expect(await stores[0].appliedMigrations()).toEqual(applied);
    });

    it('loses and duplicates nothing when several stores write at once', async () => {
      const writers = 4;
      const perWriter = 25;
      const stores = await Promise.all(Array.from({ length: writers }, () => open()));
      await Promise.all(
        stores.map(async (s, w) => {
          await s.saveRun(run(`run-${w}`, { atMs: T0 + w }));
          for (let i = 0; i < perWriter; i++) {
            const at = T0 + w * 1000 + i;
            // Every writer also rewrites a shared result, finding and state key: still one row each.
            await s.saveResults([apiResult(`run-${w}`, `m${i}`, at), apiResult('shared', `m${i % 3}`, T0)]);
            await s.saveFindings([finding(`shared-${i % 2}`), finding(`f-${w}-${i}`)]);
            await s.putStates('ns', new Map<string, unknown>([[`w${w}`, i], ['shared', { w, i }]]));
          }
          await s.saveRun(run(`run-${w}`, { atMs: T0 + w, finishedAt: iso(T0 + 9999) }));
        }),
      );
      const reader = stores[0];
      const results = await reader.listResults();
      expect(results).toHaveLength(writers * perWriter + 3);
      expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
      for (let w = 0; w < writers; w++) expect(results.filter((r) => r.runId === `run-${w}`)).toHaveLength(perWriter);
      expect(await reader.listFindings()).toHaveLength(writers * perWriter + 2);
      expect(await reader.listStateKeys('ns')).toEqual(['shared', 'w0', 'w1', 'w2', 'w3']);
      const runs = await reader.listRuns();
      expect(runs.map((r) => r.finishedAt)).toEqual(Array(writers).fill(iso(T0 + 9999)));
    });

    it('refuses to be used after close with a typed error', async () => {
      const store = await db.open();
      await store.close();
      await store.close();
      await expect(store.listRuns()).rejects.toThrow(StoreClosedError);
      await expect(store.saveRun(run('r1'))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    });
  });
}
