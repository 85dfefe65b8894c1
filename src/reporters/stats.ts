/** Small statistics for report tables. Pure; empty input gives null, never NaN. */

/** Percentile by linear interpolation between closest ranks (`p` in 0..1). */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileSorted(sortedNumbers(values), p);
}

/** A sorted copy (ascending). */
export function sortedNumbers(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** `percentile` of values already sorted ascending (sort once, read several percentiles). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(Math.max(p, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

/** Epoch ms of an ISO instant; NaN-safe (malformed → null). */
export function epochMs(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** Smallest and largest of many values without spreading them into arguments (no stack limit). */
export function minOf(values: Iterable<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const v of values) if (v < min) min = v;
  return min;
}

export function maxOf(values: Iterable<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** Code-unit order: fast, and the same on every machine (localeCompare depends on the ICU locale). ISO instants sort right. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Display names: case-insensitive first, then exact, so the order is still total and stable. */
export function cmpText(a: string, b: string): number {
  return cmp(a.toLowerCase(), b.toLowerCase()) || cmp(a, b);
}
