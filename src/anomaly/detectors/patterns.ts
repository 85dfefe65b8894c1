/**
 * Patterns of a series:
 * - `seasonality` (info): the hour-of-day (and, after two weeks, day-of-week) profile explains at
 *   least `seasonalStrength` of the variance around the slow level after `minDays` days; from then
 *   on the baseline every detector uses is seasonal (checked every 32 points);
 * - `trend`: Theil-Sen slope and Mann-Kendall test over up to 48 block medians (16 points each,
 *   non-overlapping); reported when p < `trendAlpha` and the change is >= `trendPctPerDay` per day
 *   (warning in the bad direction, info otherwise);
 * - `anomalous_period`: once the seasonal baseline is on, at least 6 of the last 12 points beyond
 *   3 robust sigmas of what the pattern expects (a broken day that no single point shows).
 */
import type { Baseline } from '../baseline.js';
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { badSize } from '../detector.js';
import { fmtPct, fmtValue } from '../format.js';
import { mannKendall, mannKendallAppend, mannKendallDrop, mannKendallP, medianInPlace, theilSen } from '../stats.js';
import type { SeriesContext } from '../types.js';

const BLOCK = 16;
const BLOCKS = 48;
const DAY_MS = 86_400_000;
/** A trend of a two-sided series may warn once its level moved by this factor either way (x1.5, or to two thirds). */
const TWO_SIDED_DRIFT_RATIO = 1.5;

/** How many times farther from zero the larger of two same-signed levels is (Infinity across zero). */
function driftRatio(a: number, b: number): number {
  if (a === 0 || b === 0 || a > 0 !== b > 0) return Infinity;
  const x = Math.abs(a);
  const y = Math.abs(b);
  return x > y ? x / y : y / x;
}
const block = new Float64Array(BLOCK);

export interface PatternsState {
  /**
   * Block medians at `mem[at .. at + nb)` and their mid times (seconds after `origin`) at
   * `mem[at + BLOCKS .. at + BLOCKS + nb)`, oldest first (slots of the series' buffer).
   */
  mem: Float32Array;
  at: number;
  nb: number;
  origin: number;
  k: number;
  /** Regime (change point index) the blocks belong to: a level shift restarts the trend. */
  regime: number;
  /** Bits of the last 12 points beyond 3 sigmas (bit 0 newest). */
  bits: number;
}

// The scalars live in float64 slots of the series' block (those read on every point beside the
// baseline's scalars, the others elsewhere in the block: their index in the slot COLD), the
// blocks in float32 slots; a state handle is the index of the first float64 slot, and `cursor`
// reads them as a PatternsState.
const K = 0;
const BITS = 1;
const REGIME = 2;
const COLD = 3;
const HOT_SLOTS = 4;
const NB = 0;
const ORIGIN = 1;
const AT32 = 2;
/** Mann-Kendall S of the blocks, kept as blocks come and go (O(n) per block, not O(n²) per check). */
const MK_S = 3;
const COLD_SLOTS = 4;

/** A reusable view of one series' patterns slots (bound per observation, never kept). */
class Cursor implements PatternsState {
  private m: Float64Array = new Float64Array(HOT_SLOTS + COLD_SLOTS);
  private o = 0;
  /** Index of the cold slots. */
  private c = HOT_SLOTS;
  mem: Float32Array = new Float32Array(0);
  bind(base: Baseline, o: number): this {
    this.m = base.f64;
    this.o = o;
    this.c = base.f64[o + COLD];
    this.mem = base.f32;
    return this;
  }
  get at(): number {
    return this.m[this.c + AT32];
  }
  get k(): number {
    return this.m[this.o + K];
  }
  set k(v: number) {
    this.m[this.o + K] = v;
  }
  get bits(): number {
    return this.m[this.o + BITS];
  }
  set bits(v: number) {
    this.m[this.o + BITS] = v;
  }
  get nb(): number {
    return this.m[this.c + NB];
  }
  set nb(v: number) {
    this.m[this.c + NB] = v;
  }
  get origin(): number {
    return this.m[this.c + ORIGIN];
  }
  set origin(v: number) {
    this.m[this.c + ORIGIN] = v;
  }
  get regime(): number {
    return this.m[this.o + REGIME];
  }
  set regime(v: number) {
    this.m[this.o + REGIME] = v;
  }
  get mkS(): number {
    return this.m[this.c + MK_S];
  }
  set mkS(v: number) {
    this.m[this.c + MK_S] = v;
  }
}

const cursor = new Cursor();

/** Reserve a fresh state in the series' block; returns its handle. */
function fresh(base: Baseline): number {
  const o = base.carve64(HOT_SLOTS);
  const c = base.carveCold64(COLD_SLOTS);
  base.f64[o + COLD] = c;
  base.f64[c + AT32] = base.carve32(2 * BLOCKS);
  base.f64[c + ORIGIN] = NaN;
  return o;
}

/** Views of the block medians and times (allocated: for the trend fit and saving, not per point). */
function blocks(s: PatternsState): { bv: Float32Array; bt: Float32Array } {
  return { bv: s.mem.subarray(s.at, s.at + s.nb), bt: s.mem.subarray(s.at + BLOCKS, s.at + BLOCKS + s.nb) };
}

interface PatternsJSON {
  bv: number[];
  bt: number[];
  origin: number | null;
  k: number;
  regime: number;
  bits: number;
}

function popcount12(x: number): number {
  let c = 0;
  for (let v = x & 0xfff; v; v &= v - 1) c++;
  return c;
}

export const patternsDetector: Detector<number> = {
  name: 'patterns',
  kinds: ['seasonality', 'trend', 'anomalous_period'],
  slots: { f64: HOT_SLOTS + COLD_SLOTS, f32: 2 * BLOCKS },
  applies: (ctx: SeriesContext) => !ctx.outcome && ctx.config.detectors.patterns.enabled,
  create: (_ctx, base) => fresh(base),
  save(at, base): PatternsJSON {
    const s = cursor.bind(base, at);
    const { bv, bt } = blocks(s);
    return { bv: Array.from(bv), bt: Array.from(bt), origin: Number.isNaN(s.origin) ? null : s.origin, k: s.k, regime: s.regime, bits: s.bits };
  },
  load(raw, _ctx, base) {
    const r = raw as Partial<PatternsJSON> | null;
    const at = fresh(base);
    const s = cursor.bind(base, at);
    if (!r || !Array.isArray(r.bv) || !Array.isArray(r.bt) || r.bv.length !== r.bt.length) return at;
    s.nb = Math.min(BLOCKS, r.bv.length);
    s.mem.set(r.bv.slice(0, s.nb), s.at);
    s.mem.set(r.bt.slice(0, s.nb), s.at + BLOCKS);
    s.origin = r.origin ?? NaN;
    s.k = r.k ?? 0;
    s.bits = r.bits ?? 0;
    s.regime = r.regime ?? 0;
    s.mkS = mannKendall(s.mem.subarray(s.at, s.at + s.nb), s.nb).s;
    return at;
  },
  observe(handle, input: DetectorInput) {
    // The per-point part reads the slots directly (no cursor): see regression.ts.
    const base = input.base;
    const m = base.f64;
    const k = m[handle + K] + 1;
    m[handle + K] = k;

    // Anomalous period against the seasonal pattern.
    const z = input.z;
    if (z === z) {
      const sign = input.ctx.badSign;
      const size = sign === 0 ? Math.abs(z) : sign * z;
      m[handle + BITS] = ((m[handle + BITS] << 1) | (size >= 3 ? 1 : 0)) & 0xfff;
      if (base.seasonal > 0 && !input.isOpen(KIND_BIT.regression)) anomalousPeriod(cursor.bind(base, handle), input);
    }

    // Block medians for the trend (a confirmed level shift starts them over: a step is not a trend).
    const regimeStart = base.regimeStart;
    if (regimeStart !== m[handle + REGIME]) {
      m[handle + REGIME] = regimeStart;
      const c = m[handle + COLD];
      m[c + NB] = 0;
      m[c + MK_S] = 0;
    }
    // Counters are doubles in the series' block: `| 0` keeps the modulo an integer one (no fmod).
    const ki = k | 0;
    if (ki % BLOCK === 0 && base.size >= BLOCK && base.n - regimeStart >= BLOCK) addBlock(cursor.bind(base, handle), base);
    if (ki % 32 === 0) periodic(cursor.bind(base, handle), input, ki);
  },
};

/** 6 of the last 12 points beyond 3 sigmas of the pattern (seasonal series only; out of line, see `observe`). */
function anomalousPeriod(s: Cursor, input: DetectorInput): void {
  const { ctx, z } = input;
  const unit = ctx.latency ? 'ms' : 'value';
  input.evaluated(KIND_BIT.anomalous_period);
  const c = popcount12(s.bits);
  const level = c >= 6 ? 'open' : c >= 3 && input.isOpen(KIND_BIT.anomalous_period) ? 'hold' : null;
  if (level) {
    const observed = input.obs.value;
    const expected = input.expected;
    input.emit({
      kind: 'anomalous_period',
      level,
      severity: 'warning',
      observed,
      expected: { value: expected },
      unit,
      magnitude: { z, delta: observed - expected },
      explain: (e) => `${e.subject} has left its daily pattern: ${c} of the last 12 points are more than 3 sigmas from the expected ${fmtValue(expected, unit)} for this hour (now ${fmtValue(observed, unit)}) since ${e.since}.`,
    });
  }
}

/** Append the median of the last BLOCK points to the trend blocks (every BLOCK points). */
function addBlock(s: Cursor, base: Baseline): void {
  const m = base.adjusted(block, BLOCK, 0);
  const at = base.timeAgo(BLOCK >> 1);
  if (Number.isNaN(s.origin)) s.origin = at;
  if (s.nb === BLOCKS) {
    s.mkS += mannKendallDrop(s.mem, s.at, s.nb);
    s.mem.copyWithin(s.at, s.at + 1, s.at + BLOCKS);
    s.mem.copyWithin(s.at + BLOCKS, s.at + BLOCKS + 1, s.at + 2 * BLOCKS);
    s.nb--;
  }
  s.mem[s.at + s.nb] = medianInPlace(block, m);
  s.mem[s.at + BLOCKS + s.nb] = (at - s.origin) / 1000;
  s.nb++;
  s.mkS += mannKendallAppend(s.mem, s.at, s.nb);
}

/** Seasonality switch and trend test (every 32 points). */
function periodic(s: Cursor, input: DetectorInput, k: number): void {
  const { ctx, base } = input;
  const cfg = ctx.config.detectors.patterns;
  const unit = ctx.latency ? 'ms' : 'value';
  // Seasonality switch.
  input.evaluated(KIND_BIT.seasonality);
  base.updateSeasonality(cfg.minDays, cfg.seasonalStrength);
  if (base.seasonal > 0) {
    let peak = 0;
    for (let h = 1; h < 24; h++) if (base.hourProfile(h) > base.hourProfile(peak)) peak = h;
    const amp = base.hourProfile(peak);
    const level = base.level;
    const strength = base.seasonalStrength();
    const weekly = base.seasonal === 2;
    input.emit({
      kind: 'seasonality',
      level: input.isOpen(KIND_BIT.seasonality) ? 'hold' : 'open',
      severity: 'info',
      observed: strength,
      expected: {},
      unit: 'score',
      magnitude: { ratio: strength },
      details: { peakHourUtc: peak, amplitude: amp, weekly },
      explain: (e) => `${e.subject} follows a ${weekly ? 'daily and weekly' : 'daily'} pattern: the hour of day explains ${Math.round(strength * 100)}% of its variance, peaking at ${String(peak).padStart(2, '0')}:00 UTC (${level !== 0 ? fmtPct((amp / Math.abs(level)) * 100) : fmtValue(amp, unit)}) since ${e.since}; the baseline is seasonal.`,
    });
  }

  // Trend over block medians.
  if (s.nb >= 12 && k % 64 === 0) {
    input.evaluated(KIND_BIT.trend);
    const n = s.nb;
    const { bv, bt } = blocks(s);
    // The rank test first (its S is kept up to date as blocks come and go); the slope, a median
    // of up to 1,128 pairwise slopes, only when the test could open or hold a finding.
    const p = mannKendallP(s.mkS, n);
    const open = input.isOpen(KIND_BIT.trend);
    if (!(p < cfg.trendAlpha || (open && p < cfg.trendAlpha * 10))) return;
    const slope = theilSen(bt, bv, n) / 1000;
    const first = bv[0];
    const last = bv[n - 1];
    const ref = Math.abs(medianInPlace(Float64Array.from(bv), n)) || 1;
    const perDay = (slope * DAY_MS) / ref;
    const spanDays = ((bt[n - 1] - bt[0]) * 1000) / DAY_MS;
    const strong = p < cfg.trendAlpha && Math.abs(perDay) >= cfg.trendPctPerDay && Math.abs(perDay) * spanDays >= cfg.trendPctPerDay / 2;
    const level = strong ? 'open' : p < cfg.trendAlpha * 10 && input.isOpen(KIND_BIT.trend) ? 'hold' : null;
    if (level) {
      // A trend is worth a warning where one direction is bad (latency up) or, on two-sided series,
      // where the level moved by TWO_SIDED_DRIFT_RATIO either way over the trend (the page gate then
      // asks for a new extreme level outside an episode: paging.ts); otherwise it informs.
      const bad = ctx.direction !== 'both' ? badSize(slope, ctx.direction) > 0 : driftRatio(first, last) >= TWO_SIDED_DRIFT_RATIO;
      input.emit({
        kind: 'trend',
        level,
        severity: bad ? 'warning' : 'info',
        observed: last,
        expected: { value: first },
        unit,
        magnitude: { pct: perDay * 100, pValue: p, delta: last - first },
        details: { slopePerDay: slope * DAY_MS, spanDays },
        explain: (e) => `${e.subject} is ${slope >= 0 ? 'rising' : 'falling'} ${fmtPct(perDay * 100)} per day (Theil-Sen, Mann-Kendall p=${p.toPrecision(2)}): ${fmtValue(first, unit)} to ${fmtValue(last, unit)} over ${spanDays.toFixed(1)} days, since ${e.since}.`,
      });
    }
  }
}
