/**
 * Regression (level shift): a two-sided CUSUM on robust-scaled, clipped residuals flags a candidate
 * change; a Mann-Whitney U test between the ring before the change and the points since confirms it
 * (plus a minimum effect in sigmas and, for latency, in percent). The change point is where the
 * CUSUM last left zero, so the finding starts at the first bad run.
 *
 * Lifecycle, decided here and documented for users:
 * - a confirmed shift in the bad direction opens ONE `regression` finding that stays open while the
 *   level differs from the reference level before it (updated on every point, not re-alerted);
 * - after a confirmed shift the baseline moves to the new regime at once (older ring values are
 *   shifted by the delta), so spikes are judged against the new level;
 * - a later confirmed shift back (or the rolling median drifting back) within the significance band
 *   of the reference resolves it as `recovered`;
 * - a shift that lasts `acceptAfterPoints` points resolves with `accepted as new baseline`.
 * Two-sided (generic) series, where a short burst either way would otherwise read as a shift, wait
 * for 5 points after the change (latency series: 3) and use the stricter `...TwoSided` thresholds.
 */
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { badSize } from '../detector.js';
import { fmtPct, fmtValue } from '../format.js';
import { mannWhitney, medianInPlace } from '../stats.js';
import type { SeriesContext } from '../types.js';
import { RING_SIZE, type Baseline } from '../baseline.js';

const CLIP = 4;
const MIN_AFTER = 3;
const MIN_AFTER_TWO_SIDED = 5;
const MAX_AFTER = 40;
const MIN_BEFORE = 12;
/**
 * The relative path of two-sided series (minShiftPctTwoSided) applies while the series' tracked 99th
 * percentile of |z| is at most this (a gaussian's is 2.6): heavy-tailed series (counts, bursts), whose
 * level moves by a fifth all the time, need minShiftSigmaTwoSided.
 */
const RELATIVE_MAX_Q99 = 4;
/** An alarm this young is tested on every point (see `alarm`). */
const RETRY_ALWAYS = 8;

interface OpenShift {
  /** Reference (pre-shift) level and sigma. */
  ref: number;
  refScale: number;
  /** Start of the shift (epoch ms) and its series index. */
  at: number;
  index: number;
  pValue: number;
}

export interface RegressionState {
  sp: number;
  sn: number;
  spIdx: number;
  snIdx: number;
  /** The CUSUM at the last shift it could not confirm (see `alarm`). */
  lastTry?: number;
  open: OpenShift | null;
  /** The level before the last good-direction shift (latency got faster), for a while after it. */
  good: { ref: number; refScale: number; index: number } | null;
}

// The state lives in float64 slots of the series' block: 7 read on every point (the handle is the
// index of the first), 9 others elsewhere in the block (their index in the slot COLD). `cursor`
// reads and writes them through RegressionState's shape.
const SP = 0;
const SN = 1;
const SP_IDX = 2;
const SN_IDX = 3;
const OPEN = 4;
/** The CUSUM's value at the last shift it could not confirm (0: none since it was last below its threshold). */
const LAST_TRY = 5;
/** Index of the cold slots below (the open shift and the good-direction reference: read only while they matter). */
const COLD = 6;
const HOT_SLOTS = 7;
const O_REF = 0;
const O_REF_SCALE = 1;
const O_AT = 2;
const O_INDEX = 3;
const O_P = 4;
const GOOD = 5;
const G_REF = 6;
const G_REF_SCALE = 7;
const G_INDEX = 8;
const COLD_SLOTS = 9;

/** A reusable view of one series' regression slots (bound per observation, never kept). */
class Cursor implements RegressionState {
  private m: Float64Array = new Float64Array(HOT_SLOTS + COLD_SLOTS);
  private o = 0;
  bind(m: Float64Array, o: number): this {
    this.m = m;
    this.o = o;
    return this;
  }
  get sp(): number {
    return this.m[this.o + SP];
  }
  set sp(v: number) {
    this.m[this.o + SP] = v;
  }
  get sn(): number {
    return this.m[this.o + SN];
  }
  set sn(v: number) {
    this.m[this.o + SN] = v;
  }
  get spIdx(): number {
    return this.m[this.o + SP_IDX];
  }
  set spIdx(v: number) {
    this.m[this.o + SP_IDX] = v;
  }
  get snIdx(): number {
    return this.m[this.o + SN_IDX];
  }
  set snIdx(v: number) {
    this.m[this.o + SN_IDX] = v;
  }
  /** A copy of the open shift (changing it changes nothing: assign `open` to store). */
  get open(): OpenShift | null {
    const m = this.m;
    const o = this.o;
    const c = m[o + COLD];
    return m[o + OPEN] ? { ref: m[c + O_REF], refScale: m[c + O_REF_SCALE], at: m[c + O_AT], index: m[c + O_INDEX], pValue: m[c + O_P] } : null;
  }
  set open(v: OpenShift | null) {
    const m = this.m;
    const o = this.o;
    const c = m[o + COLD];
    m[o + OPEN] = v ? 1 : 0;
    if (!v) return;
    m[c + O_REF] = v.ref;
    m[c + O_REF_SCALE] = v.refScale;
    m[c + O_AT] = v.at;
    m[c + O_INDEX] = v.index;
    m[c + O_P] = v.pValue;
  }
  get lastTry(): number {
    return this.m[this.o + LAST_TRY];
  }
  set lastTry(v: number) {
    this.m[this.o + LAST_TRY] = v;
  }
  get good(): RegressionState['good'] {
    const m = this.m;
    const c = m[this.o + COLD];
    return m[c + GOOD] ? { ref: m[c + G_REF], refScale: m[c + G_REF_SCALE], index: m[c + G_INDEX] } : null;
  }
  set good(v: RegressionState['good']) {
    const m = this.m;
    const c = m[this.o + COLD];
    m[c + GOOD] = v ? 1 : 0;
    if (!v) return;
    m[c + G_REF] = v.ref;
    m[c + G_REF_SCALE] = v.refScale;
    m[c + G_INDEX] = v.index;
  }
  /** Write a fresh state (spIdx/snIdx -1, nothing open). */
  reset(): void {
    const m = this.m;
    const o = this.o;
    const c = m[o + COLD];
    m.fill(0, o, o + COLD);
    m.fill(0, c, c + COLD_SLOTS);
    this.spIdx = -1;
    this.snIdx = -1;
  }
}

const cursor = new Cursor();

/** Take a fresh state's slots (hot ones beside the baseline's scalars, the others out of the way); returns its handle. */
function fresh(base: Baseline): number {
  const at = base.carve64(HOT_SLOTS);
  base.f64[at + COLD] = base.carveCold64(COLD_SLOTS);
  cursor.bind(base.f64, at).reset();
  return at;
}

const before = new Float64Array(RING_SIZE);
const after = new Float64Array(RING_SIZE);
const scratchA = new Float64Array(RING_SIZE);
const scratchB = new Float64Array(RING_SIZE);

function num(x: unknown, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : fallback;
}

export const regressionDetector: Detector<number> = {
  name: 'regression',
  kinds: ['regression'],
  slots: { f64: HOT_SLOTS + COLD_SLOTS },
  applies: (ctx: SeriesContext) => !ctx.outcome && ctx.config.detectors.regression.enabled,
  create: (_ctx, base) => fresh(base),
  save(at, base): RegressionState {
    const s = cursor.bind(base.f64, at);
    return { sp: s.sp, sn: s.sn, spIdx: s.spIdx, snIdx: s.snIdx, lastTry: s.lastTry, open: s.open, good: s.good };
  },
  load(raw, _ctx, base) {
    const at = fresh(base);
    const s = cursor.bind(base.f64, at);
    const r = raw as Partial<RegressionState> | null;
    if (!r || typeof r.sp !== 'number') return at;
    s.sp = num(r.sp, 0);
    s.sn = num(r.sn, 0);
    s.spIdx = num(r.spIdx, -1);
    s.snIdx = num(r.snIdx, -1);
    s.lastTry = num(r.lastTry, 0);
    const open = r.open;
    if (open && typeof open.ref === 'number') s.open = { ref: open.ref, refScale: num(open.refScale, 1), at: num(open.at, 0), index: num(open.index, 0), pValue: num(open.pValue, 1) };
    const good = r.good;
    if (good && typeof good.ref === 'number') s.good = { ref: good.ref, refScale: num(good.refScale, 1), index: num(good.index, 0) };
    return at;
  },
  observe(at, input: DetectorInput) {
    // The per-point part reads the slots directly (no cursor): the JIT inlines a bounded amount
    // of code into the detector runner, and every accessor counts against it.
    const z = input.z;
    if (z !== z) return;
    const base = input.base;
    const m = base.f64;
    const cfg = input.ctx.config.detectors.regression;
    input.evaluated(KIND_BIT.regression);
    const index = base.n - 1;
    const r = z > CLIP ? CLIP : z < -CLIP ? -CLIP : z;
    let sp = m[at + SP];
    let sn = m[at + SN];
    if (sp === 0) m[at + SP_IDX] = index;
    if (sn === 0) m[at + SN_IDX] = index;
    sp = Math.max(0, sp + r - cfg.cusumK);
    sn = Math.max(0, sn - r - cfg.cusumK);
    m[at + SP] = sp;
    m[at + SN] = sn;
    input.score(sp > sn ? sp : sn, cfg.cusumH);
    if (sp > cfg.cusumH || sn > cfg.cusumH) {
      if (alarm(cursor.bind(m, at), input, index)) return;
    } else if (m[at + LAST_TRY] !== 0) m[at + LAST_TRY] = 0;
    if (m[at + OPEN] !== 0) holdOrResolve(cursor.bind(m, at), input);
  },
};

/**
 * The CUSUM is over its threshold (out of line: `observe` stays small enough to be inlined into
 * the detector runner). Returns true when a shift was confirmed and handled.
 */
function alarm(s: Cursor, input: DetectorInput, index: number): boolean {
  const up = s.sp >= s.sn;
  const m = index - (up ? s.spIdx : s.snIdx) + 1;
  if (m > MAX_AFTER) {
    if (up) s.sp = 0;
    else s.sn = 0;
    s.lastTry = 0;
    return false;
  }
  if (m < MIN_AFTER) return false;
  // Past the first points of an alarm, try again after a failed attempt only once the CUSUM has
  // grown: a real shift keeps adding to it, while noise over the threshold (a spike, a rough
  // patch) decays and would otherwise be tested on every point until it falls below (a
  // change-point search and two medians each).
  const stat = up ? s.sp : s.sn;
  if (m > RETRY_ALWAYS && stat <= s.lastTry) return false;
  const k = changeStart(input, m, up);
  if (k >= (input.ctx.direction === 'both' ? MIN_AFTER_TWO_SIDED : MIN_AFTER) && confirm(s, input, k, index - k + 1, input.base.timeAgo(k - 1), up)) return true;
  s.lastTry = stat;
  return false;
}

/**
 * Where the shift starts inside the last `m` points: the split of the recent ring that maximizes
 * the two-sample mean-difference statistic sqrt(na*nb/n) * (mean after - mean before), on values
 * winsorized at 6 robust sigmas (the least-squares change point). The CUSUM's own estimate (where
 * it last left zero) is pulled early by small residuals before a large shift. Returns the number
 * of points since the start.
 */
function changeStart(input: DetectorInput, m: number, up: boolean): number {
  const { base } = input;
  const n = base.adjusted(after, Math.min(base.size, m + 32), 0);
  const med = base.median;
  const sigma = base.sigma();
  const lo = med - 6 * sigma;
  const hi = med + 6 * sigma;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = after[i] < lo ? lo : after[i] > hi ? hi : after[i];
    after[i] = v;
    total += v;
  }
  let suffix = 0;
  let best = -Infinity;
  let bestLen = Math.min(m, n);
  for (let len = 1; len <= Math.min(m, n - 1); len++) {
    suffix += after[n - len];
    const nb = n - len;
    const diff = suffix / len - (total - suffix) / nb;
    const stat = (up ? diff : -diff) * Math.sqrt((len * nb) / n);
    if (stat > best) {
      best = stat;
      bestLen = len;
    }
  }
  return bestLen;
}

function confirm(s: Cursor, input: DetectorInput, m: number, startIdx: number, startAt: number, up: boolean): boolean {
  const { ctx, base } = input;
  const cfg = ctx.config.detectors.regression;
  const na = base.adjusted(after, Math.min(m, 32), 0);
  const nb = base.adjusted(before, Math.min(48, base.size - m), m);
  if (nb < MIN_BEFORE || na < MIN_AFTER) return false;
  // Cheap effect-size checks first; the rank test only for a shift big enough to matter.
  for (let i = 0; i < na; i++) scratchA[i] = after[i];
  const mA = medianInPlace(scratchA, na);
  const sigma = base.sigma();
  const twoSided = ctx.direction === 'both';
  const alpha = twoSided ? cfg.alphaTwoSided : cfg.alpha;
  // Two-sided series pass at minShiftSigmaTwoSided, or at minShiftSigma with a relative move of
  // minShiftPctTwoSided (checked below): the count rules out by the looser of the two.
  const minSigma = twoSided && cfg.minShiftPctTwoSided <= 0 ? cfg.minShiftSigmaTwoSided : cfg.minShiftSigma;
  // The median before must lie minSigma sigmas below the median after (above, for a shift down),
  // so at least half the values before must lie beyond that bound: a count rules out most alarms
  // (a spike, a rough patch) without the median. The bound is a hair loose: never stricter than the test below.
  const bound = up ? mA - minSigma * sigma * (1 - 1e-9) : mA + minSigma * sigma * (1 - 1e-9);
  let beyond = 0;
  for (let i = 0; i < nb; i++) beyond += up ? +(before[i] <= bound) : +(before[i] >= bound);
  if (beyond < (nb + 1) >> 1) return false;
  for (let i = 0; i < nb; i++) scratchB[i] = before[i];
  const mB = medianInPlace(scratchB, nb);
  const delta = mA - mB;
  const pctOk = !ctx.latency || (mB !== 0 && Math.abs(delta) / Math.abs(mB) >= cfg.minShiftPct / 100);
  if (Math.abs(delta) / sigma < minSigma || !pctOk || (delta > 0) !== up) return false;
  if (twoSided && Math.abs(delta) / sigma < cfg.minShiftSigmaTwoSided) {
    const relative = Math.abs(mB) >= 3 * sigma && Math.abs(delta) >= (cfg.minShiftPctTwoSided / 100) * Math.abs(mB) && base.q99 <= RELATIVE_MAX_Q99;
    if (!relative) return false;
  }
  const { p } = mannWhitney(before, nb, after, na, up ? 1 : -1);
  if (!(p < alpha)) return false;

  base.shiftOlder(m, delta);
  s.sp = 0;
  s.sn = 0;
  s.lastTry = 0;
  const levelAfter = mA + base.seasonalAt(input.obs.at);
  if (s.open) {
    const open = s.open;
    if (isBack(mA, open, input)) {
      input.changePoint(startIdx, startAt, 'recovery');
      resolve(open, input, mA, 'recovered');
      s.open = null;
    } else {
      input.changePoint(startIdx, startAt, 'regression');
      emitShift(open, input, mA, 'open');
    }
    return true;
  }
  // Back up after a (good-direction) shift down is a return to the old level, not a regression.
  const good = s.good;
  s.good = null;
  const returned = good !== null && input.base.n - 1 - good.index <= 2 * RING_SIZE && isBack(mA, { ref: good.ref, refScale: good.refScale, at: 0, index: 0, pValue: 1 }, input);
  if (badSize(delta, ctx.direction) > 0 && !returned) {
    s.open = { ref: mB, refScale: sigma, at: startAt, index: startIdx, pValue: p };
    input.changePoint(startIdx, startAt, 'regression');
    if (input.isOpen(KIND_BIT.spike)) {
      input.emit({
        kind: 'spike',
        level: 'resolve',
        note: 'part of a level shift',
        severity: 'info',
        observed: levelAfter,
        expected: {},
        unit: ctx.latency ? 'ms' : 'value',
        magnitude: {},
        explain: (e) => `${e.subject} spike since ${e.since} turned out to be the start of a level shift (see the regression finding).`,
      });
    }
    emitShift(s.open, input, mA, 'open');
  } else {
    input.changePoint(startIdx, startAt, 'shift');
    if (!returned) s.good = { ref: mB, refScale: sigma, index: startIdx };
  }
  return true;
}

function isBack(level: number, open: OpenShift, input: DetectorInput): boolean {
  const { ctx } = input;
  const cfg = ctx.config.detectors.regression;
  const d = level - open.ref;
  const bad = badSize(d, ctx.direction);
  if (bad <= 0) return true;
  if (bad / open.refScale < cfg.minShiftSigma) return true;
  return ctx.latency && open.ref !== 0 && bad / Math.abs(open.ref) < cfg.minShiftPct / 100 / 2;
}

function holdOrResolve(s: Cursor, input: DetectorInput): void {
  const { base, ctx } = input;
  const open = s.open!;
  const level = base.median;
  if (isBack(level, open, input)) {
    input.changePoint(base.n - 1, input.obs.at, 'recovery');
    resolve(open, input, level, 'recovered');
    s.open = null;
    return;
  }
  if (base.n - 1 - open.index >= ctx.config.detectors.regression.acceptAfterPoints) {
    resolve(open, input, level, 'accepted as new baseline');
    s.open = null;
    return;
  }
  emitShift(open, input, level, 'hold');
}

function shiftSignal(open: OpenShift, input: DetectorInput, level: number) {
  const { ctx } = input;
  const delta = level - open.ref;
  const pct = open.ref !== 0 ? (delta / Math.abs(open.ref)) * 100 : undefined;
  const unit = ctx.latency ? 'ms' : 'value';
  return { delta, pct, unit };
}

function emitShift(open: OpenShift, input: DetectorInput, level: number, lvl: 'open' | 'hold'): void {
  const { ctx } = input;
  const { delta, pct, unit } = shiftSignal(open, input, level);
  const zShift = delta / open.refScale;
  const critical = ctx.latency ? (pct ?? 0) >= 50 : Math.abs(zShift) >= 8;
  input.emit({
    kind: 'regression',
    level: lvl,
    severity: critical ? 'critical' : 'warning',
    observed: level,
    expected: { value: open.ref, low: open.ref - 2 * open.refScale, high: open.ref + 2 * open.refScale },
    unit,
    magnitude: { delta, z: zShift, pValue: open.pValue, ...(pct !== undefined ? { pct } : {}), ...(open.ref > 0 && level > 0 ? { ratio: level / open.ref } : {}) },
    startedAt: open.at,
    details: { changePointIndex: open.index },
    explain: (e) =>
      `${e.subject} level moved ${pct !== undefined ? fmtPct(pct) + ' ' : ''}from ${fmtValue(open.ref, unit)} to ${fmtValue(level, unit)} (${delta >= 0 ? '+' : ''}${fmtValue(delta, unit)}, p=${open.pValue.toPrecision(2)}) since ${e.since} (${e.count} ${e.count === 1 ? 'point' : 'points'}).`,
  });
}

function resolve(open: OpenShift, input: DetectorInput, level: number, note: string): void {
  const { ctx } = input;
  const { delta, pct, unit } = shiftSignal(open, input, level);
  input.emit({
    kind: 'regression',
    level: 'resolve',
    note,
    severity: 'info',
    observed: level,
    expected: { value: open.ref },
    unit,
    magnitude: { delta, ...(pct !== undefined ? { pct } : {}) },
    startedAt: open.at,
    explain: (e) =>
      note === 'recovered'
        ? `${e.subject} is back at ${fmtValue(level, unit)}, near its level of ${fmtValue(open.ref, unit)} before the shift that started ${e.since} (${e.count} points).`
        : `${e.subject} has stayed at ${fmtValue(level, unit)} (${pct !== undefined ? fmtPct(pct) : fmtValue(delta, unit)} vs ${fmtValue(open.ref, unit)}) since ${e.since} for ${e.count} points: accepted as new baseline.`,
  });
  void ctx;
}
