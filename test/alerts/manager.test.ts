import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';
import { finding, result, sqliteStore, T0, type StoreFixture } from './fixtures.js';
import { harness } from './harness.js';
import type { WebhookPayload } from '../../src/alerts/index.js';

let fx: StoreFixture;
let rx: Receiver;

beforeEach(async () => {
  fx = await sqliteStore();
  rx = await startReceiver('ok');
});
afterEach(async () => {
  await rx.close();
  await fx.dispose();
});

const bodies = (r: Receiver) => r.accepted().map((x) => x.json as WebhookPayload);
const hook = () => ({ channels: [{ name: 'hook', type: 'webhook' as const, url: `${rx.url}/hook` }] });

describe('AlertManager: open, dedup, update, recovery', () => {
  it('opens one alert after failureThreshold failures in a row and sends the exact message once', async () => {
    const h = harness(fx, hook());
    expect((await h.run([result({ status: 'failed' })])).events).toEqual([]);
    const second = await h.run([result({ status: 'failed' })]);
    expect(second.events.map((e) => e.type)).toEqual(['open']);
    expect(second.report).toMatchObject({ delivered: 1, failed: 0, pending: 0 });
    // A third failing run is the same incident: nothing new is sent.
    const third = await h.run([result({ status: 'failed' })]);
    expect(third.events).toEqual([]);
    expect(third.report.delivered).toBe(0);

    const alertId = second.events[0].alertId;
    const at = '2026-11-25T10:02:00.000Z';
    expect(bodies(rx)).toEqual([
      {
        schema: 'production-observer/alert@1',
        id: `${alertId}.v1.open.hook`,
        event: 'open',
        at,
        alert: {
          id: alertId,
          key: 'checkout-api|failing',
          rule: 'failures',
          monitor: 'checkout-api',
          monitorName: 'checkout-api',
          cause: 'failing',
          severity: 'critical',
          status: 'open',
          openedAt: at,
          resolvedAt: null,
          version: 1,
          flaps: 0,
        },
        title: 'checkout-api is failing at eu-west: http_status',
        explanation: 'eu-west: http_status: status (503) == 200 (2 failed in a row)',
        locations: ['eu-west'],
        errorClasses: ['http_status'],
        settled: false,
        links: [],
      },
    ]);
    expect(rx.received[0].headers['idempotency-key']).toBe(`${alertId}.v1.open.hook`);
    expect(rx.received[0].headers['content-type']).toBe('application/json');
    expect(rx.received[0].path).toBe('/hook');

    const alerts = await fx.store.listAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: alertId, status: 'open', rule: 'failures', monitor: 'checkout-api', flaps: 0, ack: null });
  });

  it('sends an update when it gets worse (more locations, a new error class) and a recovery when over', async () => {
    const h = harness(fx, { ...hook(), rules: { successThreshold: 2 } });
    await h.run([result({ status: 'failed', location: 'eu-west' })]);
    const open = await h.run([result({ status: 'failed', location: 'eu-west' })]);
    expect(open.events.map((e) => e.type)).toEqual(['open']);
    const spread = await h.run([result({ status: 'failed', location: 'us-east', errorClass: 'timeout', message: 'no response within 5000 ms' })]);
    expect(spread.events.map((e) => [e.type, e.title])).toEqual([['update', 'checkout-api got worse: failing in 2 locations (eu-west, us-east): http_status, timeout']]);
    // Same locations, same classes again: no news.
    expect((await h.run([result({ status: 'failed', location: 'eu-west' })])).events).toEqual([]);
    // One location passes: still open (us-east still failing).
    expect((await h.run([result({ status: 'passed', location: 'eu-west' })])).events).toEqual([]);
    expect((await h.run([result({ status: 'passed', location: 'us-east' })])).events).toEqual([]);
    // Two passes in a row at every location that failed: resolved.
    const over = await h.run([result({ status: 'passed', location: 'eu-west' }), result({ status: 'passed', location: 'us-east' })]);
    expect(over.events.map((e) => [e.type, e.title])).toEqual([['resolved', 'checkout-api recovered after 5m']]);

    const got = bodies(rx);
    expect(got.map((b) => [b.event, b.alert.version, b.alert.status])).toEqual([
      ['open', 1, 'open'],
      ['update', 2, 'open'],
      ['resolved', 3, 'resolved'],
    ]);
    expect(got[1].locations).toEqual(['eu-west', 'us-east']);
    expect(got[1].explanation).toBe('eu-west: http_status: status (503) == 200 (2 failed in a row); us-east: timeout: no response within 5000 ms (1 failed in a row)');
    expect(got[2].alert.resolvedAt).toBe('2026-11-25T10:07:00.000Z');
    expect(got[2].explanation).toBe('passing again at eu-west, us-east (2 runs in a row); it was us-east: timeout: no response within 5000 ms');
    expect(new Set(got.map((b) => b.alert.id)).size).toBe(1);

    const [record] = await fx.store.listAlerts();
    expect(record).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-25T10:07:00.000Z', openedAt: '2026-11-25T10:02:00.000Z' });
    // A new failure streak later is a new incident with a new id.
    await h.run([result({ status: 'failed' })]);
    const again = await h.run([result({ status: 'failed' })]);
    expect(again.events.map((e) => e.type)).toEqual(['open']);
    expect(again.events[0].alertId).not.toBe(record.id);
  });

  it('opens on minLocations from the latest result per location before any streak', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 5, minLocations: 2 } });
    expect((await h.run([result({ status: 'failed', location: 'a' })])).events).toEqual([]);
    const both = await h.run([result({ status: 'failed', location: 'b' })]);
    expect(both.events.map((e) => [e.type, e.rule, e.locations])).toEqual([['open', 'locations', ['a', 'b']]]);
  });

  it('a location that stops reporting (staleLocationMs) no longer holds the alert open', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1, staleLocationMs: 120_000 } });
    const at = (min: number) => T0 + min * 60_000;
    await h.run([result({ status: 'failed', location: 'a', at: at(0) }), result({ status: 'failed', location: 'retired', at: at(0) })]);
    // `a` recovers; `retired` never reports again: still open while it is fresh...
    expect((await h.run([result({ status: 'passed', location: 'a', at: at(1) })])).events).toEqual([]);
    expect((await h.run([result({ status: 'passed', location: 'a', at: at(2) })])).events).toEqual([]);
    // ...and forgotten once its last result is older than staleLocationMs.
    const over = await h.run([result({ status: 'passed', location: 'a', at: at(3) })]);
    expect(over.events.map((e) => e.type)).toEqual(['resolved']);
    expect(bodies(rx).map((b) => [b.event, b.locations])).toEqual([
      ['open', ['a', 'retired']],
      ['resolved', []],
    ]);
  });

  it('does not send the resolved message when sendOnResolved is false', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1, sendOnResolved: false } });
    await h.run([result({ status: 'failed' })]);
    const over = await h.run([result({ status: 'passed' })]);
    expect(over.events).toEqual([]);
    expect(bodies(rx).map((b) => b.event)).toEqual(['open']);
    expect((await fx.store.listAlerts())[0].status).toBe('resolved');
  });

  it('sends a reminder for an alert still open after reminderIntervalMs', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1, reminderIntervalMs: 120_000 } });
    await h.run([result({ status: 'failed' })]);
    expect((await h.run([result({ status: 'failed' })])).events).toEqual([]);
    const third = await h.run([result({ status: 'failed' })]);
    expect(third.events.map((e) => [e.type, e.title])).toEqual([['reminder', 'checkout-api is still failing at eu-west after 2m: http_status']]);
  });

  it('re-evaluating the same results queues nothing twice', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1 } });
    const r = result({ status: 'failed' });
    await h.manager.evaluate({ results: [r], findingChanges: [] });
    await h.manager.evaluate({ results: [r], findingChanges: [] });
    const report = await h.manager.deliver();
    expect(report.delivered).toBe(1);
    expect(rx.received).toHaveLength(1);
  });
});

describe('AlertManager: findings', () => {
  it('alerts on findings at or above findingSeverity, updates on higher severity, resolves', async () => {
    const h = harness(fx, { ...hook(), rules: { findingSeverity: 'warning' } });
    const info = await h.run([], [{ type: 'opened', finding: finding({ severity: 'info', kind: 'spike' }) }]);
    expect(info.events).toEqual([]);
    const warn = await h.run([], [{ type: 'opened', finding: finding({ severity: 'warning' }) }]);
    expect(warn.events.map((e) => [e.type, e.rule, e.severity, e.title])).toEqual([['open', 'finding:regression', 'warning', 'checkout-api: regression of durationMs at eu-west, warning']]);
    expect((await h.run([], [{ type: 'updated', finding: finding({ severity: 'warning' }) }])).events).toEqual([]);
    const crit = await h.run([], [{ type: 'updated', finding: finding({ severity: 'critical' }) }]);
    expect(crit.events.map((e) => [e.type, e.severity])).toEqual([['update', 'critical']]);
    const done = await h.run([], [{ type: 'resolved', finding: finding({ severity: 'critical', status: 'resolved' }) }]);
    expect(done.events.map((e) => e.type)).toEqual(['resolved']);

    const got = bodies(rx);
    expect(got.map((b) => b.event)).toEqual(['open', 'update', 'resolved']);
    expect(got[0].explanation).toBe('durationMs is 840 ms, 4.0x the baseline of 210 ms (180-260) since 10:00');
    expect(got[0].alert.cause).toBe('finding:regression:checkout-api:durationMs:eu-west');
    expect(got[0].finding).toMatchObject({ id: 'f-checkout-api-regression', kind: 'regression', observed: 840, unit: 'ms' });
  });

  it('ignores findings below the default critical severity', async () => {
    const h = harness(fx, hook());
    expect((await h.run([], [{ type: 'opened', finding: finding({ severity: 'warning' }) }])).events).toEqual([]);
    expect(await fx.store.listAlerts()).toEqual([]);
  });
});

describe('AlertManager: concurrency in one process', () => {
  it('concurrent evaluations of the same monitor are serialised: the streak counts every run', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 3 } });
    const runs = [result({ status: 'failed' }), result({ status: 'failed' }), result({ status: 'failed' })];
    const events = (await Promise.all(runs.map((r) => h.manager.evaluate({ results: [r], findingChanges: [] })))).flat();
    expect(events.map((e) => e.type)).toEqual(['open']);
    const [a, b] = await Promise.all([h.manager.deliver(), h.manager.deliver()]);
    expect(a.delivered + b.delivered).toBe(1);
    expect(rx.received).toHaveLength(1);
  });
});
