/**
 * One outage, one page, end to end: real runs of the demo shop's checks and journeys (the real
 * API check runner, real Chromium), the real run pipeline (SQLite store, anomaly core, alert
 * manager) delivering to a real webhook receiver. An outage is injected into the shop and lifted;
 * the test counts the findings and the webhooks. Runs are one minute apart on an injected clock,
 * so the SLO windows see an outage of minutes in seconds; a journey is run in Chromium once per
 * state of the shop and its result repeated, moved to the clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoExtras, type DemoExtras } from '../../demo/extras.js';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { AlertManager, resolveAlertsConfig, type AlertsConfigInput, type WebhookPayload } from '../../src/alerts/index.js';
import { ApiCheckRunner } from '../../src/checks/runner.js';
import { loadConfig } from '../../src/config/index.js';
import { discoverJourneys, JourneyRunner } from '../../src/journeys/index.js';
import type { FindingChange } from '../../src/anomaly/index.js';
import type { MonitorDefinition, MonitorResult, StepResult } from '../../src/model/index.js';
import { createLogger } from '../../src/runtime/log.js';
import { executeRun } from '../../src/run/run.js';
import type { MonitorRunners } from '../../src/run/execute.js';
import { sqliteStore, TestClock, type StoreFixture } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.OBSERVER_CHROMIUM ?? '/usr/bin/chromium';

let shop: DemoShop;
/** The DNS, TCP, TLS and heartbeat examples load only with their servers' addresses (as `npm run demo` exports them). */
let extras: DemoExtras;
let caDir: string;
let all: MonitorDefinition[];
let fx: StoreFixture;
let rx: Receiver;

beforeAll(async () => {
  shop = await startDemoShop({ port: 0, env: {} });
  // The repository's own configuration: its checks and journeys, pointed at this shop.
  caDir = mkdtempSync(path.join(tmpdir(), 'observer-outage-'));
  extras = await startDemoExtras({ caFile: path.join(caDir, 'ca.pem') });
  const extraEnv = { DEMO_DNS: extras.dns.address, DEMO_TCP_PORT: String(extras.tcp.port), DEMO_TLS_PORT: String(extras.tls.port), DEMO_TLS_CA: path.join(caDir, 'ca.pem'), DEMO_HEARTBEAT_TOKEN: 'demo-heartbeat-token-0123456789' };
  const config = await loadConfig({ cwd: ROOT, env: { ...process.env, OBSERVER_BASE_URL: shop.url, DEMO_USER: 'demo', DEMO_PASSWORD: 'demo-password-123', ...extraEnv } });
  all = [...config.checks, ...(await discoverJourneys(config))];
});
afterAll(async () => {
  await shop.close();
  await extras?.close();
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});
beforeEach(async () => {
  fx = await sqliteStore();
  rx = await startReceiver('ok');
  shop.clearFaults();
});
afterEach(async () => {
  await rx.close();
  await fx.dispose();
});

/** A result moved by `offsetMs` (the runner's wall clock to the test's). */
function shifted(r: MonitorResult, offsetMs: number): MonitorResult {
  const at = (iso: string) => new Date(Date.parse(iso) + offsetMs).toISOString();
  const step = (s: StepResult): StepResult => ({ ...s, startedAt: at(s.startedAt), ...(s.steps ? { steps: s.steps.map(step) } : {}) });
  return { ...r, startedAt: at(r.startedAt), finishedAt: at(r.finishedAt), steps: r.steps.map(step) };
}

interface Pipeline {
  /** One run of the monitors, a minute after the last; returns the finding changes it reported. */
  run(): Promise<FindingChange[]>;
  changes: FindingChange[];
  hooks(): WebhookPayload[];
}

function pipeline(monitors: MonitorDefinition[], alerts: Omit<AlertsConfigInput, 'channels'> = {}): Pipeline {
  const clock = new TestClock(Date.parse('2026-11-25T10:00:00.000Z'));
  const redactor = fx.redactor;
  const log = createLogger({ format: 'json', redactor, level: 'error' });
  const api = new ApiCheckRunner({ concurrency: 4, perOriginConcurrency: 4, redactor, clock });
  const journeys = new JourneyRunner({ workers: 1, outDir: path.join(fx.dir, 'out'), redactor, baseUrl: shop.url, chromiumPath: CHROMIUM, rootDir: ROOT, cwd: ROOT });
  // A journey takes seconds in Chromium: each state of the shop (healthy, broken) is run for real
  // once, and its result stands for the runs in that state (new ids, moved to the test's clock).
  const real = new Map<string, MonitorResult[]>();
  const runners: MonitorRunners = {
    api,
    journeys: {
      run: async (defs, ctx) => {
        const state = JSON.stringify(shop.faults());
        let results = real.get(state);
        if (!results) {
          results = await journeys.run(defs, { ...ctx, onResult: undefined });
          real.set(state, results);
        }
        const offset = clock.nowMs() - Date.parse(results[0].startedAt);
        return results.map((r) => ({ ...shifted(r, offset), id: `${ctx.runId}:${r.monitor}`, runId: ctx.runId }));
      },
    },
  };
  const manager = new AlertManager({ store: fx.store, config: resolveAlertsConfig({ ...alerts, channels: [{ name: 'hook', type: 'webhook', url: `${rx.url}/hook` }] }), redactor, clock, log: () => undefined });
  const changes: FindingChange[] = [];
  let n = 0;
  return {
    changes,
    hooks: () => rx.accepted().map((x) => x.json as WebhookPayload),
    async run() {
      clock.advance(60_000);
      const outcome = await executeRun({
        runId: `run-${++n}`,
        monitors,
        runners,
        store: fx.store,
        reporter: { name: 'none' },
        log,
        clock,
        redactor,
        signal: new AbortController().signal,
        location: 'eu-test',
        environment: 'test',
        outDir: path.join(fx.dir, 'out'),
        anomalyConfig: {},
        alerts: manager,
        failOn: 'failed',
        failOnFindings: 'none',
      });
      expect(outcome.problems).toEqual([]);
      changes.push(...outcome.findingChanges);
      return outcome.findingChanges;
    },
  };
}

/** Findings on the monitors' outcomes (latency findings on loopback timings are another matter). */
const outcomes = (changes: FindingChange[]) => changes.filter((c) => c.finding.series.metric === 'outcome');
const opened = (changes: FindingChange[]) => changes.filter((c) => c.type === 'opened').map((c) => `${c.finding.series.step} ${c.finding.kind}`).sort();
const stillOpen = (changes: FindingChange[]) => {
  const last = new Map<string, FindingChange>();
  for (const c of changes) last.set(c.finding.id, c);
  return [...last.values()].filter((c) => c.finding.status === 'open').map((c) => c.finding);
};

describe('an API check: outage injected, then lifted', () => {
  const search = () => all.filter((m) => m.id === 'products-search');

  it('one alert (open, resolved), findings that end with the outage, none opened after it', async () => {
    const p = pipeline(search());
    for (let i = 0; i < 12; i++) await p.run();
    shop.setFault('/api/products', { status: 503 });
    for (let i = 0; i < 10; i++) await p.run();
    shop.clearFaults();
    const after: FindingChange[] = [];
    for (let i = 0; i < 8; i++) after.push(...(await p.run()));

    expect(opened(outcomes(p.changes))).toEqual(['Product search error_rate', 'Product search new_error', 'Product search slo_burn']);
    expect(opened(outcomes(after))).toEqual([]);
    // Minutes after recovery every one of them is over.
    expect(stillOpen(outcomes(p.changes))).toEqual([]);
    const hooks = p.hooks();
    expect(hooks.map((h) => `${h.event} ${h.alert.rule}`)).toEqual(['open failures', 'resolved failures']);
    expect(new Set(hooks.map((h) => h.alert.id)).size).toBe(1);
  });

  it('with finding alerts at warning and a high failure threshold: SLO, failure rate and new error are one alert naming its rules', async () => {
    const p = pipeline(search(), { rules: { findingSeverity: 'warning', failureThreshold: 20 } });
    for (let i = 0; i < 12; i++) await p.run();
    shop.setFault('/api/products', { status: 503 });
    for (let i = 0; i < 10; i++) await p.run();
    shop.clearFaults();
    for (let i = 0; i < 8; i++) await p.run();

    expect(opened(outcomes(p.changes))).toEqual(['Product search error_rate', 'Product search new_error', 'Product search slo_burn']);
    expect(stillOpen(outcomes(p.changes))).toEqual([]);
    // At warning, latency findings page too: the outage's pages are those about the outcome.
    const hooks = p.hooks().filter((h) => h.alert.cause === 'failing' || h.alert.cause.startsWith('finding:outcome:'));
    expect(new Set(hooks.map((h) => h.alert.id)).size).toBe(1);
    // Opened by the new error (a warning), told once it got worse (the fast burn, critical), resolved
    // 14 minutes after it opened: 4 minutes after the 10-minute outage ended.
    expect(hooks.map((h) => `${h.event} ${h.alert.severity}`)).toEqual(['open warning', 'update critical', 'resolved critical']);
    expect(hooks.at(-1)).toMatchObject({ event: 'resolved', alert: { rule: 'finding:error_rate+new_error+slo_burn', cause: 'finding:outcome:Product search:eu-test' } });
    expect(hooks.at(-1)!.title).toBe('Product search: error rate, new error and slo burn of outcome resolved after 14m');
  });
});

describe('a journey: one step broken, then fixed', () => {
  it('the failed step carries the findings, the journey folds into them; one alert', async () => {
    const p = pipeline(all.filter((m) => m.id === 'login-flow'));
    for (let i = 0; i < 8; i++) await p.run();
    shop.setFault('POST /api/login', { status: 503 });
    for (let i = 0; i < 10; i++) await p.run();
    shop.clearFaults();
    for (let i = 0; i < 8; i++) await p.run();

    const outcome = outcomes(p.changes);
    expect(opened(outcome)).toEqual(['Sign in error_rate', 'Sign in new_error', 'Sign in slo_burn']);
    expect(stillOpen(outcome)).toEqual([]);
    const hooks = p.hooks();
    expect(hooks.map((h) => `${h.event} ${h.alert.rule}`)).toEqual(['open failures', 'resolved failures']);
  }, 120_000);
});
