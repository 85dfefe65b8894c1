/**
 * The step after results are stored: feed them to the anomaly core with the baselines every
 * runner has written before (state per series in the store), save the new state and findings.
 * The core itself is pure; this is the I/O around it.
 */
import { AnomalyCore, observationsFromResult, seriesId, type AnomalyConfig, type FindingChange, type Observation } from '../anomaly/index.js';
import type { Finding, MonitorDefinition, MonitorResult } from '../model/index.js';
import type { Store } from '../store/store.js';

export const ANOMALY_STATE_NAMESPACE = 'anomaly';

/**
 * Runners sharing the store commit their runs in any order, so a point measured shortly before the
 * newest one already in a series' state is not a late replay but a concurrent measurement: it is
 * taken at that newest instant (a shift of at most this much) instead of being dropped as late.
 */
export const CONCURRENT_RUN_TOLERANCE_MS = 10 * 60_000;

export async function analyzeResults(
  store: Store,
  anomalyConfig: AnomalyConfig,
  results: MonitorResult[],
  /** Definitions by monitor id: their SLAs (per step for journeys) feed the SLA detector. */
  definitions?: ReadonlyMap<string, MonitorDefinition>,
): Promise<FindingChange[]> {
  // Results measured on a saturated runner describe the runner, not the target: never learned from.
  const observations = results.filter((r) => !r.runnerHealth?.saturated).flatMap((r) => observationsFromResult(r, definitions?.get(r.monitor)));
  return analyzeObservations(store, anomalyConfig, observations);
}

/** Observations of any series (monitor results, the system's golden signals) through the core, state kept in the store. */
export async function analyzeObservations(
  store: Store,
  anomalyConfig: ConstructorParameters<typeof AnomalyCore>[0],
  unordered: Observation[],
): Promise<FindingChange[]> {
  const observations = [...unordered].sort((a, b) => a.at - b.at);
  if (observations.length === 0) return [];
  const ids = [...new Set(observations.map((o) => seriesId(o.series)))];
  // Read-modify-write as one step: a runner sharing the store never overwrites this run's updates.
  let changes: FindingChange[] = [];
  await store.updateStates(ANOMALY_STATE_NAMESPACE, ids, (current) => {
    const core = new AnomalyCore(anomalyConfig);
    core.loadState(current);
    changes = observations.flatMap((o) => core.observe(alignConcurrent(o, current)));
    return core.exportState(ids);
  });
  const latest = new Map<string, Finding>();
  for (const c of changes) latest.set(c.finding.id, c.finding);
  if (latest.size) await store.saveFindings([...latest.values()]);
  return changes;
}

function alignConcurrent(o: Observation, current: Map<string, unknown>): Observation {
  const lastAt = (current.get(seriesId(o.series)) as { lastAt?: unknown } | undefined)?.lastAt;
  if (typeof lastAt !== 'number' || o.at >= lastAt || lastAt - o.at > CONCURRENT_RUN_TOLERANCE_MS) return o;
  return { ...o, at: lastAt };
}
