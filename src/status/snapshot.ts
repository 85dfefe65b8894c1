/**
 * What the status page and the badges show, read from the store at one instant: current state and
 * uptime of every monitor and group on the page, 90 daily bars, maintenance windows and incidents.
 * Pure apart from the store reads; the HTML, the badges and the static copy render this object.
 */
import type { MonitorResult } from '../model/index.js';
import type { Store } from '../store/store.js';
import type { IncidentUpdateStatus, ResolvedMaintenance, ResolvedStatusPage } from './config.js';
import {
  BAR_DAYS,
  DAY_MS,
  UPTIME_WINDOW_NAMES,
  addCounts,
  dailyCounts,
  downtimeEpisodes,
  emptyWindows,
  exclusionsOf,
  uptimePct,
  windowCounts,
  type Counts,
  type DowntimeEpisode,
  type UptimeWindow,
} from './uptime.js';

/** `maintenance`: inside an active window; `unknown`: no result yet. */
export type MonitorState = 'up' | 'degraded' | 'down' | 'maintenance' | 'unknown';

/** Worst first: a group takes its worst member's state. */
const STATE_ORDER: MonitorState[] = ['down', 'degraded', 'maintenance', 'up', 'unknown'];

/** How far back the page lists incidents. */
export const INCIDENT_DAYS = 14;

export interface DayBar {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** Null: no counted run that day. */
  uptimePct: number | null;
  counts: Counts;
  /** A maintenance window touched the day (its runs were not counted). */
  maintenance: boolean;
}

export interface MonitorStatus {
  id: string;
  name: string;
  state: MonitorState;
  /** The newest result's start, or null. */
  lastRunAt: string | null;
  /** The newest failure's message when the monitor is down (redacted when stored). */
  lastError: string | null;
  uptime: Record<UptimeWindow, number | null>;
  counts: Record<UptimeWindow, Counts>;
  slo: number | undefined;
  days: DayBar[];
}

export interface GroupStatus {
  id: string;
  name: string;
  state: MonitorState;
  slo: number | undefined;
  /** Mean of the members' uptime (members without runs left out): each monitor weighs the same. */
  uptime: Record<UptimeWindow, number | null>;
  days: DayBar[];
  monitors: MonitorStatus[];
}

export interface PageIncidentUpdate {
  at: string;
  status: IncidentUpdateStatus;
  message: string;
}

export interface PageIncident {
  id: string;
  title: string;
  /** `posted`: written in the config; `detected`: downtime the store recorded. */
  source: 'posted' | 'detected';
  status: IncidentUpdateStatus;
  startedAt: string;
  resolvedAt: string | null;
  /** Monitor names. */
  monitors: string[];
  /** Newest first. */
  updates: PageIncidentUpdate[];
}

export interface PageMaintenance {
  start: string;
  end: string;
  active: boolean;
  monitors: string[];
  message: string;
}

export type OverallState = 'operational' | 'degraded' | 'partial_outage' | 'major_outage' | 'maintenance' | 'unknown';

export interface StatusSnapshot {
  title: string;
  description: string | undefined;
  generatedAt: string;
  environment: string | undefined;
  overall: { state: OverallState; text: string };
  groups: GroupStatus[];
  /** Every monitor on the page by id (a monitor in two groups is one entry). */
  monitors: Record<string, MonitorStatus>;
  /** Active first, then upcoming (ended windows are not listed). */
  maintenance: PageMaintenance[];
  /** Unresolved first, then the newest. */
  incidents: PageIncident[];
}

export interface SnapshotOptions {
  nowMs: number;
  environment?: string;
  /** Monitor id → display name (from the config); else the newest result's name, else the id. */
  names?: ReadonlyMap<string, string>;
}

export async function buildSnapshot(store: Store, page: ResolvedStatusPage, opts: SnapshotOptions): Promise<StatusSnapshot> {
  const { nowMs } = opts;
  const scope = { monitors: page.monitors, exclude: exclusionsOf(page.maintenance), ...(opts.environment !== undefined ? { environment: opts.environment } : {}) };
  const incidentSince = new Date(nowMs - INCIDENT_DAYS * DAY_MS).toISOString();
  const [windows, days, latest, changes] = await Promise.all([
    windowCounts(store, nowMs, scope),
    dailyCounts(store, nowMs, BAR_DAYS, scope),
    Promise.all(page.monitors.map((id) => store.listResults({ monitor: id, limit: 20, ...(opts.environment !== undefined ? { environment: opts.environment } : {}) }))),
    store.statusChanges({ ...scope, since: incidentSince, until: new Date(nowMs + 1).toISOString() }),
  ]);
  const activeMaintenance = page.maintenance.filter((m) => m.startMs <= nowMs && nowMs < m.endMs);
  const monitors: Record<string, MonitorStatus> = {};
  page.monitors.forEach((id, i) => {
    const recent = latest[i] ?? [];
    const counts = windows.get(id) ?? emptyWindows();
    const slo = Math.max(...page.groups.filter((g) => g.monitors.includes(id)).map((g) => g.slo ?? -1));
    const current = currentOf(recent);
    const inMaintenance = activeMaintenance.some((m) => m.monitors.includes(id));
    monitors[id] = {
      id,
      name: opts.names?.get(id) ?? recent[0]?.name ?? id,
      state: inMaintenance ? 'maintenance' : current.state,
      lastRunAt: recent[0]?.startedAt ?? null,
      lastError: current.state === 'down' ? current.error : null,
      counts,
      uptime: mapWindows((w) => uptimePct(counts[w])),
      slo: slo >= 0 ? slo : page.slo,
      days: (days.get(id) ?? []).map((d) => ({ day: d.day, uptimePct: uptimePct(d), counts: { passed: d.passed, degraded: d.degraded, failed: d.failed }, maintenance: touches(page.maintenance, id, d.startMs) })),
    };
  });
  const groups: GroupStatus[] = page.groups.map((g) => {
    const members = g.monitors.map((id) => monitors[id] as MonitorStatus);
    return {
      id: g.id,
      name: g.name,
      slo: g.slo,
      state: worst(members.map((m) => m.state)),
      uptime: mapWindows((w) => mean(members.map((m) => m.uptime[w]))),
      days: Array.from({ length: BAR_DAYS }, (_, d) => ({
        day: members[0]?.days[d]?.day ?? '',
        uptimePct: mean(members.map((m) => m.days[d]?.uptimePct ?? null)),
        counts: members.reduce<Counts>((acc, m) => addCounts(acc, m.days[d]?.counts ?? { passed: 0, degraded: 0, failed: 0 }), { passed: 0, degraded: 0, failed: 0 }),
        maintenance: members.some((m) => m.days[d]?.maintenance),
      })),
      monitors: members,
    };
  });
  const nameOf = (id: string) => monitors[id]?.name ?? id;
  const incidents = [...postedIncidents(page, nameOf), ...(page.detectedIncidents ? detectedIncidents(downtimeEpisodes(changes, nowMs), nameOf) : [])].sort(
    (a, b) => Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null) || Date.parse(b.startedAt) - Date.parse(a.startedAt),
  );
  const maintenance = page.maintenance
    .filter((m) => m.endMs > nowMs)
    .sort((a, b) => a.startMs - b.startMs)
    .map((m) => ({ start: new Date(m.startMs).toISOString(), end: new Date(m.endMs).toISOString(), active: m.startMs <= nowMs, monitors: m.monitors.map(nameOf), message: m.message }))
    .sort((a, b) => Number(b.active) - Number(a.active));
  return {
    title: page.title,
    description: page.description,
    generatedAt: new Date(nowMs).toISOString(),
    environment: opts.environment,
    overall: overallOf(Object.values(monitors)),
    groups,
    monitors,
    maintenance,
    incidents,
  };
}

/** The newest result of each location among the recent ones; the worst of those is the state. */
function currentOf(recent: readonly MonitorResult[]): { state: MonitorState; error: string | null } {
  if (recent.length === 0) return { state: 'unknown', error: null };
  const newest = new Map<string, MonitorResult>();
  for (const r of recent) if (!newest.has(r.location)) newest.set(r.location, r);
  const down = [...newest.values()].find((r) => r.status === 'failed');
  if (down) return { state: 'down', error: down.error?.message ?? null };
  if ([...newest.values()].some((r) => r.status === 'degraded')) return { state: 'degraded', error: null };
  return { state: 'up', error: null };
}

function worst(states: readonly MonitorState[]): MonitorState {
  for (const s of STATE_ORDER) if (states.includes(s)) return s === 'unknown' && states.some((x) => x !== 'unknown') ? 'up' : s;
  return 'unknown';
}

/** Statuspage's wording: all up; some degraded; some down (partial); most down (major). */
function overallOf(all: readonly MonitorStatus[]): { state: OverallState; text: string } {
  const known = all.filter((m) => m.state !== 'unknown');
  if (known.length === 0) return { state: 'unknown', text: 'No data yet' };
  const down = known.filter((m) => m.state === 'down').length;
  if (down > 0 && down * 2 >= known.length) return { state: 'major_outage', text: 'Major outage' };
  if (down > 0) return { state: 'partial_outage', text: 'Partial outage' };
  if (known.some((m) => m.state === 'degraded')) return { state: 'degraded', text: 'Degraded performance' };
  if (known.some((m) => m.state === 'maintenance')) return { state: 'maintenance', text: 'Under maintenance' };
  return { state: 'operational', text: 'All systems operational' };
}

function touches(windows: readonly ResolvedMaintenance[], id: string, dayStartMs: number): boolean {
  return windows.some((m) => m.monitors.includes(id) && m.startMs < dayStartMs + DAY_MS && m.endMs > dayStartMs);
}

function mean(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

function mapWindows<T>(fn: (w: UptimeWindow) => T): Record<UptimeWindow, T> {
  return Object.fromEntries(UPTIME_WINDOW_NAMES.map((w) => [w, fn(w)])) as Record<UptimeWindow, T>;
}

function postedIncidents(page: ResolvedStatusPage, nameOf: (id: string) => string): PageIncident[] {
  return page.incidents.map((inc) => {
    const newest = inc.updates[inc.updates.length - 1];
    const status = newest?.status ?? 'investigating';
    return {
      id: inc.id,
      title: inc.title,
      source: 'posted' as const,
      status,
      startedAt: new Date(inc.updates[0]?.atMs ?? 0).toISOString(),
      resolvedAt: status === 'resolved' && newest ? new Date(newest.atMs).toISOString() : null,
      monitors: inc.monitors.map(nameOf),
      updates: [...inc.updates].reverse().map((u) => ({ at: new Date(u.atMs).toISOString(), status: u.status, message: u.message })),
    };
  });
}

/**
 * Downtime episodes → incidents: episodes that overlap (any monitor, any location) are one
 * incident; its updates are each monitor going down (with its error) and coming back.
 */
export function detectedIncidents(episodes: readonly DowntimeEpisode[], nameOf: (id: string) => string): PageIncident[] {
  const clusters: DowntimeEpisode[][] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const e of [...episodes].sort((a, b) => a.startMs - b.startMs)) {
    const last = clusters[clusters.length - 1];
    const until = e.endMs ?? Number.POSITIVE_INFINITY;
    if (last && e.startMs <= end) {
      last.push(e);
      end = Math.max(end, until);
    } else {
      clusters.push([e]);
      end = until;
    }
  }
  return clusters.map((c) => {
    const open = c.some((e) => e.endMs === null);
    const startMs = Math.min(...c.map((e) => e.startMs));
    const resolvedMs = open ? null : Math.max(...c.map((e) => e.endMs as number));
    const names = [...new Set(c.map((e) => nameOf(e.monitor)))];
    const updates: PageIncidentUpdate[] = [];
    for (const e of c) {
      const where = e.location === 'local' ? '' : ` from ${e.location}`;
      const why = e.errorClass ? ` (${e.errorClass}${e.message ? `: ${oneLine(e.message)}` : ''})` : '';
      updates.push({ at: new Date(e.startMs).toISOString(), status: 'investigating', message: `${nameOf(e.monitor)} is down${where}${why}.` });
      if (e.endMs !== null) updates.push({ at: new Date(e.endMs).toISOString(), status: 'resolved', message: `${nameOf(e.monitor)} is up again${where}.` });
    }
    updates.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    return {
      id: `detected-${new Date(startMs).toISOString()}`,
      title: names.length === 1 ? `${names[0]} down` : `${names.length} monitors down: ${names.join(', ')}`,
      source: 'detected' as const,
      status: open ? ('investigating' as const) : ('resolved' as const),
      startedAt: new Date(startMs).toISOString(),
      resolvedAt: resolvedMs === null ? null : new Date(resolvedMs).toISOString(),
      monitors: names,
      updates,
    };
  });
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
