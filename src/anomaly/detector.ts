/**
 * The one interface every detector implements. A detector owns a small state per series (created,
 * saved to JSON and loaded by the core), reads the shared baseline, and pushes signals for the
 * kinds it evaluated. It never does I/O and never reads a clock.
 */
import type { FindingKind } from '../model/findings.js';
import type { Baseline } from './baseline.js';
import type { DetectorsConfig } from './config.js';
import type { DetectorSignal, Observation, SeriesContext } from './types.js';

/** Everything a detector sees for one observation (one reused object: do not keep it). */
export interface DetectorInput {
  /** The observation (one object the core reuses for every point: copy what you keep beyond this call). */
  obs: Observation;
  ctx: SeriesContext;
  /** The baseline, already including this observation. */
  base: Baseline;
  /** Signed robust z of this observation against the baseline before it (NaN before `minHistory`). */
  z: number;
  /** Expected value before this observation (NaN before `minHistory`). */
  expected: number;
  /** Whether a finding of the kind with bit `kindBit` (`KIND_BIT.spike`, ...) is open on this series. */
  isOpen(kindBit: number): boolean;
  /** Push a signal (`open`, `hold` or `resolve`) for a kind. */
  emit(signal: DetectorSignal): void;
  /** Mark a kind as evaluated on this point: with no signal it counts as a normal point. */
  evaluated(kindBit: number): void;
  /**
   * Report this point's statistic against the value of it that opens a finding. The point's score
   * is the maximum over detectors of `scoreOf(stat, threshold)`, computed once by the core.
   */
  score(stat: number, threshold: number): void;
  /** Record a change of regime (regression detector) at the 0-based series index `index`. */
  changePoint(index: number, at: number, type: 'regression' | 'recovery' | 'shift'): void;
}

export interface Detector<S = unknown> {
  readonly name: keyof DetectorsConfig;
  readonly kinds: readonly FindingKind[];
  /**
   * Numeric state this detector keeps in the series' block (value series only): `create`/`load`
   * take the slots with `base.carve64(n)` / `base.carve32(n)`, and the state is then typically
   * just their offsets (no object per series to chase on every point).
   */
  readonly slots?: { f64?: number; f32?: number };
  /** Whether the detector runs on this series at all (metric type, config). */
  applies(ctx: SeriesContext): boolean;
  /** A fresh state; `base` is the series' baseline (an empty stand-in on outcome series). */
  create(ctx: SeriesContext, base: Baseline): S;
  observe(state: S, input: DetectorInput): void;
  /**
   * The baseline is about to move the older values of its ring to a new level (a confirmed level
   * shift, see `Baseline.shiftOlder`): read any raw ring values the state has not consumed yet.
   */
  beforeShift?(state: S, base: Baseline): void;
  save(state: S, base: Baseline): unknown;
  /** Restore a saved state; return `create(ctx, base)` when it does not fit (schema change). */
  load(raw: unknown, ctx: SeriesContext, base: Baseline): S;
}

/** Map a statistic to a score in [0,1] where `threshold` maps to 0.5 (ranking, not a probability). */
export function scoreOf(stat: number, threshold: number): number {
  if (!(stat > 0) || !(threshold > 0)) return 0;
  return 1 - Math.pow(2, -stat / threshold);
}

/** Whether a signed deviation is in the series' bad direction, and its size that way. */
export function badSize(signed: number, direction: SeriesContext['direction']): number {
  return direction === 'up' ? signed : direction === 'down' ? -signed : Math.abs(signed);
}
