/**
 * Fleet view: the same kind of finding on the same monitor/step/metric at several locations is one
 * problem of the target, not of a location. `crossLocationSummary` groups open findings and marks
 * each with `locations` and a `details.scope` of `one`, `some` or `all` (all = every location in
 * `allLocations`, or every location seen among the findings' series when not given).
 */
import type { Finding } from '../model/findings.js';

export type FleetScope = 'one' | 'some' | 'all';

export function crossLocationSummary(findings: Finding[], allLocations?: string[]): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.status !== 'open') continue;
    const k = `${f.kind}|${f.series.monitor}|${f.series.step}|${f.series.metric}`;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  const known = new Set(allLocations ?? findings.map((f) => f.series.location));
  const out: Finding[] = [];
  for (const group of groups.values()) {
    const locations = [...new Set(group.map((f) => f.series.location))].sort();
    const scope: FleetScope = locations.length === 1 ? (known.size <= 1 ? 'all' : 'one') : locations.length >= known.size ? 'all' : 'some';
    const rank = { critical: 2, warning: 1, info: 0 } as const;
    const worst = group.reduce((a, b) => (rank[b.severity] > rank[a.severity] ? b : a));
    const earliest = group.reduce((a, b) => (a.startedAt <= b.startedAt ? a : b));
    out.push({
      ...worst,
      startedAt: earliest.startedAt,
      count: group.reduce((n, f) => n + f.count, 0),
      locations,
      details: { ...worst.details, scope, findingIds: group.map((f) => f.id) },
      explanation: locations.length > 1 ? `${worst.explanation.replace(/\.$/, '')} — at ${scope === 'all' ? 'all' : locations.length} locations (${locations.join(', ')}).` : worst.explanation,
    });
  }
  return out;
}
