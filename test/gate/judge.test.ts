/** The deploy gate's judge on hand-made samples: each rule, and the numbers behind it. */
import { describe, expect, it } from 'vitest';
import { mannWhitney } from '../../src/anomaly/stats.js';
import { gateMarkdown, gateReport, gateWindows, hodgesLehmann, holmAdjust, judgeDeploy, splitResults, stepSamples, type StepSample } from '../../src/gate/index.js';
import type { MonitorResult } from '../../src/model/index.js';
import { mulberry32 } from '../anomaly/scenarios.js';

function samples(monitor: string, steps: Record<string, number[]>, opts: { failed?: Record<string, number> } = {}): StepSample[] {
  const out: StepSample[] = [];
  const n = Math.max(...Object.values(steps).map((v) => v.length));
  for (let i = 0; i < n; i++) {
    for (const [step, values] of Object.entries(steps)) {
      const failed = i < (opts.failed?.[step] ?? 0);
      out.push({ monitor, step, resultId: `${monitor}:${i}`, startedAt: '2026-01-01T00:00:00.000Z', values: failed ? { errorRate: 1 } : { durationMs: values[i], errorRate: 0 } });
    }
  }
  return out;
}

function noisy(seed: number, n: number, centre: number, cv = 0.08): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => centre * (1 + cv * (r() + r() + r() - 1.5) * 2));
}

describe('gate statistics', () => {
  it('the Mann-Whitney p-value matches SciPy (asymptotic, tie and continuity corrections)', () => {
    const a = Array.from({ length: 10 }, (_, i) => i + 1);
    const b = Array.from({ length: 10 }, (_, i) => i + 6);
    // scipy.stats.mannwhitneyu(range(1,11), range(6,16), method='asymptotic') -> p = 0.005075392315273923
    expect(mannWhitney(a, 10, b, 10, 0).p).toBeCloseTo(0.005075392, 6);
  });

  it("Holm's adjustment is step-down and monotone", () => {
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((x) => +x.toFixed(6))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([0.3, 0.02])).toEqual([0.3, 0.04]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('the Hodges-Lehmann shift is the median of pairwise differences', () => {
    expect(hodgesLehmann([1, 2, 3], [4, 5, 6])).toBe(3);
    expect(hodgesLehmann([10, 10, 10, 500], [12, 12, 12])).toBe(2); // robust to the outlier
  });
});

describe('judgeDeploy', () => {
  const baseline = [...samples('shop', { Home: noisy(1, 30, 300), Search: noisy(2, 30, 200), Checkout: noisy(3, 30, 400) }), ...samples('health', { '(monitor)': noisy(4, 30, 3) })];

  it('passes a noise-only deploy', () => {
    const canary = [...samples('shop', { Home: noisy(11, 10, 300), Search: noisy(12, 10, 200), Checkout: noisy(13, 10, 400) }), ...samples('health', { '(monitor)': noisy(14, 10, 3) })];
    const j = judgeDeploy(baseline, canary);
    expect(j.verdict).toBe('pass');
    expect(j.score).toBe(100);
    expect(j.regressions).toEqual([]);
    expect(j.comparisons).toBe(8); // 4 steps x (duration, error rate)
  });

  it('fails a 30% slowdown of one step and names that step', () => {
    const canary = [...samples('shop', { Home: noisy(11, 10, 300), Search: noisy(12, 10, 260), Checkout: noisy(13, 10, 400) }), ...samples('health', { '(monitor)': noisy(14, 10, 3) })];
    const j = judgeDeploy(baseline, canary);
    expect(j.verdict).toBe('fail');
    expect(j.regressions.map((r) => `${r.monitor}/${r.step}/${r.metric}`)).toEqual(['shop/Search/durationMs']);
    expect(j.regressions[0].relativeChange).toBeGreaterThan(0.2);
    expect(j.regressions[0].confidence).toBeGreaterThan(0.95);
    expect(j.summary).toContain('shop / Search durationMs +');
    const md = gateMarkdown(gateReport(gateWindows([], { id: 'd1', version: 'v2', at: '2026-01-01T00:00:00.000Z', environment: 'prod' }, 86_400_000), { baseline: 30, canary: 10, ranNow: 0 }, j));
    expect(md).toContain('FAIL');
    expect(md).toMatch(/\| shop \| Search \| duration \| 2\d\d ms \| 2[5-7]\d ms \| \+\d+ ms \(\+\d+%\) \|/);
  });

  it('ignores a significant change below the minimum meaningful change (3 ms -> 4 ms)', () => {
    const canary = [...samples('shop', { Home: noisy(11, 10, 300), Search: noisy(12, 10, 200), Checkout: noisy(13, 10, 400) }), ...samples('health', { '(monitor)': noisy(14, 10, 4) })];
    const j = judgeDeploy(baseline, canary);
    const health = j.judgements.find((x) => x.monitor === 'health' && x.metric === 'durationMs')!;
    expect(health.adjustedP).toBeLessThan(0.05);
    expect(health.classification).toBe('pass');
    expect(health.reason).toContain('below the minimum meaningful change of 20.0 ms');
    expect(j.verdict).toBe('pass');
  });

  it('an improvement is classified low and does not fail', () => {
    const canary = [...samples('shop', { Home: noisy(11, 10, 200), Search: noisy(12, 10, 200), Checkout: noisy(13, 10, 400) }), ...samples('health', { '(monitor)': noisy(14, 10, 3) })];
    const j = judgeDeploy(baseline, canary);
    expect(j.judgements.find((x) => x.step === 'Home' && x.metric === 'durationMs')!.classification).toBe('low');
    expect(j.verdict).toBe('pass');
  });

  it('fails when a step starts failing (error rate)', () => {
    const canary = [...samples('shop', { Home: noisy(11, 10, 300), Search: noisy(12, 10, 200), Checkout: noisy(13, 10, 400) }, { failed: { Checkout: 6 } }), ...samples('health', { '(monitor)': noisy(14, 10, 3) })];
    const j = judgeDeploy(baseline, canary);
    expect(j.verdict).toBe('fail');
    expect(j.regressions[0]).toMatchObject({ step: 'Checkout', metric: 'errorRate', classification: 'high' });
  });

  it('is inconclusive, naming the monitor, when the canary is too small', () => {
    const canary = [...samples('shop', { Home: noisy(11, 10, 300), Search: noisy(12, 10, 200), Checkout: noisy(13, 10, 400) }), ...samples('health', { '(monitor)': noisy(14, 2, 3) })];
    const j = judgeDeploy(baseline, canary);
    expect(j.verdict).toBe('inconclusive');
    expect(j.missingCanary).toEqual(['health']);
    expect(j.summary).toContain('--runs N');
  });
});

describe('gate windows and samples', () => {
  const result = (id: string, at: string, extra: Partial<MonitorResult> = {}): MonitorResult => ({
    id,
    runId: id,
    monitor: 'm',
    name: 'm',
    kind: 'api',
    status: 'passed',
    startedAt: at,
    finishedAt: at,
    durationMs: 10,
    attempts: 1,
    error: null,
    steps: [{ name: 'GET /', status: 'passed', startedAt: at, durationMs: 10, error: null, timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, sendMs: 0, firstByteMs: 7, downloadMs: 1, totalMs: 10, reusedConnection: false } }],
    location: 'local',
    environment: 'prod',
    tags: [],
    ...extra,
  });

  it('the canary ends at the next deploy; the baseline is the window before', () => {
    const markers = [
      { id: 'a', version: 'v1', at: '2026-01-01T10:00:00.000Z', environment: 'prod' },
      { id: 'b', version: 'v2', at: '2026-01-01T12:00:00.000Z', environment: 'prod' },
    ];
    const w = gateWindows(markers, markers[0], 3_600_000);
    const { baseline, canary } = splitResults(
      [result('old', '2026-01-01T08:00:00.000Z'), result('base', '2026-01-01T09:30:00.000Z'), result('can', '2026-01-01T11:00:00.000Z'), result('next', '2026-01-01T12:30:00.000Z'), result('other-env', '2026-01-01T11:00:00.000Z', { environment: 'staging' })],
      w,
    );
    expect(baseline.map((r) => r.id)).toEqual(['base']);
    expect(canary.map((r) => r.id)).toEqual(['can']);
  });

  it('takes TTFB from the HTTP timings, leaves out skipped steps and saturated-runner results', () => {
    const s = stepSamples([
      result('r1', '2026-01-01T10:00:00.000Z'),
      result('r2', '2026-01-01T10:00:00.000Z', { runnerHealth: { eventLoopDelayP99Ms: 400, eventLoopDelayMaxMs: 900, rssBytes: 1, saturated: true, reasons: ['event-loop delay'] } }),
      result('r3', '2026-01-01T10:00:00.000Z', { status: 'failed', steps: [{ name: 'GET /', status: 'skipped', startedAt: '2026-01-01T10:00:00.000Z', durationMs: 0, error: null }] }),
    ]);
    expect(s).toEqual([{ monitor: 'm', step: 'GET /', resultId: 'r1', startedAt: '2026-01-01T10:00:00.000Z', values: { errorRate: 0, durationMs: 10, ttfbMs: 7 } }]);
  });
});
