/**
 * What the runners of the non-HTTP kinds (dns, tcp, tls, heartbeat) share: attempts with retries
 * and backoff for network failures, a cancelled run ending as `aborted`, and one MonitorResult
 * whose single step carries the last attempt's timings (so the anomaly core sees them as series).
 */
import type { CheckDefinition } from '../model/monitor.js';
import type { AttemptResult, ErrorClass, HttpTimings, MonitorError, MonitorResult, Status, StepResult } from '../model/results.js';
import type { Clock } from '../runtime/clock.js';
import type { Redactor } from '../runtime/redact.js';
import { isoAtFast as isoAt } from './iso.js';

/** One try of a probe, as its runner judged it. */
export interface ProbeOutcome {
  status: Status;
  error: MonitorError | null;
  /** Absent for kinds that time nothing (heartbeats): the step then feeds only its outcome. */
  timings?: HttpTimings;
  /** Extra fields of the step (certificate, answers). */
  detail?: Pick<StepResult, 'tls' | 'answers'>;
}

export interface ProbeContext {
  runId: string;
  location: string;
  environment: string;
  signal?: AbortSignal;
}

/** Failure classes worth another attempt. */
const RETRYABLE: ReadonlySet<ErrorClass> = new Set(['dns', 'connection_refused', 'connection_reset', 'timeout']);

export function zeroTimings(totalMs = 0): HttpTimings {
  return { dnsMs: 0, connectMs: 0, tlsMs: 0, sendMs: 0, firstByteMs: 0, downloadMs: 0, totalMs, reusedConnection: false };
}

/** Phases summed (a redirect chain, the steps of a flow); reuse as of the last one. */
export function addTimings(a: HttpTimings, b: HttpTimings): HttpTimings {
  return {
    dnsMs: a.dnsMs + b.dnsMs,
    connectMs: a.connectMs + b.connectMs,
    tlsMs: a.tlsMs + b.tlsMs,
    sendMs: a.sendMs + b.sendMs,
    firstByteMs: a.firstByteMs + b.firstByteMs,
    downloadMs: a.downloadMs + b.downloadMs,
    totalMs: a.totalMs + b.totalMs,
    reusedConnection: b.reusedConnection,
  };
}

export interface ProbeRunOptions {
  clock: Clock;
  redactor: Redactor;
  backoff(attempt: number): number;
}

/** Run `attempt` up to 1 + retries times and build the monitor's result. Never throws. */
export async function runProbe(
  def: CheckDefinition,
  ctx: ProbeContext,
  opts: ProbeRunOptions,
  attempt: (signal: AbortSignal | undefined) => Promise<ProbeOutcome>,
): Promise<MonitorResult> {
  const { clock, redactor } = opts;
  const startedAtMs = clock.nowMs();
  const startedAt = isoAt(startedAtMs);
  const t0 = clock.monotonicMs();
  const attempts: Array<{ detail: AttemptResult; outcome: ProbeOutcome }> = [];
  const maxAttempts = 1 + Math.max(0, Math.floor(def.retries || 0));
  for (let n = 1; n <= maxAttempts; n++) {
    const at = n === 1 ? startedAt : isoAt(clock.nowMs());
    let outcome: ProbeOutcome;
    if (ctx.signal?.aborted) {
      outcome = { status: 'failed', error: { class: 'aborted', message: 'aborted: the run was cancelled' }, timings: zeroTimings() };
    } else {
      try {
        outcome = await attempt(ctx.signal);
      } catch (err) {
        outcome = { status: 'failed', error: { class: 'internal', message: `runner error: ${((err as Error).message ?? String(err)).split('\n')[0]}` }, timings: zeroTimings() };
      }
    }
    if (outcome.error) outcome = { ...outcome, error: { class: outcome.error.class, message: redactor.redact(outcome.error.message) } };
    attempts.push({
      detail: { attempt: n, status: outcome.status, startedAt: at, durationMs: outcome.timings?.totalMs ?? 0, error: outcome.error, ...(outcome.timings ? { timings: outcome.timings } : {}) },
      outcome,
    });
    const retry = outcome.status === 'failed' && outcome.error !== null && RETRYABLE.has(outcome.error.class);
    if (!retry || n === maxAttempts || ctx.signal?.aborted) break;
    if (!(await sleep(opts.backoff(n), ctx.signal))) break;
  }
  const last = attempts[attempts.length - 1]!;
  const durationMs = clock.monotonicMs() - t0;
  const { status, error, timings, detail } = last.outcome;
  return {
    id: `${ctx.runId}:${def.id}`,
    runId: ctx.runId,
    monitor: def.id,
    name: def.name,
    kind: def.kind,
    status,
    startedAt,
    finishedAt: isoAt(startedAtMs + durationMs),
    durationMs,
    attempts: attempts.length,
    attemptDetails: attempts.map((a) => a.detail),
    error,
    steps: [{ name: def.name, status, startedAt: last.detail.startedAt, durationMs: timings?.totalMs ?? 0, error, ...(timings ? { timings } : {}), ...(detail ?? {}) }],
    location: ctx.location,
    environment: ctx.environment,
    tags: def.tags,
  };
}

/** passed / degraded / failed by a response time against optional thresholds (class `sla`). */
export function slaVerdict(totalMs: number, expect: { maxResponseTimeMs?: number; degradedResponseTimeMs?: number }): { status: Status; error: MonitorError | null } {
  if (expect.maxResponseTimeMs !== undefined && totalMs > expect.maxResponseTimeMs) {
    return { status: 'failed', error: { class: 'sla', message: `response time ${Math.round(totalMs)} ms over the ${expect.maxResponseTimeMs} ms limit (maxResponseTimeMs)` } };
  }
  if (expect.degradedResponseTimeMs !== undefined && totalMs > expect.degradedResponseTimeMs) {
    return { status: 'degraded', error: { class: 'sla', message: `response time ${Math.round(totalMs)} ms over the ${expect.degradedResponseTimeMs} ms degraded threshold (degradedResponseTimeMs)` } };
  }
  return { status: 'passed', error: null };
}

/** Wait `ms`; false when `signal` aborted first. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The reason of an aborted signal, for messages. */
export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  if (typeof r === 'string' && r) return r;
  return 'the run was cancelled';
}
