/**
 * What the deploy gate compares: one sample per monitor result and step, with the step's duration,
 * TTFB, LCP and whether it failed. Pure: reads results, does no I/O.
 *
 * - Latency metrics come from steps that passed or degraded only (a failed step's duration is the
 *   time to its error or timeout, not a latency); a failed step counts in the error rate.
 * - Skipped steps (after an earlier failure) are not evaluated, so they count nowhere.
 * - TTFB: an API check's `firstByteMs`; a journey step's slowest navigation TTFB. LCP likewise.
 * - A result without steps (it failed before its first step) yields one `(monitor)` sample.
 * - Results aborted by the runner, and results measured while the runner itself was saturated,
 *   say nothing about the target and are left out (see `usableForBaseline`).
 */
import type { MonitorResult, StepResult } from '../model/index.js';

export const GATE_METRICS = ['durationMs', 'ttfbMs', 'lcpMs', 'errorRate'] as const;
export type GateMetric = (typeof GATE_METRICS)[number];

/** The step name used for a result that has no steps. */
export const WHOLE_MONITOR_STEP = '(monitor)';

export interface StepSample {
  monitor: string;
  step: string;
  resultId: string;
  startedAt: string;
  values: Partial<Record<GateMetric, number>>;
}

/** False for results that say nothing about the target: aborted by the runner, or measured on a saturated runner. */
export function usableForBaseline(r: MonitorResult): boolean {
  if (r.error?.class === 'aborted') return false;
  if (r.runnerHealth?.saturated) return false;
  return true;
}

export function stepSamples(results: readonly MonitorResult[]): StepSample[] {
  const out: StepSample[] = [];
  for (const r of results) {
    if (!usableForBaseline(r)) continue;
    const base = { monitor: r.monitor, resultId: r.id, startedAt: r.startedAt };
    if (r.steps.length === 0) {
      out.push({ ...base, step: WHOLE_MONITOR_STEP, values: { errorRate: r.status === 'failed' ? 1 : 0 } });
      continue;
    }
    for (const s of r.steps) {
      if (s.status === 'skipped') continue;
      out.push({ ...base, step: s.name, values: stepValues(s) });
    }
  }
  return out;
}

function stepValues(s: StepResult): Partial<Record<GateMetric, number>> {
  if (s.status === 'failed') return { errorRate: 1 };
  const values: Partial<Record<GateMetric, number>> = { errorRate: 0, durationMs: s.durationMs };
  const ttfb = s.timings?.firstByteMs ?? maxOf(s.vitals?.map((v) => v.ttfbMs));
  if (ttfb !== undefined) values.ttfbMs = ttfb;
  const lcp = maxOf(s.vitals?.map((v) => v.lcpMs));
  if (lcp !== undefined) values.lcpMs = lcp;
  return values;
}

function maxOf(xs: Array<number | undefined> | undefined): number | undefined {
  let m: number | undefined;
  for (const x of xs ?? []) if (x !== undefined && Number.isFinite(x) && (m === undefined || x > m)) m = x;
  return m;
}
