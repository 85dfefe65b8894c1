/**
 * Alerts carry the incident (issue 17, item 3): before an evaluation the manager groups the store's
 * recent results, findings and deploy markers into incidents (src/incidents, the same grouping as
 * `observer incidents` and the board), and each alert message names the open incident its monitor
 * is part of: its id, the other monitors it groups, and the probable cause or "no change explains
 * this". One page per incident: the first alert of an incident that groups several monitors pages;
 * an alert of another monitor that joins it later sends nothing of its own (it is listed in the
 * incident, and its AlertRecord names the incident and the alert that paged).
 */
import { buildIncidents, type Incident as GroupedIncident } from '../incidents/index.js';
import type { MonitorResult } from '../model/index.js';
import { isoAt } from '../runtime/clock.js';
import type { Store } from '../store/store.js';
import type { AlertIncidentRef } from './types.js';

/** Store KV namespace: incident id -> the alert that paged for it. */
export const INCIDENT_PAGES_NAMESPACE = 'alert-incidents';

/** How far back the store is read to group incidents (results and findings); deploys twice as far. */
export const INCIDENT_WINDOW_MS = 6 * 3_600_000;

export interface IncidentPage {
  alertId: string;
  monitor: string;
  at: string;
  /** The monitors the page (and its updates) named. */
  monitors: string[];
}

export const NO_CHANGE_EXPLAINS = 'no change explains this';

/** Open incidents of the store's recent runs, in the environments of this evaluation's results. */
export async function openIncidents(store: Store, results: readonly MonitorResult[], nowMs: number): Promise<GroupedIncident[]> {
  const since = isoAt(nowMs - INCIDENT_WINDOW_MS);
  const environments = [...new Set(results.map((r) => r.environment))];
  const byEnv = environments.length ? environments : [undefined];
  const stored = (await Promise.all(byEnv.map((environment) => store.listResults({ since, ...(environment ? { environment } : {}) })))).flat();
  const [findings, deploys] = await Promise.all([
    store.listFindings({ since }),
    Promise.all(byEnv.map((environment) => store.listDeployMarkers({ since: isoAt(nowMs - 2 * INCIDENT_WINDOW_MS), ...(environment ? { environment } : {}) }))).then((d) => d.flat()),
  ]);
  return buildIncidents(stored, findings, deploys).filter((i) => i.status === 'open');
}

/** The reference an alert of `monitor` carries, when an open incident groups the monitor. */
export function incidentRefFor(incidents: readonly GroupedIncident[], monitor: string): AlertIncidentRef | undefined {
  const inc = incidents.find((i) => i.monitors.includes(monitor));
  if (!inc) return undefined;
  return {
    id: inc.id,
    startedAt: inc.startedAt,
    monitors: [...inc.monitors],
    otherMonitors: inc.monitors.filter((m) => m !== monitor),
    locations: [...inc.locations],
    probableCause: inc.probable ? inc.probable.evidence : NO_CHANGE_EXPLAINS,
    probable: inc.probable ? { kind: inc.probable.kind, ref: inc.probable.ref, score: inc.probable.score } : null,
    evidence: inc.evidence.map((e) => e.text),
    hints: [...inc.hints],
  };
}
