/**
 * One page per cause (state.ts): findings on a monitor's outcome with one cause are one alert,
 * and a down incident and the outcome findings of the same failure are one alert. Real SQLite,
 * a real webhook receiver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FindingChange, WebhookPayload } from '../../src/alerts/index.js';
import type { Finding } from '../../src/model/index.js';
import { finding, result, sqliteStore, type StoreFixture } from './fixtures.js';
import { harness } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';

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

const bodies = () => rx.accepted().map((x) => x.json as WebhookPayload);
const hook = () => ({ channels: [{ name: 'hook', type: 'webhook' as const, url: `${rx.url}/hook` }] });

/** A finding on the monitor's outcome series. */
function outcome(kind: Finding['kind'], severity: Finding['severity'], status: 'open' | 'resolved' = 'open'): Finding {
  const f = finding({ severity, kind, status, explanation: `${kind} explanation.` });
  return { ...f, series: { ...f.series, metric: 'outcome' }, unit: 'ratio' };
}
const change = (type: FindingChange['type'], f: Finding): FindingChange => ({ type, finding: f });

describe('one page per cause', () => {
  it('SLO burn and failure rate of one check are one alert that names both rules', async () => {
    const h = harness(fx, { ...hook(), rules: { findingSeverity: 'warning', failureThreshold: 10 } });
    await h.run([], [change('opened', outcome('slo_burn', 'critical'))]);
    await h.run([], [change('opened', outcome('error_rate', 'warning'))]);
    await h.run([], [change('updated', outcome('slo_burn', 'critical')), change('updated', outcome('error_rate', 'warning'))]);
    // One of them over: still open, nothing to say.
    expect((await h.run([], [change('resolved', outcome('slo_burn', 'critical', 'resolved'))])).events).toEqual([]);
    const done = await h.run([], [change('resolved', outcome('error_rate', 'warning', 'resolved'))]);
    expect(done.events.map((e) => e.type)).toEqual(['resolved']);

    const got = bodies();
    expect(got.map((b) => b.event)).toEqual(['open', 'resolved']);
    expect(got[1].alert).toMatchObject({ rule: 'finding:error_rate+slo_burn', cause: 'finding:outcome:checkout-api:eu-west' });
    expect(got[1].title).toBe('checkout-api: error rate and slo burn of outcome resolved after 4m');
  });

  it('an outcome finding that came while the check was down stays part of that alert after it recovers', async () => {
    const h = harness(fx, hook());
    await h.run([result({ status: 'failed' })]);
    await h.run([result({ status: 'failed' })], [change('opened', outcome('slo_burn', 'critical'))]);
    await h.run([result({ status: 'passed' })], [change('updated', outcome('slo_burn', 'critical'))]);
    await h.run([result({ status: 'passed' })], [change('updated', outcome('slo_burn', 'critical'))]);
    await h.run([result({ status: 'passed' })], [change('resolved', outcome('slo_burn', 'critical', 'resolved'))]);
    expect(bodies().map((b) => `${b.event} ${b.alert.rule}`)).toEqual(['open failures', 'resolved failures']);
  });

  it('a down incident takes over the outcome alert already sent: one alert, told once', async () => {
    const h = harness(fx, { ...hook(), rules: { findingSeverity: 'warning' } });
    const first = await h.run([result({ status: 'failed', message: 'status (503) == 200' })], [change('opened', outcome('new_error', 'warning'))]);
    expect(first.events.map((e) => e.type)).toEqual(['open']);
    await h.run([result({ status: 'failed' })]);
    await h.run([result({ status: 'passed' })]);
    await h.run([result({ status: 'passed' })], [change('resolved', outcome('new_error', 'warning', 'resolved'))]);
    const got = bodies();
    expect(got.map((b) => `${b.event} ${b.alert.rule}`)).toEqual(['open finding:new_error', 'resolved failures']);
    expect(new Set(got.map((b) => b.alert.id)).size).toBe(1);
  });

  it('an alert on a critical finding resolves when the finding drops below critical', async () => {
    const h = harness(fx, { ...hook(), rules: { failureThreshold: 10 } });
    await h.run([], [change('opened', outcome('slo_burn', 'critical'))]);
    const down = await h.run([], [change('updated', outcome('slo_burn', 'warning'))]);
    expect(down.events.map((e) => e.type)).toEqual(['resolved']);
    expect(down.events[0].explanation).toBe('slo_burn explanation. (below critical now)');
    // Still a warning, then over: nothing more.
    expect((await h.run([], [change('updated', outcome('slo_burn', 'warning'))])).events).toEqual([]);
    expect((await h.run([], [change('resolved', outcome('slo_burn', 'warning', 'resolved'))])).events).toEqual([]);
  });
});
