/**
 * What the html charts draw, computed from ReportContext.history: one chart per monitor and
 * location, one line per top-level step (the whole monitor's duration when it has no steps), SLA
 * lines, anomaly markers (a finding's startedAt on its series) and deploy markers. Pure; embedded
 * in the page as JSON.
 */
import type { ApiCheckDefinition, DeployMarker, Finding, MonitorDefinition, MonitorResult, NavigationVitals, Status } from '../model/index.js';
import type { SlaMap } from './options.js';
import { cmp, cmpText, epochMs } from './stats.js';

/** Step key of a whole-monitor SLA (an API check's response time limits). */
export const WHOLE_MONITOR = '*';

export interface ChartSla {
  label: string;
  ms: number;
  level: 'max' | 'degraded';
  /** Index into `series` of the step the limit is about (drawn in its colour); -1: the whole monitor. */
  series: number;
}

export interface ChartAnomaly {
  /** Epoch seconds of the run the marker sits on (the run nearest the finding's start). */
  at: number;
  /** When the finding started, epoch seconds (may fall between runs). */
  startedAt: number;
  /** Index into `series` the marker sits on: the finding's step, else the highest line at that run. */
  series: number;
  /** The series' value the marker sits on; null when that run drew no point (it sits on the time axis). */
  value: number | null;
  severity: Finding['severity'];
  kind: string;
  text: string;
  /** Drawn as a ring instead of a dot. */
  resolved: boolean;
}

export interface ChartSpec {
  /** DOM id of the chart's container. */
  id: string;
  monitor: string;
  name: string;
  kind: MonitorResult['kind'];
  location: string;
  tags: string[];
  /** Epoch seconds of each run. */
  x: number[];
  /** Status of each run (failed runs get a marker on the axis). */
  status: Status[];
  series: { label: string; values: (number | null)[] }[];
  sla: ChartSla[];
  anomalies: ChartAnomaly[];
}

export interface ChartPayload {
  /** Epoch seconds. */
  generatedAt: number;
  /** IANA time zone every time on the page is shown in (axes, tables), e.g. `UTC`. */
  timeZone: string;
  deploys: { at: number; label: string }[];
  charts: ChartSpec[];
  /** Web-vitals trends of the journeys (buildVitalsPayload). */
  vitals: VitalsGroup[];
}

export interface ChartLimits {
  /** Newest points kept per chart (default 2000). */
  maxPoints: number;
  /** Step lines per chart (default 12; the rest are folded away, first-seen order). */
  maxSeries: number;
}

/** SLA lines from monitor definitions: journey step SLAs and API response time limits (`*`). */
export function slaFromMonitors(monitors: readonly MonitorDefinition[]): SlaMap {
  const out: SlaMap = {};
  for (const m of monitors) {
    if (m.kind === 'journey') {
      const steps = Object.fromEntries(Object.entries(m.steps).filter(([, s]) => s.maxMs !== undefined || s.degradedMs !== undefined));
      if (Object.keys(steps).length) out[m.id] = steps;
    } else if (m.kind === 'api-flow') {
      // Each step of a flow is a series of its own, with its own limits.
      const steps: Record<string, { maxMs?: number; degradedMs?: number }> = {};
      for (const st of m.steps) {
        const e = st.expect;
        if (e.maxResponseTimeMs === undefined && e.degradedResponseTimeMs === undefined) continue;
        steps[st.name] = { ...(e.maxResponseTimeMs !== undefined ? { maxMs: e.maxResponseTimeMs } : {}), ...(e.degradedResponseTimeMs !== undefined ? { degradedMs: e.degradedResponseTimeMs } : {}) };
      }
      if (Object.keys(steps).length) out[m.id] = steps;
    } else if (m.kind === 'api' || m.kind === 'dns' || m.kind === 'tcp') {
      const e: Pick<ApiCheckDefinition['expect'], 'maxResponseTimeMs' | 'degradedResponseTimeMs'> = m.expect;
      if (e.maxResponseTimeMs !== undefined || e.degradedResponseTimeMs !== undefined) {
        out[m.id] = {
          [WHOLE_MONITOR]: {
            ...(e.maxResponseTimeMs !== undefined ? { maxMs: e.maxResponseTimeMs } : {}),
            ...(e.degradedResponseTimeMs !== undefined ? { degradedMs: e.degradedResponseTimeMs } : {}),
          },
        };
      }
    }
  }
  return out;
}

/** `a` with `b` on top, per monitor and step. */
export function mergeSla(a: SlaMap, b: SlaMap | undefined): SlaMap {
  const out: SlaMap = {};
  for (const src of [a, b ?? {}]) {
    for (const [monitor, steps] of Object.entries(src)) out[monitor] = { ...out[monitor], ...steps };
  }
  return out;
}

export function buildChartPayload(
  history: readonly MonitorResult[],
  findings: readonly Finding[],
  deploys: readonly DeployMarker[],
  sla: SlaMap,
  generatedAt: string,
  limits: Partial<ChartLimits> = {},
  timeZone = 'UTC',
): ChartPayload {
  const maxPoints = limits.maxPoints ?? 2000;
  const maxSeries = limits.maxSeries ?? 12;
  const groups = new Map<string, MonitorResult[]>();
  for (const r of history) {
    const key = `${r.monitor}\u0000${r.location}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const charts: ChartSpec[] = [];
  const keys = [...groups.keys()].sort((a, b) => {
    const ra = groups.get(a)![0];
    const rb = groups.get(b)![0];
    return cmpText(ra.name, rb.name) || cmp(ra.location, rb.location);
  });
  for (const key of keys) {
    const list = groups
      .get(key)!
      .filter((r) => epochMs(r.startedAt) !== null)
      .sort((a, b) => cmp(a.startedAt, b.startedAt))
      .slice(-maxPoints);
    if (list.length === 0) continue;
    const last = list[list.length - 1];
    const stepNames: string[] = [];
    for (const r of list) for (const s of r.steps) if (!stepNames.includes(s.name)) stepNames.push(s.name);
    const lines = stepNames.slice(0, maxSeries);
    const series = lines.length
      ? lines.map((name) => ({
          label: name,
          values: list.map((r) => {
            const s = r.steps.find((x) => x.name === name);
            return s && s.status !== 'skipped' ? round(s.durationMs) : null;
          }),
        }))
      : [{ label: 'duration', values: list.map((r) => (r.attempts > 0 || r.durationMs > 0 ? round(r.durationMs) : null)) }];
    const x = list.map((r) => Math.round(epochMs(r.startedAt)! / 1000));
    charts.push({
      id: `chart-${charts.length}`,
      monitor: last.monitor,
      name: last.name,
      kind: last.kind,
      location: last.location,
      tags: [...new Set(list.flatMap((r) => r.tags))].sort(),
      x,
      status: list.map((r) => r.status),
      series,
      sla: slaLines(sla[last.monitor], series.map((s) => s.label), lines.length === 0),
      anomalies: anomaliesOf(findings, last, series, x),
    });
  }
  return {
    generatedAt: Math.round((epochMs(generatedAt) ?? 0) / 1000),
    timeZone,
    deploys: deploys
      .filter((d) => epochMs(d.at) !== null)
      .map((d) => ({ at: Math.round(epochMs(d.at)! / 1000), label: d.version ?? d.description ?? d.id })),
    charts,
    vitals: buildVitalsPayload(history, limits),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * One line per limit and level; limits of several steps at the same value share one line and one
 * label (`open home, search max 3000 ms`) so labels never sit on top of each other. A limit of a
 * nested step (`checkout › pay`) is drawn on its top-level step's line colour.
 */
function slaLines(steps: SlaMap[string] | undefined, labels: string[], wholeMonitorOnly: boolean): ChartSla[] {
  if (!steps) return [];
  const byLine = new Map<string, { names: string[]; ms: number; level: ChartSla['level']; series: number }>();
  for (const [step, s] of Object.entries(steps)) {
    const top = step.split(' › ')[0];
    const series = step === WHOLE_MONITOR ? (wholeMonitorOnly ? 0 : -1) : labels.indexOf(step) >= 0 ? labels.indexOf(step) : labels.indexOf(top);
    if (step !== WHOLE_MONITOR && series < 0) continue;
    const name = step === WHOLE_MONITOR ? (wholeMonitorOnly ? 'response' : 'monitor') : step;
    for (const [level, ms] of [['degraded', s.degradedMs], ['max', s.maxMs]] as const) {
      if (ms === undefined) continue;
      const key = `${level}:${ms}`;
      const line = byLine.get(key);
      if (line) {
        line.names.push(name);
        if (line.series !== series) line.series = -1;
      } else byLine.set(key, { names: [name], ms, level, series });
    }
  }
  return [...byLine.values()]
    .sort((a, b) => a.ms - b.ms || cmp(a.level, b.level))
    .map((l) => ({ label: `${l.names.join(', ')} ${l.level} ${l.ms} ms`, ms: l.ms, level: l.level, series: l.series }));
}

/**
 * Markers sit on drawn points: a finding is anchored on the run nearest its start, on its step's
 * line (a nested step's top-level line; a whole-monitor finding on the highest line at that run).
 * When that run has no value on the line (a failed or skipped step) the nearest run that has one
 * carries it, so no marker floats where nothing was measured.
 */
function anomaliesOf(findings: readonly Finding[], r: MonitorResult, series: ChartSpec['series'], x: number[]): ChartAnomaly[] {
  if (x.length === 0) return [];
  const labels = series.map((s) => s.label);
  const out: ChartAnomaly[] = [];
  for (const f of findings) {
    if (f.series.monitor !== r.monitor) continue;
    const locs = f.locations?.length ? f.locations : [f.series.location];
    if (!locs.includes(r.location)) continue;
    const at = epochMs(f.startedAt);
    if (at === null) continue;
    const sec = Math.round(at / 1000);
    if (sec < x[0] - 3600 || sec > x[x.length - 1] + 3600) continue;
    let line = labels.indexOf(f.series.step);
    if (line < 0) line = labels.indexOf(f.series.step.split(' › ')[0]);
    if (line < 0 && labels.length === 1) line = 0;
    const i = nearestIndex(x, sec);
    const anchor = anchorOf(series, line, i);
    out.push({
      at: x[anchor.index],
      startedAt: sec,
      series: anchor.series,
      value: anchor.value,
      severity: f.severity,
      kind: f.kind,
      text: f.explanation,
      resolved: f.status === 'resolved',
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

function nearestIndex(xs: readonly number[], t: number): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(xs[i] - t) < Math.abs(xs[best] - t)) best = i;
  return best;
}

/** The point a marker sits on: `line` at run `i`, else the nearest run with a value on it; line -1: the highest line. */
function anchorOf(series: ChartSpec['series'], line: number, i: number): { index: number; series: number; value: number | null } {
  const valueAt = (j: number): { series: number; value: number } | null => {
    if (line >= 0) {
      const v = series[line].values[j];
      return v === null || v === undefined ? null : { series: line, value: v };
    }
    let best: { series: number; value: number } | null = null;
    series.forEach((s, k) => {
      const v = s.values[j];
      if (v !== null && v !== undefined && (!best || v > best.value)) best = { series: k, value: v };
    });
    return best;
  };
  const n = series[0]?.values.length ?? 0;
  for (let d = 0; d < n; d++) {
    for (const j of d === 0 ? [i] : [i - d, i + d]) {
      if (j < 0 || j >= n) continue;
      const hit = valueAt(j);
      if (hit) return { index: j, ...hit };
    }
  }
  return { index: i, series: Math.max(line, 0), value: null };
}

/** The web vitals the dashboard charts, with web.dev's thresholds: good up to `good`, poor above `poor`. */
export const VITALS = [
  { key: 'lcp', field: 'lcpMs', label: 'LCP', title: 'Largest Contentful Paint', unit: 'ms', good: 2500, poor: 4000 },
  { key: 'inp', field: 'inpMs', label: 'INP', title: 'Interaction to Next Paint', unit: 'ms', good: 200, poor: 500 },
  { key: 'cls', field: 'cls', label: 'CLS', title: 'Cumulative Layout Shift', unit: 'score', good: 0.1, poor: 0.25 },
  { key: 'fcp', field: 'fcpMs', label: 'FCP', title: 'First Contentful Paint', unit: 'ms', good: 1800, poor: 3000 },
  { key: 'ttfb', field: 'ttfbMs', label: 'TTFB', title: 'Time to First Byte', unit: 'ms', good: 800, poor: 1800 },
] as const satisfies readonly { key: string; field: keyof NavigationVitals; label: string; title: string; unit: 'ms' | 'score'; good: number; poor: number }[];

export type VitalKey = (typeof VITALS)[number]['key'];

/** One vital of one journey at one location: a line per step that measured it. */
export interface VitalsMetric {
  key: VitalKey;
  label: string;
  title: string;
  unit: 'ms' | 'score';
  good: number;
  poor: number;
  /** `index` is the step's position among the journey's steps, so a step keeps its colour across the vitals. */
  series: { label: string; index: number; values: (number | null)[] }[];
  /** The newest value per step (same order as `series`). */
  latest: (number | null)[];
}

export interface VitalsGroup {
  /** DOM id prefix of the group's charts. */
  id: string;
  monitor: string;
  name: string;
  location: string;
  tags: string[];
  /** Epoch seconds of each run. */
  x: number[];
  steps: string[];
  metrics: VitalsMetric[];
}

/**
 * Web-vitals trends per journey and location: per vital, a line per top-level step. A step's value
 * is that of its first navigation that measured the vital (the anomaly core reads the same one),
 * so the trend here is the series the detectors judge. Vitals nobody measured are left out.
 */
export function buildVitalsPayload(history: readonly MonitorResult[], limits: Partial<ChartLimits> = {}): VitalsGroup[] {
  const maxPoints = limits.maxPoints ?? 2000;
  const maxSeries = limits.maxSeries ?? 12;
  const groups = new Map<string, MonitorResult[]>();
  for (const r of history) {
    if (r.kind !== 'journey' || epochMs(r.startedAt) === null) continue;
    const key = `${r.monitor}\u0000${r.location}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: VitalsGroup[] = [];
  const keys = [...groups.keys()].sort((a, b) => {
    const ra = groups.get(a)![0];
    const rb = groups.get(b)![0];
    return cmpText(ra.name, rb.name) || cmp(ra.location, rb.location);
  });
  for (const key of keys) {
    const list = groups.get(key)!.sort((a, b) => cmp(a.startedAt, b.startedAt)).slice(-maxPoints);
    const withVitals = list.filter((r) => r.steps.some((s) => s.vitals?.length));
    if (withVitals.length === 0) continue;
    const last = list[list.length - 1];
    const steps: string[] = [];
    for (const r of withVitals) for (const s of r.steps) if (s.vitals?.length && !steps.includes(s.name)) steps.push(s.name);
    const lines = steps.slice(0, maxSeries);
    const metrics: VitalsMetric[] = [];
    for (const v of VITALS) {
      const series = lines
        .map((name, index) => ({
          label: name,
          index,
          values: withVitals.map((r) => {
            const step = r.steps.find((s) => s.name === name);
            const nav = step?.vitals?.find((n) => n[v.field] !== undefined);
            const value = nav?.[v.field];
            return typeof value === 'number' ? value : null;
          }),
        }))
        .filter((s) => s.values.some((x) => x !== null));
      if (series.length === 0) continue;
      const latest = series.map((s) => {
        for (let i = s.values.length - 1; i >= 0; i--) if (s.values[i] !== null) return s.values[i];
        return null;
      });
      metrics.push({ key: v.key, label: v.label, title: v.title, unit: v.unit, good: v.good, poor: v.poor, series, latest });
    }
    if (metrics.length === 0) continue;
    out.push({
      id: `vitals-${out.length}`,
      monitor: last.monitor,
      name: last.name,
      location: last.location,
      tags: [...new Set(list.flatMap((r) => r.tags))].sort(),
      x: withVitals.map((r) => Math.round(epochMs(r.startedAt)! / 1000)),
      steps: lines,
      metrics,
    });
  }
  return out;
}

/** Where a vital's value stands: `good`, `needs-improvement` or `poor` (web.dev: good ≤ good, poor > poor). */
export function vitalRating(v: { good: number; poor: number }, value: number): 'good' | 'needs-improvement' | 'poor' {
  return value <= v.good ? 'good' : value <= v.poor ? 'needs-improvement' : 'poor';
}
