/**
 * Types shared by the core and its detectors: observations in, signals out of each detector,
 * finding changes out of the core.
 */
import type { Finding, FindingKind, Severity, SeriesKey } from '../model/findings.js';
import type { Direction, SeriesConfig } from './config.js';

/** One measured value of one series. Time comes from here, never from a clock. */
export interface Observation {
  series: SeriesKey;
  /** Epoch milliseconds of the measurement. */
  at: number;
  value: number;
  /** For `outcome` series (1 = failed): the failure's class and message (fingerprinted by the errors detector). */
  error?: { class: string; message: string };
  runId?: string;
  /**
   * For a failed outcome of a journey or step that failed because one of its steps failed: that
   * step's path. The step's outcome series carries the findings: an outcome finding of this series
   * that would open while the step has one of the same kind open is folded into it (not opened).
   */
  cause?: string;
  /** Per-step SLA thresholds known from the monitor definition (config overrides win). */
  sla?: { degradedMs?: number; failedMs?: number };
}

export type { FindingChange } from '../model/findings.js';

/**
 * What a detector says about one kind on one observation:
 * - `open`: abnormal beyond the open threshold (opens a finding, or updates the open one);
 * - `hold`: still abnormal but only beyond the resolve threshold (updates an open finding, never opens);
 * - `resolve`: the detector itself closes the finding now (recovery, accepted as new baseline).
 * A kind the detector evaluated without a signal counts as a normal point for hysteresis.
 */
export interface DetectorSignal {
  kind: FindingKind;
  level: 'open' | 'hold' | 'resolve';
  severity: Severity;
  observed: number;
  expected: Finding['expected'];
  unit: Finding['unit'];
  magnitude: Finding['magnitude'];
  /** When the anomaly started (epoch ms); defaults to this observation. */
  startedAt?: number;
  /** Builds the one-sentence explanation (called only when a finding changes). */
  explain: (ctx: ExplainContext) => string;
  details?: Record<string, unknown>;
  /** With `resolve`: why (`recovered`, `accepted as new baseline`, `part of a level shift`). */
  note?: string;
}

export interface ExplainContext {
  /** `Checkout` or `Checkout durationMs` style subject. */
  subject: string;
  /** Observations counted by the finding so far (including this one). */
  count: number;
  /** When the finding started, formatted (`14:15 UTC`). */
  since: string;
}

/** Per-series facts every detector reads (built once per series, not serialized). */
export interface SeriesContext {
  key: SeriesKey;
  id: string;
  config: SeriesConfig;
  direction: Direction;
  /** `direction` as a number for per-point code: 1 bad upward, -1 bad downward, 0 both ways (comparing strings costs more). */
  badSign: 1 | -1 | 0;
  latency: boolean;
  outcome: boolean;
}
