/**
 * Monthly SLA reports (`observer report --sla 2026-11 [--format md|json]`), for a customer or a
 * review: per monitor and group, the month's uptime against its target, whether it was met, the
 * error budget used, and the downtime episodes with their start, end, duration and cause.
 *
 * Definitions (the same as the status page's, src/status/uptime.ts): uptime is the share of counted
 * runs that were up (passed or degraded); runs in the monitor's maintenance windows and runs that
 * failed for the runner's own reasons are not counted. The target is the highest `slo` of the
 * status-page groups the monitor is in, else `statusPage.slo`. Error budget used = (100 - uptime) /
 * (100 - target), in percent (over 100: the target was missed). Downtime is time-weighted: from the
 * first failed run of an episode to the first run up again, clipped to the month.
 */
import { formatInstant } from '../reporters/format.js';
import { mdCell } from '../reporters/markdown.js';
import { formatDurationMs } from '../model/duration.js';
import type { Store } from '../store/store.js';
import type { ResolvedStatusPage } from './config.js';
import { downtimeEpisodes, exclusionsOf, formatUptime, total, uptimePct, type Counts } from './uptime.js';

export const SLA_FORMATS = ['md', 'json'] as const;
export type SlaFormat = (typeof SLA_FORMATS)[number];

export interface SlaIncident {
  location: string;
  start: string;
  /** Null: still down at the end of the period. */
  end: string | null;
  durationMs: number;
  cause: string;
}

export interface SlaMonitorLine {
  id: string;
  name: string;
  uptimePct: number | null;
  runs: Counts;
  /** Percent; null without a target. */
  target: number | null;
  met: boolean | null;
  errorBudget: { usedPct: number | null; allowedDowntimeMs: number | null };
  downtimeMs: number;
  incidents: SlaIncident[];
}

export interface SlaGroupLine {
  id: string;
  name: string;
  monitors: string[];
  /** Mean of its monitors' uptime (each monitor weighs the same). */
  uptimePct: number | null;
  target: number | null;
  met: boolean | null;
}

export interface SlaReport {
  month: string;
  /** Inclusive. */
  from: string;
  /** Exclusive: the month's end, or now for the current month. */
  to: string;
  /** False while the month is not over. */
  complete: boolean;
  generatedAt: string;
  environment: string | undefined;
  definitions: string;
  groups: SlaGroupLine[];
  monitors: SlaMonitorLine[];
  maintenance: { start: string; end: string; monitors: string[]; message: string }[];
}

export const SLA_DEFINITIONS =
  'Uptime is the share of runs that were up (passed or degraded), without runs in maintenance windows or runs the runner aborted. ' +
  'Error budget used = (100 - uptime) / (100 - target). Downtime runs from the first failed run to the first run up again.';

/** `2026-11` → the month's UTC bounds; undefined when malformed. */
export function monthBounds(month: string): { fromMs: number; toMs: number } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return undefined;
  return { fromMs: Date.UTC(y, mo - 1, 1), toMs: Date.UTC(y, mo, 1) };
}

export interface SlaOptions {
  month: string;
  nowMs: number;
  environment?: string;
  /** The status page's groups, targets and maintenance; without it every monitor with results is listed, with no target. */
  page?: ResolvedStatusPage;
  names?: ReadonlyMap<string, string>;
}

export async function buildSlaReport(store: Store, opts: SlaOptions): Promise<SlaReport> {
  const bounds = monthBounds(opts.month);
  if (!bounds) throw new RangeError(`month: expected YYYY-MM, e.g. 2026-11, got "${opts.month}"`);
  const fromMs = bounds.fromMs;
  const toMs = Math.min(bounds.toMs, opts.nowMs);
  const page = opts.page;
  const exclude = exclusionsOf(page?.maintenance ?? []);
  const env = opts.environment !== undefined ? { environment: opts.environment } : {};
  const window = { since: new Date(fromMs).toISOString(), until: new Date(Math.max(toMs, fromMs + 1)).toISOString(), ...env, ...(exclude.length ? { exclude } : {}) };
  const [counts, changes] = await Promise.all([store.uptimeCounts(window), store.statusChanges(window)]);
  const byMonitor = new Map(counts.map((c) => [c.monitor, c]));
  const ids = [...new Set([...(page?.monitors ?? []), ...counts.map((c) => c.monitor)])];
  const episodes = downtimeEpisodes(changes, toMs);
  const names = new Map(opts.names ?? []);
  await Promise.all(
    ids.filter((id) => !names.has(id)).map(async (id) => {
      const [latest] = await store.listResults({ monitor: id, limit: 1, ...env });
      if (latest) names.set(id, latest.name);
    }),
  );
  const periodMs = Math.max(0, toMs - fromMs);
  const monitors: SlaMonitorLine[] = ids.map((id) => {
    const c = byMonitor.get(id);
    const runs = c ? { passed: c.passed, degraded: c.degraded, failed: c.failed } : { passed: 0, degraded: 0, failed: 0 };
    const pct = uptimePct(runs);
    const target = targetOf(page, id);
    const mine = episodes.filter((e) => e.monitor === id);
    return {
      id,
      name: names.get(id) ?? id,
      uptimePct: pct,
      runs,
      target,
      met: target === null || pct === null ? null : pct >= target,
      errorBudget: {
        usedPct: target === null || pct === null ? null : ((100 - pct) / (100 - target)) * 100,
        allowedDowntimeMs: target === null ? null : Math.round(periodMs * (1 - target / 100)),
      },
      downtimeMs: mine.reduce((sum, e) => sum + e.durationMs, 0),
      incidents: mine.map((e) => ({
        location: e.location,
        start: new Date(e.startMs).toISOString(),
        end: e.endMs === null ? null : new Date(e.endMs).toISOString(),
        durationMs: e.durationMs,
        cause: e.errorClass ? `${e.errorClass}${e.message ? `: ${(e.message.split('\n')[0] ?? '').slice(0, 300)}` : ''}` : 'unknown',
      })),
    };
  });
  const lineOf = new Map(monitors.map((m) => [m.id, m]));
  const groups: SlaGroupLine[] = (page?.groups ?? []).map((g) => {
    const known = g.monitors.map((id) => lineOf.get(id)?.uptimePct ?? null).filter((v): v is number => v !== null);
    const pct = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
    const target = g.slo ?? null;
    return { id: g.id, name: g.name, monitors: [...g.monitors], uptimePct: pct, target, met: target === null || pct === null ? null : pct >= target };
  });
  return {
    month: opts.month,
    from: new Date(fromMs).toISOString(),
    to: new Date(Math.max(toMs, fromMs)).toISOString(),
    complete: opts.nowMs >= bounds.toMs,
    generatedAt: new Date(opts.nowMs).toISOString(),
    environment: opts.environment,
    definitions: SLA_DEFINITIONS,
    groups,
    monitors,
    maintenance: (page?.maintenance ?? [])
      .filter((m) => m.endMs > fromMs && m.startMs < bounds.toMs)
      .map((m) => ({ start: new Date(m.startMs).toISOString(), end: new Date(m.endMs).toISOString(), monitors: [...m.monitors], message: m.message })),
  };
}

function targetOf(page: ResolvedStatusPage | undefined, id: string): number | null {
  if (!page) return null;
  const slos = page.groups.filter((g) => g.monitors.includes(id) && g.slo !== undefined).map((g) => g.slo as number);
  return slos.length ? Math.max(...slos) : (page.slo ?? null);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function slaMarkdown(r: SlaReport): string {
  const [y, m] = r.month.split('-');
  const met = (v: boolean | null) => (v === null ? '—' : v ? 'met' : '**missed**');
  const target = (v: number | null) => (v === null ? '—' : `${v}%`);
  const out: string[] = [];
  out.push(`# SLA report: ${MONTHS[Number(m) - 1]} ${y}`, '');
  out.push(`Period: ${formatInstant(r.from)} to ${formatInstant(r.to)}${r.complete ? '' : ' (month to date)'}${r.environment ? ` · environment ${mdCell(r.environment)}` : ''} · generated ${formatInstant(r.generatedAt)}`, '');
  out.push(`_${r.definitions}_`, '');
  if (r.groups.length) {
    out.push('## Groups', '', '| group | uptime | target | SLA |', '| --- | ---: | ---: | --- |');
    for (const g of r.groups) out.push(`| ${mdCell(g.name)} | ${formatUptime(g.uptimePct)} | ${target(g.target)} | ${met(g.met)} |`);
    out.push('');
  }
  out.push('## Monitors', '');
  if (r.monitors.length === 0) out.push('No results in this period.', '');
  else {
    out.push('| monitor | uptime | runs | failed | degraded | target | SLA | error budget used | downtime |', '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
    for (const l of r.monitors) {
      const used = l.errorBudget.usedPct === null ? '—' : `${l.errorBudget.usedPct.toFixed(1)}%`;
      out.push(`| ${mdCell(l.name)} (\`${mdCell(l.id)}\`) | ${formatUptime(l.uptimePct)} | ${total(l.runs)} | ${l.runs.failed} | ${l.runs.degraded} | ${target(l.target)} | ${met(l.met)} | ${used} | ${l.downtimeMs ? formatDurationMs(l.downtimeMs) : '0'} |`);
    }
    out.push('');
  }
  const withIncidents = r.monitors.filter((l) => l.incidents.length);
  out.push('## Incidents', '');
  if (withIncidents.length === 0) out.push('No downtime in this period.', '');
  for (const l of withIncidents) {
    out.push(`### ${mdCell(l.name)}`, '', '| start | end | duration | location | cause |', '| --- | --- | ---: | --- | --- |');
    for (const i of l.incidents) out.push(`| ${formatInstant(i.start)} | ${i.end ? formatInstant(i.end) : 'ongoing'} | ${formatDurationMs(i.durationMs)} | ${mdCell(i.location)} | ${mdCell(i.cause)} |`);
    out.push('');
  }
  if (r.maintenance.length) {
    out.push('## Maintenance (not counted)', '', '| start | end | monitors | note |', '| --- | --- | --- | --- |');
    for (const w of r.maintenance) out.push(`| ${formatInstant(w.start)} | ${formatInstant(w.end)} | ${mdCell(w.monitors.join(', '))} | ${mdCell(w.message)} |`);
    out.push('');
  }
  return out.join('\n');
}
