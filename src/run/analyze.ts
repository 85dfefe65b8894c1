/**
 * The step after results are stored: feed them to the anomaly core with the baselines every
 * runner has written before (state per series in the store), save the new state and findings.
 * The core itself is pure; this is the I/O around it.
 */
import { AnomalyCore, observationsFromResult, seriesId, type FindingChange } from '../anomaly/index.js';
import type { Finding, MonitorDefinition, MonitorResult } from '../model/index.js';
import type { Store } from '../store/store.js';

export const ANOMALY_STATE_NAMESPACE = 'anomaly';

export async function analyzeResults(
  store: Store,
  anomalyConfig: ConstructorParameters<typeof AnomalyCore>[0],
  results: MonitorResult[],
  /** Definitions by monitor id: their SLAs (per step for journeys) feed the SLA detector. */
  definitions?: ReadonlyMap<string, MonitorDefinition>,
): Promise<FindingChange[]> {
  // Results measured on a saturated runner describe the runner, not the target: never learned from.
  const observations = results.filter((r) => !r.runnerHealth?.saturated).flatMap((r) => observationsFromResult(r, definitions?.get(r.monitor))).sort((a, b) => a.at - b.at);
  if (observations.length === 0) return [];
  const ids = [...new Set(observations.map((o) => seriesId(o.series)))];
  const core = new AnomalyCore(anomalyConfig);
  core.loadState(await store.getStates(ANOMALY_STATE_NAMESPACE, ids));
  const changes: FindingChange[] = [];
  for (const o of observations) changes.push(...core.observe(o));
  await store.putStates(ANOMALY_STATE_NAMESPACE, core.exportState(ids));
  const latest = new Map<string, Finding>();
  for (const c of changes) latest.set(c.finding.id, c.finding);
  if (latest.size) await store.saveFindings([...latest.values()]);
  return changes;
}
