/**
 * The deploy gate's judge, after Kayenta's canary judge: every (monitor, step, metric) after the
 * deploy (the canary) is compared with the same series before it (the baseline) by a two-sided
 * one-sided Mann-Whitney U test (every gate metric is bad upward) plus an effect size, and classified `pass`, `high` or `low` with a confidence.
 *
 * - Effect size: the Hodges-Lehmann shift (median of all canary-minus-baseline differences) for the
 *   latency metrics, the difference of the failure shares for the error rate. A change is meaningful
 *   only when it is at least `minRelativeChange` of the baseline median AND `minAbsoluteMs`
 *   (defaults 10% and 20 ms): a 3 ms check that becomes 4 ms is 33% slower and nobody should care.
 * - Multiple comparisons: a gate makes dozens of tests (monitors x steps x 4 metrics). Tested one by
 *   one at 5%, a noise-only deploy of 40 series would fail most of the time. The p-values are
 *   adjusted with Holm's step-down method, which keeps the chance of any false `high`/`low` across
 *   the whole gate at most `alpha` under any dependence between the series; the effect-size bar
 *   then removes significant but negligible changes on top.
 * - Score 0-100: the share of judged metrics that did not regress (`low`, an improvement, counts as a
 *   pass). A `high` on a critical metric (duration and error rate by default) fails the gate whatever
 *   the score, as Kayenta's critical metrics do: one step 30% slower must fail even among 80 series.
 * Pure: numbers in, a verdict out.
 */
import { mannWhitney } from '../anomaly/stats.js';
import { GATE_METRICS, type GateMetric, type StepSample } from './samples.js';

export interface GateOptions {
  /** Family-wise error rate across every comparison of the gate (Holm-adjusted). */
  alpha: number;
  /** Minimum meaningful latency change, relative to the baseline median. */
  minRelativeChange: number;
  /** Minimum meaningful latency change, milliseconds. */
  minAbsoluteMs: number;
  /** Minimum meaningful error-rate change, as an absolute share (0.05 = 5 percentage points). */
  minErrorRateChange: number;
  /** Fewer baseline samples than this: the series is not judged (`nodata`). */
  minBaselineSamples: number;
  /** Fewer canary samples than this: the series is not judged (`nodata`). */
  minCanarySamples: number;
  /** Score at or above which the gate passes (absent a critical regression). */
  passScore: number;
  /** Score at or above which the gate is marginal (passes, with a warning); below it fails. */
  marginalScore: number;
  /** Metrics whose `high` fails the gate whatever the score. */
  criticalMetrics: GateMetric[];
}

export const DEFAULT_GATE_OPTIONS: GateOptions = {
  alpha: 0.05,
  minRelativeChange: 0.1,
  minAbsoluteMs: 20,
  minErrorRateChange: 0.05,
  minBaselineSamples: 8,
  minCanarySamples: 5,
  passScore: 95,
  marginalScore: 75,
  criticalMetrics: ['durationMs', 'errorRate'],
};

export type Classification = 'pass' | 'high' | 'low' | 'nodata';

export interface SampleSummary {
  n: number;
  /** Median of the samples (the failure share for the error rate). */
  median: number;
}

export interface MetricJudgement {
  monitor: string;
  step: string;
  metric: GateMetric;
  classification: Classification;
  /** 1 - the Holm-adjusted p-value: how sure the judge is that the series changed at all. */
  confidence: number;
  pValue: number;
  adjustedP: number;
  baseline: SampleSummary;
  canary: SampleSummary;
  /** Canary minus baseline: Hodges-Lehmann shift (ms) or the difference of failure shares. */
  shift: number;
  /** shift / baseline median (NaN when the baseline median is 0). */
  relativeChange: number;
  /** The smallest |shift| that counts as a change for this series. */
  minMeaningfulShift: number;
  critical: boolean;
  /** One line a person can check: why this classification. */
  reason: string;
}

export type Verdict = 'pass' | 'marginal' | 'fail' | 'inconclusive';

export interface GateJudgement {
  verdict: Verdict;
  score: number;
  judgements: MetricJudgement[];
  /** The metrics that regressed (`high`), worst first. */
  regressions: MetricJudgement[];
  /** Monitors without enough canary samples to be judged. */
  missingCanary: string[];
  /** Monitors without enough baseline samples (new monitors): listed, not judged. */
  missingBaseline: string[];
  comparisons: number;
  /** Comparisons in the Holm family (those that could change at all). */
  tested: number;
  options: GateOptions;
  summary: string;
}

interface Series {
  monitor: string;
  step: string;
  metric: GateMetric;
  baseline: number[];
  canary: number[];
}

/** Group samples into series keyed by monitor, step and metric, in a stable order. */
function seriesOf(baseline: readonly StepSample[], canary: readonly StepSample[]): Series[] {
  const map = new Map<string, Series>();
  const add = (s: StepSample, side: 'baseline' | 'canary') => {
    for (const metric of GATE_METRICS) {
      const v = s.values[metric];
      if (v === undefined || !Number.isFinite(v)) continue;
      const key = `${s.monitor}\u0000${s.step}\u0000${metric}`;
      let series = map.get(key);
      if (!series) map.set(key, (series = { monitor: s.monitor, step: s.step, metric, baseline: [], canary: [] }));
      series[side].push(v);
    }
  };
  for (const s of baseline) add(s, 'baseline');
  for (const s of canary) add(s, 'canary');
  return [...map.values()];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function mean(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return xs.length ? t / xs.length : NaN;
}

/** Hodges-Lehmann estimate of the shift: the median of every canary-minus-baseline difference. */
export function hodgesLehmann(baseline: readonly number[], canary: readonly number[]): number {
  const diffs: number[] = [];
  for (const c of canary) for (const b of baseline) diffs.push(c - b);
  return median(diffs);
}

/** Holm's step-down adjustment: adjusted p-values in the input order, monotone, at most 1. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

export function judgeDeploy(baseline: readonly StepSample[], canary: readonly StepSample[], opts: Partial<GateOptions> = {}): GateJudgement {
  const options: GateOptions = { ...DEFAULT_GATE_OPTIONS, ...opts };
  const all = seriesOf(baseline, canary);
  const canaryCount = countByMonitor(canary);
  const baselineCount = countByMonitor(baseline);
  const monitors = [...new Set([...baselineCount.keys(), ...canaryCount.keys()])].sort();
  const missingCanary = monitors.filter((m) => (canaryCount.get(m) ?? 0) < options.minCanarySamples);
  const missingBaseline = monitors.filter((m) => (baselineCount.get(m) ?? 0) < options.minBaselineSamples && !missingCanary.includes(m));

  // Series that cannot change at all (every value equal on both sides, e.g. an error rate of 0
  // before and after) can never reject: they are left out of the family (Tarone's rule for discrete
  // tests), so they do not dilute the correction for the series that can.
  const judged = all.filter((s) => s.baseline.length >= options.minBaselineSamples && s.canary.length >= options.minCanarySamples && !constant(s));
  // Every gate metric is bad upward only (latency, error rate): the family is the one-sided
  // "higher after the deploy" tests; `low` (an improvement) is reported from the other side.
  const tests = judged.map((s) => mannWhitney(s.baseline, s.baseline.length, s.canary, s.canary.length, 1).p);
  const lowTests = judged.map((s) => mannWhitney(s.baseline, s.baseline.length, s.canary, s.canary.length, -1).p);
  const adjusted = holmAdjust(tests);
  const adjustedLow = holmAdjust(lowTests);
  const byKey = new Map<Series, number>();
  judged.forEach((s, i) => byKey.set(s, i));

  const judgements = all.map((s): MetricJudgement => {
    const i = byKey.get(s);
    const isRate = s.metric === 'errorRate';
    const baseSummary = { n: s.baseline.length, median: isRate ? mean(s.baseline) : median(s.baseline) };
    const canarySummary = { n: s.canary.length, median: isRate ? mean(s.canary) : median(s.canary) };
    const critical = options.criticalMetrics.includes(s.metric);
    const common = { monitor: s.monitor, step: s.step, metric: s.metric, baseline: baseSummary, canary: canarySummary, critical };
    if (i === undefined && constant(s) && s.baseline.length >= options.minBaselineSamples && s.canary.length >= options.minCanarySamples) {
      return { ...common, classification: 'pass', confidence: 0, pValue: 1, adjustedP: 1, shift: 0, relativeChange: 0, minMeaningfulShift: NaN, reason: 'unchanged: every value the same before and after' };
    }
    if (i === undefined) {
      return {
        ...common,
        classification: 'nodata',
        confidence: 0,
        pValue: NaN,
        adjustedP: NaN,
        shift: NaN,
        relativeChange: NaN,
        minMeaningfulShift: NaN,
        reason: `not judged: ${s.baseline.length} baseline and ${s.canary.length} canary samples (need ${options.minBaselineSamples} and ${options.minCanarySamples})`,
      };
    }
    const shift = isRate ? canarySummary.median - baseSummary.median : hodgesLehmann(s.baseline, s.canary);
    const minMeaningfulShift = isRate ? options.minErrorRateChange : Math.max(options.minAbsoluteMs, options.minRelativeChange * baseSummary.median);
    const relativeChange = baseSummary.median > 0 ? shift / baseSummary.median : NaN;
    const up = shift >= 0;
    const p = up ? adjusted[i] : adjustedLow[i];
    const significant = p < options.alpha;
    const meaningful = Math.abs(shift) >= minMeaningfulShift;
    const classification: Classification = significant && meaningful ? (up ? 'high' : 'low') : 'pass';
    const fmt = (x: number) => (isRate ? `${(x * 100).toFixed(1)}%` : `${x.toFixed(1)} ms`);
    const change = `${shift >= 0 ? '+' : ''}${fmt(shift)}${Number.isFinite(relativeChange) && !isRate ? ` (${shift >= 0 ? '+' : ''}${(relativeChange * 100).toFixed(0)}%)` : ''}`;
    const why = !significant
      ? `not significant (adjusted p ${p.toPrecision(2)} >= ${options.alpha})`
      : !meaningful
        ? `significant but below the minimum meaningful change of ${fmt(minMeaningfulShift)}`
        : `significant (adjusted p ${p.toPrecision(2)}) and at least ${fmt(minMeaningfulShift)}`;
    return {
      ...common,
      classification,
      confidence: 1 - p,
      pValue: up ? tests[i] : lowTests[i],
      adjustedP: p,
      shift,
      relativeChange,
      minMeaningfulShift,
      reason: `${fmt(baseSummary.median)} -> ${fmt(canarySummary.median)}, shift ${change}: ${why}`,
    };
  });

  const scored = judgements.filter((j) => j.classification !== 'nodata');
  const regressions = judgements
    .filter((j) => j.classification === 'high')
    .sort((a, b) => Number(b.critical) - Number(a.critical) || (b.relativeChange || 0) - (a.relativeChange || 0) || a.adjustedP - b.adjustedP);
  const score = scored.length ? Math.round((1000 * (scored.length - regressions.length)) / scored.length) / 10 : 0;
  const criticalRegression = regressions.some((r) => r.critical);
  const verdict: Verdict =
    scored.length === 0 || missingCanary.length > 0
      ? 'inconclusive'
      : criticalRegression || score < options.marginalScore
        ? 'fail'
        : score < options.passScore
          ? 'marginal'
          : 'pass';
  return {
    verdict,
    score,
    judgements,
    regressions,
    missingCanary,
    missingBaseline,
    comparisons: scored.length,
    tested: judged.length,
    options,
    summary: summarize(verdict, score, regressions, missingCanary, scored.length, options),
  };
}

function summarize(verdict: Verdict, score: number, regressions: MetricJudgement[], missingCanary: string[], comparisons: number, o: GateOptions): string {
  if (verdict === 'inconclusive') {
    return comparisons === 0
      ? 'inconclusive: no series had enough samples on both sides of the deploy'
      : `inconclusive: not enough results after the deploy for ${missingCanary.join(', ')} (need ${o.minCanarySamples}; --runs N runs the monitors now)`;
  }
  const worst = regressions.slice(0, 3).map((r) => `${r.monitor} / ${r.step} ${r.metric} ${r.relativeChange >= 0 ? '+' : ''}${Number.isFinite(r.relativeChange) ? (r.relativeChange * 100).toFixed(0) + '%' : r.shift.toFixed(2)}`);
  const tail = worst.length ? `; regressed: ${worst.join(', ')}${regressions.length > 3 ? ` and ${regressions.length - 3} more` : ''}` : '';
  return `${verdict}: score ${score} over ${comparisons} comparisons (pass >= ${o.passScore}, marginal >= ${o.marginalScore})${tail}`;
}

function constant(s: Series): boolean {
  const v = s.baseline[0] ?? s.canary[0];
  return s.baseline.every((x) => x === v) && s.canary.every((x) => x === v);
}

function countByMonitor(samples: readonly StepSample[]): Map<string, number> {
  // Results, not steps: a monitor with 5 steps and 3 results has 3 samples.
  const ids = new Map<string, Set<string>>();
  for (const s of samples) {
    let set = ids.get(s.monitor);
    if (!set) ids.set(s.monitor, (set = new Set()));
    set.add(s.resultId);
  }
  return new Map([...ids].map(([m, set]) => [m, set.size]));
}
