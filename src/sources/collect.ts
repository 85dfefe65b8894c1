/**
 * One collection of the system's golden signals: every configured source read at once (a source
 * that throws or hangs is reported down, the others still count), each reading judged against its
 * history, and the observations the anomaly core gets for them.
 */
import type { Observation } from '../anomaly/types.js';
import type { MonitorDefinition } from '../model/index.js';
import type { Clock } from '../runtime/clock.js';
import { isoAt } from '../runtime/clock.js';
import type { Store } from '../store/store.js';
import { accessLogName, readAccessLogSource } from './access-log/source.js';
import { judge, readingKey, SIGNALS_STATE_NAMESPACE, type SignalHistory } from './judge.js';
import { prometheusName, readPrometheusSource } from './prometheus/source.js';
import { ROUTE_SEPARATOR, SERVICE_PREFIX, SIGNALS, type SignalReading, type SourceConfig, type SourceStatus, type SystemSignals } from './types.js';

export interface CollectContext {
  store: Store;
  clock: Clock;
  /** Folder relative log paths are resolved from (the config file's). */
  rootDir: string;
  /** Location of this runner: part of every signal's series key. */
  location: string;
  /** Monitors of the run, for the service ↔ monitor mapping of correlated explanations. */
  monitors: readonly MonitorDefinition[];
  signal?: AbortSignal;
}

export interface Collected {
  system: SystemSignals;
  observations: Observation[];
}

export async function collectSignals(sources: readonly SourceConfig[], ctx: CollectContext): Promise<Collected> {
  const nowMs = ctx.clock.nowMs();
  const monotonicMs = () => ctx.clock.monotonicMs();
  const outcomes = await Promise.all(
    sources.map(async (s) => {
      const t0 = monotonicMs();
      try {
        return s.type === 'prometheus'
          ? await readPrometheusSource(s, { nowMs, monotonicMs, ...(ctx.signal ? { signal: ctx.signal } : {}) })
          : await readAccessLogSource(s, { store: ctx.store, rootDir: ctx.rootDir, nowMs, monotonicMs });
      } catch (err) {
        const status: SourceStatus = {
          name: s.type === 'prometheus' ? prometheusName(s) : accessLogName(s),
          type: s.type,
          status: 'down',
          error: (err as Error).message,
          readings: 0,
          durationMs: monotonicMs() - t0,
        };
        return { readings: [] as SignalReading[], status };
      }
    }),
  );
  const readings = outcomes.flatMap((o) => o.readings);
  const keys = [...new Set(readings.map(readingKey))];
  // A store that is briefly down costs the baselines of this collection, not the readings.
  let stored = new Map<string, unknown>();
  let storeDown = false;
  try {
    if (keys.length) stored = await ctx.store.getStates(SIGNALS_STATE_NAMESPACE, keys);
  } catch {
    storeDown = true;
  }
  const histories = new Map<string, SignalHistory>();
  for (const k of keys) histories.set(k, (stored.get(k) as SignalHistory | undefined) ?? { points: [] });
  const signals = readings.map((r) => judge(r, histories.get(readingKey(r))!, nowMs));
  if (histories.size && !storeDown) await ctx.store.putStates(SIGNALS_STATE_NAMESPACE, histories).catch(() => undefined);

  const observations: Observation[] = [];
  for (const r of readings) {
    if (r.value === null) continue;
    observations.push({ series: { monitor: SERVICE_PREFIX + r.service, step: signalStep(r), metric: SIGNALS[r.signal].metric, location: ctx.location }, at: nowMs, value: r.value });
  }
  return {
    system: { at: isoAt(nowMs), sources: outcomes.map((o) => o.status), signals, monitorsByService: monitorsByService(sources, ctx.monitors) },
    observations,
  };
}

/** Step of a signal's series: the source, and the route for per-route signals (`prometheus › /api/cart`). */
export function signalStep(r: Pick<SignalReading, 'source' | 'route'>): string {
  return r.route === undefined ? r.source : `${r.source}${ROUTE_SEPARATOR}${r.route}`;
}

/**
 * Which monitors a service's signals explain: listed under the service (`monitors`), tagged
 * `service:<name>`, or — when the configuration knows exactly one service — every monitor.
 */
export function monitorsByService(sources: readonly SourceConfig[], monitors: readonly MonitorDefinition[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  const add = (svc: string, ids: readonly string[]) => {
    out[svc] ??= new Set();
    for (const id of ids) out[svc].add(id);
  };
  for (const s of sources) {
    if (s.type === 'prometheus') for (const [svc, c] of Object.entries(s.services)) add(svc, c.monitors ?? []);
    else add(s.service, s.monitors ?? []);
  }
  for (const m of monitors) for (const t of m.tags ?? []) if (t.startsWith(SERVICE_PREFIX)) add(t.slice(SERVICE_PREFIX.length), [m.id]);
  const services = Object.keys(out);
  if (services.length === 1 && out[services[0]].size === 0) add(services[0], monitors.map((m) => m.id));
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}
