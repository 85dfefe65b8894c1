/**
 * Spike / outlier: one point far from the robust baseline (median and MAD of the recent ring,
 * seasonally adjusted once a daily/weekly profile is on). The open threshold is the larger of
 * `zOpen` and `tailFactor` x the series' own 99th percentile |z|, so heavy-tailed series do not
 * page on their normal tail. Latency series only spike upward (and by at least `minRelChange`).
 */
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { fmtRatio, fmtValue } from '../format.js';
import type { SeriesContext } from '../types.js';

/** The spike state is one float64 slot of the series' block: the decaying maximum |z| of recent points (the surprise level, kept for two-sided series). */
export type SpikeState = number;

/**
 * The largest |z| the surprise level remembers: beyond 1,000 robust sigmas a value says nothing
 * more about how jumpy the series is (and a corrupt 1e308 would otherwise silence the series).
 */
export const Z_MEMORY_CAP = 1000;

export const spikeDetector: Detector<SpikeState> = {
  name: 'spike',
  kinds: ['spike'],
  slots: { f64: 1 },
  applies: (ctx: SeriesContext) => !ctx.outcome && ctx.config.detectors.spike.enabled,
  create: (_ctx, base) => base.carve64(1),
  save: (at, base) => ({ recent: Number(base.f64[at].toPrecision(4)) }),
  load(raw, _ctx, base) {
    const at = base.carve64(1);
    const recent = (raw as { recent?: unknown } | null)?.recent;
    base.f64[at] = typeof recent === 'number' && Number.isFinite(recent) ? recent : 0;
    return at;
  },
  observe(at, input: DetectorInput) {
    const z = input.z;
    if (z !== z) return;
    const { ctx, base } = input;
    const cfg = ctx.config.detectors.spike;
    input.evaluated(KIND_BIT.spike);
    const sign = ctx.badSign;
    const size = sign === 0 ? Math.abs(z) : sign * z;
    let threshold = cfg.tailFactor * base.q99;
    if (cfg.zOpen > threshold) threshold = cfg.zOpen;
    if (sign === 0) {
      // The surprise level only raises the threshold of two-sided series: kept for them alone.
      const mem = base.f64;
      const surprise = cfg.surprise * mem[at];
      if (surprise > threshold) threshold = surprise;
      const absZ = Math.abs(z);
      // Capped: one absurd value (1e308) must not raise the threshold beyond any later spike.
      mem[at] = Math.max(mem[at] * (1 - Math.LN2 / cfg.surpriseHalfLife), absZ < Z_MEMORY_CAP ? absZ : Z_MEMORY_CAP);
    }
    // Latency spikes must also be a relative change: (value - expected) / |expected| >= minRelChange,
    // compared as a product (a division on every point costs more).
    let relOk = true;
    if (ctx.latency) {
      const expected = input.expected;
      relOk = expected === 0 || input.obs.value - expected >= cfg.minRelChange * Math.abs(expected);
    }
    if (relOk) input.score(size, threshold);
    let level: 'open' | 'hold' | null = null;
    if (size >= threshold && relOk) level = 'open';
    else if (size >= cfg.zResolve && input.isOpen(KIND_BIT.spike)) level = 'hold';
    if (level) emitSpike(input, level, size, threshold, relChange(input));
  },
};

/** (value - expected) / |expected| of this point (Infinity when the expectation is 0). */
function relChange(input: DetectorInput): number {
  const expected = input.expected;
  return expected !== 0 ? (input.obs.value - expected) / Math.abs(expected) : Infinity;
}

/**
 * The signal of an abnormal point, out of line: `observe` stays small enough for the JIT to
 * inline it into the series' detector runner (it runs on every point; this runs on a few).
 */
function emitSpike(input: DetectorInput, level: 'open' | 'hold', size: number, threshold: number, rel: number): void {
  const { z, ctx, base } = input;
  const cfg = ctx.config.detectors.spike;
  const expected = input.expected;
  const value = input.obs.value;
  const unit = ctx.latency ? 'ms' : 'value';
  const sigma = base.sigma();
  const ratio = expected > 0 && value > 0 ? value / expected : undefined;
  input.emit({
    kind: 'spike',
    level,
    severity: size >= 2 * threshold && (!ctx.latency || (ratio ?? 0) >= 2) ? 'critical' : 'warning',
    observed: value,
    expected: { value: expected, low: expected - cfg.zResolve * sigma, high: expected + cfg.zResolve * sigma },
    unit: ctx.latency ? 'ms' : 'value',
    magnitude: { z, delta: value - expected, ...(ratio !== undefined ? { ratio } : {}), ...(Number.isFinite(rel) ? { pct: rel * 100 } : {}) },
    explain: (e) =>
      `${e.subject} ${fmtValue(value, unit)} is ${ratio !== undefined && ratio >= 1.5 ? fmtRatio(ratio) + ' ' : ''}${z >= 0 ? 'above' : 'below'} its baseline of ${fmtValue(expected, unit)} (${Math.abs(z).toFixed(1)} robust sigmas, normal range ${fmtValue(expected - cfg.zResolve * sigma, unit)} to ${fmtValue(expected + cfg.zResolve * sigma, unit)}) since ${e.since} (${e.count} ${e.count === 1 ? 'point' : 'points'}).`,
  });
}
