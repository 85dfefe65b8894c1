/**
 * NAB scoring (Numenta Anomaly Benchmark v1.1), from its published definition: Lavin & Ahmad,
 * "Evaluating Real-time Anomaly Detection Algorithms" (arXiv:1510.03336), and the NAB README.
 * Pure functions over row indices, so the scorer can be checked by hand (test/anomaly/nab-score.test.ts).
 *
 * - Probation: the first min(floor(0.15 x rows), 750) rows of a file are not scored.
 * - Window = labelled rows [start, end] (inclusive). Only the earliest detection inside a window
 *   counts: A_tp x sigma(y) / sigma(-1) with y = -(end - i + 1) / length and the scaled sigmoid
 *   sigma(y) = 2 / (1 + e^(5y)) - 1 (the first row of a window earns A_tp in full).
 * - A window with no detection adds -A_fn.
 * - A detection outside every window adds A_fp x sigma(y), y = (i - end of previous window) /
 *   (length of that window - 1), sigma = -1 for y > 3; before the first window it adds -A_fp.
 * - Normalised = 100 x (S - S_null) / (S_perfect - S_null) over a set of files, with
 *   S_null = -A_fn x windows (never fires) and S_perfect = A_tp x windows.
 */

export interface CostProfile {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

/** NAB's three cost profiles (A_tp, A_fp, A_fn). */
export const PROFILES = {
  standard: { tp: 1.0, fp: 0.11, fn: 1.0 },
  reward_low_FP_rate: { tp: 1.0, fp: 0.22, fn: 1.0 },
  reward_low_FN_rate: { tp: 1.0, fp: 0.11, fn: 2.0 },
} as const satisfies Record<string, CostProfile>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

/** Rows of a file of `rows` rows that are not scored: min(floor(0.15 x rows), 750). */
export function probationRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

/** NAB's scaled sigmoid: 2 / (1 + e^(5y)) - 1, and -1 past y = 3. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** A labelled window as inclusive row indices. */
export type RowWindow = readonly [start: number, end: number];

export interface FileScore {
  /** Raw score S of the file under the profile. */
  score: number;
  /** Windows with a detection inside. */
  truePositives: number;
  /** Windows without one. */
  falseNegatives: number;
  /** Detections outside every window, after probation. */
  falsePositives: number;
  windows: number;
}

/**
 * Score one file: `detected(i)` says whether row i detects. Windows must be sorted and disjoint
 * (NAB's are). Rows inside probation are skipped; a window is still counted (missed when nothing
 * after probation detects in it).
 */
export function scoreFile(rows: number, windows: readonly RowWindow[], detected: (i: number) => boolean, profile: CostProfile): FileScore {
  const probation = probationRows(rows);
  const sigMinus1 = scaledSigmoid(-1);
  let score = 0;
  let fps = 0;
  let tps = 0;
  let w = 0; // the first window that does not end before row i
  let prevEnd = -1;
  let prevLen = 0;
  let hitThis = false;
  for (let i = 0; i < rows; i++) {
    while (w < windows.length && windows[w][1] < i) {
      if (hitThis) tps++;
      prevEnd = windows[w][1];
      prevLen = windows[w][1] - windows[w][0] + 1;
      w++;
      hitThis = false;
    }
    if (i < probation || !detected(i)) continue;
    const inWindow = w < windows.length && windows[w][0] <= i;
    if (inWindow) {
      if (hitThis) continue;
      hitThis = true;
      const [start, end] = windows[w];
      const y = -(end - i + 1) / (end - start + 1);
      score += (profile.tp * scaledSigmoid(y)) / sigMinus1;
    } else {
      fps++;
      if (prevEnd < 0) score -= profile.fp;
      else {
        // A window of one row has no length to scale by: any later detection costs in full.
        const y = prevLen > 1 ? (i - prevEnd) / (prevLen - 1) : Infinity;
        score += profile.fp * scaledSigmoid(y);
      }
    }
  }
  if (hitThis) tps++;
  const fns = windows.length - tps;
  score -= profile.fn * fns;
  return { score, truePositives: tps, falseNegatives: fns, falsePositives: fps, windows: windows.length };
}

/** NAB's normalised score of a set of files: 0 = never fires, 100 = the first row of every window and nothing else. */
export function normalise(results: readonly FileScore[], profile: CostProfile): number {
  let s = 0;
  let windows = 0;
  for (const r of results) {
    s += r.score;
    windows += r.windows;
  }
  if (windows === 0) return NaN;
  const nullScore = -profile.fn * windows;
  const perfect = profile.tp * windows;
  return (100 * (s - nullScore)) / (perfect - nullScore);
}

/** Inclusive row windows from labelled time windows: the rows whose time falls inside each. */
export function rowWindows(times: readonly number[], windows: readonly (readonly [number, number])[]): RowWindow[] {
  const out: RowWindow[] = [];
  for (const [a, b] of windows) {
    let start = -1;
    let end = -1;
    for (let i = 0; i < times.length; i++) {
      if (times[i] >= a && times[i] <= b) {
        if (start < 0) start = i;
        end = i;
      }
    }
    if (start >= 0) out.push([start, end]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

export interface ScoredFile {
  rows: number;
  windows: readonly RowWindow[];
  scores: ArrayLike<number>;
}

/**
 * NAB's threshold sweep: the best normalised score over thresholds on a continuous anomaly score
 * (a row detects when its score >= threshold), one threshold for the whole set as NAB does.
 * Candidates: every distinct score value above `floor`, thinned to at most `maxCandidates`.
 */
export function sweepThreshold(files: readonly ScoredFile[], profile: CostProfile, maxCandidates = 400): { threshold: number; score: number } {
  const values = new Set<number>();
  for (const f of files) for (let i = 0; i < f.rows; i++) values.add(f.scores[i]);
  const sorted = [...values].sort((a, b) => a - b);
  const step = Math.max(1, Math.floor(sorted.length / maxCandidates));
  const candidates: number[] = [];
  for (let i = sorted.length - 1; i >= 0; i -= step) candidates.push(sorted[i]);
  // The top values matter most (few detections): take all of the highest ones as well.
  for (let i = sorted.length - 1; i >= Math.max(0, sorted.length - 200); i--) candidates.push(sorted[i]);
  let best = { threshold: Infinity, score: -Infinity };
  for (const t of new Set(candidates)) {
    if (!(t > 0)) continue;
    const s = normalise(
      files.map((f) => scoreFile(f.rows, f.windows, (i) => f.scores[i] >= t, profile)),
      profile,
    );
    if (s > best.score) best = { threshold: t, score: s };
  }
  return best;
}
