import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';
import { result, sqliteStore, T0, TestClock, type StoreFixture } from './fixtures.js';
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

describe('flap control', () => {
  it('holds alerts back while a monitor flaps and sends one message with the settled state', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1, successThreshold: 1, flapping: { windowRuns: 6, maxTransitions: 3 } } });
    const seq = ['failed', 'passed', 'failed', 'passed', 'failed', 'passed', 'passed', 'passed', 'passed', 'passed'] as const;
    const perRun: string[][] = [];
    for (const status of seq) perRun.push((await h.run([result({ status })])).events.map((e) => e.type));
    // Without flap control this would be 5 opens and 5 recoveries; the 3rd change marks it flapping.
    expect(perRun).toEqual([['open'], ['resolved'], ['open'], [], [], [], [], [], ['resolved'], []]);
    const got = bodies(rx);
    expect(got.map((b) => b.event)).toEqual(['open', 'resolved', 'open', 'resolved']);
    const last = got[3];
    expect(last.settled).toBe(true);
    expect(last.alert.flaps).toBe(3);
    expect(last.title).toBe('checkout-api stopped flapping and recovered');
    expect(last.explanation).toMatch(/Held back while flapping: 3 state changes; settled passing\.$/);
    const alerts = (await fx.store.listAlerts()).sort((a, b) => a.openedAt.localeCompare(b.openedAt));
    expect(alerts.map((a) => [a.status, a.flaps])).toEqual([
      ['resolved', 0],
      ['resolved', 3],
    ]);
  });

  it('settling while still failing sends one update for the open alert', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1, flapping: { windowRuns: 6, maxTransitions: 3 } } });
    const seq = ['failed', 'passed', 'failed', 'passed', 'failed', 'failed', 'failed', 'failed', 'failed'] as const;
    const perRun: string[][] = [];
    for (const status of seq) perRun.push((await h.run([result({ status })])).events.map((e) => e.type));
    expect(perRun).toEqual([['open'], ['resolved'], ['open'], [], [], [], [], ['update'], []]);
    const last = bodies(rx).at(-1)!;
    expect([last.event, last.settled, last.alert.flaps, last.title]).toEqual(['update', true, 2, 'checkout-api stopped flapping and is still failing at eu-west: http_status']);
  });
});

describe('mute and maintenance', () => {
  it('mutes by monitor id and by tag: alerts are recorded, nothing is sent', async () => {
    const byId = harness(fx, { ...hook(), rules: { failureThreshold: 1 }, mute: { monitors: ['checkout-api'] } });
    expect((await byId.run([result({ status: 'failed' })])).events).toEqual([]);
    const byTag = harness(fx, { ...hook(), rules: { failureThreshold: 1 }, mute: { tags: ['beta'] } });
    expect((await byTag.run([result({ monitor: 'search', status: 'failed', tags: ['beta'] })])).events).toEqual([]);
    expect(rx.received).toEqual([]);
    const alerts = (await fx.store.listAlerts()).sort((a, b) => a.monitor.localeCompare(b.monitor));
    expect(alerts.map((a) => [a.monitor, a.status, a.details?.heldBy])).toEqual([
      ['checkout-api', 'open', 'muted'],
      ['search', 'open', 'muted'],
    ]);
    // Unmuted while still failing: the open alert goes out now.
    const unmuted = harness(fx, { ...hook(), rules: { failureThreshold: 1 } });
    const ev = await unmuted.run([result({ status: 'failed' })]);
    expect(ev.events.map((e) => [e.type, e.alertId])).toEqual([['open', alerts.find((a) => a.monitor === 'checkout-api')!.id]]);
  });

  it('holds alerts inside a maintenance window (injected clock) and sends them after it if still failing', async () => {
    const clock = new TestClock(T0);
    const window = { start: new Date(T0).toISOString(), end: new Date(T0 + 3 * 60_000).toISOString(), tags: ['shop'], reason: 'db upgrade' };
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1 }, maintenance: [window] }, {}, clock);
    expect((await h.run([result({ status: 'failed' })])).events).toEqual([]); // T0+1m
    expect((await h.run([result({ status: 'failed' })])).events).toEqual([]); // T0+2m
    expect((await fx.store.listAlerts())[0].details?.heldBy).toBe('maintenance');
    const after = await h.run([result({ status: 'failed' })]); // T0+3m: window over (end is exclusive)
    expect(after.events.map((e) => e.type)).toEqual(['open']);
    // Out-of-scope monitors are not held by a tag-scoped window.
    const other = harness(fx, { ...hook(), rules: { failureThreshold: 1 }, maintenance: [window] }, {}, new TestClock(T0));
    expect((await other.run([result({ monitor: 'search', status: 'failed', tags: ['search'] })])).events.map((e) => e.type)).toEqual(['open']);
  });

  it('still sends the recovery of an alert already sent when maintenance starts', async () => {
    const clock = new TestClock(T0);
    const window = { start: new Date(T0 + 90_000).toISOString(), end: new Date(T0 + 3_600_000).toISOString() };
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 1 }, maintenance: [window] }, {}, clock);
    expect((await h.run([result({ status: 'failed' })])).events.map((e) => e.type)).toEqual(['open']);
    expect((await h.run([result({ status: 'failed', errorClass: 'timeout' })])).events).toEqual([]); // worse, but in maintenance
    expect((await h.run([result({ status: 'passed' })])).events.map((e) => e.type)).toEqual(['resolved']);
    expect(bodies(rx).map((b) => b.event)).toEqual(['open', 'resolved']);
  });
});
