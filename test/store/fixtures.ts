/** Builders for store tests: realistic objects with nested steps, timings and every optional field. */
import type { DeployMarker, Finding, MonitorResult, RunInfo, StepResult } from '../../src/model/index.js';
import type { AlertRecord, DeliveryRecord } from '../../src/store/store.js';

export const T0 = Date.parse('2026-03-01T10:00:00.000Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

export function run(id: string, opts: Partial<RunInfo> & { atMs?: number } = {}): RunInfo {
  const { atMs, ...rest } = opts;
  return { id, startedAt: iso(atMs ?? T0), finishedAt: null, location: 'eu-west', environment: 'prod', ...rest };
}

export function steps(atMs: number): StepResult[] {
  return [
    {
      name: 'open home',
      status: 'passed',
      startedAt: iso(atMs),
      durationMs: 412.5,
      error: null,
      location: 'journeys/shop.journey.ts:8',
      vitals: [{ url: 'https://shop.example/', ttfbMs: 88.25, lcpMs: 1200, cls: 0.02 }],
      network: { requests: 31, failedRequests: 0, bytes: 123456, slowestUrl: 'https://shop.example/app.js', slowestMs: 210 },
      steps: [
        { name: 'wait for hero', status: 'passed', startedAt: iso(atMs + 10), durationMs: 120, error: null },
        {
          name: 'accept cookies',
          status: 'passed',
          startedAt: iso(atMs + 130),
          durationMs: 40,
          error: null,
          steps: [{ name: 'click accept', status: 'passed', startedAt: iso(atMs + 131), durationMs: 12.75, error: null }],
        },
      ],
    },
    {
      name: 'checkout',
      status: 'failed',
      startedAt: iso(atMs + 500),
      durationMs: 3001,
      error: { class: 'element', message: 'locator(#pay) not visible', location: 'journeys/shop.journey.ts:21' },
      consoleErrors: ['TypeError: x is undefined'],
    },
    { name: 'confirm', status: 'skipped', startedAt: iso(atMs + 3501), durationMs: 0, error: null },
  ];
}

export function result(runId: string, monitor: string, atMs: number, opts: Partial<MonitorResult> = {}): MonitorResult {
  return {
    id: `${runId}:${monitor}`,
    runId,
    monitor,
    name: `Monitor ${monitor}`,
    kind: 'journey',
    status: 'failed',
    startedAt: iso(atMs),
    finishedAt: iso(atMs + 3600),
    durationMs: 3599.25,
    attempts: 2,
    attemptDetails: [
      { attempt: 1, status: 'failed', startedAt: iso(atMs), durationMs: 1700, error: { class: 'timeout', message: 'step timed out after 1500 ms' } },
      {
        attempt: 2,
        status: 'failed',
        startedAt: iso(atMs + 1800),
        durationMs: 1799.25,
        error: { class: 'element', message: 'locator(#pay) not visible' },
        httpStatus: 200,
        timings: { dnsMs: 1.5, connectMs: 2.25, tlsMs: 5, sendMs: 0.1, firstByteMs: 80.125, downloadMs: 3, totalMs: 91.975, reusedConnection: false },
      },
    ],
    error: { class: 'element', message: 'locator(#pay) not visible', location: 'journeys/shop.journey.ts:21' },
    steps: steps(atMs),
    location: 'eu-west',
    environment: 'prod',
    tags: ['shop', 'critical'],
    httpStatus: 200,
    artifacts: { screenshot: 'artifacts/shop.png', trace: 'artifacts/shop.zip' },
    ...opts,
  };
}

export function apiResult(runId: string, monitor: string, atMs: number, opts: Partial<MonitorResult> = {}): MonitorResult {
  return {
    id: `${runId}:${monitor}`,
    runId,
    monitor,
    name: `API ${monitor}`,
    kind: 'api',
    status: 'passed',
    startedAt: iso(atMs),
    finishedAt: iso(atMs + 92),
    durationMs: 91.975,
    attempts: 1,
    error: null,
    steps: [
      {
        name: 'GET /health',
        status: 'passed',
        startedAt: iso(atMs),
        durationMs: 91.975,
        error: null,
        timings: { dnsMs: 0, connectMs: 0, tlsMs: 0, sendMs: 0.1, firstByteMs: 80.125, downloadMs: 3, totalMs: 91.975, reusedConnection: true },
      },
    ],
    location: 'eu-west',
    environment: 'prod',
    tags: [],
    httpStatus: 200,
    ...opts,
  };
}

export function finding(id: string, opts: Partial<Finding> = {}): Finding {
  return {
    id,
    kind: 'regression',
    severity: 'warning',
    status: 'open',
    series: { monitor: 'shop', step: 'checkout', metric: 'durationMs', location: 'eu-west' },
    observed: 3001,
    expected: { value: 900, low: 700, high: 1100 },
    unit: 'ms',
    magnitude: { ratio: 3.33, delta: 2101, pValue: 0.001 },
    startedAt: iso(T0),
    updatedAt: iso(T0 + 60_000),
    resolvedAt: null,
    count: 3,
    explanation: 'checkout takes 3.0 s since 10:00, 3.3x its usual 0.9 s',
    locations: ['eu-west', 'us-east'],
    details: { runs: ['r1', 'r2'], changePoint: 12 },
    ...opts,
  };
}

export function marker(id: string, atMs: number, environment = 'prod'): DeployMarker {
  return { id, at: iso(atMs), environment, version: `v${id}`, description: `deploy ${id}` };
}

export function alert(id: string, opts: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    key: `shop:${id}`,
    rule: 'shop-down',
    monitor: 'shop',
    cause: 'failed',
    severity: 'critical',
    status: 'open',
    openedAt: iso(T0),
    updatedAt: iso(T0),
    resolvedAt: null,
    message: 'shop failed 3 times in a row',
    flaps: 0,
    ack: null,
    details: { lastRun: 'r3' },
    ...opts,
  };
}

export function delivery(id: string, createdAtMs: number, opts: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id,
    alertId: 'a1',
    channel: 'slack',
    event: 'open',
    payload: { text: `alert ${id}`, blocks: [{ type: 'section', n: 1 }] },
    createdAt: iso(createdAtMs),
    attempts: 0,
    deliveredAt: null,
    lastError: null,
    ...opts,
  };
}
