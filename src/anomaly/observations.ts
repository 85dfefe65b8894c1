/**
 * From a MonitorResult to the observations of its series: per step `durationMs` and `outcome`
 * (0 passed or degraded, 1 failed, with the error class and message), API timings `firstByteMs` and
 * `totalMs`, journey vitals `lcpMs`, `fcpMs`, `ttfbMs`, `cls`, and the whole monitor's `durationMs`
 * and `outcome` (its step name is the monitor's name; an API check's single step of that name adds
 * its timings there). Skipped steps yield nothing; a failed step
 * yields its outcome but no timing (a timeout's duration is not a latency).
 *
 * One failure, one cause: when a journey (or a step) failed because one of its steps failed, its
 * outcome names that step as `cause` (the first failed step that has no failed step inside), and is
 * stamped no earlier than the step's outcome and placed after it, so the core sees the step first
 * and folds the journey's outcome findings into the step's (see core.ts).
 */
import type { MonitorDefinition, MonitorResult, StepResult, StepSla } from '../model/index.js';
import type { Observation } from './types.js';

/** Thresholds per step name, from a monitor definition or given directly. */
export type SlaSource = MonitorDefinition | Record<string, StepSla>;

function slaFor(source: SlaSource | undefined, step: string, whole: boolean): Observation['sla'] | undefined {
  if (!source) return undefined;
  let s: StepSla | undefined;
  if ('kind' in source && (source.kind === 'api' || source.kind === 'journey') && typeof source.id === 'string') {
    const def = source as MonitorDefinition;
    if (def.kind === 'journey') s = def.steps[step];
    else if (whole && def.kind === 'api') s = { maxMs: def.expect.maxResponseTimeMs, degradedMs: def.expect.degradedResponseTimeMs };
  } else s = (source as Record<string, StepSla>)[step];
  if (!s || (s.maxMs === undefined && s.degradedMs === undefined)) return undefined;
  return { ...(s.degradedMs !== undefined ? { degradedMs: s.degradedMs } : {}), ...(s.maxMs !== undefined ? { failedMs: s.maxMs } : {}) };
}

function timeOf(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
}

export function observationsFromResult(result: MonitorResult, sla?: SlaSource): Observation[] {
  const out: Observation[] = [];
  const resultAt = timeOf(result.startedAt, 0);
  const key = (step: string, metric: string) => ({ monitor: result.monitor, step, metric, location: result.location });
  const push = (step: string, metric: string, at: number, value: number | undefined, extra?: Partial<Observation>) => {
    if (value === undefined || !Number.isFinite(value)) return;
    out.push({ series: key(step, metric), at, value, runId: result.runId, ...extra });
  };

  /**
   * `whole`: the step stands for the whole monitor (API checks): its outcome and duration are the
   * monitor's. Returns the failed step that caused a failure here (path and time), if any.
   */
  const visit = (step: StepResult, path: string, whole = false): { path: string; at: number } | undefined => {
    if (step.status === 'skipped') return undefined;
    const at = timeOf(step.startedAt, resultAt);
    const failed = step.status === 'failed';
    const error = failed && step.error ? { error: { class: step.error.class, message: step.error.message } } : undefined;
    if (!whole && !failed) push(path, 'outcome', at, 0);
    if (!failed) {
      const s = slaFor(sla, path, false);
      if (!whole) push(path, 'durationMs', at, step.durationMs, s ? { sla: s } : undefined);
      if (step.timings) {
        push(path, 'firstByteMs', at, step.timings.firstByteMs);
        push(path, 'totalMs', at, step.timings.totalMs);
      }
      const vitals = step.vitals ?? [];
      const first = (pick: (v: NonNullable<StepResult['vitals']>[number]) => number | undefined) => {
        for (const v of vitals) {
          const x = pick(v);
          if (x !== undefined) return x;
        }
        return undefined;
      };
      push(path, 'lcpMs', at, first((v) => v.lcpMs));
      push(path, 'fcpMs', at, first((v) => v.fcpMs));
      push(path, 'ttfbMs', at, first((v) => v.ttfbMs));
      push(path, 'cls', at, first((v) => v.cls));
    }
    let cause: { path: string; at: number } | undefined;
    for (const child of step.steps ?? []) {
      const c = visit(child, `${path} › ${child.name}`);
      cause ??= c;
    }
    if (!failed || whole) return cause;
    // A failed step: its outcome goes after its steps', caused by the first failed one among them.
    if (cause) push(path, 'outcome', Math.max(at, cause.at), 1, { ...error, cause: cause.path });
    else push(path, 'outcome', at, 1, error);
    return cause ?? { path, at };
  };
  let cause: { path: string; at: number } | undefined;
  for (const step of result.steps) {
    const c = visit(step, step.name, step.name === result.name);
    cause ??= c;
  }

  const failed = result.status === 'failed';
  const error = failed && result.error ? { error: { class: result.error.class, message: result.error.message } } : undefined;
  // An API check's single step is the monitor itself: it is no cause of its own failure.
  const stepCause = failed && cause && cause.path !== result.name ? cause : undefined;
  push(result.name, 'outcome', stepCause ? Math.max(resultAt, stepCause.at) : resultAt, failed ? 1 : 0, stepCause ? { ...error, cause: stepCause.path } : error);
  if (!failed) {
    const s = slaFor(sla, result.name, true);
    push(result.name, 'durationMs', resultAt, result.durationMs, s ? { sla: s } : undefined);
  }
  return out;
}
