/**
 * A flaky monitor alerts only past its usual failure rate: the failures of this evaluation that its
 * own history makes ordinary are left out of the alert state machine (they stay in the store, the
 * reports and the flakiness score). Reads the monitor's recent history from the store.
 */
import type { MonitorResult } from '../model/index.js';
import type { Store } from '../store/store.js';
import { DEFAULT_FLAKINESS_OPTIONS, flakiness, pastUsualRate, type FlakinessOptions } from './flakiness.js';

/** Recent runs (this evaluation's included) whose failures are compared with the usual rate. */
const RECENT_RUNS = 10;

/** Ids of failed results that are usual flakes of a flaky monitor: not alerted on. */
export async function usualFlakes(store: Pick<Store, 'listResults'>, monitor: string, results: readonly MonitorResult[], options: Partial<FlakinessOptions> = {}): Promise<Set<string>> {
  const failed = results.filter((r) => r.status === 'failed' && r.monitor === monitor);
  if (failed.length === 0) return new Set();
  const opts = { ...DEFAULT_FLAKINESS_OPTIONS, ...options };
  const current = new Set(results.map((r) => r.id));
  const past = (await store.listResults({ monitor, limit: opts.window + results.length })).filter((r) => !current.has(r.id)).reverse();
  const usual = flakiness(past, opts).find((f) => f.monitor === monitor && f.step === undefined);
  if (!usual?.flaky) return new Set();
  const recent = [...past.slice(-(RECENT_RUNS - results.length)), ...results];
  const recentFailures = recent.filter((r) => r.status === 'failed').length;
  return pastUsualRate(usual, recentFailures, recent.length) ? new Set() : new Set(failed.map((r) => r.id));
}
