/**
 * What journeys import: `import { test, expect, journey } from 'production-observer/journey'`.
 * `test` is Playwright's, extended with one automatic fixture that collects per-step vitals,
 * network and console data, and with a `test.step` that times the user's body with
 * `performance.now()` (closer to the user's code than Playwright's own step instrumentation).
 * A journey written this way runs unchanged under `npx playwright test`, UI mode and codegen.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type BrowserContext, type TestInfo, type TestStepInfo } from '@playwright/test';
import { JourneyCollector } from './collector.js';
import { DATA_ATTACHMENT, LIMITS_METADATA, testKey, type CollectedStep, type LimitsByTest, type WorkerLimits } from './protocol.js';
import { resolveJourneyLimits, settingsFromAnnotations, type JourneySettings } from './settings.js';

// Everything `@playwright/test` exports, so this module can stand in for it (alias.ts); the local
// `test` below takes precedence over the star export's.
export * from '@playwright/test';
export { expect };
export { journey, type JourneySettings, type JourneyTestDetails } from './settings.js';

/**
 * Stack traces of a failing journey cite the user's files only: this package's frames (the step
 * wrapper, the fixtures) are hidden the way Playwright hides its own, by adding this package's
 * folders to Playwright's boxed stack prefixes (an internal of the pinned peer range; a version
 * without it keeps the frames, nothing else changes).
 */
function hideOwnFrames(): void {
  try {
    // The copies Playwright itself uses: resolved from @playwright/test, then from playwright.
    const fromTest = createRequire(createRequire(import.meta.url).resolve('@playwright/test'));
    const playwrightPackage = fromTest.resolve('playwright/package.json');
    const playwrightRoot = path.dirname(playwrightPackage);
    const fromPlaywright = createRequire(playwrightPackage);
    const { utils } = fromPlaywright('playwright-core/lib/coreBundle') as { utils?: { setBoxedStackPrefixes?(prefixes: string[]): void } };
    const packageRoot = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
    utils?.setBoxedStackPrefixes?.([playwrightRoot, path.join(packageRoot, 'src') + path.sep, path.join(packageRoot, 'dist') + path.sep]);
  } catch {
    // another Playwright layout: frames stay visible
  }
}
hideOwnFrames();

interface ActiveJourney {
  collector: JourneyCollector;
  stepTimeoutMs?: number;
}

/** A worker runs one test at a time: the journey being collected, if any. */
let active: ActiveJourney | undefined;
/** The innermost `test.step` of the current async flow (parallel steps keep their own parents). */
const currentStep = new AsyncLocalStorage<CollectedStep>();

interface ObserverFixtures {
  /** Applies the journey's limits (timeout, retries) before anything heavy is set up. */
  _observerLimits: Partial<WorkerLimits>;
  /** Collects per-step data for this attempt and attaches it to the result. */
  _observerCollect: void;
}

const extended = base.extend<ObserverFixtures>({
  _observerLimits: [
    // Playwright requires the first fixture argument to be a destructuring pattern.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, testInfo) => {
      if (notSelected(testInfo)) testInfo.skip(true, 'not selected by observer run');
      const limits = limitsFor(testInfo);
      if (limits.maxRetry !== undefined && testInfo.retry > limits.maxRetry) {
        testInfo.skip(true, `retry ${testInfo.retry} is beyond this journey's retries`);
      }
      if (limits.timeoutMs !== undefined) testInfo.setTimeout(limits.timeoutMs);
      await use(limits);
    },
    { auto: true, box: true },
  ],
  _observerCollect: [
    async ({ context, _observerLimits }, use, testInfo) => {
      const collector = new JourneyCollector();
      await collector.attach(context);
      active = { collector, ...(_observerLimits.stepTimeoutMs !== undefined ? { stepTimeoutMs: _observerLimits.stepTimeoutMs } : {}) };
      try {
        await use();
      } finally {
        active = undefined;
        if (testInfo.status !== testInfo.expectedStatus) await failureScreenshot(context, testInfo);
        const data = await collector.finish(testInfo.status === 'passed');
        testInfo.attachments.push({ name: DATA_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(data)) });
      }
    },
    { auto: true, box: true },
  ],
});

/** Screenshot budget on failure: a hung page must not hold the journey past its deadline for long. */
const SCREENSHOT_CAP_MS = 1_500;

/**
 * The failure screenshot, taken here rather than by Playwright's `screenshot: 'only-on-failure'`
 * (which waits up to 5 s on a page stuck in navigation). Attached as `screenshot`, like Playwright's.
 */
async function failureScreenshot(context: BrowserContext, testInfo: TestInfo): Promise<void> {
  const page = context.pages().find((p) => !p.isClosed());
  if (!page) return;
  const file = testInfo.outputPath('failure.png');
  try {
    await page.screenshot({ path: file, timeout: SCREENSHOT_CAP_MS, animations: 'disabled', caret: 'hide' });
    testInfo.attachments.push({ name: 'screenshot', contentType: 'image/png', path: file });
  } catch {
    // page crashed or hung beyond the budget: the trace still shows the last state
  }
}

/**
 * A test the runner did not select, in a file where it selected others: Playwright's test list
 * selects a whole file when a title cannot be written on one line (a newline in it), and this skips
 * the rest before any browser starts. Files without selected tests (a setup project's) run as usual.
 */
function notSelected(testInfo: TestInfo): boolean {
  const byTest = testInfo.config.metadata?.[LIMITS_METADATA] as LimitsByTest | undefined;
  if (!byTest) return false;
  if (byTest[testKey(testInfo.file, testInfo.titlePath.slice(1))]) return false;
  const prefix = testKey(testInfo.file, []);
  return Object.keys(byTest).some((k) => k.startsWith(prefix));
}

/** Limits from the runner (config metadata) first, else from `journey()` settings on the test. */
function limitsFor(testInfo: TestInfo): Partial<WorkerLimits> {
  const byTest = testInfo.config.metadata?.[LIMITS_METADATA] as LimitsByTest | undefined;
  const fromRunner = byTest?.[testKey(testInfo.file, testInfo.titlePath.slice(1))];
  if (fromRunner) return fromRunner;
  const found = settingsFromAnnotations(testInfo.annotations);
  if (!found || 'error' in found || !found.raw || typeof found.raw !== 'object') return {};
  const s = found.raw as JourneySettings;
  const out: Partial<WorkerLimits> = {};
  if (typeof s.timeoutMs === 'number' && s.timeoutMs > 0) out.timeoutMs = s.timeoutMs;
  if (typeof s.stepTimeoutMs === 'number' && s.stepTimeoutMs > 0) out.stepTimeoutMs = resolveJourneyLimits(s).stepTimeoutMs;
  return out;
}

type StepBody<T> = (step: TestStepInfo) => T | Promise<T>;
type StepOptions = NonNullable<Parameters<typeof base.step>[2]>;
type Location = NonNullable<StepOptions['location']>;

const playwrightStep = extended.step;

/** `test.step` with the body timed by `performance.now()` and the step's data collected. */
function observedStep<T>(title: string, body: StepBody<T>, options: StepOptions = {}): Promise<T> {
  const journeyNow = active;
  if (!journeyNow) return playwrightStep(title, body, options);
  const location = options.location ?? callerLocation(observedStep);
  const timeout = options.timeout ?? journeyNow.stepTimeoutMs;
  const parent = currentStep.getStore();
  return playwrightStep(
    title,
    async (info) => {
      const step = journeyNow.collector.begin(title, parent);
      const started = performance.now();
      let settledAt = started;
      try {
        const value = await currentStep.run(step, () => body(info));
        settledAt = performance.now();
        return value;
      } catch (err) {
        settledAt = performance.now();
        throw err;
      } finally {
        await journeyNow.collector.end(step, settledAt - started);
      }
    },
    { ...options, ...(location ? { location } : {}), ...(timeout !== undefined ? { timeout } : {}) },
  );
}

/**
 * The call site of `test.step` in the user's file. Without it Playwright would cite this module as
 * the step's location; the stack is source-mapped by Playwright's loader.
 */
function callerLocation(fn: (...args: never[]) => unknown): Location | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  const frame = holder.stack?.split('\n').find((l) => l.trimStart().startsWith('at '));
  const match = frame ? /([^\s(]+):(\d+):(\d+)\)?$/.exec(frame.trim()) : null;
  if (!match) return undefined;
  const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

/** The journey `test`: Playwright's, with per-step collection and precise step timing. */
export const test: typeof extended = Object.assign(extended, {
  step: Object.assign(observedStep, { skip: playwrightStep.skip }) as unknown as typeof extended.step,
});

export default test;
