/**
 * Alerts carry the incident, one page per incident (issue 17, item 3): results go through the run
 * pipeline's stages (store, anomaly core, alert manager) over a real SQLite store and are delivered
 * to a real webhook receiver. Two monitors that fail together after a deploy page once, and that
 * page names the incident, both monitors and the deploy as the probable cause.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertManager, resolveAlertsConfig, slackPayload, type AlertEvent, type WebhookPayload } from '../../src/alerts/index.js';
import type { MonitorResult, RunInfo } from '../../src/model/index.js';
import { guardWith, recordAndAnalyze, type StagesDeps } from '../../src/run/pipeline.js';
import { createLogger } from '../../src/runtime/log.js';
import { result, sqliteStore, T0, TestClock, type StoreFixture } from './fixtures.js';
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

const MONITORS = ['cart-api', 'checkout-api'];

function setup(opts: { incidents?: boolean; failureThreshold?: number } = {}) {
  const clock = new TestClock(T0);
  const problems: string[] = [];
  const log = createLogger({ format: 'json', redactor: fx.redactor, level: 'error' });
  const alerts = new AlertManager({
    store: fx.store,
    config: resolveAlertsConfig({ channels: [{ name: 'hook', type: 'webhook', url: `${rx.url}/hook` }], ...(opts.failureThreshold ? { rules: { failureThreshold: opts.failureThreshold } } : {}) }),
    redactor: fx.redactor,
    clock,
    log: () => undefined,
    retryBaseMs: 5,
    retryMaxMs: 20,
    ...(opts.incidents === false ? { incidents: false } : {}),
  });
  const deps: StagesDeps = { store: fx.store, anomaly: {}, alerts, definitions: new Map(), guard: guardWith(log, fx.redactor, problems) };
  let n = 0;
  /** One run a minute after the last: the monitors' results, recorded, analysed and alerted as `observer run` does (or one monitor per call, as the daemon's ticks do). */
  const run = async (status: (monitor: string) => 'passed' | 'failed', perMonitor = false) => {
    clock.advance(60_000);
    const groups = perMonitor ? MONITORS.map((m) => [m]) : [MONITORS];
    for (const group of groups) {
      const runId = `run-${++n}`;
      const at = new Date(clock.nowMs()).toISOString();
      const results: MonitorResult[] = group.map((m) => ({ ...result({ monitor: m, status: status(m), at: clock.nowMs(), message: 'status (503) == 200' }), runId, id: `${runId}:${m}` }));
      const info: RunInfo = { id: runId, startedAt: at, finishedAt: at, location: 'eu-west', environment: 'prod' };
      await recordAndAnalyze(deps, info, results, 5_000);
    }
  };
  const hooks = () => rx.accepted().map((x) => x.json as WebhookPayload);
  return { clock, run, hooks, problems };
}

describe('alerts carry the incident: one page per incident', () => {
  it('two monitors failing after a deploy: one page naming both, the incident and the deploy as probable cause', async () => {
    const p = setup();
    for (let i = 0; i < 3; i++) await p.run(() => 'passed');
    await fx.store.addDeployMarker({ id: 'd-1', at: new Date(p.clock.nowMs() + 20_000).toISOString(), environment: 'prod', version: 'v2.3.0' });
    for (let i = 0; i < 3; i++) await p.run(() => 'failed');
    expect(p.problems).toEqual([]);

    const opens = p.hooks().filter((h) => h.event === 'open');
    expect(opens).toHaveLength(1);
    const page = opens[0];
    expect(page.incident).toBeDefined();
    expect(page.incident!.id).toMatch(/^inc-/);
    expect(page.incident!.monitors).toEqual(MONITORS);
    expect(page.incident!.otherMonitors).toEqual(MONITORS.filter((m) => m !== page.alert.monitor));
    expect(page.incident!.probable).toMatchObject({ kind: 'deploy', ref: 'v2.3.0' });
    expect(page.incident!.probableCause).toContain('deploy v2.3.0');
    // Slack says the same: the incident, the other monitor, the probable cause.
    const p0 = page;
    const event: AlertEvent = { id: p0.id, type: p0.event, at: p0.at, alertId: p0.alert.id, key: p0.alert.key, rule: p0.alert.rule as AlertEvent['rule'], monitor: p0.alert.monitor, monitorName: p0.alert.monitorName, tags: [], cause: p0.alert.cause, severity: p0.alert.severity as AlertEvent['severity'], status: p0.alert.status, openedAt: p0.alert.openedAt, resolvedAt: p0.alert.resolvedAt, version: p0.alert.version, title: p0.title, explanation: p0.explanation, locations: p0.locations, errorClasses: p0.errorClasses, flaps: p0.alert.flaps, settled: p0.settled, links: p0.links, incident: p0.incident! };
    const slackText = JSON.stringify(slackPayload(event).blocks);
    expect(slackText).toContain(`Incident ${p0.incident!.id}`);
    expect(slackText).toContain(`also affected: ${p0.incident!.otherMonitors[0]}`);
    expect(slackText).toContain('Probable cause: deploy v2.3.0');

    // The other monitor's alert exists (the board shows it) and names the incident and the page it joined.
    const other = MONITORS.find((m) => m !== page.alert.monitor)!;
    const records = (await fx.store.listAlerts()).filter((a) => a.monitor === other);
    expect(records).toHaveLength(1);
    expect(records[0].details).toMatchObject({ incident: { id: page.incident!.id }, joined: { incident: page.incident!.id, alertId: page.alert.id } });

    // Recovery: the page is resolved once; the joined alert sends nothing of its own.
    for (let i = 0; i < 3; i++) await p.run(() => 'passed');
    expect(p.hooks().map((h) => `${h.event} ${h.alert.monitor}`)).toEqual([`open ${page.alert.monitor}`, `resolved ${page.alert.monitor}`]);
  });

  it('the daemon evaluates one monitor per tick: the second monitor joins the incident already paged', async () => {
    const p = setup();
    for (let i = 0; i < 3; i++) await p.run(() => 'passed', true);
    for (let i = 0; i < 3; i++) await p.run(() => 'failed', true);
    const opens = p.hooks().filter((h) => h.event === 'open');
    expect(opens.map((h) => h.alert.monitor)).toEqual(['cart-api']);
    // No deploy, no config change: said plainly.
    expect(opens[0].incident).toMatchObject({ probable: null, probableCause: 'no change explains this' });
    // The incident grew to both monitors after the first page; the store's grouping has both.
    const records = await fx.store.listAlerts();
    expect(records.find((a) => a.monitor === 'checkout-api')!.details).toMatchObject({ incident: { monitors: MONITORS }, joined: { alertId: opens[0].alert.id } });
  });

  it('a monitor that joins after the page: the page gets an update naming it, not a second page', async () => {
    const p = setup({ failureThreshold: 1 });
    for (let i = 0; i < 3; i++) await p.run(() => 'passed', true);
    // cart-api's tick pages alone (checkout-api has not run yet); checkout-api's tick joins it.
    await p.run(() => 'failed', true);
    const hooks = p.hooks();
    expect(hooks.map((h) => `${h.event} ${h.alert.monitor}`)).toEqual(['open cart-api', 'update cart-api']);
    expect(hooks[0].incident!.monitors).toEqual(['cart-api']);
    expect(hooks[1].alert.id).toBe(hooks[0].alert.id);
    expect(hooks[1].incident).toMatchObject({ id: hooks[0].incident!.id, monitors: MONITORS, otherMonitors: ['checkout-api'] });
    expect(hooks[1].title).toContain('now also affects checkout-api');
    // Still failing: nothing new; recovered: the page resolves once.
    await p.run(() => 'failed', true);
    for (let i = 0; i < 3; i++) await p.run(() => 'passed', true);
    expect(p.hooks().map((h) => `${h.event} ${h.alert.monitor}`)).toEqual(['open cart-api', 'update cart-api', 'resolved cart-api']);
  });

  it('with incidents off, each monitor pages on its own (the grouping is what folds them)', async () => {
    const p = setup({ incidents: false });
    for (let i = 0; i < 3; i++) await p.run(() => 'passed');
    for (let i = 0; i < 3; i++) await p.run(() => 'failed');
    const opens = p.hooks().filter((h) => h.event === 'open');
    expect(opens.map((h) => h.alert.monitor).sort()).toEqual(MONITORS);
    expect(opens.every((h) => h.incident === undefined)).toBe(true);
  });
});
