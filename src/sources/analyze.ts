/**
 * The system's signals through the anomaly core (their own series, `service:<name>`), then the
 * monitors' findings of this run told what the same service was doing (correlate.ts).
 */
import type { AnomalyConfig, AnomalyOverride, FindingChange } from '../anomaly/index.js';
import { analyzeObservations } from '../run/analyze.js';
import type { Store } from '../store/store.js';
import type { Collected } from './collect.js';
import { correlateFindings } from './correlate.js';
import { SERVICE_PREFIX, SIGNALS } from './types.js';

/** Error ratios and saturation are bad upward only (a drop is good news); traffic and latency keep the core's defaults. */
const SIGNAL_OVERRIDES: AnomalyOverride[] = Object.values(SIGNALS)
  .filter((s) => s.group === 'errors' || s.group === 'saturation')
  .map((s) => ({ metric: s.metric, direction: 'up' as const }));

/** The user's anomaly config with the signals' directions first (the user's own overrides still win). */
export function signalAnomalyConfig(config: AnomalyConfig | undefined): AnomalyConfig {
  const c = config ?? {};
  return { ...c, overrides: [...SIGNAL_OVERRIDES, ...(c.overrides ?? [])] };
}

/**
 * Analyse the collected signals, then correlate: returns the signals' finding changes plus an
 * `updated` change for each monitor finding of `monitorChanges` whose explanation gained context
 * (those are saved again).
 */
export async function analyzeSignals(store: Store, anomalyConfig: AnomalyConfig | undefined, collected: Collected, monitorChanges: readonly FindingChange[]): Promise<FindingChange[]> {
  const changes = await analyzeObservations(store, signalAnomalyConfig(anomalyConfig), collected.observations);
  const open = (await store.listFindings({ status: 'open' })).filter((f) => f.series.monitor.startsWith(SERVICE_PREFIX));
  for (const c of changes) if (c.finding.status === 'open' && !open.some((f) => f.id === c.finding.id)) open.push(c.finding);
  const correlated = correlateFindings(monitorChanges, collected.system, open);
  if (correlated.length) await store.saveFindings(correlated);
  return [...changes, ...correlated.map((finding) => ({ type: 'updated' as const, finding }))];
}
