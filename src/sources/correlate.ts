/**
 * Correlation at the point of use: a finding on a monitor (a journey step, a check) says what the
 * system's golden signals of the same service were doing at that moment — "... while shop CPU is
 * 93% (critical) and traffic is 2.1x expected". Only signals that are not ok and findings of the
 * anomaly core open on the service's series are named; nothing when all is quiet.
 */
import type { Finding } from '../model/index.js';
import type { FindingChange } from '../anomaly/types.js';
import { ROUTE_SEPARATOR, SERVICE_PREFIX, SIGNALS, type SignalState, type SystemSignals } from './types.js';

const MARK = ' — while ';

function clause(s: SignalState): string {
  const what = s.unit === 'share' ? `${s.label} saturation` : s.label.toLowerCase();
  return `${what} is ${s.note}`;
}

/** The findings of `changes` (on monitors, not services) whose explanation gained the service context. */
export function correlateFindings(changes: readonly FindingChange[], system: SystemSignals, openOnServices: readonly Finding[]): Finding[] {
  const servicesOf = new Map<string, string[]>();
  for (const [svc, ids] of Object.entries(system.monitorsByService)) for (const id of ids) servicesOf.set(id, [...(servicesOf.get(id) ?? []), svc]);
  const out = new Map<string, Finding>();
  for (const c of changes) {
    const f = c.finding;
    if (c.type === 'resolved' || f.status !== 'open' || f.series.monitor.startsWith(SERVICE_PREFIX)) continue;
    const services = servicesOf.get(f.series.monitor) ?? [];
    const clauses: string[] = [];
    const related: Array<{ service: string; signal: string; status: string; value: number | null; note: string }> = [];
    for (const svc of services) {
      const bad = system.signals.filter((s) => s.service === svc && s.route === undefined && (s.status === 'warning' || s.status === 'critical'));
      bad.forEach((s, i) => {
        clauses.push(i === 0 ? `${svc} ${clause(s)}` : clause(s));
        related.push({ service: svc, signal: s.signal, status: s.status, value: s.value, note: s.note });
      });
      for (const o of openOnServices) {
        if (o.series.monitor !== SERVICE_PREFIX + svc || o.severity === 'info') continue;
        const route = o.series.step.includes(ROUTE_SEPARATOR) ? o.series.step.slice(o.series.step.indexOf(ROUTE_SEPARATOR) + ROUTE_SEPARATOR.length) : undefined;
        // Already said by the judged signal of the same source.
        if (route === undefined && bad.some((s) => s.source === o.series.step && SIGNALS[s.signal].metric === o.series.metric)) continue;
        const where = route === undefined ? '' : ` on ${route}`;
        clauses.push(`${svc} ${o.series.metric}${where} has an open ${o.kind.replace('_', ' ')} (${o.severity})`);
        related.push({ service: svc, signal: o.series.metric, status: o.severity, value: o.observed, note: o.kind });
      }
    }
    if (!clauses.length) continue;
    const base = f.explanation.includes(MARK) ? f.explanation.slice(0, f.explanation.indexOf(MARK)) : f.explanation;
    const explanation = `${base.replace(/\.$/, '')}${MARK}${clauses.join(' and ')}.`;
    out.set(f.id, { ...f, explanation, details: { ...(f.details ?? {}), correlated: related } });
  }
  return [...out.values()];
}
