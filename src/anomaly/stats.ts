/**
 * Small numeric helpers of the anomaly core: selection, robust location/scale, rank tests,
 * binomial bounds, trend estimators. Pure functions, no allocation unless noted.
 */

/** Ranges this small are finished by insertion sort. */
const SMALL_RANGE = 6;

/**
 * k-th smallest (0-based) of `a[0..n)`, reordering `a` in place: quickselect with a median-of-three
 * pivot and BRANCH-FREE partition passes (every element is swapped and the boundary advances by
 * the comparison's 0 or 1): on noisy data half the comparisons of a branching partition are
 * mispredicted, which made it twice as slow. Values equal to the pivot are gathered in a second
 * pass when the rank lies above it, so ties (quantized timings, constant series) cost no more.
 */
export function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > SMALL_RANGE) {
    const mid = (lo + hi) >> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const p = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    // The pivot to the end of the range.
    if (p === y) {
      a[mid] = z;
      a[hi] = y;
    } else if (p === x) {
      a[lo] = z;
      a[hi] = x;
    }
    let store = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i];
      const less = +(v < p);
      a[i] = a[store];
      a[store] = v;
      store += less;
    }
    a[hi] = a[store];
    a[store] = p;
    if (k < store) {
      hi = store - 1;
      continue;
    }
    if (k === store) return p;
    let equal = store + 1;
    for (let i = store + 1; i <= hi; i++) {
      const v = a[i];
      const same = +(v <= p);
      a[i] = a[equal];
      a[equal] = v;
      equal += same;
    }
    if (k < equal) return p;
    lo = equal;
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
  return a[k];
}

/** Median of `a[0..n)` (reorders `a`). */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const mid = n >> 1;
  const hi = select(a, n, mid);
  if (n & 1) return hi;
  // The lower middle is the max of the left part after selection.
  let lo = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

let near = new Float64Array(64);

/**
 * Median of `a[0..n)`, exactly `medianInPlace`'s, for data whose median probably lies within
 * `width` of `guess` (a rolling window's previous median): one branch-free pass counts the values
 * below that bracket and gathers those inside it, and only those few are selected from. Falls
 * back to a full selection when the middle ranks are not in the bracket (which reorders `a`, as
 * `medianInPlace` does).
 */
export function medianNear(a: Float64Array, n: number, guess: number, width: number): number {
  if (n >= 16 && width > 0 && guess === guess && width < Infinity && guess > -Infinity && guess < Infinity) {
    if (near.length < n) near = new Float64Array(n);
    const buf = near;
    const lo = guess - width;
    const hi = guess + width;
    let below = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const under = +(x < lo);
      buf[m] = x;
      m += (1 - under) & +(x <= hi);
      below += under;
    }
    // Ranks of the middle values: one (odd n) or the two around n/2 (even n).
    const kHi = n >> 1;
    const kLo = n & 1 ? kHi : kHi - 1;
    if (below <= kLo && below + m > kHi) {
      const k = kHi - below;
      const upper = select(buf, m, k);
      if (n & 1) return upper;
      // The lower middle is the largest of the bracket's values ranked before the upper one (k >= 1 here).
      let lower = -Infinity;
      for (let i = 0; i < k; i++) if (buf[i] > lower) lower = buf[i];
      return (lower + upper) / 2;
    }
  }
  return medianInPlace(a, n);
}

/** Quantile (0..1, linear interpolation) of a sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, n: number, q: number): number {
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

const mwBefore = new Float64Array(128);
const mwAfter = new Float64Array(128);

/**
 * Mann-Whitney U test of `after` against `before` (normal approximation with tie and continuity
 * corrections). Returns the one-sided p-value for "after is stochastically larger" (`direction` 1),
 * smaller (-1), or the two-sided one (0).
 */
export function mannWhitney(before: ArrayLike<number>, nb: number, after: ArrayLike<number>, na: number, direction: -1 | 0 | 1): { u: number; p: number } {
  // Both samples sorted natively (no comparator), then merged: each run of equal values across
  // both gets the average of its ranks.
  const b = nb <= mwBefore.length ? mwBefore.subarray(0, nb) : new Float64Array(nb);
  const a = na <= mwAfter.length ? mwAfter.subarray(0, na) : new Float64Array(na);
  for (let i = 0; i < nb; i++) b[i] = before[i];
  for (let i = 0; i < na; i++) a[i] = after[i];
  b.sort();
  a.sort();
  const n = nb + na;
  let i = 0;
  let j = 0;
  let taken = 0;
  let rankSumAfter = 0;
  let tieTerm = 0;
  while (i < nb || j < na) {
    const v = i < nb && (j >= na || b[i] <= a[j]) ? b[i] : a[j];
    let t = 0;
    let inAfter = 0;
    while (i < nb && b[i] === v) {
      i++;
      t++;
    }
    while (j < na && a[j] === v) {
      j++;
      t++;
      inAfter++;
    }
    if (t === 0) break; // NaN: not comparable (observations are finite; never loop forever)
    rankSumAfter += inAfter * (taken + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    taken += t;
  }
  const u = rankSumAfter - (na * (na + 1)) / 2;
  const mean = (na * nb) / 2;
  const variance = ((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1 };
  const sd = Math.sqrt(variance);
  if (direction === 1) return { u, p: 1 - normalCdf((u - mean - 0.5) / sd) };
  if (direction === -1) return { u, p: normalCdf((u - mean + 0.5) / sd) };
  const z = (Math.abs(u - mean) - 0.5) / sd;
  return { u, p: Math.min(1, 2 * (1 - normalCdf(z))) };
}

/** Wilson score interval of `k` successes out of `n` at normal quantile `z`. */
export function wilson(k: number, n: number, z: number): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Mann-Kendall S (sum of pairwise signs) of `y[0..n)` and its two-sided p-value (no ties correction). */
export function mannKendall(y: ArrayLike<number>, n: number): { s: number; p: number } {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i];
    for (let j = i + 1; j < n; j++) {
      const dy = y[j] - yi;
      s += dy > 0 ? 1 : dy < 0 ? -1 : 0;
    }
  }
  return { s, p: mannKendallP(s, n) };
}

/** Two-sided p-value of a Mann-Kendall S over `n` points (normal approximation, continuity corrected). */
export function mannKendallP(s: number, n: number): number {
  const variance = (n * (n - 1) * (2 * n + 5)) / 18;
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
}

/** Sign of `d` (0 when 0), without branches: a trend's signs are a coin toss for branch prediction. */
function sign(d: number): number {
  return +(d > 0) - +(d < 0);
}

/** Change of a Mann-Kendall S when `y[n-1]` is appended to `y[0..n-1)`. */
export function mannKendallAppend(y: ArrayLike<number>, from: number, n: number): number {
  let ds = 0;
  const last = y[from + n - 1];
  for (let i = 0; i < n - 1; i++) ds += sign(last - y[from + i]);
  return ds;
}

/** Change of a Mann-Kendall S when `y[0]` is dropped from `y[0..n)`. */
export function mannKendallDrop(y: ArrayLike<number>, from: number, n: number): number {
  let ds = 0;
  const first = y[from];
  for (let j = 1; j < n; j++) ds -= sign(y[from + j] - first);
  return ds;
}

/** Theil-Sen slope: the median of pairwise slopes (pairs with equal times skipped). */
export function theilSen(t: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dt = t[j] - t[i];
      if (dt > 0) slopes[m++] = (y[j] - y[i]) / dt;
    }
  }
  return m ? medianInPlace(slopes, m) : 0;
}

/** Theil-Sen slope and Mann-Kendall S with its two-sided p-value. */
export function theilSenMannKendall(t: ArrayLike<number>, y: ArrayLike<number>, n: number): { slope: number; s: number; p: number } {
  const { s, p } = mannKendall(y, n);
  return { slope: theilSen(t, y, n), s, p };
}

/** Round to `digits` significant digits (keeps serialized state small). */
export function roundSig(x: number, digits = 7): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}
