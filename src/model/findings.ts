/**
 * Findings: what the anomaly core says about a series. Stored, reported and alerted on.
 */

export const FINDING_KINDS = [
  'sla_breach',
  'slo_burn',
  'spike',
  'regression',
  'error_rate',
  'new_error',
  'tail_latency',
  'bimodal',
  'variance_growth',
  'seasonality',
  'trend',
  'anomalous_period',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A series is one metric of one step of one monitor at one location. */
export interface SeriesKey {
  monitor: string;
  /** Step name; the monitor's own name for whole-monitor series. */
  step: string;
  /** `durationMs`, `firstByteMs`, `lcpMs`, `outcome` (1 failed / 0 passed), ... */
  metric: string;
  location: string;
}

export type FindingStatus = 'open' | 'resolved';

export interface Finding {
  /** Stable across updates: one open finding per series and kind. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  status: FindingStatus;
  series: SeriesKey;
  /** Observed value that triggered or last updated the finding (ms, ratio, rate: see `unit`). */
  observed: number;
  /** Expected value or range from the baseline. */
  expected: { value?: number; low?: number; high?: number };
  unit: 'ms' | 'ratio' | 'count' | 'score' | string;
  /** How far off: ratio to baseline, delta, percent, significance. */
  magnitude: { ratio?: number; delta?: number; pct?: number; pValue?: number; z?: number };
  /** First bad observation (for regressions: the first run of the new level). */
  startedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** Observations that contributed while open. */
  count: number;
  /** One sentence with numbers a person can act on. */
  explanation: string;
  /** For fleet-wide findings: the locations affected. */
  locations?: string[];
  details?: Record<string, unknown>;
}
