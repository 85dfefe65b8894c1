/**
 * Flakiness per monitor and step (issue 17, item 5). Pure: results in, scores out.
 *
 * Over a window of the latest results (default 50), oldest first:
 * - flips: how often the outcome alternated between pass and fail from one run to the next;
 * - rescued: passes that needed a retry (a failed attempt before the passing one);
 * - score = (flips + rescued) / runs, in [0, 1]. A step that fails every time is broken, not flaky
 *   (no flips); one that passes every time first try scores 0.
 * A step is flaky at `flakyScore` (default 0.1) or more. Its failures then alert only past its usual
 * failure rate: `pastUsualRate` asks whether the recent failures are improbable (binomial tail below
 * `alpha`) under the rate of the window before them.
 */
import type { MonitorResult, Status } from '../model/index.js';

export interface FlakinessOptions {
  /** Results per series considered, newest kept. */
  window: number;
  /** Score at or above which a series is flaky. */
  flakyScore: number;
  /** Fewer results than this: no verdict (score computed, `flaky` false). */
  minRuns: number;
}

export const DEFAULT_FLAKINESS_OPTIONS: FlakinessOptions = { window: 50, flakyScore: 0.1, minRuns: 10 };

export interface Flakiness {
  monitor: string;
  /** A step name, or undefined for the monitor as a whole. */
  step?: string;
  runs: number;
  failures: number;
  flips: number;
  rescued: number;
  score: number;
  flaky: boolean;
  /** Failure share over the window: the "usual rate" a flaky series alerts past. */
  failureRate: number;
}

type Outcome = { failed: boolean; rescued: boolean };

function outcome(status: Status): boolean | undefined {
  if (status === 'skipped') return undefined;
  return status === 'failed';
}

function rescuedByRetry(r: MonitorResult): boolean {
  if (r.status === 'failed') return false;
  if (r.attemptDetails?.length) return r.attemptDetails.some((a) => a.status === 'failed');
  return r.attempts > 1;
}

export function scoreSeries(monitor: string, step: string | undefined, outcomes: Outcome[], opts: FlakinessOptions): Flakiness {
  const xs = outcomes.slice(-opts.window);
  let flips = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i].failed !== xs[i - 1].failed) flips++;
  const rescued = xs.filter((x) => x.rescued).length;
  const failures = xs.filter((x) => x.failed).length;
  const runs = xs.length;
  const score = runs ? Math.min(1, (flips + rescued) / runs) : 0;
  return {
    monitor,
    ...(step !== undefined ? { step } : {}),
    runs,
    failures,
    flips,
    rescued,
    score: Math.round(score * 1000) / 1000,
    flaky: runs >= opts.minRuns && score >= opts.flakyScore,
    failureRate: runs ? failures / runs : 0,
  };
}

/** Flakiness of every monitor and each of its top-level steps, from results oldest first. */
export function flakiness(results: readonly MonitorResult[], options: Partial<FlakinessOptions> = {}): Flakiness[] {
  const opts = { ...DEFAULT_FLAKINESS_OPTIONS, ...options };
  const series = new Map<string, { monitor: string; step?: string; outcomes: Outcome[] }>();
  const push = (monitor: string, step: string | undefined, o: Outcome) => {
    const key = `${monitor}\u0000${step ?? ''}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { monitor, ...(step !== undefined ? { step } : {}), outcomes: [] }));
    s.outcomes.push(o);
  };
  const sorted = [...results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  for (const r of sorted) {
    if (r.error?.class === 'aborted' || r.runnerHealth?.saturated) continue;
    const rescued = rescuedByRetry(r);
    push(r.monitor, undefined, { failed: r.status === 'failed', rescued });
    for (const s of r.steps) {
      const failed = outcome(s.status);
      if (failed !== undefined) push(r.monitor, s.name, { failed, rescued });
    }
  }
  return [...series.values()].map((s) => scoreSeries(s.monitor, s.step, s.outcomes, opts)).sort((a, b) => b.score - a.score || a.monitor.localeCompare(b.monitor));
}

/** P(X >= k) for X ~ Binomial(n, p). */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let term = Math.pow(1 - p, n); // P(X = 0)
  let cdf = 0;
  for (let i = 0; i < k; i++) {
    cdf += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - cdf);
}

/**
 * Whether `recentFailures` out of `recentRuns` is past a flaky series' usual failure rate (binomial
 * tail below `alpha`). A series that is not flaky alerts on its failures as before (returns true).
 */
export function pastUsualRate(f: Flakiness, recentFailures: number, recentRuns: number, alpha = 0.01): boolean {
  if (!f.flaky) return recentFailures > 0;
  // The usual rate, with one pseudo-failure so a rate measured as 0 is never taken as exactly 0.
  const usual = (f.failures + 1) / (f.runs + 2);
  return binomialTail(recentFailures, recentRuns, usual) < alpha;
}
