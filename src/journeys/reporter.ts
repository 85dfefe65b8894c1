/**
 * The Playwright reporter the JourneyRunner loads into the `playwright test` process it spawns.
 * It turns each finished attempt into StepResults (steps.ts) and streams `ReporterEvent`s as JSON
 * lines on file descriptor 3, which the runner reads; stdout and stderr stay free for user output.
 * Options come from the generated config: `[[reporterPath, { rootDir, mode, staticSteps }]]`.
 */
import { closeSync, writeSync } from 'node:fs';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import { DATA_ATTACHMENT, testKey, type CollectedJourney, type ListedTest, type ReporterEvent, type TestOutcome } from './protocol.js';
import { staticStepTitles } from './static-steps.js';
import { buildAttemptSteps, formatLocation, type PlaywrightStepLike } from './steps.js';

export interface ObserverReporterOptions {
  /** Project folder: locations in results are relative to it. */
  rootDir: string;
  /** `list` emits the tests and their annotations (discovery); `run` streams results. */
  mode: 'list' | 'run';
  /** File descriptor to write events to: the runner's pipe (3); default stdout. */
  fd?: number;
}

const MAX_OUTPUT_LINES = 200;

export default class ObserverReporter implements Reporter {
  private readonly fd: number;
  private readonly output = new Map<TestResult, string[]>();
  /** Static step titles per file, parsed on the first failure in that file (Babel is already loaded here). */
  private readonly staticSteps = new Map<string, Map<string, string[]>>();

  constructor(private readonly options: ObserverReporterOptions) {
    // The runner passes fd 3 (a pipe it reads); anyone else gets the events on stdout.
    this.fd = options.fd ?? 1;
  }

  /** True, so Playwright adds none of its own reporters: the runner owns the terminal. */
  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    if (this.options.mode === 'list') {
      // A project others depend on (a setup project) or tear down with holds no journeys; a test
      // in several journey projects is one journey (the first project's).
      const helpers = new Set(config.projects.flatMap((p) => [...p.dependencies, ...(p.teardown ? [p.teardown] : [])]));
      const seen = new Set<string>();
      const tests = suite.allTests().filter((t) => {
        const project = t.parent.project()?.name ?? '';
        const key = keyOf(t);
        if (helpers.has(project) || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      this.emit({ type: 'list', tests: tests.map((t) => this.listed(t)) });
      return;
    }
    this.emit({ type: 'begin', total: suite.allTests().length });
  }

  onTestBegin(test: TestCase, result: TestResult): void {
    this.emit({ type: 'test/begin', key: keyOf(test), retry: result.retry, startedAt: result.startTime.toISOString() });
  }

  onStepBegin(test: TestCase, result: TestResult, step: TestStep): void {
    if (!isTopLevelUserStep(step)) return;
    const location = formatLocation(step.location, this.options.rootDir);
    this.emit({
      type: 'step/begin',
      key: keyOf(test),
      retry: result.retry,
      title: step.title,
      startedAt: step.startTime.toISOString(),
      ...(location ? { location } : {}),
    });
  }

  onStepEnd(test: TestCase, result: TestResult, step: TestStep): void {
    if (!isTopLevelUserStep(step)) return;
    this.emit({ type: 'step/end', key: keyOf(test), retry: result.retry, title: step.title, durationMs: Math.max(0, step.duration), failed: !!step.error });
  }

  onStdOut(chunk: string | Buffer, _test?: TestCase, result?: TestResult): void {
    this.collectOutput(chunk, result);
  }

  onStdErr(chunk: string | Buffer, _test?: TestCase, result?: TestResult): void {
    this.collectOutput(chunk, result);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const key = keyOf(test);
    const collected = readCollected(result);
    const outcome = result.status as TestOutcome;
    const endedAtMs = result.startTime.getTime() + Math.max(0, result.duration);
    const built = buildAttemptSteps({
      steps: result.steps.map(toStepLike),
      outcome,
      errors: result.errors.map(toErrorLike),
      ...(collected ? { collected } : {}),
      rootDir: this.options.rootDir,
      ...(result.status !== 'passed' ? { staticTitles: this.staticTitles(test) } : {}),
      testLocation: test.location,
      endedAtMs,
    });
    const screenshot = result.attachments.find((a) => a.name === 'screenshot' && a.path)?.path;
    const trace = result.attachments.find((a) => a.name === 'trace' && a.path)?.path;
    this.emit({
      type: 'test/end',
      key,
      retry: result.retry,
      outcome,
      startedAt: result.startTime.toISOString(),
      durationMs: Math.max(0, result.duration),
      steps: built.steps,
      error: built.error,
      ...(screenshot ? { screenshot } : {}),
      ...(trace ? { trace } : {}),
      output: this.output.get(result) ?? [],
    });
    this.output.delete(result);
  }

  onError(error: TestError): void {
    const location = error.location ? formatLocation(error.location, this.options.rootDir) : undefined;
    this.emit({ type: 'error', message: error.message ?? error.value ?? 'unknown error', ...(location ? { location } : {}) });
  }

  onEnd(result: FullResult): void {
    this.emit({ type: 'end', status: result.status });
  }

  async onExit(): Promise<void> {
    if (this.fd !== 1) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
    }
  }

  private staticTitles(test: TestCase): string[] {
    let byTitle = this.staticSteps.get(test.location.file);
    if (!byTitle) {
      byTitle = staticStepTitles(test.location.file);
      this.staticSteps.set(test.location.file, byTitle);
    }
    return byTitle.get(test.title) ?? [];
  }

  private listed(test: TestCase): ListedTest {
    return {
      file: test.location.file,
      titlePath: titlesOf(test),
      line: test.location.line,
      tags: test.tags,
      annotations: test.annotations.map((a) => ({ type: a.type, ...(a.description !== undefined ? { description: a.description } : {}) })),
    };
  }

  private collectOutput(chunk: string | Buffer, result: TestResult | undefined): void {
    if (!result) return;
    const lines = this.output.get(result) ?? [];
    for (const line of chunk.toString().split('\n')) {
      if (line && lines.length < MAX_OUTPUT_LINES) lines.push(line);
    }
    this.output.set(result, lines);
  }

  private emit(event: ReporterEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    // Synchronous on purpose: events stay ordered and survive a crash right after.
    writeSync(this.fd, line);
  }
}

function isTopLevelUserStep(step: TestStep): boolean {
  if (step.category !== 'test.step') return false;
  for (let p = step.parent; p; p = p.parent) if (p.category === 'test.step') return false;
  return true;
}

/** Describe titles then the test title (Playwright's titlePath minus root, project and file). */
function titlesOf(test: TestCase): string[] {
  return test.titlePath().slice(3);
}

function keyOf(test: TestCase): string {
  return testKey(test.location.file, titlesOf(test));
}

function toStepLike(step: TestStep): PlaywrightStepLike {
  return {
    title: step.title,
    category: step.category,
    startTime: step.startTime,
    duration: step.duration,
    ...(step.location ? { location: step.location } : {}),
    ...(step.error ? { error: toErrorLike(step.error) } : {}),
    steps: step.steps.map(toStepLike),
  };
}

function toErrorLike(error: TestError): { message?: string; location?: { file: string; line: number; column: number } } {
  const message = error.message ?? error.value;
  return { ...(message ? { message } : {}), ...(error.location ? { location: error.location } : {}) };
}

function readCollected(result: TestResult): CollectedJourney | undefined {
  const att = result.attachments.find((a) => a.name === DATA_ATTACHMENT && a.body);
  if (!att?.body) return undefined;
  try {
    const data = JSON.parse(att.body.toString('utf8')) as CollectedJourney;
    return data.version === 1 ? data : undefined;
  } catch {
    return undefined;
  }
}
