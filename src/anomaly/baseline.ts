/**
 * The shared per-series baseline every value detector reads: a fixed ring of recent values and
 * their times, their robust location/scale (median/MAD, refreshed every few points), a slow level,
 * an hour-of-day and day-of-week profile that becomes the seasonal baseline once there is enough
 * history and it explains enough variance, and a tracker of the series' own |z| tail.
 * O(1) amortized per point; JSON (de)serializable within a few KB.
 *
 * Memory layout: everything numeric of a series lives in ONE ArrayBuffer, a float64 part (scalars,
 * value ring, time ring) followed by a float32 part (seasonal profile, then slots `carve`d out for
 * detectors' own state: the distribution sketch, the trend blocks). A series is then a handful of
 * heap objects instead of a dozen typed arrays and boxed doubles, which is what keeps 10,000 series
 * both small and fast (each observation touches a few adjacent cache lines, not a dozen objects).
 */
import { medianInPlace, roundSig } from './stats.js';

export const RING_SIZE = 64;
const REFRESH_EVERY = 8;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** 1970-01-01 was a Thursday: shift so day 0 is Monday. */
const DOW_OFFSET = 3;

// Float64 part: scalars, then the value ring, then the time ring.
const N = 0;
const HEAD = 1;
const SIZE = 2;
const FIRST_AT = 3;
const LAST_AT = 4;
const MEDIAN = 5;
const SCALE = 6;
const STALE = 7;
const LEVEL = 8;
const LONG_SCALE = 9;
const Q99 = 10;
const VAR_TOT = 11;
const VAR_REM = 12;
const VAR_REM_W = 13;
const SEASONAL = 14;
const DT_MS = 15;
const REGIME_START = 16;
/** Hour number (epoch hours) of the last learned point, and its hour-of-day and day-of-week. */
const HOUR_NO = 17;
const HOUR_OF_DAY = 18;
const DAY_OF_WEEK = 19;
const V = 24;
const T = V + RING_SIZE;
const F64_SLOTS = T + RING_SIZE;
// Float32 part: hour-of-day profile and visits, day-of-week profile and visits, then detectors' slots.
const HOD = 0;
const HOD_N = 24;
const DOW = 48;
const DOW_N = 55;
const F32_SLOTS = 64;

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
  /** Scalars, value ring at [V, V+64), time ring at [T, T+64). */
  private readonly f: Float64Array;
  /** Seasonal profile, then detectors' float32 slots from F32_SLOTS on. */
  private readonly g: Float32Array;
  private carved = F32_SLOTS;

  /** `extraF32`: float32 slots to reserve in the same buffer for detectors (see `carve`). */
  constructor(extraF32 = 0) {
    const buffer = new ArrayBuffer(F64_SLOTS * 8 + (F32_SLOTS + extraF32) * 4);
    this.f = new Float64Array(buffer, 0, F64_SLOTS);
    this.g = new Float32Array(buffer, F64_SLOTS * 8, F32_SLOTS + extraF32);
    const f = this.f;
    f[FIRST_AT] = NaN;
    f[LAST_AT] = NaN;
    f[MEDIAN] = NaN;
    f[SCALE] = NaN;
    f[LEVEL] = NaN;
    f[LONG_SCALE] = NaN;
    f[Q99] = 2.6;
    f[DT_MS] = NaN;
    f[HOUR_NO] = NaN;
  }

  /** A zeroed float32 view of `count` slots of this series' buffer (reserved by the constructor). */
  carve(count: number): Float32Array {
    if (this.carved + count > this.g.length) throw new RangeError(`baseline: ${count} float32 slots asked, ${this.g.length - this.carved} reserved`);
    const view = this.g.subarray(this.carved, this.carved + count);
    this.carved += count;
    return view;
  }

  /** Observations seen, ever. */
  get n(): number {
    return this.f[N];
  }
  /** Next write position in the ring, and how many ring slots hold values. */
  get head(): number {
    return this.f[HEAD];
  }
  get size(): number {
    return this.f[SIZE];
  }
  get firstAt(): number {
    return this.f[FIRST_AT];
  }
  get lastAt(): number {
    return this.f[LAST_AT];
  }
  /** Robust location and scale of the (seasonally adjusted) ring. */
  get median(): number {
    return this.f[MEDIAN];
  }
  get scale(): number {
    return this.f[SCALE];
  }
  /** Slow level (about a day of memory) the seasonal profile is measured against. */
  get level(): number {
    return this.f[LEVEL];
  }
  /** Slow average of the ring scale: floors the scale in quiet periods. */
  get longScale(): number {
    return this.f[LONG_SCALE];
  }
  /** Tracked 99th percentile of |z|: heavy-tailed series get a higher spike threshold. */
  get q99(): number {
    return this.f[Q99];
  }
  /** 0 none, 1 daily, 2 daily + weekly. */
  get seasonal(): 0 | 1 | 2 {
    return this.f[SEASONAL] as 0 | 1 | 2;
  }
  /** Typical interval between points (EWMA). */
  get dtMs(): number {
    return this.f[DT_MS];
  }
  /** Series index where the current regime started (the last confirmed change point). */
  get regimeStart(): number {
    return this.f[REGIME_START];
  }
  /** Hour-of-day profile (offsets from the level, UTC hours). */
  hourProfile(h: number): number {
    return this.g[HOD + h];
  }

  /** Seasonal offset expected at `at` (0 until seasonality is on). */
  seasonalAt(at: number): number {
    const seasonal = this.f[SEASONAL];
    if (seasonal === 0) return 0;
    const g = this.g;
    let s = g[HOD + (Math.floor(at / HOUR_MS) % 24)];
    if (seasonal === 2) s += g[DOW + ((Math.floor(at / DAY_MS) + DOW_OFFSET) % 7)];
    return s;
  }

  /** Expected value at `at`. */
  expected(at: number): number {
    return this.f[SEASONAL] === 0 ? this.f[MEDIAN] : this.f[MEDIAN] + this.seasonalAt(at);
  }

  /** Effective robust sigma (never below half the long-run one, never 0). */
  sigma(): number {
    const f = this.f;
    const half = f[LONG_SCALE] * 0.5;
    return half > f[SCALE] ? half : f[SCALE];
  }

  /** Signed robust z of `x` at `at` against the current baseline. */
  z(x: number, at: number): number {
    return (x - this.expected(at)) / this.sigma();
  }

  /** Add a point (after detectors looked at it). */
  push(x: number, at: number): void {
    const f = this.f;
    const n = f[N];
    if (n === 0) f[FIRST_AT] = at;
    else {
      const dt = at - f[LAST_AT];
      if (dt > 0) f[DT_MS] = Number.isNaN(f[DT_MS]) ? dt : f[DT_MS] + 0.05 * (dt - f[DT_MS]);
    }
    this.learnSeason(x, at);
    const head = f[HEAD];
    f[V + head] = x;
    f[T + head] = at;
    f[HEAD] = head + 1 === RING_SIZE ? 0 : head + 1;
    if (f[SIZE] < RING_SIZE) f[SIZE]++;
    f[N] = n + 1;
    f[LAST_AT] = at;
    if (++f[STALE] >= REFRESH_EVERY || n < 24) this.refresh();
  }

  /** Track the |z| tail (call with the point's z before pushing it). */
  trackTail(absZ: number): void {
    if (!Number.isFinite(absZ)) return;
    const f = this.f;
    // Learn fast while young, then slowly (stochastic approximation of the 99th percentile).
    const step = f[N] < 300 ? 0.2 : 0.05;
    let q = f[Q99];
    if (absZ > q) q += step * 0.99;
    else q -= step * 0.01;
    f[Q99] = q < 2 ? 2 : q > 12 ? 12 : q;
  }

  /** Recompute median and scale of the seasonally adjusted ring. */
  refresh(): void {
    const f = this.f;
    f[STALE] = 0;
    const n = f[SIZE];
    if (n === 0) return;
    if (f[SEASONAL] === 0) for (let i = 0; i < n; i++) scratch[i] = f[V + i];
    else for (let i = 0; i < n; i++) scratch[i] = f[V + i] - this.seasonalAt(f[T + i]);
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
    f[MEDIAN] = med;
    f[SCALE] = scale;
    if (n >= 16) f[LONG_SCALE] = Number.isNaN(f[LONG_SCALE]) ? scale : f[LONG_SCALE] + 0.02 * (scale - f[LONG_SCALE]);
  }

  /**
   * A confirmed change point: the newest `recent` points are the new regime, so shift the older
   * ones by `delta` (the ring keeps its scale and the baseline is the new level at once).
   */
  shiftOlder(recent: number, delta: number): void {
    const f = this.f;
    f[REGIME_START] = f[N] - recent;
    const size = f[SIZE];
    const older = size - recent;
    for (let i = 0; i < older; i++) f[V + ((f[HEAD] - size + i + RING_SIZE * 2) % RING_SIZE)] += delta;
    this.refresh();
  }

  /** Copy the seasonally adjusted values into `out`: the `count` points ending `skipNewest` before the newest. */
  adjusted(out: Float64Array, count: number, skipNewest: number): number {
    const f = this.f;
    const available = Math.max(0, f[SIZE] - skipNewest);
    const m = Math.min(count, available);
    const from = f[HEAD] - skipNewest - m + RING_SIZE * 2;
    const seasonal = f[SEASONAL] !== 0;
    for (let i = 0; i < m; i++) {
      const idx = (from + i) % RING_SIZE;
      out[i] = seasonal ? f[V + idx] - this.seasonalAt(f[T + idx]) : f[V + idx];
    }
    return m;
  }

  /** Copy the raw values of the newest `count` points (oldest first) into `out`; returns how many. */
  recent(out: Float64Array, count: number): number {
    const f = this.f;
    const m = Math.min(count, f[SIZE]);
    const from = f[HEAD] - m + RING_SIZE;
    for (let i = 0; i < m; i++) out[i] = f[V + ((from + i) % RING_SIZE)];
    return m;
  }

  /** Time of the point `k` places before the newest (0 = newest). */
  timeAgo(k: number): number {
    const f = this.f;
    return f[T + ((f[HEAD] - 1 - k + RING_SIZE * 2) % RING_SIZE)];
  }

  /** Span of history in ms. */
  spanMs(): number {
    return this.f[N] ? this.f[LAST_AT] - this.f[FIRST_AT] : 0;
  }

  /** Share of variance around the slow level explained by the seasonal profile (0..1). */
  seasonalStrength(): number {
    const f = this.f;
    return f[VAR_TOT] > 0 && f[VAR_REM_W] > 0 ? Math.max(0, 1 - f[VAR_REM] / f[VAR_TOT]) : 0;
  }

  /** Learn the slow level and the hour-of-day / day-of-week profile from one point. */
  private learnSeason(x: number, at: number): void {
    const f = this.f;
    const g = this.g;
    if (Number.isNaN(f[LEVEL])) {
      f[LEVEL] = x;
      return;
    }
    const dt = f[N] > 0 && at > f[LAST_AT] ? at - f[LAST_AT] : Number.isNaN(f[DT_MS]) ? HOUR_MS : f[DT_MS];
    // Level: about a day of memory; profile buckets: about three days of visits each.
    const aLevel = Math.min(0.5, dt / DAY_MS);
    const sig = Number.isNaN(f[SCALE]) ? Math.abs(x - f[LEVEL]) + 1e-9 : this.sigma();
    const raw = x - f[LEVEL];
    // The level moves slowly and ignores outliers (6 sigmas of the recent ring)...
    const capLevel = 6 * sig;
    f[LEVEL] += aLevel * (raw > capLevel ? capLevel : raw < -capLevel ? -capLevel : raw);
    // ...while the profile must learn swings far larger than the local noise: its clip grows with
    // the spread around the level itself.
    const varTot = f[VAR_TOT];
    const capSeason = 6 * sig + 4 * Math.sqrt(varTot);
    const dev = raw > capSeason ? capSeason : raw < -capSeason ? -capSeason : raw;
    // Hour of day and day of week, computed once per hour of the series' time.
    const hourNo = Math.floor(at / HOUR_MS);
    if (hourNo !== f[HOUR_NO]) {
      f[HOUR_NO] = hourNo;
      f[HOUR_OF_DAY] = hourNo % 24;
      f[DAY_OF_WEEK] = (Math.floor(at / DAY_MS) + DOW_OFFSET) % 7;
    }
    const h = f[HOUR_OF_DAY];
    const hodN = g[HOD_N + h];
    const aHod = Math.max(Math.min(0.5, dt / (3 * HOUR_MS)), 1 / (hodN + 1));
    g[HOD_N + h] = hodN + 1 > 1e6 ? 1e6 : hodN + 1;
    const rem = dev - g[HOD + h];
    g[HOD + h] += aHod * rem;
    const d = f[DAY_OF_WEEK];
    const dowN = g[DOW_N + d];
    const aDow = Math.max(Math.min(0.5, dt / (3 * DAY_MS)), 1 / (dowN + 1));
    g[DOW_N + d] = dowN + 1 > 1e6 ? 1e6 : dowN + 1;
    g[DOW + d] += aDow * (rem - g[DOW + d]);
    const aVar = Math.min(0.5, dt / (3 * DAY_MS));
    f[VAR_TOT] = varTot + aVar * (dev * dev - varTot);
    const r2 = f[SEASONAL] === 2 ? rem - g[DOW + d] : rem;
    f[VAR_REM] += aVar * (r2 * r2 - f[VAR_REM]);
    f[VAR_REM_W] += aVar * (1 - f[VAR_REM_W]);
  }

  /** Switch the seasonal baseline on/off (hysteresis: on at `strength`, off below 60% of it). */
  updateSeasonality(minDays: number, strength: number): boolean {
    const f = this.f;
    const span = this.spanMs();
    const s = this.seasonalStrength();
    const before = f[SEASONAL];
    if (before === 0 && span >= minDays * DAY_MS && s >= strength) f[SEASONAL] = span >= 14 * DAY_MS ? 2 : 1;
    else if (before === 1 && span >= 14 * DAY_MS) f[SEASONAL] = 2;
    else if (before > 0 && s < strength * 0.6) f[SEASONAL] = 0;
    if (before !== f[SEASONAL]) this.refresh();
    return before !== f[SEASONAL];
  }

  toJSON(): BaselineJSON {
    const f = this.f;
    const g = this.g;
    const size = f[SIZE];
    const v: number[] = [];
    const t: number[] = [];
    let prev = 0;
    for (let i = 0; i < size; i++) {
      const idx = (f[HEAD] - size + i + RING_SIZE) % RING_SIZE;
      v.push(roundSig(f[V + idx], 6));
      // Times delta-encoded (first absolute): small numbers in JSON.
      t.push(f[T + idx] - prev);
      prev = f[T + idx];
    }
    const arr = (from: number, count: number, round: boolean) => Array.from(g.subarray(from, from + count), (x) => (round ? roundSig(x, 6) : x));
    return {
      v,
      t,
      head: size % RING_SIZE,
      size,
      n: f[N],
      firstAt: f[FIRST_AT],
      lastAt: f[LAST_AT],
      level: roundSig(f[LEVEL]),
      longScale: roundSig(f[LONG_SCALE]),
      q99: roundSig(f[Q99], 4),
      hod: arr(HOD, 24, true),
      hodN: arr(HOD_N, 24, false),
      dow: arr(DOW, 7, true),
      dowN: arr(DOW_N, 7, false),
      varTot: roundSig(f[VAR_TOT]),
      varRem: roundSig(f[VAR_REM]),
      varRemW: roundSig(f[VAR_REM_W]),
      seasonal: this.seasonal,
      dtMs: roundSig(f[DT_MS]),
      regimeStart: f[REGIME_START],
    };
  }

  static fromJSON(j: BaselineJSON, extraF32 = 0): Baseline {
    const b = new Baseline(extraF32);
    const f = b.f;
    const g = b.g;
    const size = Math.min(j.v.length, j.t.length, RING_SIZE);
    let at = 0;
    for (let i = 0; i < size; i++) {
      at += j.t[i];
      f[V + i] = j.v[i];
      f[T + i] = at;
    }
    f[SIZE] = size;
    f[HEAD] = size % RING_SIZE;
    f[N] = j.n;
    f[FIRST_AT] = j.firstAt ?? NaN;
    f[LAST_AT] = j.lastAt ?? NaN;
    f[LEVEL] = j.level ?? NaN;
    f[LONG_SCALE] = j.longScale ?? NaN;
    f[Q99] = j.q99;
    for (let i = 0; i < 24; i++) {
      g[HOD + i] = j.hod[i] ?? 0;
      g[HOD_N + i] = j.hodN[i] ?? 0;
    }
    for (let i = 0; i < 7; i++) {
      g[DOW + i] = j.dow[i] ?? 0;
      g[DOW_N + i] = j.dowN[i] ?? 0;
    }
    f[VAR_TOT] = j.varTot;
    f[VAR_REM] = j.varRem;
    f[VAR_REM_W] = j.varRemW;
    f[SEASONAL] = j.seasonal;
    f[DT_MS] = j.dtMs ?? NaN;
    f[REGIME_START] = j.regimeStart ?? 0;
    b.refresh();
    return b;
  }
}
