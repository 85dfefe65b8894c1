/**
 * `--format changepoints` semantics through the core: one change point per regime, none for a daily
 * cycle, scored by F1 with a margin of 5 rows on synthetic series with known change points.
 */
import { describe, expect, it } from 'vitest';
import { AnomalyCore } from '../../src/anomaly/index.js';
import { STEP_MS, T0, gaussian, mulberry32 } from './scenarios.js';

/** F1 of predicted change points against true ones, each true point matched at most once within `margin` rows. */
export function changePointF1(truth: number[], predicted: number[], margin = 5): { f1: number; precision: number; recall: number } {
  const used = new Set<number>();
  let matched = 0;
  for (const p of predicted) {
    const t = truth.find((x) => !used.has(x) && Math.abs(x - p) <= margin);
    if (t !== undefined) {
      used.add(t);
      matched++;
    }
  }
  const precision = predicted.length ? matched / predicted.length : truth.length ? 0 : 1;
  const recall = truth.length ? matched / truth.length : 1;
  return { f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, precision, recall };
}

function changePoints(values: number[], name: string): number[] {
  const found: number[] = [];
  const core = new AnomalyCore(undefined, { onChangePoint: (cp) => found.push(cp.index) });
  const series = { monitor: 'cp', step: name, metric: 'value', location: 'lab' };
  values.forEach((value, i) => core.observe({ series, at: T0 + i * STEP_MS, value }));
  return [...new Set(found)].sort((a, b) => a - b);
}

describe('change points', () => {
  it('scores F1 by one-to-one matches within the margin', () => {
    expect(changePointF1([100, 200], [102, 150, 199]).f1).toBeCloseTo(0.8, 10);
    expect(changePointF1([100], [106]).f1).toBe(0);
  });

  it('reports each regime once on series with known level changes, with or without a daily cycle (F1 >= 0.75)', () => {
    const rand = mulberry32(2027);
    let tp = 0;
    let predicted = 0;
    let truthCount = 0;
    const perSeries: string[] = [];
    for (let s = 0; s < 16; s++) {
      const seasonal = s % 2 === 1;
      const truth: number[] = [];
      let at = 300 + Math.floor(rand() * 200);
      while (at < 2600) {
        truth.push(at);
        at += 300 + Math.floor(rand() * 300);
      }
      let level = 200 + rand() * 800;
      const levels = new Map<number, number>();
      for (const t of truth) {
        level *= rand() < 0.5 ? 1.4 + rand() * 0.6 : 1 / (1.4 + rand() * 0.6);
        levels.set(t, level);
      }
      let current = 200 + rand() * 800;
      const values = Array.from({ length: 2880 }, (_, i) => {
        if (levels.has(i)) current = levels.get(i)!;
        const cycle = seasonal ? 1 + 0.3 * Math.sin((2 * Math.PI * i) / 288) : 1;
        return current * cycle * (1 + 0.04 * gaussian(rand));
      });
      const found = changePoints(values, `s${s}`);
      const f = changePointF1(truth, found);
      tp += f.recall * truth.length;
      predicted += found.length;
      truthCount += truth.length;
      perSeries.push(`${seasonal ? 'daily' : 'flat'} ${truth.length}/${found.length} f1=${f.f1.toFixed(2)}`);
    }
    const precision = tp / Math.max(1, predicted);
    const recall = tp / Math.max(1, truthCount);
    const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
    console.log(`[change points] F1 ${f1.toFixed(3)} (precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; ${truthCount} true, ${predicted} reported): ${perSeries.join('; ')}`);
    expect(f1).toBeGreaterThanOrEqual(0.75);
  });

  it('reports no regime change for a daily cycle, even before the seasonal profile is learned', () => {
    const rand = mulberry32(99);
    for (const shape of ['sine', 'square'] as const) {
      const values = Array.from({ length: 2016 }, (_, i) => {
        const phase = (i % 288) / 288;
        const cycle = shape === 'sine' ? 1 + 0.5 * Math.sin(2 * Math.PI * phase) : phase < 0.5 ? 1.6 : 0.6;
        return 100 * cycle * (1 + 0.02 * gaussian(rand));
      });
      // The first day shows the cycle for the first time: from the second day on, nothing is new.
      expect(changePoints(values, shape).filter((i) => i >= 288)).toEqual([]);
    }
  });
});
