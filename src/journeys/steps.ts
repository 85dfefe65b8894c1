/**
 * Builds the StepResult tree of one journey attempt from Playwright's step tree (structure, errors,
 * locations) and what the fixtures measured (precise durations, vitals, network, console). Steps a
 * failure prevented from running are listed as `skipped` when their titles are known statically.
 * Pure: no I/O, so it is tested without a browser.
 */
import path from 'node:path';
import type { MonitorError, StepResult } from '../model/results.js';
import { classifyJourneyError, summarizeError } from './classify.js';
import type { CollectedJourney, CollectedStep, TestOutcome } from './protocol.js';

export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

/** The parts of Playwright's `TestStep` this mapping reads. */
export interface PlaywrightStepLike {
  title: string;
  category: string;
  startTime: Date;
  duration: number;
  location?: SourceLocation;
  error?: { message?: string; location?: SourceLocation };
  steps: PlaywrightStepLike[];
}

export interface AttemptInput {
  steps: PlaywrightStepLike[];
  outcome: TestOutcome;
  /** The test's own errors (timeout, crash, an error thrown outside any step). */
  errors: Array<{ message?: string; location?: SourceLocation }>;
  collected?: CollectedJourney;
  /** Paths in messages are relative to this folder. */
  rootDir: string;
  /** Top-level step titles in source order, when known statically. */
  staticTitles?: string[];
  testLocation?: SourceLocation;
  endedAtMs: number;
}

export interface AttemptSteps {
  steps: StepResult[];
  error: MonitorError | null;
}

export function formatLocation(loc: SourceLocation | undefined, rootDir: string): string | undefined {
  if (!loc?.file) return undefined;
  const rel = path.relative(rootDir, loc.file).split(path.sep).join('/');
  return `${rel.startsWith('..') ? loc.file : rel}:${loc.line}`;
}

function toMonitorError(err: { message?: string; location?: SourceLocation }, fallback: SourceLocation | undefined, rootDir: string): MonitorError {
  const message = err.message ?? 'unknown error';
  const location = formatLocation(err.location ?? fallback, rootDir);
  return { class: classifyJourneyError(message), message: summarizeError(message) || 'unknown error', ...(location ? { location } : {}) };
}

/** Pairs Playwright's steps with the collected ones: same parent, same title, same occurrence. */
class CollectedIndex {
  private readonly used = new Set<number>();
  constructor(private readonly steps: CollectedStep[]) {}

  take(title: string, parent: CollectedStep | undefined): CollectedStep | undefined {
    const parentIndex = parent ? parent.index : null;
    const found = this.steps.find((s) => !this.used.has(s.index) && s.parent === parentIndex && s.title === title);
    if (found) this.used.add(found.index);
    return found;
  }
}

interface MapContext {
  index: CollectedIndex;
  rootDir: string;
  /** Steps whose body the fixture never saw settle (a hang, a crash). */
  unfinished: WeakSet<StepResult>;
}

function mapSteps(nodes: PlaywrightStepLike[], parent: CollectedStep | undefined, ctx: MapContext): StepResult[] {
  const { index, rootDir } = ctx;
  const out: StepResult[] = [];
  for (const node of nodes) {
    if (node.category !== 'test.step') {
      // test.step calls inside hooks or fixtures: lift them to this level.
      out.push(...mapSteps(node.steps, parent, ctx));
      continue;
    }
    const collected = index.take(node.title, parent);
    const location = formatLocation(node.location, rootDir);
    const children = mapSteps(node.steps, collected, ctx);
    let error = node.error ? toMonitorError(node.error, node.location, rootDir) : null;
    if (error && collected?.crashedUrl) {
      error = { ...error, class: 'browser_crash', message: `the page crashed (renderer gone) at ${collected.crashedUrl}; then: ${error.message}` };
    }
    const step: StepResult = {
      name: node.title,
      status: node.error ? 'failed' : 'passed',
      startedAt: new Date(collected?.startedAtMs ?? node.startTime.getTime()).toISOString(),
      durationMs: round(collected?.durationMs ?? Math.max(0, node.duration)),
      error,
      ...(location ? { location } : {}),
    };
    if (collected) {
      if (collected.vitals.length) step.vitals = collected.vitals;
      step.network = collected.network;
      if (collected.consoleErrors.length) step.consoleErrors = collected.consoleErrors;
    }
    if (children.length) step.steps = children;
    if (collected && collected.durationMs === undefined) ctx.unfinished.add(step);
    out.push(step);
  }
  return out;
}

export function buildAttemptSteps(input: AttemptInput): AttemptSteps {
  const ctx: MapContext = { index: new CollectedIndex(input.collected?.steps ?? []), rootDir: input.rootDir, unfinished: new WeakSet() };
  const steps = mapSteps(input.steps, undefined, ctx);
  const testError = input.errors.find((e) => e.message);
  const failedOutcome = input.outcome === 'failed' || input.outcome === 'timedOut' || input.outcome === 'interrupted';

  let blamed = findFailed(steps);
  if (failedOutcome && testError) {
    const testLevel = toMonitorError(testError, input.testLocation, input.rootDir);
    // Timeouts and crashes end a step from outside: blame the step that was running.
    const running = [...steps].reverse().find((s) => s.status !== 'failed' && (ctx.unfinished.has(s) || !input.collected));
    if (!blamed && running && (testLevel.class !== 'journey_error' || !input.collected)) {
      running.status = 'failed';
      running.error = { ...testLevel, ...(running.location ? { location: running.location } : {}) };
      blamed = running;
    }
    const decisive = testLevel.class === 'timeout' || testLevel.class === 'browser_crash';
    if (blamed?.error && decisive && blamed.error.class !== testLevel.class && blamed.error.class !== 'browser_crash') {
      // The step saw a symptom ("page closed"); the test error names the cause.
      blamed.error = { ...blamed.error, class: testLevel.class, message: testLevel.message };
    }
    if (!blamed) return { steps: withSkipped(steps, input), error: testLevel };
  }
  const error = blamed?.error ?? (failedOutcome ? { class: 'journey_error' as const, message: 'the journey failed without an error message' } : null);
  return { steps: failedOutcome ? withSkipped(steps, input) : steps, error };
}

/** The failed top-level step, with the error of its deepest failed child (the real cause). */
function findFailed(steps: StepResult[]): StepResult | undefined {
  const top = steps.find((s) => s.status === 'failed');
  if (!top) return undefined;
  let deepest: StepResult = top;
  while (deepest.steps?.some((c) => c.status === 'failed')) deepest = deepest.steps.find((c) => c.status === 'failed')!;
  if (deepest !== top && deepest.error) top.error = deepest.error;
  return top;
}

/** Append the statically known top-level steps that never ran, as `skipped`. */
function withSkipped(steps: StepResult[], input: AttemptInput): StepResult[] {
  if (!input.staticTitles?.length) return steps;
  const ran = new Map<string, number>();
  for (const s of steps) ran.set(s.name, (ran.get(s.name) ?? 0) + 1);
  const skipped: StepResult[] = [];
  const at = new Date(input.endedAtMs).toISOString();
  for (const title of input.staticTitles) {
    const n = ran.get(title) ?? 0;
    if (n > 0) {
      ran.set(title, n - 1);
      continue;
    }
    skipped.push({ name: title, status: 'skipped', startedAt: at, durationMs: 0, error: null });
  }
  return [...steps, ...skipped];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
