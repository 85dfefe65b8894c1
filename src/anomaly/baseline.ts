/**
 * The shared per-series baseline every value detector reads: a fixed ring of recent values
 * (Float64Array), their robust location/scale (median/MAD, refreshed every few points), a slow
 * level, an hour-of-day and day-of-week profile that becomes the seasonal baseline once there is
 * enough history and it explains enough variance, and a tracker of the series' own |z| tail.
 * O(1) amortized per point; JSON (de)serializable within a few KB.
 */
import { medianInPlace, roundSig } from './stats.js';

export const RING_SIZE = 64;
const REFRESH_EVERY = 8;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** 1970-01-01 was a Thursday: shift so day 0 is Monday. */
const DOW_OFFSET = 3;

const scratch = new Float64Array(RING_SIZE);

export interface BaselineJSON {
  v: number[];
  /** Times, delta-encoded: the first absolute (epoch ms), then differences. */
  t: number[];
  head: number;
  size: number;
  n: number;
  firstAt: number;
  lastAt: number;
  level: number;
  longScale: number;
  q99: number;
  hod: number[];
  hodN: number[];
  dow: number[];
  dowN: number[];
  varTot: number;
  varRem: number;
  varRemW: number;
  seasonal: 0 | 1 | 2;
  dtMs: number;
  regimeStart: number;
}

export class Baseline {
  readonly values = new Float64Array(RING_SIZE);
  readonly times = new Float64Array(RING_SIZE);
  head = 0;
  size = 0;
  /** Observations seen, ever. */
  n = 0;
  firstAt = NaN;
  lastAt = NaN;
  /** Robust location and scale of the (seasonally adjusted) ring. */
  median = NaN;
  scale = NaN;
  private stale = 0;
  /** Slow level (about a day of memory) the seasonal profile is measured against. */
  level = NaN;
  /** Slow average of the ring scale: floors the scale in quiet periods. */
  longScale = NaN;
  /** Tracked 99th percentile of |z|: heavy-tailed series get a higher spike threshold. */
  q99 = 2.6;
  readonly hod = new Float32Array(24);
  readonly hodN = new Float32Array(24);
  readonly dow = new Float32Array(7);
  readonly dowN = new Float32Array(7);
  private varTot = 0;
  private varRem = 0;
  private varRemW = 0;
  /** 0 none, 1 daily, 2 daily + weekly. */
  seasonal: 0 | 1 | 2 = 0;
  /** Typical interval between points (EWMA). */
  dtMs = NaN;
  /** Series index where the current regime started (the last confirmed change point). */
  regimeStart = 0;

  /** Seasonal offset expected at `at` (0 until seasonality is on). */
  seasonalAt(at: number): number {
    if (this.seasonal === 0) return 0;
    const h = Math.floor(at / HOUR_MS) % 24;
    let s = this.hod[h];
    if (this.seasonal === 2) s += this.dow[(Math.floor(at / DAY_MS) + DOW_OFFSET) % 7];
    return s;
  }

  /** Expected value at `at`. */
  expected(at: number): number {
    return this.median + this.seasonalAt(at);
  }

  /** Effective robust sigma (never below half the long-run one, never 0). */
  sigma(): number {
    let s = this.scale;
    if (this.longScale * 0.5 > s) s = this.longScale * 0.5;
    return s;
  }

  /** Signed robust z of `x` at `at` against the current baseline. */
  z(x: number, at: number): number {
    return (x - this.expected(at)) / this.sigma();
  }

  /** Add a point (after detectors looked at it). */
  push(x: number, at: number): void {
    if (this.n === 0) this.firstAt = at;
    else {
      const dt = at - this.lastAt;
      if (dt > 0) this.dtMs = Number.isNaN(this.dtMs) ? dt : this.dtMs + 0.05 * (dt - this.dtMs);
    }
    this.learnSeason(x, at);
    this.values[this.head] = x;
    this.times[this.head] = at;
    this.head = (this.head + 1) % RING_SIZE;
    if (this.size < RING_SIZE) this.size++;
    this.n++;
    this.lastAt = at;
    if (++this.stale >= REFRESH_EVERY || this.n <= 24) this.refresh();
  }

  /** Track the |z| tail (call with the point's z before pushing it). */
  trackTail(absZ: number): void {
    if (!Number.isFinite(absZ)) return;
    // Learn fast while young, then slowly (stochastic approximation of the 99th percentile).
    const step = this.n < 300 ? 0.2 : 0.05;
    if (absZ > this.q99) this.q99 += step * 0.99;
    else this.q99 -= step * 0.01;
    if (this.q99 < 2) this.q99 = 2;
    else if (this.q99 > 12) this.q99 = 12;
  }

  /** Recompute median and scale of the seasonally adjusted ring. */
  refresh(): void {
    this.stale = 0;
    const n = this.size;
    if (n === 0) return;
    if (this.seasonal === 0) scratch.set(n === RING_SIZE ? this.values : this.values.subarray(0, n));
    else for (let i = 0; i < n; i++) scratch[i] = this.values[i] - this.seasonalAt(this.times[i]);
    const med = medianInPlace(scratch, n);
    let sumAbs = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(scratch[i] - med);
      scratch[i] = d;
      sumAbs += d;
    }
    let scale = 1.4826 * medianInPlace(scratch, n);
    if (!(scale > 0)) scale = 1.2533 * (sumAbs / n);
    // Resolution floor: 0.5% of the level (noise-free series would otherwise make any model error huge).
    const floor = Math.max(1e-9, Math.abs(med) * 5e-3);
    if (!(scale > floor)) scale = floor;
    this.median = med;
    this.scale = scale;
    if (n >= 16) this.longScale = Number.isNaN(this.longScale) ? scale : this.longScale + 0.02 * (scale - this.longScale);
  }

  /**
   * A confirmed change point: the newest `recent` points are the new regime, so shift the older
   * ones by `delta` (the ring keeps its scale and the baseline is the new level at once).
   */
  shiftOlder(recent: number, delta: number): void {
    this.regimeStart = this.n - recent;
    const older = this.size - recent;
    for (let i = 0; i < older; i++) {
      const idx = (this.head - this.size + i + RING_SIZE * 2) % RING_SIZE;
      this.values[idx] += delta;
    }
    this.refresh();
  }

  /** Copy the seasonally adjusted values into `out`: the `count` points ending `skipNewest` before the newest. */
  adjusted(out: Float64Array, count: number, skipNewest: number): number {
    const available = Math.max(0, this.size - skipNewest);
    const m = Math.min(count, available);
    for (let i = 0; i < m; i++) {
      const idx = (this.head - skipNewest - m + i + RING_SIZE * 2) % RING_SIZE;
      out[i] = this.seasonal === 0 ? this.values[idx] : this.values[idx] - this.seasonalAt(this.times[idx]);
    }
    return m;
  }

  /** Time of the point `k` places before the newest (0 = newest). */
  timeAgo(k: number): number {
    return this.times[(this.head - 1 - k + RING_SIZE * 2) % RING_SIZE];
  }

  /** Span of history in ms. */
  spanMs(): number {
    return this.n ? this.lastAt - this.firstAt : 0;
  }

  /** Share of variance around the slow level explained by the seasonal profile (0..1). */
  seasonalStrength(): number {
    return this.varTot > 0 && this.varRemW > 0 ? Math.max(0, 1 - this.varRem / this.varTot) : 0;
  }

  private learnSeason(x: number, at: number): void {
    if (Number.isNaN(this.level)) {
      this.level = x;
      return;
    }
    const dt = this.n > 0 && at > this.lastAt ? at - this.lastAt : Number.isNaN(this.dtMs) ? HOUR_MS : this.dtMs;
    // Level: about a day of memory; profile buckets: about three days of visits each.
    const aLevel = Math.min(0.5, dt / DAY_MS);
    const sig = Number.isNaN(this.scale) ? Math.abs(x - this.level) + 1e-9 : this.sigma();
    const raw = x - this.level;
    // The level moves slowly and ignores outliers (6 sigmas of the recent ring)...
    const capLevel = 6 * sig;
    this.level += aLevel * (raw > capLevel ? capLevel : raw < -capLevel ? -capLevel : raw);
    // ...while the profile must learn swings far larger than the local noise: its clip grows with
    // the spread around the level itself.
    const capSeason = 6 * sig + 4 * Math.sqrt(this.varTot);
    const dev = raw > capSeason ? capSeason : raw < -capSeason ? -capSeason : raw;
    const h = Math.floor(at / HOUR_MS) % 24;
    const aHod = Math.max(Math.min(0.5, dt / (3 * HOUR_MS)), 1 / (this.hodN[h] + 1));
    this.hodN[h] = Math.min(this.hodN[h] + 1, 1e6);
    const rem = dev - this.hod[h];
    this.hod[h] += aHod * rem;
    const d = (Math.floor(at / DAY_MS) + DOW_OFFSET) % 7;
    const aDow = Math.max(Math.min(0.5, dt / (3 * DAY_MS)), 1 / (this.dowN[d] + 1));
    this.dowN[d] = Math.min(this.dowN[d] + 1, 1e6);
    this.dow[d] += aDow * (rem - this.dow[d]);
    const aVar = Math.min(0.5, dt / (3 * DAY_MS));
    this.varTot += aVar * (dev * dev - this.varTot);
    const r2 = this.seasonal === 2 ? rem - this.dow[d] : rem;
    this.varRem += aVar * (r2 * r2 - this.varRem);
    this.varRemW += aVar * (1 - this.varRemW);
  }

  /** Switch the seasonal baseline on/off (hysteresis: on at `strength`, off below 60% of it). */
  updateSeasonality(minDays: number, strength: number): boolean {
    const span = this.spanMs();
    const s = this.seasonalStrength();
    const before = this.seasonal;
    if (this.seasonal === 0 && span >= minDays * DAY_MS && s >= strength) this.seasonal = span >= 14 * DAY_MS ? 2 : 1;
    else if (this.seasonal === 1 && span >= 14 * DAY_MS) this.seasonal = 2;
    else if (this.seasonal > 0 && s < strength * 0.6) this.seasonal = 0;
    if (before !== this.seasonal) this.refresh();
    return before !== this.seasonal;
  }

  toJSON(): BaselineJSON {
    const v: number[] = [];
    const t: number[] = [];
    let prev = 0;
    for (let i = 0; i < this.size; i++) {
      const idx = (this.head - this.size + i + RING_SIZE) % RING_SIZE;
      v.push(roundSig(this.values[idx], 6));
      // Times delta-encoded (first absolute): small numbers in JSON.
      t.push(this.times[idx] - prev);
      prev = this.times[idx];
    }
    const arr = (a: Float32Array) => Array.from(a, (x) => roundSig(x, 6));
    return {
      v,
      t,
      head: this.size % RING_SIZE,
      size: this.size,
      n: this.n,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      level: roundSig(this.level),
      longScale: roundSig(this.longScale),
      q99: roundSig(this.q99, 4),
      hod: arr(this.hod),
      hodN: Array.from(this.hodN),
      dow: arr(this.dow),
      dowN: Array.from(this.dowN),
      varTot: roundSig(this.varTot),
      varRem: roundSig(this.varRem),
      varRemW: roundSig(this.varRemW),
      seasonal: this.seasonal,
      dtMs: roundSig(this.dtMs),
      regimeStart: this.regimeStart,
    };
  }

  static fromJSON(j: BaselineJSON): Baseline {
    const b = new Baseline();
    const size = Math.min(j.v.length, j.t.length, RING_SIZE);
    let at = 0;
    for (let i = 0; i < size; i++) {
      at += j.t[i];
      b.values[i] = j.v[i];
      b.times[i] = at;
    }
    b.size = size;
    b.head = size % RING_SIZE;
    b.n = j.n;
    b.firstAt = j.firstAt ?? NaN;
    b.lastAt = j.lastAt ?? NaN;
    b.level = j.level ?? NaN;
    b.longScale = j.longScale ?? NaN;
    b.q99 = j.q99;
    for (let i = 0; i < 24; i++) {
      b.hod[i] = j.hod[i] ?? 0;
      b.hodN[i] = j.hodN[i] ?? 0;
    }
    for (let i = 0; i < 7; i++) {
      b.dow[i] = j.dow[i] ?? 0;
      b.dowN[i] = j.dowN[i] ?? 0;
    }
    b.varTot = j.varTot;
    b.varRem = j.varRem;
    b.varRemW = j.varRemW;
    b.seasonal = j.seasonal;
    b.dtMs = j.dtMs ?? NaN;
    b.regimeStart = j.regimeStart ?? 0;
    b.refresh();
    return b;
  }
}
