/**
 * Distribution: quantiles p50/p90/p95/p99/p99.9 per series, exact over the recent ring and from a
 * decayed log-bucket sketch (half-life ~256 points) for the long window. Checked every `every`
 * points (amortized O(1)):
 * - `tail_latency`: sketch p99 >= `tailRatio` x p50 (positive series only);
 * - `bimodal`: the best two-cluster split of the ring (Otsu; on log values for latency) has
 *   Ashman's D >= `bimodalD`, a minor cluster of at least 15%, and a bimodality coefficient > 0.6;
 * - `variance_growth`: recent robust sigma >= `varianceRatio` x the long-run one.
 * On two-sided (generic) series these are informational: they describe the series, they do not page.
 */
import { RING_SIZE, type Baseline } from '../baseline.js';
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { fmtRatio, fmtValue } from '../format.js';
import { LogSketch, type SketchJSON } from '../sketch.js';
import { quantileSorted } from '../stats.js';
import type { SeriesContext } from '../types.js';

const DECAY_EVERY = 64;
const DECAY = Math.pow(0.5, DECAY_EVERY / 256);
const MIN_WEIGHT = 0.15;
/** Bimodality coefficient needed as well (uniform data sits at 5/9; clear mixtures well above). */
const BC_MIN = 0.6;
const ring = new Float64Array(RING_SIZE);

// State in the series' block: float64 slots read on every point [points fed to the sketch, the
// series' point count when it was last fed, index of the others], the others [index of the
// buckets in f32, sketch scalars x3], and the sketch's float32 buckets. A state handle is the
// index of the first float64.
const K = 0;
const FED_N = 1;
/** Index of the slots read only when the sketch is fed or checked: [index of the buckets in f32, sketch scalars x3]. */
const COLD = 2;
const HOT_SLOTS = 3;
const AT32 = 0;
const SK = 1;
const COLD_SLOTS = 1 + LogSketch.SCALARS;
/**
 * The sketch is fed from the baseline's ring in batches (at least every 64 points: the ring holds
 * 64), not point by point: a point then touches no bucket line and computes no logarithm, and the
 * sketch sees the same values in the same order (the same state) as if fed one at a time. The
 * logarithms a batch took are kept for the check that follows it (see `fedLogs`).
 */
const FEED_EVERY = RING_SIZE;
/** ln of the values of the last batch fed (oldest first, NaN for values <= 0) and how many. */
const fedLogs = new Float64Array(RING_SIZE);
let fedCount = 0;

/** One sketch object serves every series, bound to a series' slots while it is observed. */
const shared = new LogSketch();

/** Add the ring's points the sketch has not seen yet (oldest first, decaying on schedule); returns the shared sketch bound to the series. */
function feed(at: number, base: Baseline): LogSketch {
  const mem = base.f64;
  const c = mem[at + COLD];
  const sketch = shared.bind(base.f32, mem[c + AT32], mem, c + SK);
  const pending = Math.min(base.n - mem[at + FED_N], base.size);
  if (pending > 0) {
    const n = base.recent(ring, pending);
    let k = mem[at + K];
    for (let i = 0; i < n; i++) {
      const x = ring[i];
      const lnX = x > 0 ? Math.log(x) : NaN;
      fedLogs[i] = lnX;
      sketch.addLog(x, lnX);
      k++;
      if ((k | 0) % DECAY_EVERY === 0) sketch.decay(DECAY);
    }
    mem[at + K] = k;
    fedCount = n;
  } else fedCount = 0;
  mem[at + FED_N] = base.n;
  return sketch;
}

/** The long-window sketch of a series' distribution state, up to date (a new object bound to the series' slots). */
export function sketchOf(at: number, base: Baseline): LogSketch {
  feed(at, base);
  const c = base.f64[at + COLD];
  return new LogSketch().bind(base.f32, base.f64[c + AT32], base.f64, c + SK);
}

export interface Quantiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

const QS = [0.5, 0.9, 0.95, 0.99, 0.999] as const;
const TAIL_QS = [0.5, 0.99] as const;
const qOut: number[] = [];

export function sketchQuantiles(s: LogSketch): Quantiles {
  const [p50, p90, p95, p99, p999] = s.quantiles(QS, qOut);
  return { p50, p90, p95, p99, p999 };
}

/** Exact quantiles of a sorted array. */
export function exactQuantiles(sorted: ArrayLike<number>, n: number): Quantiles {
  return { p50: quantileSorted(sorted, n, 0.5), p90: quantileSorted(sorted, n, 0.9), p95: quantileSorted(sorted, n, 0.95), p99: quantileSorted(sorted, n, 0.99), p999: quantileSorted(sorted, n, 0.999) };
}

/** Sarle's bimodality coefficient (skewness² + 1) / (excess kurtosis + small-sample term); > 5/9 hints at two modes. */
export function bimodalityCoefficient(x: ArrayLike<number>, n: number): number {
  if (n < 4) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (!(m2 > 0)) return 0;
  const g = ((m3 / Math.pow(m2, 1.5)) * Math.sqrt(n * (n - 1))) / (n - 2);
  const k = ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * (m4 / (m2 * m2) - 3) + 6);
  return (g * g + 1) / (k + (3 * (n - 1) * (n - 1)) / ((n - 2) * (n - 3)));
}

/** Best two-cluster split (Otsu) of sorted values: Ashman's D and the minor cluster's weight. */
export function twoClusters(sorted: Float64Array, n: number): { d: number; weight: number; low: number; high: number } {
  let total = 0;
  for (let i = 0; i < n; i++) total += sorted[i];
  let prefix = 0;
  let best = -1;
  let split = 0;
  for (let i = 1; i < n; i++) {
    prefix += sorted[i - 1];
    const w1 = i / n;
    const m1 = prefix / i;
    const m2 = (total - prefix) / (n - i);
    const between = w1 * (1 - w1) * (m2 - m1) * (m2 - m1);
    if (between > best) {
      best = between;
      split = i;
    }
  }
  if (split === 0) return { d: 0, weight: 0, low: NaN, high: NaN };
  const stats = (a: number, b: number) => {
    let m = 0;
    for (let i = a; i < b; i++) m += sorted[i];
    m /= b - a;
    let v = 0;
    for (let i = a; i < b; i++) v += (sorted[i] - m) ** 2;
    return { m, v: v / Math.max(1, b - a - 1) };
  };
  const g1 = stats(0, split);
  const g2 = stats(split, n);
  const d = (Math.SQRT2 * Math.abs(g2.m - g1.m)) / Math.sqrt(g1.v + g2.v + 1e-300);
  return { d, weight: Math.min(split, n - split) / n, low: g1.m, high: g2.m };
}

function fresh(base: Baseline): number {
  const at = base.carve64(HOT_SLOTS);
  const c = base.carveCold64(COLD_SLOTS);
  base.f64[at + COLD] = c;
  const counts = base.carve32(LogSketch.SLOTS);
  base.f64[c + AT32] = counts;
  base.f64[at + FED_N] = base.n;
  shared.bind(base.f32, counts, base.f64, c + SK, true);
  return at;
}

export const distributionDetector: Detector<number> = {
  name: 'distribution',
  kinds: ['tail_latency', 'bimodal', 'variance_growth'],
  slots: { f64: HOT_SLOTS + COLD_SLOTS, f32: LogSketch.SLOTS },
  applies: (ctx: SeriesContext) => !ctx.outcome && ctx.config.detectors.distribution.enabled,
  create: (_ctx, base) => fresh(base),
  save: (at, base) => ({ sketch: sketchOf(at, base).toJSON(), k: base.f64[at + K] }),
  load(raw, _ctx, base) {
    const at = fresh(base);
    const r = raw as { sketch?: SketchJSON; k?: number } | null;
    if (!r || !r.sketch || !Array.isArray(r.sketch.c)) return at;
    sketchOf(at, base).load(r.sketch);
    base.f64[at + K] = typeof r.k === 'number' && Number.isFinite(r.k) ? r.k : 0;
    return at;
  },
  beforeShift: (at, base) => void feed(at, base),
  observe(at, input: DetectorInput) {
    const { ctx, base } = input;
    const mem = base.f64;
    const pending = base.n - mem[at + FED_N];
    // Points seen, this one included (an int32 modulo below, not fmod on a double).
    const k = (mem[at + K] + pending) | 0;
    if (k % (ctx.config.detectors.distribution.every | 0) === 0) {
      const sketch = feed(at, base);
      if (base.size >= RING_SIZE && base.n >= ctx.config.minHistory * 2) analyze(sketch, input);
    } else if (pending >= FEED_EVERY) feed(at, base);
  },
};

/**
 * A ratio-type statistic's signal: `open` at `threshold`, `hold` (keeps an open finding) at 70% of
 * it, so a series on the edge does not flap.
 */
function levelOf(input: DetectorInput, kindBit: number, stat: number, threshold: number): 'open' | 'hold' | null {
  return stat >= threshold ? 'open' : stat >= threshold * 0.7 && input.isOpen(kindBit) ? 'hold' : null;
}

/** Distribution findings describe two-sided series (info) and warn on latency ones. */
function severityOf(input: DetectorInput): 'info' | 'warning' {
  return input.ctx.direction === 'both' ? 'info' : 'warning';
}

/** The periodic checks (every `every` points), out of line so that the per-point part above stays inlinable. */
function analyze(sketch: LogSketch, input: DetectorInput): void {
  const { ctx, base } = input;
  const cfg = ctx.config.detectors.distribution;
  const unit = ctx.latency ? 'ms' : 'value';

  // Heavy tail (long window, positive series): p50 and p99 first, the other quantiles only for a finding.
  let p50 = NaN;
  let p99 = NaN;
  if (sketch.total >= 100) {
    sketch.quantiles(TAIL_QS, qOut);
    p50 = qOut[0];
    p99 = qOut[1];
  }
  if (p50 > 0) {
    input.evaluated(KIND_BIT.tail_latency);
    const ratio = p99 / p50;
    const level = levelOf(input, KIND_BIT.tail_latency, ratio, cfg.tailRatio);
    if (level) {
      const q = sketchQuantiles(sketch);
      input.emit({
        kind: 'tail_latency',
        level,
        severity: severityOf(input),
        observed: q.p99,
        expected: { high: q.p50 * cfg.tailRatio },
        unit,
        magnitude: { ratio },
        details: { ...q },
        explain: (e) => `${e.subject} p99 ${fmtValue(q.p99, unit)} is ${fmtRatio(ratio)} its p50 of ${fmtValue(q.p50, unit)} (p90 ${fmtValue(q.p90, unit)}, p99.9 ${fmtValue(q.p999, unit)}) since ${e.since}.`,
      });
    }
  }

  // Bimodality of the recent ring (on logarithms for latency: the newest ones as the feed just took them).
  const n = base.recent(ring, RING_SIZE);
  const useLog = ctx.latency;
  let ok = true;
  if (useLog) {
    const fresh = Math.min(fedCount, n);
    for (let i = 0; i < n; i++) {
      const v = ring[i];
      if (!(v > 0)) ok = false;
      else ring[i] = i >= n - fresh ? fedLogs[i - (n - fresh)] : Math.log(v);
    }
  }
  // The moment-based coefficient first (no sort): the cluster split is only needed when it could
  // open (coefficient above its bar) or hold an open finding; most series stop here.
  const bc = ok ? bimodalityCoefficient(ring, n) : 0;
  const bimodalOpen = input.isOpen(KIND_BIT.bimodal);
  if (ok && (bc > BC_MIN || bimodalOpen)) {
    const sorted = (n === RING_SIZE ? ring : ring.subarray(0, n)).sort();
    const c = twoClusters(sorted, n);
    input.evaluated(KIND_BIT.bimodal);
    const level = c.d >= cfg.bimodalD && c.weight >= MIN_WEIGHT && bc > BC_MIN ? 'open' : c.d >= cfg.bimodalD * 0.75 && c.weight >= MIN_WEIGHT / 2 && bimodalOpen ? 'hold' : null;
    if (level) {
      const low = useLog ? Math.exp(c.low) : c.low;
      const high = useLog ? Math.exp(c.high) : c.high;
      const w = c.weight;
      input.emit({
        kind: 'bimodal',
        level,
        severity: severityOf(input),
        observed: high,
        expected: { value: low },
        unit,
        magnitude: { ratio: low > 0 ? high / low : undefined, z: c.d },
        details: { clusters: [low, high], minorShare: w, ashmanD: c.d, bimodalityCoefficient: bc },
        explain: (e) => `${e.subject} has two modes, around ${fmtValue(low, unit)} and ${fmtValue(high, unit)} (the smaller holds ${Math.round(w * 100)}% of the last ${n} points, separation D=${c.d.toFixed(1)}) since ${e.since}.`,
      });
    }
  }

  // Variance growth: recent robust sigma against the long-run one.
  if (base.longScale > 0 && base.n >= 4 * RING_SIZE) {
    input.evaluated(KIND_BIT.variance_growth);
    const ratio = base.scale / base.longScale;
    const level = levelOf(input, KIND_BIT.variance_growth, ratio, cfg.varianceRatio);
    if (level) {
      const now = base.scale;
      const before = base.longScale;
      input.emit({
        kind: 'variance_growth',
        level,
        severity: severityOf(input),
        observed: now,
        expected: { value: before },
        unit,
        magnitude: { ratio },
        explain: (e) => `${e.subject} varies ${fmtRatio(ratio)} more than usual: robust spread ${fmtValue(now, unit)} over the last ${n} points vs ${fmtValue(before, unit)} long-run, since ${e.since}.`,
      });
    }
  }
}

