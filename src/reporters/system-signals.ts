/**
 * The watched system's golden signals as the board shows them: one block per service (its
 * service-level signals, then its busiest routes), the sources and whether they answered. Pure;
 * the states were judged where they were collected (src/sources/judge.ts), so the board, the
 * dashboard and /metrics agree.
 */
import type { SignalState, SourceStatus, SystemSignals } from '../sources/types.js';

export interface ServiceSignals {
  service: string;
  /** Service-level signals in a fixed order (traffic, errors, latency, saturation). */
  signals: SignalState[];
  /** Per-route traffic and errors, busiest routes first (at most `maxRoutes`). */
  routes: Array<{ route: string; traffic: SignalState | undefined; errors5xx: SignalState | undefined; errors4xx: SignalState | undefined }>;
  /** Monitors whose findings this service explains. */
  monitors: string[];
}

export interface SystemSection {
  at: string;
  sources: SourceStatus[];
  services: ServiceSignals[];
}

const ORDER = ['traffic', 'errors5xx', 'errors4xx', 'latencyP50', 'latencyP95', 'latencyP99', 'cpu', 'memory', 'disk', 'connections'];

export function buildSystemSection(sys: SystemSignals, maxRoutes = 10): SystemSection {
  const services = [...new Set(sys.signals.map((s) => s.service))].sort();
  return {
    at: sys.at,
    sources: sys.sources,
    services: services.map((service) => {
      const mine = sys.signals.filter((s) => s.service === service);
      const signals = mine.filter((s) => s.route === undefined).sort((a, b) => ORDER.indexOf(a.signal) - ORDER.indexOf(b.signal) || a.source.localeCompare(b.source));
      const byRoute = new Map<string, ServiceSignals['routes'][number]>();
      for (const s of mine) {
        if (s.route === undefined) continue;
        const r = byRoute.get(s.route) ?? { route: s.route, traffic: undefined, errors5xx: undefined, errors4xx: undefined };
        if (s.signal === 'traffic' || s.signal === 'errors5xx' || s.signal === 'errors4xx') r[s.signal] = s;
        byRoute.set(s.route, r);
      }
      const routes = [...byRoute.values()]
        .sort((a, b) => (b.traffic?.value ?? b.traffic?.samples ?? 0) - (a.traffic?.value ?? a.traffic?.samples ?? 0) || a.route.localeCompare(b.route))
        .slice(0, maxRoutes);
      return { service, signals, routes, monitors: sys.monitorsByService[service] ?? [] };
    }),
  };
}

/** Sentences for the board's reasons: sources down, signals not ok. */
export function systemReasons(section: SystemSection): string[] {
  const out: string[] = [];
  for (const s of section.sources) {
    if (s.status === 'down') out.push(`Source ${s.name} is down: ${s.error ?? 'no answer'}.`);
  }
  for (const svc of section.services) {
    for (const s of svc.signals) {
      if (s.status === 'warning' || s.status === 'critical') out.push(`${svc.service} ${s.label.toLowerCase()} is ${s.status} (${s.note}).`);
    }
  }
  return out;
}

/** A system signal's value in its fixed unit: `12.3 req/s`, `4.2%`, `180 ms`, `93%`. */
export function formatSystemValue(s: Pick<SignalState, 'unit'>, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  switch (s.unit) {
    case 'rps':
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} req/s`;
    case 'ratio':
      return `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
    case 'ms':
      return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ms`;
    case 'share':
      return `${(v * 100).toFixed(0)}%`;
  }
}

/** Why a signal has no value, for the board: the error and the query asked. */
export function noDataText(s: SignalState): string {
  const why = s.error ?? 'no value';
  return `${why.startsWith('no data') ? why : `no data: ${why}`}${s.query ? ` — query: ${s.query}` : ''}`;
}
