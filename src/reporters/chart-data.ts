/**
 * What the html charts draw, computed from ReportContext.history: one chart per monitor and
 * location, one line per top-level step (the whole monitor's duration when it has no steps), SLA
 * lines, anomaly markers (a finding's startedAt on its series) and deploy markers. Pure; embedded
 * in the page as JSON.
 */
import type { ApiCheckDefinition, DeployMarker, Finding, MonitorDefinition, MonitorResult, Status } from '../model/index.js';
import type { SlaMap } from './options.js';
import { cmp, cmpText, epochMs } from './stats.js';

/** Step key of a whole-monitor SLA (an API check's response time limits). */
export const WHOLE_MONITOR = '*';

export interface ChartSla {
  label: string;
  ms: number;
  level: 'max' | 'degraded';
}

export interface ChartAnomaly {
  /** Epoch seconds. */
  at: number;
  /** Index into `series` the marker sits on (-1: no matching line, drawn at the top). */
  series: number;
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
  deploys: { at: number; label: string }[];
  charts: ChartSpec[];
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
      anomalies: anomaliesOf(findings, last, series.map((s) => s.label), x),
    });
  }
  return {
    generatedAt: Math.round((epochMs(generatedAt) ?? 0) / 1000),
    deploys: deploys
      .filter((d) => epochMs(d.at) !== null)
      .map((d) => ({ at: Math.round(epochMs(d.at)! / 1000), label: d.version ?? d.description ?? d.id })),
    charts,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function slaLines(steps: SlaMap[string] | undefined, labels: string[], wholeMonitorOnly: boolean): ChartSla[] {
  if (!steps) return [];
  const out: ChartSla[] = [];
  for (const [step, s] of Object.entries(steps)) {
    if (step !== WHOLE_MONITOR && !labels.includes(step)) continue;
    const name = step === WHOLE_MONITOR ? (wholeMonitorOnly ? 'response' : 'monitor') : step;
    if (s.degradedMs !== undefined) out.push({ label: `${name} degraded ${s.degradedMs} ms`, ms: s.degradedMs, level: 'degraded' });
    if (s.maxMs !== undefined) out.push({ label: `${name} max ${s.maxMs} ms`, ms: s.maxMs, level: 'max' });
  }
  return out;
}

function anomaliesOf(findings: readonly Finding[], r: MonitorResult, labels: string[], x: number[]): ChartAnomaly[] {
  if (x.length === 0) return [];
  const out: ChartAnomaly[] = [];
  for (const f of findings) {
    if (f.series.monitor !== r.monitor) continue;
    const locs = f.locations?.length ? f.locations : [f.series.location];
    if (!locs.includes(r.location)) continue;
    const at = epochMs(f.startedAt);
    if (at === null) continue;
    const sec = Math.round(at / 1000);
    if (sec < x[0] || sec > x[x.length - 1] + 3600) continue;
    let series = labels.indexOf(f.series.step);
    if (series < 0 && (f.series.step === r.monitor || f.series.step === r.name) && labels.length === 1) series = 0;
    out.push({ at: sec, series, severity: f.severity, kind: f.kind, text: f.explanation, resolved: f.status === 'resolved' });
  }
  return out.sort((a, b) => a.at - b.at);
}
