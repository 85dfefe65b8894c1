/**
 * The gate is honest (issue 17, item 7), over seeded trials: false fails on noise-only deploys and
 * misses of a 30% one-step regression.
 *
 * Samples are drawn (seeded, with replacement) from real measured distributions, written by
 * bench/gate-samples.ts with one `observer run` process per run against the demo shop:
 * - measured-backend.json: steps whose time is the backend's (the shop's API answering in 300 ms,
 *   as a production site's server time dominates its steps). Both rates must be <= 5%.
 * - measured.json: every example check and journey step as measured on the development machine,
 *   2 cores shared by many processes (load ~16): the spread is the runner's contention (IQR 50-140%
 *   of the median), not the shop's. False fails must stay <= 5%; the miss rate is printed, since no
 *   test can see a 30% shift inside that noise with these sample sizes (see the closing note).
 * Each trial draws a 96-result baseline (24 h at a 15-minute schedule) and a 20-result canary
 * (`--runs 20`) per step; a regression trial makes one
 * step's canary durations 30% longer, among the steps where 30% is a meaningful change by the gate's
 * own rule (>= 20 ms). The judge sees every step and metric at once, as in a real gate.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeDeploy, median, type GateMetric, type StepSample } from '../../src/gate/index.js';
import { mulberry32 } from '../anomaly/scenarios.js';
import { repoRoot } from '../e2e/sandbox.js';

type Samples = Record<string, Partial<Record<GateMetric, number[]>>>;
const load = (name: string) => (JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'gate', name), 'utf8')) as { samples: Samples }).samples;

const TRIALS = 100;
/** A 24 h baseline of a monitor on a 15-minute schedule, and the canary of `observer gate --runs 20`. */
const BASELINE_N = 96;
const CANARY_N = 20;

function draw(samples: Samples, rand: () => number, n: number, regressed?: string, factor = 1): StepSample[] {
  const out: StepSample[] = [];
  for (let i = 0; i < n; i++) {
    for (const [key, metrics] of Object.entries(samples)) {
      const [monitor, step] = key.split(' / ');
      const values: Partial<Record<GateMetric, number>> = { errorRate: 0 };
      for (const [metric, xs] of Object.entries(metrics) as Array<[GateMetric, number[]]>) {
        if (!xs.length) continue;
        let v = xs[Math.floor(rand() * xs.length)];
        if (key === regressed && metric === 'durationMs') v *= factor;
        values[metric] = v;
      }
      out.push({ monitor, step, resultId: `${monitor}:${i}`, startedAt: '2026-01-01T00:00:00.000Z', values });
    }
  }
  return out;
}

/** Steps where a 30% slowdown is a meaningful change (>= 20 ms and >= 10%). */
const regressible = (samples: Samples) =>
  Object.entries(samples)
    .filter(([, m]) => (m.durationMs?.length ?? 0) > 0 && 0.3 * median(m.durationMs!) >= 20)
    .map(([key]) => key);

function falseFails(samples: Samples, seed: number): number {
  let fails = 0;
  for (let t = 0; t < TRIALS; t++) {
    const rand = mulberry32(seed + t);
    if (judgeDeploy(draw(samples, rand, BASELINE_N), draw(samples, rand, CANARY_N)).verdict === 'fail') fails++;
  }
  return fails;
}

function misses(samples: Samples, seed: number, factor: number): number {
  const steps = regressible(samples);
  let missed = 0;
  for (let t = 0; t < TRIALS; t++) {
    const rand = mulberry32(seed + t);
    const step = steps[Math.floor(rand() * steps.length)];
    const j = judgeDeploy(draw(samples, rand, BASELINE_N), draw(samples, rand, CANARY_N, step, factor));
    const named = j.regressions.some((r) => `${r.monitor} / ${r.step}` === step && r.metric === 'durationMs');
    if (j.verdict !== 'fail' || !named) missed++;
  }
  return missed;
}

const pct = (k: number) => `${k}/${TRIALS} (${((100 * k) / TRIALS).toFixed(1)}%)`;

describe('deploy gate over seeded trials: backend-dominated steps', () => {
  const samples = load('measured-backend.json');

  it('has measured material', () => {
    expect(regressible(samples).length).toBeGreaterThanOrEqual(3);
  });

  it(`false fails on noise-only deploys <= 5% over ${TRIALS} trials`, () => {
    const k = falseFails(samples, 1000);
    console.log(`gate trials (backend-dominated): noise only: ${pct(k)} false fails`);
    expect(k / TRIALS).toBeLessThanOrEqual(0.05);
  });

  it(`misses of a 30% one-step regression <= 5% over ${TRIALS} trials, the step named`, () => {
    const k = misses(samples, 5000, 1.3);
    console.log(`gate trials (backend-dominated): 30% one-step regression: ${pct(k)} missed`);
    expect(k / TRIALS).toBeLessThanOrEqual(0.05);
  });

  it('a 5% slowdown (half the minimum meaningful change) mostly passes', () => {
    // The bar applies to a noisy point estimate (the Hodges-Lehmann shift), so a change at half the
    // bar still crosses it now and then: measured 9/100 with these seeds.
    const failed = TRIALS - misses(samples, 9000, 1.05);
    console.log(`gate trials (backend-dominated): 5% one-step slowdown failed: ${pct(failed)}`);
    expect(failed / TRIALS).toBeLessThanOrEqual(0.1);
  });
});

describe('deploy gate over seeded trials: every example step on a contended machine', () => {
  const samples = load('measured.json');

  it(`false fails on noise-only deploys <= 5% over ${TRIALS} trials`, () => {
    const k = falseFails(samples, 2000);
    console.log(`gate trials (examples, contended runner): noise only: ${pct(k)} false fails`);
    expect(k / TRIALS).toBeLessThanOrEqual(0.05);
  });

  it('reports the miss rate of a 30% one-step regression inside runner-contention noise', () => {
    const k = misses(samples, 6000, 1.3);
    console.log(`gate trials (examples, contended runner): 30% one-step regression: ${pct(k)} missed over ${regressible(samples).length} steps`);
    // A 3x regression is far outside that noise: the gate must see it.
    expect(misses(samples, 7000, 3) / TRIALS).toBeLessThanOrEqual(0.05);
  });
});
