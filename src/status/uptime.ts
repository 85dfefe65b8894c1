/**
 * Uptime as Checkly and Uptime Kuma count it: the share of counted runs that were up.
 *
 * - Up: `passed` and `degraded` (a degraded run answered, only slower or closer to a limit than it
 *   should); down: `failed`. Degraded runs are counted and shown apart (`degradedPct`).
 * - Not counted: runs inside a maintenance window of the monitor, and runs that failed for the
 *   runner's own reasons (`aborted`, `internal`); a window with no counted run has no uptime (null),
 *   never 100%.
 * - Downtime episodes (SLA incidents) are time-weighted: from the first failed run to the first run
 *   up again, per monitor and location, from the store's up/down changes.
 *
 * Every count is aggregated by the database (`Store.uptimeCounts`, `Store.statusChanges`): 90 days of
 * results are never loaded into memory.
 */
import type { StatusChange, Store, UptimeCount, UptimeExclusion } from '../store/store.js';
import type { ResolvedMaintenance } from './config.js';

export const DAY_MS = 86_400_000;

/** The uptime windows the page, the badges and the API know, longest last. */
export const UPTIME_WINDOWS = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, '90d': 90 * DAY_MS } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;
export const UPTIME_WINDOW_NAMES = Object.keys(UPTIME_WINDOWS) as UptimeWindow[];

/** Days of bars on the status page. */
export const BAR_DAYS = 90;

export interface Counts {
  passed: number;
  degraded: number;
  failed: number;
}

export const NO_COUNTS: Readonly<Counts> = Object.freeze({ passed: 0, degraded: 0, failed: 0 });

export function total(c: Counts): number {
  return c.passed + c.degraded + c.failed;
}

/** Percent of counted runs that were up, or null without runs. */
export function uptimePct(c: Counts): number | null {
  const n = total(c);
  return n === 0 ? null : ((c.passed + c.degraded) / n) * 100;
}

/** Percent of counted runs that were degraded, or null without runs. */
export function degradedPct(c: Counts): number | null {
  const n = total(c);
  return n === 0 ? null : (c.degraded / n) * 100;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return { passed: a.passed + b.passed, degraded: a.degraded + b.degraded, failed: a.failed + b.failed };
}

/**
 * An uptime percentage for people, truncated, never rounded up (99.9996 shows 99.999%, not 100%):
 * 2 decimals, 3 from 99.99 on, trailing zeros dropped; `—` for no data. (reporters/format.ts's
 * formatPct rounds, which is right for error rates and wrong for uptime.)
 */
export function formatUptime(pct: number | null): string {
  if (pct === null) return '—';
  if (pct >= 100) return '100%';
  const digits = Math.floor(pct * 1000) / 1000 >= 99.99 ? 3 : 2;
  const text = (Math.floor(pct * 10 ** digits) / 10 ** digits).toFixed(digits).replace(/\.?0+$/, '');
  return `${text}%`;
}

/** Maintenance windows → the spans the store leaves out. */
export function exclusionsOf(maintenance: readonly ResolvedMaintenance[]): UptimeExclusion[] {
  return maintenance.map((m) => ({ startMs: m.startMs, endMs: m.endMs, monitors: m.monitors }));
}

export interface UptimeScope {
  monitors?: string[];
  environment?: string;
  exclude?: UptimeExclusion[];
}

/** Counts per monitor for each window ending at `nowMs` (one aggregate query per window). */
export async function windowCounts(store: Store, nowMs: number, scope: UptimeScope): Promise<Map<string, Record<UptimeWindow, Counts>>> {
  const out = new Map<string, Record<UptimeWindow, Counts>>();
  const perWindow = await Promise.all(
    UPTIME_WINDOW_NAMES.map((w) => store.uptimeCounts({ ...scopeQuery(scope), since: new Date(nowMs - UPTIME_WINDOWS[w]).toISOString(), until: new Date(nowMs + 1).toISOString() })),
  );
  UPTIME_WINDOW_NAMES.forEach((w, i) => {
    for (const row of perWindow[i] ?? []) {
      const entry = out.get(row.monitor) ?? emptyWindows();
      entry[w] = countsOf(row);
      out.set(row.monitor, entry);
    }
  });
  return out;
}

export function emptyWindows(): Record<UptimeWindow, Counts> {
  return { '24h': { ...NO_COUNTS }, '7d': { ...NO_COUNTS }, '30d': { ...NO_COUNTS }, '90d': { ...NO_COUNTS } };
}

export interface DayCounts extends Counts {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  startMs: number;
}

/** The UTC day that contains `ms`, as its start. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * Counts per monitor and UTC day for the `days` days ending with today (oldest first, every day
 * present; a day without runs has zero counts), from one aggregate query.
 */
export async function dailyCounts(store: Store, nowMs: number, days: number, scope: UptimeScope): Promise<Map<string, DayCounts[]>> {
  const first = dayStart(nowMs) - (days - 1) * DAY_MS;
  const rows = await store.uptimeCounts({ ...scopeQuery(scope), since: new Date(first).toISOString(), until: new Date(nowMs + 1).toISOString(), bucketMs: DAY_MS });
  const byMonitor = new Map<string, Map<number, UptimeCount>>();
  for (const r of rows) {
    const m = byMonitor.get(r.monitor) ?? new Map<number, UptimeCount>();
    m.set(r.bucketStartMs ?? first, r);
    byMonitor.set(r.monitor, m);
  }
  const out = new Map<string, DayCounts[]>();
  for (const monitor of new Set([...(scope.monitors ?? []), ...byMonitor.keys()])) {
    const m = byMonitor.get(monitor);
    out.set(
      monitor,
      Array.from({ length: days }, (_, i) => {
        const startMs = first + i * DAY_MS;
        const r = m?.get(startMs);
        return { day: new Date(startMs).toISOString().slice(0, 10), startMs, ...(r ? countsOf(r) : { ...NO_COUNTS }) };
      }),
    );
  }
  return out;
}

/** A span during which a monitor was down at one location. */
export interface DowntimeEpisode {
  monitor: string;
  location: string;
  startMs: number;
  /** The first run up again; null while it is still down (then the episode is counted to `untilMs`). */
  endMs: number | null;
  durationMs: number;
  errorClass: string | null;
  message: string | null;
}

/**
 * Up/down changes (oldest first) → downtime episodes, clipped to `untilMs` when still open. A first
 * change that is down starts an episode at that run: what happened before the window is not known.
 */
export function downtimeEpisodes(changes: readonly StatusChange[], untilMs: number): DowntimeEpisode[] {
  const open = new Map<string, DowntimeEpisode>();
  const out: DowntimeEpisode[] = [];
  for (const c of changes) {
    const key = `${c.monitor}\u0000${c.location}`;
    const atMs = Date.parse(c.at);
    const current = open.get(key);
    if (c.down && !current) {
      open.set(key, { monitor: c.monitor, location: c.location, startMs: atMs, endMs: null, durationMs: 0, errorClass: c.errorClass, message: c.message });
    } else if (!c.down && current) {
      current.endMs = atMs;
      current.durationMs = atMs - current.startMs;
      out.push(current);
      open.delete(key);
    }
  }
  for (const e of open.values()) out.push({ ...e, durationMs: Math.max(0, untilMs - e.startMs) });
  return out.sort((a, b) => a.startMs - b.startMs || a.monitor.localeCompare(b.monitor) || a.location.localeCompare(b.location));
}

function scopeQuery(scope: UptimeScope): { monitors?: string[]; environment?: string; exclude?: UptimeExclusion[] } {
  return {
    ...(scope.monitors ? { monitors: scope.monitors } : {}),
    ...(scope.environment !== undefined ? { environment: scope.environment } : {}),
    ...(scope.exclude?.length ? { exclude: scope.exclude } : {}),
  };
}

function countsOf(r: Counts): Counts {
  return { passed: r.passed, degraded: r.degraded, failed: r.failed };
}
