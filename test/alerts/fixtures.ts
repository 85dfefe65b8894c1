/** Builders for the alert tests: results, findings, a settable clock, a real SQLite store per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding, MonitorResult, ErrorClass } from '../../src/model/index.js';
import type { Clock } from '../../src/runtime/clock.js';
import { Redactor } from '../../src/runtime/redact.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';

export const T0 = Date.parse('2026-11-25T10:00:00.000Z');

/** A clock the test moves by hand (injected; no global timers are faked). */
export class TestClock implements Clock {
  constructor(public ms: number = T0) {}
  nowMs(): number {
    return this.ms;
  }
  monotonicMs(): number {
    return performance.now();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

let seq = 0;

export function result(opts: {
  monitor?: string;
  name?: string;
  status: 'passed' | 'failed' | 'degraded';
  location?: string;
  errorClass?: ErrorClass;
  message?: string;
  tags?: string[];
  at?: number;
}): MonitorResult {
  const monitor = opts.monitor ?? 'checkout-api';
  const runId = `run-${++seq}`;
  const at = new Date(opts.at ?? T0 + seq * 1000).toISOString();
  const failed = opts.status === 'failed';
  return {
    id: `${runId}:${monitor}`,
    runId,
    monitor,
    name: opts.name ?? monitor,
    kind: 'api',
    status: opts.status,
    startedAt: at,
    finishedAt: at,
    durationMs: 120,
    attempts: 1,
    error: failed ? { class: opts.errorClass ?? 'http_status', message: opts.message ?? 'status (503) == 200' } : null,
    steps: [],
    location: opts.location ?? 'eu-west',
    environment: 'prod',
    tags: opts.tags ?? ['shop'],
    ...(failed ? { httpStatus: 503 } : {}),
  };
}

export function finding(opts: { monitor?: string; severity: Finding['severity']; status?: 'open' | 'resolved'; kind?: Finding['kind']; location?: string; explanation?: string }): Finding {
  const monitor = opts.monitor ?? 'checkout-api';
  return {
    id: `f-${monitor}-${opts.kind ?? 'regression'}`,
    kind: opts.kind ?? 'regression',
    severity: opts.severity,
    status: opts.status ?? 'open',
    series: { monitor, step: monitor, metric: 'durationMs', location: opts.location ?? 'eu-west' },
    observed: 840,
    expected: { value: 210, low: 180, high: 260 },
    unit: 'ms',
    magnitude: { ratio: 4 },
    startedAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    resolvedAt: opts.status === 'resolved' ? new Date(T0 + 60_000).toISOString() : null,
    count: 3,
    explanation: opts.explanation ?? 'durationMs is 840 ms, 4.0x the baseline of 210 ms (180-260) since 10:00',
  };
}

export interface StoreFixture {
  store: Store;
  redactor: Redactor;
  dir: string;
  dispose(): Promise<void>;
}

/**
 * A real SQLite store in a fresh temporary folder. `storeRedacts: false` opens it without the
 * redactor, to prove the alerts module redacts on its own (the store is a second line of defence).
 */
export async function sqliteStore(redactor = new Redactor(), opts: { storeRedacts?: boolean } = {}): Promise<StoreFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'observer-alerts-'));
  const store = await openStore({ path: path.join(dir, 'observer.db'), ...(opts.storeRedacts === false ? {} : { redactor }) });
  return {
    store,
    redactor,
    dir,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
