/**
 * Checks an UptimeQuery once for both backends: instants parsed, bucket size and exclusion spans
 * validated, so the dialect code only turns numbers into SQL.
 */
import { sinceMs } from './codec.js';
import { StoreInvalidInputError } from './errors.js';
import type { UptimeCount, UptimeQuery } from './store.js';

/** Error classes that are the runner's fault, never the target's: not counted toward uptime. */
export const RUNNER_ERROR_CLASSES = ['aborted', 'internal'] as const;

/** Bounds that keep one query's SQL small. */
const MAX_EXCLUSIONS = 500;
const MAX_MONITORS = 5_000;

export interface CheckedUptimeQuery {
  sinceMs: number;
  untilMs: number | undefined;
  environment: string | undefined;
  monitors: string[] | undefined;
  bucketMs: number | undefined;
  exclude: { startMs: number; endMs: number; monitors: string[] | undefined }[];
}

export function checkUptimeQuery(q: UptimeQuery): CheckedUptimeQuery {
  const since = sinceMs(q.since, 'query.since') as number;
  const until = sinceMs(q.until, 'query.until');
  if (until !== undefined && until <= since) throw new StoreInvalidInputError(`query.until: must be after query.since (${q.since}), got ${q.until}`, 'query.until');
  if (q.bucketMs !== undefined && (!Number.isInteger(q.bucketMs) || q.bucketMs < 1000)) {
    throw new StoreInvalidInputError(`query.bucketMs: expected an integer of at least 1000, got ${String(q.bucketMs)}`, 'query.bucketMs');
  }
  if (q.monitors !== undefined && q.monitors.length > MAX_MONITORS) throw new StoreInvalidInputError(`query.monitors: at most ${MAX_MONITORS}`, 'query.monitors');
  const exclude = (q.exclude ?? []).map((e, i) => {
    if (!Number.isFinite(e.startMs) || !Number.isFinite(e.endMs) || e.endMs <= e.startMs) {
      throw new StoreInvalidInputError(`query.exclude[${i}]: expected startMs < endMs (epoch ms), got ${String(e.startMs)}..${String(e.endMs)}`, `query.exclude[${i}]`);
    }
    return { startMs: Math.floor(e.startMs), endMs: Math.ceil(e.endMs), monitors: e.monitors ? [...e.monitors] : undefined };
  });
  if (exclude.length > MAX_EXCLUSIONS) throw new StoreInvalidInputError(`query.exclude: at most ${MAX_EXCLUSIONS} spans`, 'query.exclude');
  return {
    sinceMs: since,
    untilMs: until,
    environment: q.environment,
    monitors: q.monitors ? [...new Set(q.monitors)] : undefined,
    bucketMs: q.bucketMs,
    // Spans that cannot touch the window cost nothing to drop.
    exclude: exclude.filter((e) => e.endMs > since && (until === undefined || e.startMs < until) && (e.monitors === undefined || e.monitors.length > 0)),
  };
}

/** One row of either backend's uptime aggregation (`monitor, bucket, passed, degraded, failed`) as an `UptimeCount`. */
export function uptimeCountOf(r: Record<string, unknown>): UptimeCount {
  return {
    monitor: String(r.monitor),
    bucketStartMs: r.bucket === null ? null : Number(r.bucket),
    passed: Number(r.passed),
    degraded: Number(r.degraded),
    failed: Number(r.failed),
  };
}
