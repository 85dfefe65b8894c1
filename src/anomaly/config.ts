/**
 * The `anomaly` section of the config: types, defaults (applied here, in one place) and the
 * per-series resolution of overrides (by monitor / step / metric / location, later entries win).
 */
import type { SeriesKey } from '../model/findings.js';

/** Which way a series is bad: latency is bad upward, a generic metric both ways. */
export type Direction = 'up' | 'down' | 'both';

export interface SpikeConfig {
  enabled: boolean;
  /** Robust z (|x - baseline| / robust sigma) at which a spike opens. */
  zOpen: number;
  /** Below this a point counts as normal for resolving (hysteresis). */
  zResolve: number;
  /** The open threshold is also at least this multiple of the series' own 99th percentile |z| (heavy tails). */
  tailFactor: number;
  /** For latency series: a spike must also be at least this relative change (0.2 = +20%). */
  minRelChange: number;
  /**
   * Surprise: the open threshold is also `surprise` x the largest |z| of recent points (decaying
   * with a half-life of `surpriseHalfLife` points), so a series in a volatile stretch reports its
   * first big outlier, not every one after it. Two-sided (generic) series only: latency spikes are
   * bounded by `minRelChange` instead. 0 disables.
   */
  surprise: number;
  surpriseHalfLife: number;
}

export interface RegressionConfig {
  enabled: boolean;
  /** CUSUM drift allowance and decision threshold, in robust sigmas. */
  cusumK: number;
  cusumH: number;
  /** Mann-Whitney p-value that confirms a change point. */
  alpha: number;
  /** Minimum shift in robust sigmas and, for latency series, in percent of the baseline. */
  minShiftSigma: number;
  minShiftPct: number;
  /** For two-sided (generic, non-latency) series, where both directions alarm: stricter minimum shift and p-value. */
  minShiftSigmaTwoSided: number;
  /**
   * Two-sided series whose level is clearly away from zero (3 sigmas): a shift of this many percent
   * of the level also counts when it is `minShiftSigma` sigmas (a 20% move of a busy metric matters
   * even when its noise is wide).
   */
  minShiftPctTwoSided: number;
  alphaTwoSided: number;
  /** A shift that lasts this many points becomes the new normal: resolved with "accepted as new baseline". */
  acceptAfterPoints: number;
}

export interface ErrorsConfig {
  enabled: boolean;
  /** Recent window of outcomes (points) compared with the long-run baseline failure rate. */
  window: number;
  /** Normal quantile of the Wilson lower bound that opens (2.576 = 99%). */
  zOpen: number;
  /**
   * Deprecated, no effect: an open error-rate finding is kept by every failing run and ended by
   * `resolveAfter` passing runs in a row (it follows the monitor's current state). Still accepted
   * so that existing configurations load.
   */
  zHold: number;
  /** Absolute margin over the baseline rate (0.05 = five points of failure rate). */
  margin: number;
  /** Report failures whose normalized signature was not seen before. */
  newSignatures: boolean;
}

export interface SlaConfig {
  enabled: boolean;
  /** Thresholds in the series' unit (ms for latency). Step SLAs from monitor definitions fill these when unset. */
  degradedMs?: number;
  failedMs?: number;
  /** A breach resolves once values are below threshold x this factor (hysteresis). */
  resolveFactor: number;
}

export interface SloConfig {
  enabled: boolean;
  /** Availability objective for `outcome` series (0.99 = 99% of runs pass). */
  availability: number;
  /** Latency objective: `target` share of runs faster than `thresholdMs` (off unless a threshold is known). */
  latencyThresholdMs?: number;
  latencyTarget: number;
  /** Burn-rate factors of the multi-window rule: fast (1h and 5m), slow (6h and 30m). */
  fastBurn: number;
  slowBurn: number;
  /** Bad events needed in the long window before the rule can fire (sparse synthetic traffic). */
  minBadEvents: number;
}

export interface DistributionConfig {
  enabled: boolean;
  /** p99 / p50 ratio that is reported as a heavy tail. */
  tailRatio: number;
  /** Ashman's D between the two clusters that counts as bimodal. */
  bimodalD: number;
  /** Recent robust sigma / long-run sigma that counts as variance growth. */
  varianceRatio: number;
  /** Run these checks every N points. */
  every: number;
}

export interface PatternsConfig {
  enabled: boolean;
  /** Seasonal strength (share of variance explained by the hour-of-day profile) that switches the seasonal baseline on. */
  seasonalStrength: number;
  /** Days of history before seasonality is considered. */
  minDays: number;
  /** Trend: Mann-Kendall p-value and minimum change per day (fraction of level) to report. */
  trendAlpha: number;
  trendPctPerDay: number;
}

export interface DetectorsConfig {
  spike: SpikeConfig;
  regression: RegressionConfig;
  errors: ErrorsConfig;
  sla: SlaConfig;
  slo: SloConfig;
  distribution: DistributionConfig;
  patterns: PatternsConfig;
}

export interface SeriesConfig {
  /** Points before spike/regression/distribution speak. */
  minHistory: number;
  /** Consecutive normal points that resolve a finding. */
  resolveAfter: number;
  /** Bad direction; default from the metric (`...Ms` and `cls` up, others both). */
  direction?: Direction;
  detectors: DetectorsConfig;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface AnomalyOverride extends DeepPartial<SeriesConfig> {
  monitor?: string;
  step?: string;
  metric?: string;
  location?: string;
}

/** The `anomaly` section as written by a user (validated by `anomalyConfigSchema`). */
export interface AnomalyConfig extends DeepPartial<SeriesConfig> {
  enabled?: boolean;
  overrides?: AnomalyOverride[];
}

export const DEFAULT_SERIES_CONFIG: SeriesConfig = {
  minHistory: 20,
  resolveAfter: 3,
  detectors: {
    spike: { enabled: true, zOpen: 6, zResolve: 3, tailFactor: 2.2, minRelChange: 0.2, surprise: 0.7, surpriseHalfLife: 288 },
    regression: { enabled: true, cusumK: 0.5, cusumH: 6, alpha: 0.001, minShiftSigma: 1.5, minShiftPct: 10, minShiftSigmaTwoSided: 5, minShiftPctTwoSided: 20, alphaTwoSided: 0.0001, acceptAfterPoints: 288 },
    errors: { enabled: true, window: 20, zOpen: 2.576, zHold: 1.645, margin: 0.05, newSignatures: true },
    sla: { enabled: true, resolveFactor: 0.9 },
    slo: { enabled: true, availability: 0.99, latencyTarget: 0.99, fastBurn: 14.4, slowBurn: 6, minBadEvents: 3 },
    distribution: { enabled: true, tailRatio: 10, bimodalD: 5, varianceRatio: 2.5, every: 64 },
    patterns: { enabled: true, seasonalStrength: 0.4, minDays: 3, trendAlpha: 0.001, trendPctPerDay: 0.2 },
  },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(patch) || !isPlainObject(base)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'monitor' || k === 'step' || k === 'metric' || k === 'location' || k === 'overrides' || (k === 'enabled' && !('enabled' in base))) continue;
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k], v) : v;
  }
  return out as T;
}

/** Defaults and overrides resolved once; `forSeries` is cached per series id by the core. */
export class ResolvedAnomalyConfig {
  readonly enabled: boolean;
  readonly base: SeriesConfig;
  private readonly overrides: AnomalyOverride[];

  constructor(config: AnomalyConfig = {}) {
    this.enabled = config.enabled ?? true;
    this.base = merge(DEFAULT_SERIES_CONFIG, config);
    this.overrides = config.overrides ?? [];
  }

  forSeries(key: SeriesKey): SeriesConfig {
    let out = this.base;
    for (const o of this.overrides) {
      if (o.monitor !== undefined && o.monitor !== key.monitor) continue;
      if (o.step !== undefined && o.step !== key.step) continue;
      if (o.metric !== undefined && o.metric !== key.metric) continue;
      if (o.location !== undefined && o.location !== key.location) continue;
      out = merge(out, o);
    }
    return out;
  }
}

/** Default bad direction of a metric. */
export function defaultDirection(metric: string): Direction {
  return metric.endsWith('Ms') || metric === 'cls' ? 'up' : 'both';
}

/** Latency-like metrics: positive, reported in ms, relative changes meaningful. */
export function isLatencyMetric(metric: string): boolean {
  return metric.endsWith('Ms');
}
