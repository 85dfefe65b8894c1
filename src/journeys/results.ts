/**
 * From attempts to one MonitorResult: per-step SLA (degraded/failed, class `sla`), the monitor's
 * status and error, artifacts copied out of Playwright's temporary output into
 * `<outDir>/artifacts/<runId>/<monitor>/`. Redaction is the caller's last step.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { JourneyDefinition, StepSla } from '../model/monitor.js';
import type { Artifacts, AttemptResult, MonitorError, MonitorResult, Status, StepResult } from '../model/results.js';

/** Apply `{ 'Checkout': { maxMs, degradedMs } }` to the top-level steps that passed. */
export function applyStepSla(steps: StepResult[], sla: Record<string, StepSla>): StepResult[] {
  return steps.map((step) => {
    const limits = sla[step.name];
    if (!limits || step.status !== 'passed') return step;
    const ms = Math.round(step.durationMs);
    if (limits.maxMs !== undefined && step.durationMs > limits.maxMs) {
      return { ...step, status: 'failed', error: slaError(step, `step "${step.name}" took ${ms} ms, over its maxMs of ${limits.maxMs} ms`) };
    }
    if (limits.degradedMs !== undefined && step.durationMs > limits.degradedMs) {
      return { ...step, status: 'degraded', error: slaError(step, `step "${step.name}" took ${ms} ms, over its degradedMs of ${limits.degradedMs} ms`) };
    }
    return step;
  });
}

function slaError(step: StepResult, message: string): MonitorError {
  return { class: 'sla', message, ...(step.location ? { location: step.location } : {}) };
}

/** Worst of the top-level steps, and the error that explains it. */
export function overallStatus(steps: StepResult[], attemptError: MonitorError | null): { status: Status; error: MonitorError | null } {
  const failed = steps.find((s) => s.status === 'failed');
  if (failed || attemptError) return { status: 'failed', error: attemptError ?? failed?.error ?? null };
  const degraded = steps.find((s) => s.status === 'degraded');
  if (degraded) return { status: 'degraded', error: degraded.error };
  return { status: 'passed', error: null };
}

/** `attempt 1 failed at 'Search', attempt 2 traced, failed at 'Search'`: what happened to each attempt. */
export function describeAttempts(attempts: readonly AttemptResult[]): string {
  return attempts
    .map((a) => {
      const outcome = a.status === 'passed' ? 'passed' : a.failedStep ? `${a.status} at '${a.failedStep}'` : a.status;
      const notes = [a.diagnostic ? 'traced re-run' : a.traced ? 'traced' : ''].filter(Boolean);
      return `attempt ${a.attempt}${notes.length ? ` ${notes.join(', ')},` : ''} ${outcome}`;
    })
    .join(', ');
}

/** Longest artifact folder name: far below any file system's limit (255 bytes) with room for the file. */
const MAX_DIR_NAME = 80;

/**
 * A monitor or run id as one safe path segment, short and stable: an id longer than MAX_DIR_NAME
 * keeps its start and ends with a hash of the whole id, so two long ids never share a folder.
 */
export function artifactDirName(monitorId: string): string {
  const safe = monitorId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || '_';
  if (safe.length <= MAX_DIR_NAME) return safe;
  const hash = createHash('sha256').update(monitorId).digest('hex').slice(0, 10);
  return `${safe.slice(0, MAX_DIR_NAME - hash.length - 1)}-${hash}`;
}

/** Copy screenshot/trace next to the run's reports; paths returned relative to `outDir` (posix). */
export function saveArtifacts(files: { screenshot?: string; trace?: string }, outDir: string, runId: string, monitorId: string): Artifacts | undefined {
  const rel = path.posix.join('artifacts', artifactDirName(runId), artifactDirName(monitorId));
  const out: Artifacts = {};
  const errors: string[] = [];
  const copy = (kind: string, from: string | undefined, name: string): string | undefined => {
    if (!from) return undefined;
    try {
      mkdirSync(path.join(outDir, rel), { recursive: true });
      copyFileSync(from, path.join(outDir, rel, name));
      return path.posix.join(rel, name);
    } catch (err) {
      errors.push(`${kind}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const screenshot = copy('screenshot', files.screenshot, `screenshot${path.extname(files.screenshot ?? '') || '.png'}`);
  const trace = copy('trace', files.trace, 'trace.zip');
  if (screenshot) out.screenshot = screenshot;
  if (trace) out.trace = trace;
  if (errors.length) out.errors = errors;
  return screenshot || trace || errors.length ? out : undefined;
}

export interface FinalAttempt {
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  error: MonitorError | null;
}

export function buildJourneyResult(args: {
  def: JourneyDefinition;
  runId: string;
  location: string;
  environment: string;
  final: FinalAttempt;
  attempts: AttemptResult[];
  firstStartedAt: string;
  finishedAt: string;
  artifacts?: Artifacts;
}): MonitorResult {
  const { def, final } = args;
  const steps = applyStepSla(final.steps, def.steps);
  const { status, error } = overallStatus(steps, final.error);
  const attempts = args.attempts.length ? args.attempts : [];
  const lastReal = attempts.map((a) => !a.diagnostic).lastIndexOf(true);
  if (lastReal >= 0) attempts[lastReal] = { ...attempts[lastReal], status, error };
  const counted = attempts.filter((a) => !a.diagnostic).length;
  return {
    id: `${args.runId}:${def.id}`,
    runId: args.runId,
    monitor: def.id,
    name: def.name,
    kind: 'journey',
    status,
    startedAt: args.firstStartedAt,
    finishedAt: args.finishedAt,
    durationMs: Math.round(final.durationMs * 100) / 100,
    attempts: counted,
    ...(attempts.length > 1 ? { attemptDetails: attempts } : {}),
    error,
    steps,
    location: args.location,
    environment: args.environment,
    tags: def.tags,
    ...(args.artifacts ? { artifacts: args.artifacts } : {}),
  };
}
