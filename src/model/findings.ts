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

/** The one severity order: info 0 < warning 1 < critical 2 (-1 for an unknown name). */
export function severityRank(severity: string): number {
  return SEVERITIES.indexOf(severity as Severity);
}

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

/** What the anomaly core reports for one finding; alerts and reporters consume the same type. */
export interface FindingChange {
  type: 'opened' | 'updated' | 'resolved';
  finding: Finding;
}

/** Critical first, then warning, then info; older first within a severity; id breaks ties. */
export function bySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || textOrder(a.startedAt, b.startedAt) || textOrder(a.id, b.id);
}

function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
