/**
 * JourneyRunner: runs journeys through Playwright's own test runner (a spawned `playwright test`
 * with a generated config and our reporter), so journeys keep every Playwright feature while we
 * get StepResults. Workers run in parallel, one browser per worker, a fresh context per journey.
 *
 * Deadlines: Playwright enforces the journey and step timeouts inside the worker; a watchdog here
 * ends an attempt that outlives `timeoutMs + graceMs` (a worker stuck in synchronous code) by
 * stopping that Playwright process, records it as `timeout` at the step it was in, and re-runs the
 * journeys that had not finished in a fresh process. Abort (signal): SIGINT to Playwright, then a
 * hard stop after `graceMs`; unfinished journeys are `aborted`, finished ones keep their results.
 *
 * Traces (`trace`, default `on-retry`): recording a trace on every run costs on every run, while a
 * monitor fails rarely. So the first attempt runs untraced; every retry is traced, and a journey
 * without retries gets one traced diagnostic re-run after a failure. Its outcome does not change
 * the result (the first attempt's failure stands, with its own screenshot taken at the failure);
 * it only supplies the trace. `retain-on-failure` records always and keeps the trace of the
 * failing attempt itself, at the measured cost (bench/journeys.ts).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { JourneyDefinition } from '../model/monitor.js';
import type { Artifacts, AttemptResult, MonitorError, MonitorResult, StepResult } from '../model/results.js';
import { isoAt, systemClock, type Clock } from '../runtime/clock.js';
import type { Redactor } from '../runtime/redact.js';
import { resolveChromium } from './chromium.js';
import { listBase, startPlaywright, type TraceMode } from './playwright-process.js';
import { testKey, type LimitsByTest, type ReporterEvent, type WorkerLimits } from './protocol.js';
import { buildJourneyResult, saveArtifacts, type FinalAttempt } from './results.js';
import { staticStepTitles } from './static-steps.js';
import { redactTrace } from './trace-redact.js';

export type { TraceMode } from './playwright-process.js';

export interface JourneyRunnerOptions {
  /** Parallel Playwright workers (one browser each). */
  workers: number;
  /** Reports folder: artifacts go to `<outDir>/artifacts/<runId>/<monitor>/`. */
  outDir: string;
  redactor: Redactor;
  /** Default: `OBSERVER_BASE_URL`, else the team config's `use.baseURL`, else http://127.0.0.1:4173. */
  baseUrl?: string;
  /** The team's `playwright.config.*` (absolute): its projects, `use`, setup and dependencies are kept (layer-config.ts). */
  playwrightConfig?: string;
  /** Default: resolveChromium() (OBSERVER_CHROMIUM, /usr/bin/chromium, Playwright's). */
  chromiumPath?: string;
  /** Trace policy, see the module doc. Default `on-retry`. */
  trace?: TraceMode;
  /** Extra time past a journey's deadline before the watchdog stops its worker. Default 5 000. */
  graceMs?: number;
  /** Environment of the Playwright process (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Folder Playwright runs in (default process.cwd()). */
  cwd?: string;
  /** Project folder: error locations are relative to it (default `cwd`). */
  rootDir?: string;
  clock?: Clock;
  /** Receives worker and Playwright output lines, already redacted. */
  log?: (line: string) => void;
}

export interface JourneyRunContext {
  runId: string;
  location: string;
  environment: string;
  signal?: AbortSignal;
  onResult?: (r: MonitorResult) => void;
}

const DEFAULT_BASE_URL = 'http://127.0.0.1:4173';
const DEFAULT_GRACE_MS = 5_000;

interface Attempt {
  retry: number;
  startedAtMs: number;
  /** Top-level steps seen so far (from step events), for a killed or aborted attempt. */
  steps: StepResult[];
  open?: StepResult;
}

interface Candidate {
  final: FinalAttempt;
  screenshot?: string;
  trace?: string;
}

interface JourneyState {
  def: JourneyDefinition;
  key: string;
  limits: WorkerLimits;
  attempts: AttemptResult[];
  firstStartedAt?: string;
  current?: Attempt;
  /** Failed last real attempt waiting for its traced diagnostic re-run. */
  candidate?: Candidate;
  done: boolean;
  watchdog?: NodeJS.Timeout;
}

export class JourneyRunner {
  private readonly clock: Clock;

  constructor(private readonly opts: JourneyRunnerOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  async run(journeys: JourneyDefinition[], ctx: JourneyRunContext): Promise<MonitorResult[]> {
    if (journeys.length === 0) return [];
    const env = this.opts.env ?? process.env;
    const executablePath = this.opts.chromiumPath ?? resolveChromium(env).executablePath;
    const trace = this.opts.trace ?? 'on-retry';
    const results = new Map<string, MonitorResult>();
    const states = journeys.map((def) => this.initialState(def, trace));
    const byKey = new Map(states.map((s) => [s.key, s]));

    const finish = (state: JourneyState, result: MonitorResult): void => {
      if (state.done) return;
      state.done = true;
      clearTimeout(state.watchdog);
      const safe = this.opts.redactor.redactDeep(result);
      results.set(state.def.id, safe);
      ctx.onResult?.(safe);
    };

    let pending = states;
    const errors: string[] = [];
    for (let round = 0; pending.length > 0 && round <= journeys.length; round++) {
      if (ctx.signal?.aborted) break;
      const outcome = await this.runRound(pending, byKey, { ...ctx, executablePath, trace, env, finish, errors });
      pending = states.filter((s) => !s.done);
      if (!outcome.restart) break;
    }
    for (const state of states.filter((s) => !s.done)) {
      const aborted = ctx.signal?.aborted ?? false;
      const error: MonitorError = aborted
        ? { class: 'aborted', message: state.current ? 'aborted while running' : 'not started: the run was aborted' }
        : { class: 'journey_error', message: this.opts.redactor.redact(notRunMessage(errors)) };
      finish(state, this.fromPartial(state, error, ctx));
    }
    return journeys.map((j) => results.get(j.id)!).filter(Boolean);
  }

  private initialState(def: JourneyDefinition, trace: TraceMode): JourneyState {
    const titlePath = (def.title ?? def.name).split(' › ');
    const diagnostic = trace === 'on-retry' && def.retries === 0 ? 1 : 0;
    return {
      def,
      key: testKey(path.resolve(def.file), titlePath),
      limits: { retries: def.retries, timeoutMs: def.timeoutMs, stepTimeoutMs: def.stepTimeoutMs, maxRetry: def.retries + diagnostic },
      attempts: [],
      done: false,
    };
  }

  private async runRound(
    states: JourneyState[],
    byKey: Map<string, JourneyState>,
    ctx: JourneyRunContext & {
      executablePath: string;
      trace: TraceMode;
      env: NodeJS.ProcessEnv;
      finish(state: JourneyState, r: MonitorResult): void;
      errors: string[];
    },
  ): Promise<{ restart: boolean }> {
    const files = [...new Set(states.map((s) => path.resolve(s.def.file)))];
    const userConfig = this.opts.playwrightConfig;
    const testDir = listBase({ files, ...(userConfig ? { userConfig } : {}) });
    const limits: LimitsByTest = {};
    for (const s of states) {
      limits[s.key] = s.limits;
      s.current = undefined;
    }
    const rootDir = this.opts.rootDir ?? this.opts.cwd ?? process.cwd();
    const explicitBaseUrl = this.opts.baseUrl ?? ctx.env.OBSERVER_BASE_URL;
    const baseUrl = explicitBaseUrl ?? DEFAULT_BASE_URL;
    let restart = false;
    let killed = false;

    const pw = await startPlaywright({
      config: {
        files,
        rootDir,
        mode: 'run',
        workers: Math.max(1, Math.min(this.opts.workers, states.length)),
        retries: Math.max(...states.map((s) => s.limits.maxRetry)),
        timeoutMs: Math.max(...states.map((s) => s.limits.timeoutMs)),
        baseUrl,
        executablePath: ctx.executablePath,
        trace: ctx.trace,
        limits,
        ...(userConfig ? { userConfig, explicitBaseUrl: explicitBaseUrl !== undefined } : {}),
      },
      testList: testListLines(states.map((s) => ({ file: toPosix(path.relative(testDir, path.resolve(s.def.file))), title: s.def.title ?? s.def.name }))),
      cwd: this.opts.cwd ?? process.cwd(),
      env: { ...ctx.env, ...(explicitBaseUrl !== undefined || !userConfig ? { OBSERVER_BASE_URL: baseUrl } : {}) },
      onOutput: (line) => this.opts.log?.(this.opts.redactor.redact(line)),
      onEvent: (event) => this.onEvent(event, byKey, ctx, () => {
        // Watchdog: a worker that ignores its own deadline takes its Playwright process down.
        restart = true;
        killed = true;
        pw.kill();
      }),
    });

    const onAbort = (): void => {
      pw.interrupt();
      const hard = setTimeout(() => {
        killed = true;
        pw.kill();
      }, this.opts.graceMs ?? DEFAULT_GRACE_MS);
      hard.unref();
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const exit = await pw.done;
      for (const s of states) clearTimeout(s.watchdog);
      // Failed attempts whose diagnostic re-run never came (process ended): the failure stands.
      for (const s of states) if (!s.done && s.candidate) ctx.finish(s, this.result(s, s.candidate, ctx));
      if (!killed && exit.code !== 0 && states.some((s) => !s.done)) {
        ctx.errors.push(...exit.stderrTail.slice(-5));
      }
      if (ctx.signal?.aborted) return { restart: false };
      return { restart };
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
      await pw.cleanup();
    }
  }

  private onEvent(
    event: ReporterEvent,
    byKey: Map<string, JourneyState>,
    ctx: JourneyRunContext & { finish(state: JourneyState, r: MonitorResult): void; errors: string[] },
    stopProcess: () => void,
  ): void {
    if (event.type === 'error') {
      ctx.errors.push(event.location ? `${event.location}: ${event.message}` : event.message);
      return;
    }
    if (event.type !== 'test/begin' && event.type !== 'test/end' && event.type !== 'step/begin' && event.type !== 'step/end') return;
    const state = byKey.get(event.key);
    if (!state || state.done) return;
    switch (event.type) {
      case 'test/begin': {
        state.current = { retry: event.retry, startedAtMs: this.clock.nowMs(), steps: [] };
        state.firstStartedAt ??= event.startedAt;
        clearTimeout(state.watchdog);
        const deadline = state.limits.timeoutMs + (this.opts.graceMs ?? DEFAULT_GRACE_MS);
        state.watchdog = setTimeout(() => {
          if (state.done) return;
          const error: MonitorError = {
            class: 'timeout',
            message: `the journey did not end within its deadline of ${state.limits.timeoutMs} ms; its worker was stopped`,
          };
          ctx.finish(state, this.fromPartial(state, error, ctx));
          stopProcess();
        }, deadline);
        state.watchdog.unref();
        return;
      }
      case 'step/begin': {
        if (!state.current || state.current.retry !== event.retry) return;
        const step: StepResult = {
          name: event.title,
          status: 'passed',
          startedAt: event.startedAt,
          durationMs: 0,
          error: null,
          ...(event.location ? { location: event.location } : {}),
        };
        state.current.steps.push(step);
        state.current.open = step;
        return;
      }
      case 'step/end': {
        const open = state.current?.open;
        if (!open || state.current?.retry !== event.retry || open.name !== event.title) return;
        open.durationMs = event.durationMs;
        if (event.failed) open.status = 'failed';
        state.current!.open = undefined;
        return;
      }
      case 'test/end':
        clearTimeout(state.watchdog);
        this.onTestEnd(state, event, ctx);
        return;
    }
  }

  private onTestEnd(
    state: JourneyState,
    event: Extract<ReporterEvent, { type: 'test/end' }>,
    ctx: JourneyRunContext & { finish(state: JourneyState, r: MonitorResult): void },
  ): void {
    state.current = undefined;
    if (event.outcome === 'skipped' && event.retry > 0) return; // a retry beyond this journey's own
    for (const line of event.output) this.opts.log?.(this.opts.redactor.redact(line));
    let error = event.error;
    if (event.outcome === 'interrupted') {
      error = { class: ctx.signal?.aborted ? 'aborted' : 'journey_error', message: ctx.signal?.aborted ? 'aborted while running' : 'interrupted by Playwright' };
    }
    const attempt: FinalAttempt = {
      startedAt: event.startedAt,
      durationMs: event.durationMs,
      steps: event.outcome === 'interrupted' ? markInterrupted(event.steps, error) : event.steps,
      error: event.outcome === 'passed' || event.outcome === 'skipped' ? null : error,
    };
    const real = event.retry <= state.def.retries;
    const failedStep = attempt.error ? attempt.steps.find((s) => s.status === 'failed')?.name : undefined;
    const detail = { ...(failedStep ? { failedStep } : {}), ...(event.trace ? { traced: true } : {}) };
    if (!real) {
      state.attempts.push({
        attempt: event.retry + 1,
        status: attempt.error ? 'failed' : 'passed',
        startedAt: event.startedAt,
        durationMs: event.durationMs,
        error: attempt.error,
        ...detail,
        diagnostic: true,
      });
      // The traced diagnostic re-run: it contributes its trace, never its outcome.
      const candidate = state.candidate ?? { final: attempt };
      ctx.finish(state, this.result(state, { ...candidate, ...(candidate.trace ? {} : event.trace ? { trace: event.trace } : {}) }, ctx));
      return;
    }
    state.attempts.push({
      attempt: event.retry + 1,
      status: attempt.error ? 'failed' : 'passed',
      startedAt: event.startedAt,
      durationMs: event.durationMs,
      error: attempt.error,
      ...detail,
    });
    const candidate: Candidate = {
      final: attempt,
      ...(event.screenshot ? { screenshot: event.screenshot } : {}),
      ...(event.trace ? { trace: event.trace } : {}),
    };
    const last = event.retry >= state.def.retries;
    if (!attempt.error || event.outcome === 'interrupted') {
      ctx.finish(state, this.result(state, candidate, ctx));
    } else if (last) {
      if (state.limits.maxRetry > event.retry && !candidate.trace) state.candidate = candidate;
      else ctx.finish(state, this.result(state, candidate, ctx));
    }
  }

  private result(state: JourneyState, c: Candidate, ctx: JourneyRunContext): MonitorResult {
    const artifacts = saveArtifacts({ ...(c.screenshot ? { screenshot: c.screenshot } : {}), ...(c.trace ? { trace: c.trace } : {}) }, this.opts.outDir, ctx.runId, state.def.id);
    if (artifacts?.trace) this.redactTraceOrDrop(artifacts);
    for (const problem of artifacts?.errors ?? []) this.opts.log?.(this.opts.redactor.redact(`${state.def.id}: could not save the ${problem}`));
    return buildJourneyResult({
      def: state.def,
      runId: ctx.runId,
      location: ctx.location,
      environment: ctx.environment,
      final: c.final,
      attempts: state.attempts,
      firstStartedAt: state.firstStartedAt ?? c.final.startedAt,
      finishedAt: isoAt(this.clock.nowMs()),
      ...(artifacts ? { artifacts } : {}),
    });
  }

  /** Secrets out of the saved trace (trace-redact.ts); a trace that cannot be redacted is not kept. */
  private redactTraceOrDrop(artifacts: Artifacts): void {
    const file = path.join(this.opts.outDir, artifacts.trace!);
    try {
      redactTrace(file, this.opts.redactor, this.opts.env ?? process.env);
    } catch (err) {
      rmSync(file, { force: true });
      delete artifacts.trace;
      artifacts.errors = [...(artifacts.errors ?? []), `trace: could not be redacted (${(err as Error).message}), not kept`];
    }
  }

  /**
   * Top-level steps after the one a killed or aborted attempt was in, as `skipped` (titles read
   * statically; this parses the file in this process, which only happens on this rare path).
   */
  private neverRun(state: JourneyState, ran: StepResult[], nowMs: number): StepResult[] {
    const titles = staticStepTitles(path.resolve(state.def.file)).get(lastTitle(state)) ?? [];
    const seen = new Map<string, number>();
    for (const s of ran) seen.set(s.name, (seen.get(s.name) ?? 0) + 1);
    const out: StepResult[] = [];
    for (const title of titles) {
      const n = seen.get(title) ?? 0;
      if (n > 0) seen.set(title, n - 1);
      else out.push({ name: title, status: 'skipped', startedAt: isoAt(nowMs), durationMs: 0, error: null });
    }
    return out;
  }

  /** A result for an attempt that never reported its end (watchdog, abort, lost process). */
  private fromPartial(state: JourneyState, error: MonitorError, ctx: JourneyRunContext): MonitorResult {
    const now = this.clock.nowMs();
    const current = state.current;
    const steps = current?.steps ?? [];
    if (current?.open) {
      current.open.status = 'failed';
      current.open.durationMs = Math.max(0, now - Date.parse(current.open.startedAt));
      current.open.error = { ...error, ...(current.open.location ? { location: current.open.location } : {}) };
    }
    if (current?.open) steps.push(...this.neverRun(state, steps, now));
    const startedAt = current ? isoAt(current.startedAtMs) : isoAt(now);
    if (current) {
      state.attempts.push({ attempt: current.retry + 1, status: 'failed', startedAt, durationMs: now - current.startedAtMs, error });
    }
    const final: FinalAttempt = { startedAt, durationMs: current ? now - current.startedAtMs : 0, steps, error: current?.open?.error ?? error };
    return buildJourneyResult({
      def: state.def,
      runId: ctx.runId,
      location: ctx.location,
      environment: ctx.environment,
      final,
      attempts: state.attempts,
      firstStartedAt: state.firstStartedAt ?? startedAt,
      finishedAt: isoAt(now),
    });
  }
}

function lastTitle(s: JourneyState): string {
  const parts = (s.def.title ?? s.def.name).split(' › ');
  return parts[parts.length - 1];
}

/**
 * Lines of Playwright's `--test-list` (one test a line, `file › title`). A title that a line cannot
 * carry (a newline, or the delimiters ` › ` / ` > `) selects its whole file instead; the fixture then
 * skips that file's tests that were not selected (fixtures.ts), so the journey still runs.
 */
export function testListLines(tests: Array<{ file: string; title: string }>): string[] {
  const lines = new Set<string>();
  for (const t of tests) {
    const safe = !/[\r\n]/.test(t.title) && !t.title.split(' › ').some((part) => part.includes('>') || part.includes('›'));
    lines.add(safe ? `${t.file} › ${t.title}` : t.file);
  }
  return [...lines];
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Steps of an interrupted attempt: the running one is blamed with the abort. */
function markInterrupted(steps: StepResult[], error: MonitorError | null): StepResult[] {
  if (!error) return steps;
  return steps.map((s) => (s.status === 'failed' && s.error ? { ...s, error: { ...error, ...(s.location ? { location: s.location } : {}) } } : s));
}

function notRunMessage(errors: string[]): string {
  const detail = errors.filter(Boolean).slice(-3).join(' | ');
  return detail ? `Playwright did not run the journey: ${detail}` : 'Playwright did not run the journey (no result was reported)';
}
