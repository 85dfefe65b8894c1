/**
 * Runs a set of monitors once: API checks through the ApiCheckRunner and journeys through the
 * JourneyRunner, side by side. Each kind has its own lane of the one concurrency budget (checks
 * are cheap and many, journeys hold a browser each), so a slow journey never starves the checks.
 * Every monitor yields exactly one result: a runner that throws or an abort becomes a classified result.
 */
import type { CheckDefinition, JourneyDefinition, MonitorDefinition, MonitorError, MonitorResult } from '../model/index.js';
import { isoAt, type Clock } from '../runtime/clock.js';
import { monotonicStartOf, type RunnerHealthSource } from '../runtime/runner-health.js';
import { configHash } from '../incidents/changes.js';

export interface MonitorRunners {
  /** Every kind but journeys (api, api-flow, dns, tcp, tls, heartbeat): the check runner dispatches by kind. */
  api: { run(check: CheckDefinition, ctx: RunnerContext): Promise<MonitorResult> };
  journeys: {
    run(journeys: JourneyDefinition[], ctx: RunnerContext & { onResult?: (r: MonitorResult) => void }): Promise<MonitorResult[]>;
  };
}

export interface RunnerContext {
  runId: string;
  location: string;
  environment: string;
  signal?: AbortSignal;
}

export interface ExecuteContext extends RunnerContext {
  signal: AbortSignal;
  clock: Clock;
  onMonitorBegin?(m: MonitorDefinition): void;
  onResult?(r: MonitorResult): void;
  /** The runner's own health: each result is stamped with it over its own window (marks saturated runs). */
  runnerHealth?: RunnerHealthSource;
}

export async function executeMonitors(
  monitors: MonitorDefinition[],
  runners: MonitorRunners,
  ctx: ExecuteContext,
): Promise<MonitorResult[]> {
  const results = new Map<string, MonitorResult>();
  const hashes = new Map(monitors.map((m) => [m.id, configHash(m)]));
  const settle = (r: MonitorResult): void => {
    if (results.has(r.monitor)) return;
    r.configHash ??= hashes.get(r.monitor);
    if (ctx.runnerHealth) r.runnerHealth = ctx.runnerHealth.snapshot(monotonicStartOf(r.startedAt));
    results.set(r.monitor, r);
    ctx.onResult?.(r);
  };
  const runnerCtx: RunnerContext = { runId: ctx.runId, location: ctx.location, environment: ctx.environment, signal: ctx.signal };

  const checks = monitors.filter((m): m is CheckDefinition => m.kind !== 'journey');
  const journeys = monitors.filter((m): m is JourneyDefinition => m.kind === 'journey');

  const apiLane = Promise.all(
    checks.map(async (check) => {
      if (ctx.signal.aborted) return settle(failedResult(check, ctx, abortError('not started: the run was aborted')));
      ctx.onMonitorBegin?.(check);
      try {
        settle(await runners.api.run(check, runnerCtx));
      } catch (err) {
        settle(failedResult(check, ctx, internalError(err)));
      }
    }),
  );

  const journeyLane = (async () => {
    if (journeys.length === 0) return;
    if (ctx.signal.aborted) {
      for (const j of journeys) settle(failedResult(j, ctx, abortError('not started: the run was aborted')));
      return;
    }
    for (const j of journeys) ctx.onMonitorBegin?.(j);
    try {
      const out = await runners.journeys.run(journeys, { ...runnerCtx, onResult: settle });
      for (const r of out) settle(r);
    } catch (err) {
      for (const j of journeys) settle(failedResult(j, ctx, internalError(err)));
    }
    for (const j of journeys) {
      if (!results.has(j.id)) {
        settle(failedResult(j, ctx, ctx.signal.aborted ? abortError('aborted while running') : { class: 'journey_error', message: 'the journey produced no result' }));
      }
    }
  })();

  await Promise.all([apiLane, journeyLane]);
  return monitors.map((m) => results.get(m.id)!).filter(Boolean);
}

function abortError(message: string): MonitorError {
  return { class: 'aborted', message };
}

function internalError(err: unknown): MonitorError {
  const message = err instanceof Error ? err.message : String(err);
  return { class: 'internal', message: `runner error: ${message.split('\n')[0]}` };
}

/** A result for a monitor that did not produce one itself (aborted before start, runner bug). */
export function failedResult(m: MonitorDefinition, ctx: RunnerContext & { clock: Clock }, error: MonitorError): MonitorResult {
  const at = isoAt(ctx.clock.nowMs());
  return {
    id: `${ctx.runId}:${m.id}`,
    runId: ctx.runId,
    monitor: m.id,
    name: m.name,
    kind: m.kind,
    status: 'failed',
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    attempts: 0,
    error,
    steps: [],
    location: ctx.location,
    environment: ctx.environment,
    tags: m.tags,
  };
}
