/**
 * A hand-worked 90-day history for the uptime tests: two monitors, a run every 2 hours
 * (t_k = NOW - 1 h - k * 2 h, k = 0..1079), with failures placed so each window's numbers can be
 * worked out by hand (see the expected values in uptime-store.test.ts).
 */
import type { MonitorResult, Status } from '../../src/model/index.js';
import type { Store } from '../../src/store/store.js';

export const NOW = Date.parse('2026-11-30T12:00:00.000Z');
export const HOUR = 3_600_000;
export const RUNS = 1080;
export const at = (k: number): number => NOW - HOUR - k * 2 * HOUR;

/** api: failed at k=3, 20-22, 100-105, 500-507; degraded at k=5; k=7 aborted (the runner's fault). */
export const API_FAILED = [3, 20, 21, 22, 100, 101, 102, 103, 104, 105, 500, 501, 502, 503, 504, 505, 506, 507];
/** web: failed at k=40-44 only, inside its maintenance window. */
export const WEB_FAILED = [40, 41, 42, 43, 44];
export const WEB_MAINTENANCE = { startMs: at(44) - 60_000, endMs: at(40) + 60_000 };

export function compactResult(monitor: string, k: number, status: Status, errorClass?: 'http_status' | 'aborted' | 'timeout', environment = 'prod'): MonitorResult {
  const startedAt = new Date(at(k)).toISOString();
  return {
    id: `run-${k}-${environment}:${monitor}`,
    runId: `run-${k}-${environment}`,
    monitor,
    name: monitor === 'api' ? 'Public API' : 'Web shop',
    kind: 'api',
    status,
    startedAt,
    finishedAt: new Date(at(k) + 120).toISOString(),
    durationMs: 120,
    attempts: 1,
    error: status === 'failed' ? { class: errorClass ?? 'http_status', message: `status (503) == 200 at k=${k}` } : null,
    steps: [],
    location: 'eu-west',
    environment,
    tags: [],
    httpStatus: status === 'failed' ? 503 : 200,
  };
}

export function history(): MonitorResult[] {
  const out: MonitorResult[] = [];
  for (let k = 0; k < RUNS; k++) {
    if (k === 7) out.push(compactResult('api', k, 'failed', 'aborted'));
    else out.push(compactResult('api', k, API_FAILED.includes(k) ? 'failed' : k === 5 ? 'degraded' : 'passed'));
    out.push(compactResult('web', k, WEB_FAILED.includes(k) ? 'failed' : 'passed'));
  }
  // Another environment's failures never count toward prod's uptime.
  out.push(compactResult('api', 1, 'failed', 'timeout', 'staging'));
  return out;
}

export async function fill(store: Store): Promise<void> {
  const all = history();
  for (let i = 0; i < all.length; i += 500) await store.saveResults(all.slice(i, i + 500));
}
