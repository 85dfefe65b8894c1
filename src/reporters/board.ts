/**
 * The production health board: what status.md and index.html show, computed once from a RunReport
 * and its ReportContext. Pure (no I/O), so both writers agree and tests can assert the numbers.
 *
 * Rules, in one place:
 * - Overall status: `down` when a monitor of this run failed for a reason of the target (any error
 *   class but `aborted` and `internal`, which say nothing about the target); `degraded` when a
 *   monitor is degraded or could not be measured (aborted/internal), the run was aborted, a warning
 *   or critical finding is open, or a golden signal is not ok; `healthy` otherwise.
 * - The system's golden signals (from `sources`, see src/sources): per service, judged where they
 *   were collected; a source that is down makes the board degraded and says which.
 * - The synthetic monitors' signals: latency p50/p99 per monitor kind (API checks and journeys are
 *   never pooled: 12 ms and 6.7 s in one percentile describe neither) over the last `recentMs`
 *   against the rest of the window; error rate (failed / results) of this run against the window
 *   before it.
 * - The runner's own line: traffic (monitor results per minute) and saturation (monitors in flight
 *   on average: Σ durations / run wall time, always in that unit; the share of `concurrency` only
 *   sets the status) of this run against the median of earlier runs.
 * - Trend arrows: ↑ / ↓ when current is more than `trendTolerance` above / below baseline, → otherwise.
 */
import { flakiness, type Flakiness } from '../flaky/index.js';
import { buildIncidents, type Incident } from '../incidents/index.js';
import { bySeverity, type DeployMarker, type Finding, type MonitorError, type MonitorKind, type MonitorResult, type RunInfo, type Status } from '../model/index.js';
import type { ReportContext, RunReport } from './reporter.js';
import { buildSystemSection, systemReasons, type SystemSection } from './system-signals.js';
import { cmp, cmpText, epochMs, maxOf, mean, median, minOf, percentile, percentileSorted, sortedNumbers } from './stats.js';

export type OverallStatus = 'healthy' | 'degraded' | 'down';
export type SignalStatus = 'ok' | 'warning' | 'critical' | 'unknown';
export type Trend = 'up' | 'down' | 'flat' | 'none';

export interface BoardThresholds {
  /** Relative change under which the trend is → (default 0.1 = 10%). */
  trendTolerance: number;
  /** Latency current/baseline ratio for warning (default 1.5) and critical (default 3). */
  latencyWarningRatio: number;
  latencyCriticalRatio: number;
  /** Error rate above which the signal is warning (default 0: any failure) and critical (default 0.25). */
  errorRateWarning: number;
  errorRateCritical: number;
  /** Traffic current/baseline ratio under which it is warning (default 0.5) and critical (default 0.1). */
  trafficWarningRatio: number;
  trafficCriticalRatio: number;
  /** Saturation (share of concurrency) for warning (default 0.8) and critical (default 0.95). */
  saturationWarning: number;
  saturationCritical: number;
  /** Span that counts as "current" traffic, ending at generatedAt (default 1 h). */
  recentMs: number;
  /** Deploy markers shown (newest first, default 10). */
  maxDeploys: number;
}

export const DEFAULT_THRESHOLDS: BoardThresholds = {
  trendTolerance: 0.1,
  latencyWarningRatio: 1.5,
  latencyCriticalRatio: 3,
  errorRateWarning: 0,
  errorRateCritical: 0.25,
  trafficWarningRatio: 0.5,
  trafficCriticalRatio: 0.1,
  saturationWarning: 0.8,
  saturationCritical: 0.95,
  recentMs: 3_600_000,
  maxDeploys: 10,
};

export type SignalKey = 'latencyP50' | 'latencyP99' | 'errorRate' | 'traffic' | 'saturation';

export interface GoldenSignal {
  key: SignalKey;
  /** Latency signals: the monitor kind they describe (never pooled across kinds). */
  kind?: MonitorKind;
  /** `monitors`: what the synthetic monitors measured; `runner`: the runner's own load (the "Runner" line). */
  scope: 'monitors' | 'runner';
  label: string;
  /** How to format current/baseline: ms, a ratio (shown as %), per minute, or monitors in flight. */
  unit: 'ms' | 'ratio' | 'perMin' | 'inFlight';
  current: number | null;
  baseline: number | null;
  status: SignalStatus;
  trend: Trend;
  /** What the value means, one short line. */
  note: string;
}

/** One monitor at one location over the window. */
export interface MonitorRow {
  monitor: string;
  name: string;
  kind: MonitorKind;
  location: string;
  tags: string[];
  runs: number;
  /** Share of results that did not fail (degraded counts as success). */
  successRate: number;
  avgMs: number | null;
  p95Ms: number | null;
  lastStatus: Status;
  lastAt: string;
  /** The newest error in the window (null when none). */
  lastError: (MonitorError & { at: string }) | null;
}

export interface HealthBoard {
  generatedAt: string;
  window: string;
  run: RunInfo;
  status: OverallStatus;
  /** Why the status is what it is, one sentence each (empty when healthy). */
  reasons: string[];
  counts: { total: number; passed: number; degraded: number; failed: number };
  /** Synthetic monitors' signals (latency per kind, error rate) and the runner's own (scope `runner`). */
  signals: GoldenSignal[];
  /** The watched system's golden signals per service, and its sources (absent without `sources`). */
  system?: SystemSection;
  /** Open findings, critical first. */
  anomalies: Finding[];
  /** Findings resolved in the window, newest first. */
  resolved: Finding[];
  monitors: MonitorRow[];
  /** Newest first, at most `maxDeploys`. */
  deploys: DeployMarker[];
  /** How current and baseline were taken, for a line under the signals table. */
  baselineNote: string;
  /** Monitor id → display name, for findings that only carry the id. */
  names: Record<string, string>;
  /** Flaky monitors and steps over the window (src/flaky), flakiest first. */
  flaky: Flakiness[];
  /** Incidents over the window (src/incidents), newest first. */
  incidents: Incident[];
}

/** Error classes that say the runner could not measure, not that the target is broken. */
const RUNNER_ERRORS = new Set(['aborted', 'internal']);

export interface BoardOptions {
  thresholds?: Partial<BoardThresholds>;
  /** Configured concurrency, to express saturation as a share of it. */
  concurrency?: number;
}

export function buildBoard(report: RunReport, context: ReportContext, opts: BoardOptions = {}): HealthBoard {
  const t: BoardThresholds = { ...DEFAULT_THRESHOLDS, ...opts.thresholds };
  const current = report.results;
  const all = context.history.length ? mergeCurrent(context.history, current) : current;
  const startOf = startIndex(all);
  const runStart = epochMs(report.run.startedAt) ?? Number.POSITIVE_INFINITY;
  const baseline = all.filter((r) => r.runId !== report.run.id && (startOf(r) ?? 0) < runStart);

  const names: Record<string, string> = {};
  for (const r of [...context.history, ...current]) names[r.monitor] = r.name;

  const findings = dedupeFindings([...context.findings, ...report.findings]);
  const anomalies = findings.filter((f) => f.status === 'open').sort(bySeverity);
  const resolved = findings
    .filter((f) => f.status === 'resolved')
    .sort((a, b) => cmp(b.resolvedAt ?? '', a.resolvedAt ?? '') || cmp(a.id, b.id));

  const signals = goldenSignals(report, context, all, baseline, startOf, t, opts.concurrency);
  const counts = {
    total: current.length,
    passed: current.filter((r) => r.status === 'passed').length,
    degraded: current.filter((r) => r.status === 'degraded').length,
    failed: current.filter((r) => r.status === 'failed').length,
  };
  const system = context.system ? buildSystemSection(context.system) : undefined;
  const { status, reasons } = overallStatus(report, anomalies, signals, names, system ? systemReasons(system) : []);

  const deploys = [...context.deploys].sort((a, b) => cmp(b.at, a.at) || cmp(a.id, b.id)).slice(0, t.maxDeploys);

  return {
    generatedAt: context.generatedAt,
    window: context.window,
    run: report.run,
    status,
    reasons,
    counts,
    signals,
    ...(system ? { system } : {}),
    anomalies,
    resolved,
    monitors: monitorRows(all),
    deploys,
    baselineNote:
      `Latency (per monitor kind) and runner traffic: the last ${spanLabel(t.recentMs)} against the rest of the window. Error rate: this run against earlier results in the window. ` +
      'Runner saturation: this run against the median of earlier runs. Arrows compare current with baseline.',
    names,
    flaky: flakiness(all).filter((f) => f.flaky),
    incidents: buildIncidents(all, findings, context.deploys),
  };
}

type StartOf = (r: MonitorResult) => number | null;

/** Each result's start in epoch ms, parsed once per board (Date.parse dominates on large windows). */
function startIndex(results: readonly MonitorResult[]): StartOf {
  const starts = new Map<MonitorResult, number | null>();
  for (const r of results) starts.set(r, epochMs(r.startedAt));
  return (r) => (starts.has(r) ? starts.get(r)! : epochMs(r.startedAt));
}

function dedupeFindings(list: Finding[]): Finding[] {
  const byId = new Map<string, Finding>();
  for (const f of list) {
    const seen = byId.get(f.id);
    if (!seen || f.updatedAt >= seen.updatedAt) byId.set(f.id, f);
  }
  return [...byId.values()];
}

/** History normally holds this run's results already; add any that a failed store write left out. */
function mergeCurrent(history: MonitorResult[], current: MonitorResult[]): MonitorResult[] {
  const ids = new Set(history.map((r) => r.id));
  const missing = current.filter((r) => !ids.has(r.id));
  return missing.length ? [...history, ...missing].sort((a, b) => cmp(a.startedAt, b.startedAt)) : history;
}

function overallStatus(
  report: RunReport,
  anomalies: Finding[],
  signals: GoldenSignal[],
  names: Record<string, string>,
  /** The system's signals and sources that are not ok, one sentence each. */
  systemProblems: string[] = [],
): { status: OverallStatus; reasons: string[] } {
  const reasons: string[] = [];
  const failed = report.results.filter((r) => r.status === 'failed');
  const targetFailures = failed.filter((r) => !r.error || !RUNNER_ERRORS.has(r.error.class));
  const unmeasured = failed.filter((r) => r.error && RUNNER_ERRORS.has(r.error.class));
  const degraded = report.results.filter((r) => r.status === 'degraded');
  const list = (rs: MonitorResult[]): string => rs.map((r) => r.name).join(', ');

  if (targetFailures.length) reasons.push(`${plural(targetFailures.length, 'monitor')} failed: ${list(targetFailures)}.`);
  if (unmeasured.length) reasons.push(`${plural(unmeasured.length, 'monitor')} could not be measured (runner aborted or errored): ${list(unmeasured)}.`);
  if (degraded.length) reasons.push(`${plural(degraded.length, 'monitor')} degraded: ${list(degraded)}.`);
  if (report.run.aborted) reasons.push('The run was aborted before every monitor finished.');
  const serious = anomalies.filter((f) => f.severity !== 'info');
  if (serious.length) {
    const critical = serious.filter((f) => f.severity === 'critical').length;
    const parts = [critical ? `${critical} critical` : '', serious.length - critical ? `${serious.length - critical} warning` : ''].filter(Boolean);
    const affected = [...new Set(serious.map((f) => names[f.series.monitor] ?? f.series.monitor))].join(', ');
    reasons.push(`${parts.join(' and ')} ${serious.length === 1 ? 'anomaly' : 'anomalies'} open (${affected}).`);
  }
  for (const s of signals) {
    if (s.status === 'warning' || s.status === 'critical') reasons.push(`${s.scope === 'runner' ? 'Runner ' + s.label.toLowerCase() : s.label} is ${s.status}.`);
  }
  reasons.push(...systemProblems);
  const status: OverallStatus = targetFailures.length ? 'down' : reasons.length ? 'degraded' : 'healthy';
  return { status, reasons };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function trendOf(current: number | null, baseline: number | null, tolerance: number): Trend {
  if (current === null || baseline === null) return 'none';
  if (baseline === 0) return current > 0 ? 'up' : 'flat';
  const change = (current - baseline) / baseline;
  if (change > tolerance) return 'up';
  if (change < -tolerance) return 'down';
  return 'flat';
}

function measured(results: MonitorResult[]): MonitorResult[] {
  // Results that never ran (aborted before start, attempts 0) would drag latency to 0.
  return results.filter((r) => r.attempts > 0 || r.durationMs > 0);
}

function goldenSignals(
  report: RunReport,
  context: ReportContext,
  all: MonitorResult[],
  baseline: MonitorResult[],
  startOf: StartOf,
  t: BoardThresholds,
  concurrency?: number,
): GoldenSignal[] {
  // Latency pools every monitor, so "current" must hold the same mix of monitors as the baseline:
  // the last `recentMs` (every monitor has run in it), not this run alone (a handful of values).
  const { recent, older } = splitRecent(report, context, all, startOf, t);
  const span = spanLabel(t.recentMs);
  const kinds = [...new Set(measured(all).map((r) => r.kind))].sort();

  const latency = (key: SignalKey, p: number, kind: MonitorKind): GoldenSignal => {
    const cur = sortedNumbers(measured(recent).filter((r) => r.kind === kind).map((r) => r.durationMs));
    const base = sortedNumbers(measured(older).filter((r) => r.kind === kind).map((r) => r.durationMs));
    const c = percentileSorted(cur, p);
    const b = percentileSorted(base, p);
    let status: SignalStatus = c === null ? 'unknown' : 'ok';
    if (c !== null && b !== null && b > 0) {
      const ratio = c / b;
      status = ratio >= t.latencyCriticalRatio ? 'critical' : ratio >= t.latencyWarningRatio ? 'warning' : 'ok';
    }
    const q = key === 'latencyP50' ? 'p50' : 'p99';
    const label = `Latency ${q} · ${KIND_LABEL[kind] ?? kind}`;
    return { key, kind, scope: 'monitors', label, unit: 'ms', current: c, baseline: b, status, trend: trendOf(c, b, t.trendTolerance), note: `${q} of ${KIND_LABEL[kind] ?? kind} durations over the last ${span}` };
  };

  const errorRate = (rs: MonitorResult[]): number | null => (rs.length ? rs.filter((r) => r.status === 'failed').length / rs.length : null);
  const ce = errorRate(report.results);
  const be = errorRate(baseline);
  const errorStatus: SignalStatus =
    ce === null ? 'unknown' : ce >= t.errorRateCritical && ce > 0 ? 'critical' : ce > t.errorRateWarning ? 'warning' : 'ok';

  return [
    ...kinds.flatMap((k) => [latency('latencyP50', 0.5, k), latency('latencyP99', 0.99, k)]),
    {
      key: 'errorRate',
      scope: 'monitors',
      label: 'Error rate',
      unit: 'ratio',
      current: ce,
      baseline: be,
      status: errorStatus,
      trend: trendOf(ce, be, t.trendTolerance),
      note: 'failed results / results of this run',
    },
    traffic(recent, older, context, startOf, t),
    saturation(report, baseline, startOf, t, concurrency),
  ];
}

const KIND_LABEL: Partial<Record<MonitorKind, string>> = { api: 'API checks', journey: 'journeys' };

/** History split at generatedAt - recentMs; this run's results count as recent even if the store missed them. */
function splitRecent(
  report: RunReport,
  context: ReportContext,
  all: MonitorResult[],
  startOf: StartOf,
  t: BoardThresholds,
): { recent: MonitorResult[]; older: MonitorResult[] } {
  const now = epochMs(context.generatedAt) ?? Number.POSITIVE_INFINITY;
  const cutoff = now - t.recentMs;
  const recent: MonitorResult[] = [];
  const older: MonitorResult[] = [];
  for (const r of all) {
    const at = startOf(r);
    if (at === null || at > now) continue;
    (at > cutoff || r.runId === report.run.id ? recent : older).push(r);
  }
  return { recent, older };
}

function spanLabel(ms: number): string {
  return ms >= 3_600_000 && ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}

/** Monitor results per minute: the last `recentMs` against the part of the window before it. */
function traffic(recent: MonitorResult[], older: MonitorResult[], context: ReportContext, startOf: StartOf, t: BoardThresholds): GoldenSignal {
  const now = epochMs(context.generatedAt) ?? Date.now();
  const recentStart = now - t.recentMs;
  const current = recent.length || older.length ? recent.length / (t.recentMs / 60_000) : null;
  let baseline: number | null = null;
  if (older.length) {
    const first = minOf(older.map((r) => startOf(r) ?? recentStart));
    // At least one recent-span worth of time, so a single old result does not read as a huge rate.
    baseline = older.length / (Math.max(recentStart - first, t.recentMs) / 60_000);
  }
  let status: SignalStatus = current === null ? 'unknown' : 'ok';
  if (current !== null && baseline !== null && baseline > 0) {
    const ratio = current / baseline;
    status = ratio <= t.trafficCriticalRatio ? 'critical' : ratio < t.trafficWarningRatio ? 'warning' : 'ok';
  }
  return {
    key: 'traffic',
    scope: 'runner',
    label: 'Traffic',
    unit: 'perMin',
    current,
    baseline,
    status,
    trend: trendOf(current, baseline, t.trendTolerance),
    note: `monitor runs per minute over the last ${spanLabel(t.recentMs)}`,
  };
}

/**
 * Average monitors in flight during a run: Σ monitor durations / the run's wall time (from the run's
 * own start/finish when known, else from its first result's start to its last result's end).
 */
function inFlight(results: MonitorResult[], startOf: StartOf, startedAt?: string, finishedAt?: string | null): number | null {
  if (results.length === 0) return null;
  const start = epochMs(startedAt) ?? minOf(results.map((r) => startOf(r) ?? Infinity));
  const end = epochMs(finishedAt) ?? maxOf(results.map((r) => (startOf(r) ?? -Infinity) + r.durationMs));
  const wall = end - start;
  if (!Number.isFinite(wall) || wall <= 0) return null;
  let busy = 0;
  for (const r of results) busy += r.durationMs;
  return busy / wall;
}

function saturation(report: RunReport, baseline: MonitorResult[], startOf: StartOf, t: BoardThresholds, capacity?: number): GoldenSignal {
  const current = inFlight(report.results, startOf, report.run.startedAt, report.run.finishedAt);
  const byRun = new Map<string, MonitorResult[]>();
  for (const r of baseline) {
    if (r.location !== report.run.location) continue;
    const list = byRun.get(r.runId) ?? [];
    list.push(r);
    byRun.set(r.runId, list);
  }
  const past = [...byRun.values()].map((rs) => inFlight(rs, startOf)).filter((x): x is number => x !== null);
  const base = median(past);
  let status: SignalStatus = 'unknown';
  if (current !== null && capacity && capacity > 0) {
    const share = current / capacity;
    status = share >= t.saturationCritical ? 'critical' : share >= t.saturationWarning ? 'warning' : 'ok';
  } else if (current !== null) {
    status = 'ok';
  }
  // One unit whatever the options (monitors in flight); the share of concurrency only sets the status.
  return {
    key: 'saturation',
    scope: 'runner',
    label: 'Saturation',
    unit: 'inFlight',
    current,
    baseline: base,
    status,
    trend: trendOf(current, base, t.trendTolerance),
    note: capacity
      ? `monitors in flight on average (Σ durations / run wall time) of concurrency ${capacity}; warning from ${Math.round(t.saturationWarning * 100)}%`
      : 'monitors in flight on average (Σ durations / run wall time)',
  };
}

function monitorRows(history: MonitorResult[]): MonitorRow[] {
  const groups = new Map<string, MonitorResult[]>();
  for (const r of history) {
    const key = `${r.monitor}\u0000${r.location}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const rows: MonitorRow[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => cmp(a.startedAt, b.startedAt));
    const last = list[list.length - 1];
    const durations = measured(list).map((r) => r.durationMs);
    const lastFailure = [...list].reverse().find((r) => r.error);
    rows.push({
      monitor: last.monitor,
      name: last.name,
      kind: last.kind,
      location: last.location,
      tags: [...new Set(list.flatMap((r) => r.tags))].sort(),
      runs: list.length,
      successRate: list.filter((r) => r.status !== 'failed').length / list.length,
      avgMs: mean(durations),
      p95Ms: percentile(durations, 0.95),
      lastStatus: last.status,
      lastAt: last.startedAt,
      lastError: lastFailure?.error ? { ...lastFailure.error, at: lastFailure.startedAt } : null,
    });
  }
  const rank: Record<Status, number> = { failed: 0, degraded: 1, passed: 2, skipped: 3 };
  return rows.sort((a, b) => rank[a.lastStatus] - rank[b.lastStatus] || cmpText(a.name, b.name) || cmp(a.location, b.location));
}

/** `checkout › pay › eu-west`: what a finding is about, in names a person knows. */
export function affectedOf(f: Finding, names: Record<string, string>): { monitor: string; step: string | null; location: string } {
  const monitor = names[f.series.monitor] ?? f.series.monitor;
  const step = f.series.step && f.series.step !== f.series.monitor && f.series.step !== monitor ? f.series.step : null;
  const location = f.locations?.length ? f.locations.join(', ') : f.series.location;
  return { monitor, step, location };
}
