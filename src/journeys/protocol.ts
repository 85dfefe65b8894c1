/**
 * The two wire formats of the journey integration, as closed unions:
 * - worker → reporter: what the fixtures measured during one attempt, attached to the test result
 *   as the JSON attachment `observer-journey` (also visible in Playwright's own HTML report);
 * - reporter → runner: one JSON object per line on file descriptor 3 of the Playwright process.
 */
import type { MonitorError, NavigationVitals, NetworkSummary, StepResult } from '../model/results.js';
import type { JourneyLimits } from './settings.js';

/** Name of the attachment that carries `CollectedJourney`. */
export const DATA_ATTACHMENT = 'observer-journey';

/** One `test.step` call as the fixture saw it. */
export interface CollectedStep {
  /** Start order within the attempt, 0-based. */
  index: number;
  title: string;
  /** Index of the enclosing `test.step`, null for a top-level step. */
  parent: number | null;
  /** Epoch ms when the body started. */
  startedAtMs: number;
  /** `performance.now()` around the user's body only; absent when the body never settled (hang). */
  durationMs?: number;
  vitals: NavigationVitals[];
  network: NetworkSummary;
  consoleErrors: string[];
  /** URL of a page whose renderer crashed while this step ran. */
  crashedUrl?: string;
}

export interface CollectedJourney {
  version: 1;
  steps: CollectedStep[];
  /** Console errors and uncaught page errors seen outside any step. */
  consoleErrors: string[];
}

/** Config `metadata` key through which the runner hands each test its limits. */
export const LIMITS_METADATA = 'observerJourneyLimits';

/** What the runner tells a worker about one test. */
export interface WorkerLimits extends JourneyLimits {
  /** Highest `testInfo.retry` that may run (the configured retries, plus a traced diagnostic attempt). */
  maxRetry: number;
}

/** Limits per test key (`testKey`). */
export type LimitsByTest = Record<string, WorkerLimits>;

/** Identity of a test across processes: absolute file and title path (describe titles then the test title). */
export function testKey(file: string, titlePath: readonly string[]): string {
  return `${file} › ${titlePath.join(' › ')}`;
}

/** A test as listed (discovery) without running it. */
export interface ListedTest {
  file: string;
  titlePath: string[];
  line: number;
  tags: string[];
  annotations: Array<{ type: string; description?: string }>;
}

export type TestOutcome = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

export type ReporterEvent =
  | { type: 'list'; tests: ListedTest[] }
  | { type: 'begin'; total: number }
  | { type: 'test/begin'; key: string; retry: number; startedAt: string }
  /** Top-level `test.step`s only: lets the runner name the step a killed or aborted attempt was in. */
  | { type: 'step/begin'; key: string; retry: number; title: string; startedAt: string; location?: string }
  | { type: 'step/end'; key: string; retry: number; title: string; durationMs: number; failed: boolean }
  | {
      type: 'test/end';
      key: string;
      retry: number;
      outcome: TestOutcome;
      startedAt: string;
      durationMs: number;
      steps: StepResult[];
      error: MonitorError | null;
      /** Absolute paths in Playwright's output folder; the runner copies them. */
      screenshot?: string;
      trace?: string;
      /** Worker stdout/stderr lines of the attempt (the runner redacts before logging). */
      output: string[];
    }
  /** A problem outside any test: config or syntax error, worker crash outside a test. */
  | { type: 'error'; message: string; location?: string }
  | { type: 'end'; status: string };
