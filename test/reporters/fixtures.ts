/**
 * A realistic reporting scenario built in code: two API checks and two journeys measured every
 * 15 minutes for 6 hours at eu-west (the catalog also from us-east), a deploy 2 h ago after which
 * the purchase journey's checkout step regressed, and a current run where the checkout API fails
 * with a 503 and the purchase journey is degraded. Deterministic (seeded), no clock reads.
 */
import type { DeployMarker, Finding, HttpTimings, MonitorResult, RunInfo, Status, StepResult } from '../../src/model/index.js';
import type { ReportContext, RunReport } from '../../src/reporters/reporter.js';

export const NOW = Date.parse('2026-11-25T12:00:00.000Z');
export const RUN_ID = '20261125T115900Z-cafe0001';
const INTERVAL_MS = 15 * 60_000;
const RUNS = 24;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Park–Miller LCG: the same numbers every time. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

function timings(total: number): HttpTimings {
  return {
    dnsMs: 2,
    connectMs: 4,
    tlsMs: 9,
    sendMs: 0.4,
    firstByteMs: Math.max(1, total - 20),
    downloadMs: 4.6,
    totalMs: total,
    reusedConnection: false,
  };
}

interface Spec {
  monitor: string;
  name: string;
  kind: 'api' | 'journey';
  tags: string[];
  steps: { name: string; baseMs: number }[];
}

export const SPECS: Spec[] = [
  { monitor: 'catalog-api', name: 'Catalog API', kind: 'api', tags: ['api', 'shop'], steps: [{ name: 'GET /api/products', baseMs: 120 }] },
  { monitor: 'checkout-api', name: 'Checkout API', kind: 'api', tags: ['api', 'checkout'], steps: [{ name: 'POST /api/checkout', baseMs: 240 }] },
  {
    monitor: 'purchase',
    name: 'Purchase journey',
    kind: 'journey',
    tags: ['checkout', 'journey'],
    steps: [
      { name: 'open home', baseMs: 650 },
      { name: 'search', baseMs: 420 },
      { name: 'add to cart', baseMs: 300 },
      { name: 'checkout', baseMs: 900 },
    ],
  },
  {
    monitor: 'login',
    name: 'Login | SSO',
    kind: 'journey',
    tags: ['auth', 'journey'],
    steps: [
      { name: 'open login', baseMs: 500 },
      { name: 'submit credentials', baseMs: 700 },
    ],
  },
];

export const DEPLOY_AT = NOW - 2 * 3_600_000;

function result(spec: Spec, runId: string, startMs: number, location: string, random: () => number, overrides: Partial<MonitorResult> = {}, stepScale: Record<string, number> = {}): MonitorResult {
  let t = startMs;
  const steps: StepResult[] = spec.steps.map((s) => {
    const durationMs = Math.round(s.baseMs * (stepScale[s.name] ?? 1) * (0.85 + random() * 0.3) * 10) / 10;
    const step: StepResult = {
      name: s.name,
      status: 'passed',
      startedAt: iso(t),
      durationMs,
      error: null,
      ...(spec.kind === 'api' ? { timings: timings(durationMs) } : { location: `journeys/${spec.monitor}.journey.ts:${10 + spec.steps.indexOf(s) * 4}` }),
    };
    t += durationMs;
    return step;
  });
  const durationMs = Math.round(steps.reduce((a, s) => a + s.durationMs, 0) * 10) / 10;
  return {
    id: `${runId}:${spec.monitor}`,
    runId,
    monitor: spec.monitor,
    name: spec.name,
    kind: spec.kind,
    status: 'passed',
    startedAt: iso(startMs),
    finishedAt: iso(startMs + durationMs),
    durationMs,
    attempts: 1,
    error: null,
    steps,
    location,
    environment: 'production',
    tags: spec.tags,
    ...(spec.kind === 'api' ? { httpStatus: 200 } : {}),
    ...overrides,
  };
}

export interface Scenario {
  report: RunReport;
  context: ReportContext;
}

/** The scenario; `outDir` is where the reporters write (a temp folder per test). */
export function scenario(outDir: string): Scenario {
  const random = rng(42);
  const history: MonitorResult[] = [];
  const start = NOW - RUNS * INTERVAL_MS;
  for (let i = 0; i < RUNS - 1; i++) {
    const at = start + i * INTERVAL_MS;
    const runId = `run-${String(i).padStart(3, '0')}`;
    const afterDeploy = at >= DEPLOY_AT;
    for (const spec of SPECS) {
      const scale: Record<string, number> = spec.monitor === 'purchase' && afterDeploy ? { checkout: 1.9 } : {};
      const extra: Partial<MonitorResult> = {};
      if (spec.monitor === 'login' && i === 9) {
        // A past failure with a screenshot and a trace.
        Object.assign(extra, {
          status: 'failed' as Status,
          error: { class: 'element', message: 'locator("#submit") not visible after 5000 ms', location: 'journeys/login.journey.ts:14' },
          artifacts: { screenshot: 'artifacts/login/failure.png', trace: 'artifacts/login/trace.zip' },
        });
      }
      const r = result(spec, runId, at + SPECS.indexOf(spec) * 1500, 'eu-west', random, extra, scale);
      if (extra.status === 'failed') {
        r.steps[1] = { ...r.steps[1], status: 'failed', error: extra.error ?? null };
      }
      history.push(r);
    }
    const us = `us-${String(i).padStart(3, '0')}`;
    history.push(result(SPECS[0], us, at + 700, 'us-east', random, {}, { 'GET /api/products': 1.6 }));
  }

  const runStart = NOW - 60_000;
  const run: RunInfo = { id: RUN_ID, startedAt: iso(runStart), finishedAt: iso(runStart + 8_000), location: 'eu-west', environment: 'production' };
  const checkoutFailure = { class: 'http_status' as const, message: 'status (503) == 200 | body: <script>alert("x")</script> upstream timeout' };
  const current: MonitorResult[] = [
    result(SPECS[0], RUN_ID, runStart + 100, 'eu-west', random),
    result(SPECS[1], RUN_ID, runStart + 150, 'eu-west', random, { status: 'failed', error: checkoutFailure, attempts: 3, httpStatus: 503 }),
    result(SPECS[2], RUN_ID, runStart + 200, 'eu-west', random, { status: 'degraded' }, { checkout: 2 }),
    result(SPECS[3], RUN_ID, runStart + 250, 'eu-west', random),
  ];
  current[1].steps[0] = { ...current[1].steps[0], status: 'failed', error: checkoutFailure };
  current[1].attemptDetails = [1, 2, 3].map((n) => ({
    attempt: n,
    status: 'failed' as Status,
    startedAt: iso(runStart + 150 + n * 400),
    durationMs: 230 + n,
    error: checkoutFailure,
    httpStatus: 503,
  }));
  current[2].steps[3] = { ...current[2].steps[3], status: 'degraded' };
  history.push(...current);

  const findings: Finding[] = [
    {
      id: 'f-regression-purchase-checkout',
      kind: 'regression',
      severity: 'critical',
      status: 'open',
      series: { monitor: 'purchase', step: 'checkout', metric: 'durationMs', location: 'eu-west' },
      observed: 1750,
      expected: { value: 900, low: 780, high: 1020 },
      unit: 'ms',
      magnitude: { ratio: 1.94, delta: 850 },
      startedAt: iso(DEPLOY_AT + 60_000),
      updatedAt: iso(runStart),
      resolvedAt: null,
      count: 8,
      explanation: 'Step "checkout" of Purchase journey is 1.9x slower since 10:01 (1750 ms vs 900 ms), right after deploy v2.4.1.',
    },
    {
      id: 'f-error-rate-checkout-api',
      kind: 'error_rate',
      severity: 'warning',
      status: 'open',
      series: { monitor: 'checkout-api', step: 'Checkout API', metric: 'outcome', location: 'eu-west' },
      observed: 1,
      expected: { value: 0 },
      unit: 'ratio',
      magnitude: { delta: 1 },
      startedAt: iso(runStart),
      updatedAt: iso(runStart),
      resolvedAt: null,
      count: 1,
      explanation: 'Checkout API failed 1 of the last 1 runs (503) | first failure in 6 h.',
    },
    {
      id: 'f-spike-catalog',
      kind: 'spike',
      severity: 'warning',
      status: 'resolved',
      series: { monitor: 'catalog-api', step: 'GET /api/products', metric: 'durationMs', location: 'eu-west' },
      observed: 900,
      expected: { value: 120 },
      unit: 'ms',
      magnitude: { ratio: 7.5 },
      startedAt: iso(NOW - 5 * 3_600_000),
      updatedAt: iso(NOW - 4.5 * 3_600_000),
      resolvedAt: iso(NOW - 4.5 * 3_600_000),
      count: 1,
      explanation: 'GET /api/products took 900 ms against a usual 120 ms.',
    },
  ];
  const deploys: DeployMarker[] = [
    { id: 'd-1', at: iso(DEPLOY_AT), environment: 'production', version: 'v2.4.1', description: 'checkout: new payment provider' },
  ];
  const report: RunReport = { run, results: current, findings: findings.filter((f) => f.status === 'open') };
  const context: ReportContext = { outDir, history, findings, deploys, window: '6h', generatedAt: iso(NOW) };
  return { report, context };
}
