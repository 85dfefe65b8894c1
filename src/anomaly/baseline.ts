/**
 * The shared per-series baseline every value detector reads: a fixed ring of recent values and
 * their times, their robust location/scale (median/MAD, refreshed every few points), a slow level,
 * an hour-of-day and day-of-week profile that becomes the seasonal baseline once there is enough
 * history and it explains enough variance, and a tracker of the series' own |z| tail.
 * O(1) amortized per point; JSON (de)serializable within a few KB.
 *
 * Memory layout: everything numeric of a series lives in ONE block of a shared arena chunk: a
 * float64 part (scalars, the detectors' scalars, the ring of (value, time) pairs) and a float32
 * part (seasonal profile, then slots carved out for detectors' own state: the distribution
 * sketch, the trend blocks). A series is then a handful of
 * heap objects instead of a dozen typed arrays and boxed doubles, which is what keeps 10,000 series
 * both small and fast (each observation touches a few adjacent cache lines, not a dozen objects).
 */
import { medianNear, roundSig } from './stats.js';

export const RING_SIZE = 64;
const REFRESH_EVERY = 8;
/**
 * Once the ring is full, refresh every 32 points: each refresh reads the whole ring (16 cache
 * lines, a miss each on a fleet of series), and a level shift refreshes at once anyway (see
 * `shiftOlder`). Measured on the scenario suite and NAB: false findings within a few percent of
 * refreshing every 8 points, at a fraction of the memory traffic.
 */
const REFRESH_EVERY_FULL = 32;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const INV_DAY_MS = 1 / DAY_MS;
const INV_3_HOURS_MS = 1 / (3 * HOUR_MS);
const INV_3_DAYS_MS = 1 / (3 * DAY_MS);
/** 1970-01-01 was a Thursday: shift so day 0 is Monday. */
const DOW_OFFSET = 3;

// Float64 part: the scalars read or written on every point first (they share cache lines), then
// the ring as (value, time) pairs so that a push touches one line.
const N = 0;
const HEAD = 1;
const SIZE = 2;
const STALE = 3;
const MEDIAN = 4;
const SCALE = 5;
const LONG_SCALE = 6;
const LAST_AT = 7;
const LEVEL = 8;
const Q99 = 9;
const VAR_TOT = 10;
const VAR_REM = 11;
const VAR_REM_W = 12;
const DT_MS = 13;
const SEASONAL = 14;
/** Hour number (epoch hours) of the last learned point, and its hour-of-day and day-of-week. */
const HOUR_NO = 15;
const HOUR_OF_DAY = 16;
const DAY_OF_WEEK = 17;
const FIRST_AT = 18;
const REGIME_START = 19;
/**
 * The profile buckets of the current hour (hour of day HOUR_OF_DAY, day of week DAY_OF_WEEK):
 * offset and visits of each, learned here on every point and written back to the float32
 * profile when the hour changes (see `learn`), so a point touches no profile line.
 */
const CUR_HOD = 20;
const CUR_HOD_N = 21;
const CUR_DOW = 22;
const CUR_DOW_N = 23;
/**
 * Points whose seasonal learning is done, and the time of the last of them: `push` only stores a
 * point; `learn` takes the level and profile through the pending ones in one pass, before anything
 * reads them or changes what they depend on (see `learn`).
 */
const LEARNED_N = 24;
const LEARNED_AT = 25;
/** Scalars above; detectors' float64 slots follow them (hot on every point too), then the ring. */
const SCALARS = 26;
const F64_SLOTS = SCALARS + 2 * RING_SIZE;
// Float32 part: hour-of-day (offset, visits) pairs, day-of-week pairs, then detectors' slots.
const HOD = 0;
const DOW = 48;
const F32_SLOTS = 64;

const LINE = 64;
const FIRST_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;

/**
 * Hands out per-series blocks of numeric state from shared chunks (bump allocation, 64-byte
 * aligned): a series' block is found through two shared typed arrays and an offset, so the JS
 * heap holds no typed array per series and an observation's first touch is the data itself.
 * One arena per core; blocks are not reused (series live as long as their core).
 */
export class SeriesArena {
  private buffer: ArrayBuffer | null = null;
  private f64 = new Float64Array(0);
  private f32 = new Float32Array(0);
  private used = 0;
  private chunkBytes = FIRST_CHUNK;

  /** A zeroed block of `f64Slots` float64 then `f32Slots` float32. */
  alloc(f64Slots: number, f32Slots: number): { f64: Float64Array; f32: Float32Array; o64: number; o32: number } {
    const bytes = Math.ceil((f64Slots * 8 + f32Slots * 4) / LINE) * LINE;
    if (!this.buffer || this.used + bytes > this.buffer.byteLength) {
      while (this.chunkBytes < bytes) this.chunkBytes *= 2;
      this.buffer = new ArrayBuffer(this.chunkBytes);
      this.f64 = new Float64Array(this.buffer);
      this.f32 = new Float32Array(this.buffer);
      this.used = 0;
      if (this.chunkBytes < MAX_CHUNK) this.chunkBytes *= 2;
    }
    const at = this.used;
    this.used += bytes;
    return { f64: this.f64, f32: this.f32, o64: at / 8, o32: (at + f64Slots * 8) / 4 };
  }
}

const scratch = new Float64Array(RING_SIZE);
const RING_MASK = RING_SIZE - 1;

// Index arithmetic on int32 values: the counters live in a Float64Array, and `%` on doubles is a
// call into fmod (tens of ns) where `| 0` then `%` or `&` is one instruction.
/** UTC hour of day (0-23), also for times before 1970. */
function hourOfDay(at: number): number {
  const h = (Math.floor(at / HOUR_MS) | 0) % 24;
  return h < 0 ? h + 24 : h;
}

/** Day of week (0 = Monday), also for times before 1970. */
function dayOfWeek(at: number): number {
  const d = ((Math.floor(at / DAY_MS) | 0) + DOW_OFFSET) % 7;
  return d < 0 ? d + 7 : d;
}

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
  /** The arena chunk's float64 view; this series' block starts at `o`: scalars, detectors' float64 slots, then the ring. */
  readonly f64: Float64Array;
  private readonly o: number;
  /** Where this series' ring of (value, time) pairs starts in `f64`. */
  private readonly v: number;
  /** The same chunk's float32 view; this series' seasonal profile starts at `og`, detectors' slots after it. */
  readonly f32: Float32Array;
  private readonly og: number;
  private carved32: number;
  private readonly end32: number;
  private carved64: number;
  private end64: number;

  /** `extra`: slots to reserve for detectors (see `carve32`, `carve64`); `arena`: where the block lives. */
  constructor(extra: { f32?: number; f64?: number } = {}, arena: SeriesArena = new SeriesArena()) {
    const extra32 = extra.f32 ?? 0;
    const extra64 = extra.f64 ?? 0;
    // Detector slots between the scalars and the ring (even count, so ring pairs never straddle a line).
    const detector64 = extra64 + (extra64 & 1);
    const block = arena.alloc(F64_SLOTS + detector64, F32_SLOTS + extra32);
    this.f64 = block.f64;
    this.o = block.o64;
    this.v = block.o64 + SCALARS + detector64;
    this.f32 = block.f32;
    this.og = block.o32;
    this.carved32 = block.o32 + F32_SLOTS;
    this.end32 = this.carved32 + extra32;
    this.carved64 = block.o64 + SCALARS;
    this.end64 = this.carved64 + extra64;
    const f = this.f64;
    const o = this.o;
    f[o + FIRST_AT] = NaN;
    f[o + LAST_AT] = NaN;
    f[o + MEDIAN] = NaN;
    f[o + SCALE] = NaN;
    f[o + LEVEL] = NaN;
    f[o + LONG_SCALE] = NaN;
    f[o + Q99] = 2.6;
    f[o + DT_MS] = NaN;
    f[o + HOUR_NO] = NaN;
    f[o + HOUR_OF_DAY] = -1;
    f[o + DAY_OF_WEEK] = -1;
    f[o + LEARNED_AT] = NaN;
  }

  /** Reserve `count` zeroed float32 slots for a detector: returns their index in `f32`. */
  carve32(count: number): number {
    if (this.carved32 + count > this.end32) throw new RangeError(`baseline: ${count} float32 slots asked, ${this.end32 - this.carved32} reserved`);
    const at = this.carved32;
    this.carved32 += count;
    return at;
  }

  /**
   * Reserve `count` zeroed float64 slots for a detector, for what it reads or writes on every
   * point: they are taken from the start of the detectors' region, next to the baseline's own
   * scalars (a point's reads then stay in the block's first lines). Returns their index in `f64`.
   */
  carve64(count: number): number {
    if (this.carved64 + count > this.end64) throw new RangeError(`baseline: ${count} float64 slots asked, ${this.end64 - this.carved64} reserved`);
    const at = this.carved64;
    this.carved64 += count;
    return at;
  }

  /** `carve64` for slots read only now and then: taken from the end of the detectors' region. */
  carveCold64(count: number): number {
    if (this.carved64 + count > this.end64) throw new RangeError(`baseline: ${count} float64 slots asked, ${this.end64 - this.carved64} reserved`);
    this.end64 -= count;
    return this.end64;
  }

  /** Observations seen, ever. */
  get n(): number {
    return this.f64[this.o + N];
  }
  /** Next write position in the ring, and how many ring slots hold values. */
  get head(): number {
    return this.f64[this.o + HEAD];
  }
  get size(): number {
    return this.f64[this.o + SIZE];
  }
  get firstAt(): number {
    return this.f64[this.o + FIRST_AT];
  }
  get lastAt(): number {
    return this.f64[this.o + LAST_AT];
  }
  /** Robust location and scale of the (seasonally adjusted) ring. */
  get median(): number {
    return this.f64[this.o + MEDIAN];
  }
  get scale(): number {
    return this.f64[this.o + SCALE];
  }
  /** Slow level (about a day of memory) the seasonal profile is measured against. */
  get level(): number {
    this.learn();
    return this.f64[this.o + LEVEL];
  }
  /** Slow average of the ring scale: floors the scale in quiet periods. */
  get longScale(): number {
    return this.f64[this.o + LONG_SCALE];
  }
  /** Tracked 99th percentile of |z|: heavy-tailed series get a higher spike threshold. */
  get q99(): number {
    return this.f64[this.o + Q99];
  }
  /** 0 none, 1 daily, 2 daily + weekly. */
  get seasonal(): 0 | 1 | 2 {
    return this.f64[this.o + SEASONAL] as 0 | 1 | 2;
  }
  /** Typical interval between points (EWMA). */
  get dtMs(): number {
    return this.f64[this.o + DT_MS];
  }
  /** Series index where the current regime started (the last confirmed change point). */
  get regimeStart(): number {
    return this.f64[this.o + REGIME_START];
  }
  /** Hour-of-day profile (offsets from the level, UTC hours). */
  hourProfile(h: number): number {
    this.learn();
    return h === this.f64[this.o + HOUR_OF_DAY] ? this.f64[this.o + CUR_HOD] : this.f32[this.og + HOD + 2 * h];
  }

  /** Day-of-week profile (offsets from the level after the hour of day, 0 = Monday). */
  private dayProfile(d: number): number {
    return d === this.f64[this.o + DAY_OF_WEEK] ? this.f64[this.o + CUR_DOW] : this.f32[this.og + DOW + 2 * d];
  }

  /** Seasonal offset expected at `at` (0 until seasonality is on). */
  seasonalAt(at: number): number {
    const seasonal = this.f64[this.o + SEASONAL];
    if (seasonal === 0) return 0;
    this.learn();
    let s = this.hourProfile(hourOfDay(at));
    if (seasonal === 2) s += this.dayProfile(dayOfWeek(at));
    return s;
  }

  /** Expected value at `at`. */
  expected(at: number): number {
    return this.f64[this.o + SEASONAL] === 0 ? this.f64[this.o + MEDIAN] : this.f64[this.o + MEDIAN] + this.seasonalAt(at);
  }

  /** Effective robust sigma (never below half the long-run one, never 0). */
  sigma(): number {
    const f = this.f64;
    const o = this.o;
    const half = f[o + LONG_SCALE] * 0.5;
    return half > f[o + SCALE] ? half : f[o + SCALE];
  }

  /** Signed robust z of `x` at `at` against the current baseline. */
  z(x: number, at: number): number {
    return (x - this.expected(at)) / this.sigma();
  }

  /**
   * Add a point (after detectors looked at it). It is stored; its share of the seasonal learning
   * waits for the next `learn` (at the next refresh, or before anything reads the level or the
   * profile), which takes a batch of points in one pass with its state in registers.
   */
  push(x: number, at: number): void {
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    const n = f[o + N];
    if (n === 0) f[o + FIRST_AT] = at;
    else {
      const d = at - f[o + LAST_AT];
      if (d > 0) {
        const dtMs = f[o + DT_MS];
        f[o + DT_MS] = dtMs !== dtMs ? d : dtMs + 0.05 * (d - dtMs);
      }
    }
    const head = f[o + HEAD];
    f[rv + 2 * head] = x;
    f[rv + 2 * head + 1] = at;
    f[o + HEAD] = head + 1 === RING_SIZE ? 0 : head + 1;
    const size = f[o + SIZE];
    if (size < RING_SIZE) f[o + SIZE] = size + 1;
    f[o + N] = n + 1;
    f[o + LAST_AT] = at;
    const stale = f[o + STALE] + 1;
    f[o + STALE] = stale;
    if (n < 24 || stale >= (n < RING_SIZE ? REFRESH_EVERY : REFRESH_EVERY_FULL)) this.refresh();
    else if (n + 1 - f[o + LEARNED_N] >= RING_SIZE) this.learn(); // never let an unlearned point leave the ring
  }

  /** Track the |z| tail (call with the point's z before pushing it). */
  trackTail(absZ: number): void {
    if (!Number.isFinite(absZ)) return;
    const f = this.f64;
    const o = this.o;
    // Learn fast while young, then slowly (stochastic approximation of the 99th percentile).
    const step = f[o + N] < 300 ? 0.2 : 0.05;
    let q = f[o + Q99];
    if (absZ > q) q += step * 0.99;
    else q -= step * 0.01;
    f[o + Q99] = q < 2 ? 2 : q > 12 ? 12 : q;
  }

  /** Recompute median and scale of the seasonally adjusted ring. */
  refresh(): void {
    // The pending points are learned with the scale they were pushed under (refresh changes it).
    this.learn();
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    f[o + STALE] = 0;
    const n = f[o + SIZE];
    if (n === 0) return;
    if (f[o + SEASONAL] === 0) for (let i = 0; i < n; i++) scratch[i] = f[rv + 2 * i];
    else for (let i = 0; i < n; i++) scratch[i] = f[rv + 2 * i] - this.seasonalAt(f[rv + 2 * i + 1]);
    // The previous median and scale bracket the new ones (a third of the ring is new since):
    // the selections then sort a handful of values, not 64 (same results, see medianNear).
    const prevScale = f[o + SCALE];
    const med = medianNear(scratch, n, f[o + MEDIAN], 0.35 * prevScale);
    let sumAbs = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(scratch[i] - med);
      scratch[i] = d;
      sumAbs += d;
    }
    let scale = 1.4826 * medianNear(scratch, n, prevScale / 1.4826, 0.3 * prevScale);
    if (!(scale > 0)) scale = 1.2533 * (sumAbs / n);
    // Resolution floor: 0.5% of the level (noise-free series would otherwise make any model error huge).
    const floor = Math.max(1e-9, Math.abs(med) * 5e-3);
    if (!(scale > floor)) scale = floor;
    f[o + MEDIAN] = med;
    f[o + SCALE] = scale;
    if (n >= 16) f[o + LONG_SCALE] = Number.isNaN(f[o + LONG_SCALE]) ? scale : f[o + LONG_SCALE] + 0.02 * (scale - f[o + LONG_SCALE]);
  }

  /**
   * A confirmed change point: the newest `recent` points are the new regime, so shift the older
   * ones by `delta` (the ring keeps its scale and the baseline is the new level at once).
   */
  shiftOlder(recent: number, delta: number): void {
    this.learn();
    this.beforeShift();
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    f[o + REGIME_START] = f[o + N] - recent;
    const size = f[o + SIZE];
    const older = size - recent;
    const from = (f[o + HEAD] | 0) - size + RING_SIZE * 2;
    for (let i = 0; i < older; i++) f[rv + 2 * ((from + i) & RING_MASK)] += delta;
    this.refresh();
  }

  /** Called before `shiftOlder` changes the ring's older values (a series lets its detectors read them raw first). */
  protected beforeShift(): void {}

  /** Copy the seasonally adjusted values into `out`: the `count` points ending `skipNewest` before the newest. */
  adjusted(out: Float64Array, count: number, skipNewest: number): number {
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    const available = Math.max(0, f[o + SIZE] - skipNewest);
    const m = Math.min(count, available);
    const from = (f[o + HEAD] | 0) - skipNewest - m + RING_SIZE * 2;
    const seasonal = f[o + SEASONAL] !== 0;
    for (let i = 0; i < m; i++) {
      const idx = (from + i) & RING_MASK;
      out[i] = seasonal ? f[rv + 2 * idx] - this.seasonalAt(f[rv + 2 * idx + 1]) : f[rv + 2 * idx];
    }
    return m;
  }

  /** Copy the raw values of the newest `count` points (oldest first) into `out`; returns how many. */
  recent(out: Float64Array, count: number): number {
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    const m = Math.min(count, f[o + SIZE]);
    const from = (f[o + HEAD] | 0) - m + RING_SIZE;
    for (let i = 0; i < m; i++) out[i] = f[rv + 2 * ((from + i) & RING_MASK)];
    return m;
  }

  /** Time of the point `k` places before the newest (0 = newest). */
  timeAgo(k: number): number {
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    return f[rv + 2 * (((f[o + HEAD] | 0) - 1 - k + RING_SIZE * 2) & RING_MASK) + 1];
  }

  /** Span of history in ms. */
  spanMs(): number {
    return this.f64[this.o + N] ? this.f64[this.o + LAST_AT] - this.f64[this.o + FIRST_AT] : 0;
  }

  /** Share of variance around the slow level explained by the seasonal profile (0..1). */
  seasonalStrength(): number {
    this.learn();
    const f = this.f64;
    const o = this.o;
    return f[o + VAR_TOT] > 0 && f[o + VAR_REM_W] > 0 ? Math.max(0, 1 - f[o + VAR_REM] / f[o + VAR_TOT]) : 0;
  }

  /**
   * Learn the slow level and the hour-of-day / day-of-week profile from the points pushed since the
   * last call, oldest first, exactly as if each had been learned when it was pushed: nothing they
   * depend on changes in between (the scale only at a refresh, which learns first; the ring's
   * values only at a level shift, which learns first). One pass with the state in locals: on a
   * point's path each typed-array access is a bounds check and an index computation.
   */
  learn(): void {
    const f = this.f64;
    const o = this.o;
    const n = f[o + N];
    const pending = n - f[o + LEARNED_N];
    if (pending <= 0) return;
    f[o + LEARNED_N] = n;
    const rv = this.v;
    const count = Math.min(pending, f[o + SIZE]);
    const from = (f[o + HEAD] | 0) - count + RING_SIZE;
    const first = n - count;
    const dtMs = f[o + DT_MS];
    const fallbackDt = dtMs !== dtMs ? HOUR_MS : dtMs;
    const scale = f[o + SCALE];
    const halfLong = f[o + LONG_SCALE] * 0.5;
    const fixedSig = halfLong > scale ? halfLong : scale;
    const weekly = f[o + SEASONAL] === 2;
    let learnedAt = f[o + LEARNED_AT];
    let level = f[o + LEVEL];
    let varTot = f[o + VAR_TOT];
    let varRem = f[o + VAR_REM];
    let varRemW = f[o + VAR_REM_W];
    let hod = f[o + CUR_HOD];
    let hodN = f[o + CUR_HOD_N];
    let dow = f[o + CUR_DOW];
    let dowN = f[o + CUR_DOW_N];
    let hourStart = f[o + HOUR_NO] * HOUR_MS;
    for (let i = 0; i < count; i++) {
      const idx = (from + i) & RING_MASK;
      const x = f[rv + 2 * idx];
      const at = f[rv + 2 * idx + 1];
      const dt = first + i > 0 && at > learnedAt ? at - learnedAt : fallbackDt;
      learnedAt = at;
      if (level !== level) {
        level = x;
        continue;
      }
      // Level: about a day of memory; profile buckets: about three days of visits each. (Rates
      // as products with reciprocals, and 1 / visits only while a bucket is young.)
      const aLevel = Math.min(0.5, dt * INV_DAY_MS);
      const sig = scale !== scale ? Math.abs(x - level) + 1e-9 : fixedSig;
      const raw = x - level;
      // The level moves slowly and ignores outliers (6 sigmas of the recent ring)...
      const capLevel = 6 * sig;
      level += aLevel * (raw > capLevel ? capLevel : raw < -capLevel ? -capLevel : raw);
      // ...while the profile must learn swings far larger than the local noise: its clip grows
      // with the spread around the level itself.
      const capSeason = capLevel + 4 * Math.sqrt(varTot);
      const dev = raw > capSeason ? capSeason : raw < -capSeason ? -capSeason : raw;
      // The buckets of the current hour live in scalars, written back when the hour ends.
      if (!(at >= hourStart && at < hourStart + HOUR_MS)) {
        f[o + CUR_HOD] = hod;
        f[o + CUR_HOD_N] = hodN;
        f[o + CUR_DOW] = dow;
        f[o + CUR_DOW_N] = dowN;
        const hourNo = Math.floor(at / HOUR_MS);
        f[o + HOUR_NO] = hourNo;
        this.switchHour(hourOfDay(at), dayOfWeek(at));
        hod = f[o + CUR_HOD];
        hodN = f[o + CUR_HOD_N];
        dow = f[o + CUR_DOW];
        dowN = f[o + CUR_DOW_N];
        hourStart = hourNo * HOUR_MS;
      }
      hodN += 1;
      const aHour = Math.min(0.5, dt * INV_3_HOURS_MS);
      const aHod = hodN * aHour < 1 ? 1 / hodN : aHour;
      if (hodN > 1e6) hodN = 1e6;
      const rem = dev - hod;
      hod += aHod * rem;
      dowN += 1;
      const aVar = Math.min(0.5, dt * INV_3_DAYS_MS);
      const aDow = dowN * aVar < 1 ? 1 / dowN : aVar;
      if (dowN > 1e6) dowN = 1e6;
      dow += aDow * (rem - dow);
      varTot += aVar * (dev * dev - varTot);
      const r2 = weekly ? rem - dow : rem;
      varRem += aVar * (r2 * r2 - varRem);
      varRemW += aVar * (1 - varRemW);
    }
    f[o + LEARNED_AT] = learnedAt;
    f[o + LEVEL] = level;
    f[o + VAR_TOT] = varTot;
    f[o + VAR_REM] = varRem;
    f[o + VAR_REM_W] = varRemW;
    f[o + CUR_HOD] = hod;
    f[o + CUR_HOD_N] = hodN;
    f[o + CUR_DOW] = dow;
    f[o + CUR_DOW_N] = dowN;
  }


  /** Write the current hour's buckets back to the profile (see CUR_HOD); they stay the current ones. */
  private writeBackHour(): void {
    const f = this.f64;
    const o = this.o;
    const g = this.f32;
    const og = this.og;
    const h = f[o + HOUR_OF_DAY];
    const d = f[o + DAY_OF_WEEK];
    if (h >= 0) {
      g[og + HOD + 2 * h] = f[o + CUR_HOD];
      g[og + HOD + 2 * h + 1] = f[o + CUR_HOD_N];
    }
    if (d >= 0) {
      g[og + DOW + 2 * d] = f[o + CUR_DOW];
      g[og + DOW + 2 * d + 1] = f[o + CUR_DOW_N];
    }
  }

  /** Write the current hour's buckets back and take those of hour of day `h`, day of week `d`. */
  private switchHour(h: number, d: number): void {
    this.writeBackHour();
    const f = this.f64;
    const o = this.o;
    const g = this.f32;
    const og = this.og;
    f[o + HOUR_OF_DAY] = h;
    f[o + DAY_OF_WEEK] = d;
    f[o + CUR_HOD] = g[og + HOD + 2 * h];
    f[o + CUR_HOD_N] = g[og + HOD + 2 * h + 1];
    f[o + CUR_DOW] = g[og + DOW + 2 * d];
    f[o + CUR_DOW_N] = g[og + DOW + 2 * d + 1];
  }

  /** Switch the seasonal baseline on/off (hysteresis: on at `strength`, off below 60% of it). */
  updateSeasonality(minDays: number, strength: number): boolean {
    const f = this.f64;
    const o = this.o;
    const span = this.spanMs();
    const s = this.seasonalStrength();
    const before = f[o + SEASONAL];
    if (before === 0 && span >= minDays * DAY_MS && s >= strength) f[o + SEASONAL] = span >= 14 * DAY_MS ? 2 : 1;
    else if (before === 1 && span >= 14 * DAY_MS) f[o + SEASONAL] = 2;
    else if (before > 0 && s < strength * 0.6) f[o + SEASONAL] = 0;
    if (before !== f[o + SEASONAL]) this.refresh();
    return before !== f[o + SEASONAL];
  }

  toJSON(): BaselineJSON {
    this.learn();
    // The profile as a whole, the current hour's buckets included.
    this.writeBackHour();
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    const g = this.f32;
    const og = this.og;
    const size = f[o + SIZE];
    const v: number[] = [];
    const t: number[] = [];
    let prev = 0;
    for (let i = 0; i < size; i++) {
      const idx = ((f[o + HEAD] | 0) - size + i + RING_SIZE) & RING_MASK;
      v.push(roundSig(f[rv + 2 * idx], 6));
      // Times delta-encoded (first absolute): small numbers in JSON.
      t.push(f[rv + 2 * idx + 1] - prev);
      prev = f[rv + 2 * idx + 1];
    }
    /** Every other float32 from `from` (the profile is stored as (offset, visits) pairs). */
    const arr = (from: number, count: number, round: boolean) => Array.from({ length: count }, (_, i) => (round ? roundSig(g[og + from + 2 * i], 6) : g[og + from + 2 * i]));
    return {
      v,
      t,
      head: size % RING_SIZE,
      size,
      n: f[o + N],
      firstAt: f[o + FIRST_AT],
      lastAt: f[o + LAST_AT],
      level: roundSig(f[o + LEVEL]),
      longScale: roundSig(f[o + LONG_SCALE]),
      q99: roundSig(f[o + Q99], 4),
      hod: arr(HOD, 24, true),
      hodN: arr(HOD + 1, 24, false),
      dow: arr(DOW, 7, true),
      dowN: arr(DOW + 1, 7, false),
      varTot: roundSig(f[o + VAR_TOT]),
      varRem: roundSig(f[o + VAR_REM]),
      varRemW: roundSig(f[o + VAR_REM_W]),
      seasonal: this.seasonal,
      dtMs: roundSig(f[o + DT_MS]),
      regimeStart: f[o + REGIME_START],
    };
  }

  /** Load a saved state into this (fresh) baseline. */
  restore(j: BaselineJSON): this {
    const f = this.f64;
    const o = this.o;
    const rv = this.v;
    const g = this.f32;
    const og = this.og;
    const size = Math.min(j.v.length, j.t.length, RING_SIZE);
    let at = 0;
    for (let i = 0; i < size; i++) {
      at += j.t[i];
      f[rv + 2 * i] = j.v[i];
      f[rv + 2 * i + 1] = at;
    }
    f[o + SIZE] = size;
    f[o + HEAD] = size % RING_SIZE;
    f[o + N] = j.n;
    f[o + FIRST_AT] = j.firstAt ?? NaN;
    f[o + LAST_AT] = j.lastAt ?? NaN;
    f[o + LEVEL] = j.level ?? NaN;
    f[o + LONG_SCALE] = j.longScale ?? NaN;
    f[o + Q99] = j.q99;
    for (let i = 0; i < 24; i++) {
      g[og + HOD + 2 * i] = j.hod[i] ?? 0;
      g[og + HOD + 2 * i + 1] = j.hodN[i] ?? 0;
    }
    for (let i = 0; i < 7; i++) {
      g[og + DOW + 2 * i] = j.dow[i] ?? 0;
      g[og + DOW + 2 * i + 1] = j.dowN[i] ?? 0;
    }
    f[o + VAR_TOT] = j.varTot;
    f[o + VAR_REM] = j.varRem;
    f[o + VAR_REM_W] = j.varRemW;
    f[o + SEASONAL] = j.seasonal;
    f[o + DT_MS] = j.dtMs ?? NaN;
    f[o + REGIME_START] = j.regimeStart ?? 0;
    // No current hour: the next point takes its buckets from the profile just loaded.
    f[o + HOUR_NO] = NaN;
    f[o + HOUR_OF_DAY] = -1;
    f[o + DAY_OF_WEEK] = -1;
    // Every point of the saved state is learned.
    f[o + LEARNED_N] = f[o + N];
    f[o + LEARNED_AT] = f[o + LAST_AT];
    this.refresh();
    return this;
  }
}
