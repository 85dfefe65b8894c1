/** Flakiness scores from result histories: alternation, retry-rescued passes, and alerting past the usual rate. */
import { describe, expect, it } from 'vitest';
import { binomialTail, flakiness, pastUsualRate } from '../../src/flaky/index.js';
import type { MonitorResult, Status } from '../../src/model/index.js';

function result(i: number, status: Status, opts: { retried?: boolean; stepStatus?: Status } = {}): MonitorResult {
  const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
  return {
    id: `r${i}`,
    runId: `run${i}`,
    monitor: 'checkout',
    name: 'Checkout',
    kind: 'journey',
    status,
    startedAt: at,
    finishedAt: at,
    durationMs: 100,
    attempts: opts.retried ? 2 : 1,
    ...(opts.retried ? { attemptDetails: [{ attempt: 1, status: 'failed' as const, startedAt: at, durationMs: 50, error: { class: 'element' as const, message: 'x' } }, { attempt: 2, status, startedAt: at, durationMs: 50, error: null }] } : {}),
    error: status === 'failed' ? { class: 'element', message: 'not found' } : null,
    steps: [
      { name: 'Open', status: 'passed', startedAt: at, durationMs: 10, error: null },
      { name: 'Pay', status: opts.stepStatus ?? (status === 'failed' ? 'failed' : 'passed'), startedAt: at, durationMs: 10, error: null },
    ],
    location: 'local',
    environment: 'prod',
    tags: [],
  };
}

describe('flakiness', () => {
  it('alternation and retry-rescued passes make a step flaky; a stable or broken one is not', () => {
    const history = Array.from({ length: 40 }, (_, i) => (i % 8 === 3 ? result(i, 'failed') : i % 8 === 6 ? result(i, 'passed', { retried: true }) : result(i, 'passed')));
    const scores = flakiness(history);
    const pay = scores.find((s) => s.step === 'Pay')!;
    expect(pay).toMatchObject({ runs: 40, failures: 5, rescued: 5, flaky: true });
    expect(pay.flips).toBe(10); // each failure sits between passes: in and out
    expect(pay.score).toBeCloseTo((10 + 5) / 40, 3);
    expect(scores.find((s) => s.step === 'Open')!).toMatchObject({ failures: 0, flips: 0, flaky: true }); // rescued runs count for every step
    const broken = flakiness(Array.from({ length: 20 }, (_, i) => result(i, 'failed')));
    expect(broken.find((s) => s.step === 'Pay')).toMatchObject({ failures: 20, flips: 0, score: 0, flaky: false });
    const stable = flakiness(Array.from({ length: 20 }, (_, i) => result(i, 'passed')));
    expect(stable.every((s) => s.score === 0 && !s.flaky)).toBe(true);
  });

  it('a flaky step alerts only past its usual failure rate', () => {
    const history = Array.from({ length: 50 }, (_, i) => result(i, i % 10 === 0 ? 'failed' : 'passed'));
    const pay = flakiness(history).find((s) => s.step === 'Pay')!;
    expect(pay.flaky).toBe(true);
    expect(pay.failureRate).toBeCloseTo(0.1, 5);
    expect(pastUsualRate(pay, 1, 10)).toBe(false); // its usual one in ten
    expect(pastUsualRate(pay, 2, 10)).toBe(false);
    expect(pastUsualRate(pay, 6, 10)).toBe(true); // well past it
    const stable = flakiness(Array.from({ length: 50 }, (_, i) => result(i, 'passed'))).find((s) => s.step === 'Pay')!;
    expect(pastUsualRate(stable, 1, 10)).toBe(true); // not flaky: every failure alerts
  });

  it('the binomial tail matches exact values', () => {
    expect(binomialTail(0, 10, 0.1)).toBe(1);
    expect(binomialTail(1, 10, 0.1)).toBeCloseTo(1 - 0.9 ** 10, 10);
    expect(binomialTail(10, 10, 0.5)).toBeCloseTo(0.5 ** 10, 12);
    expect(binomialTail(11, 10, 0.5)).toBe(0);
  });
});

describe('flaky steps on the board', () => {
  it('lists a flaky step with its score and says failures alert past the usual rate', async () => {
    const { buildBoard } = await import('../../src/reporters/board.js');
    const { renderMarkdown } = await import('../../src/reporters/markdown.js');
    const history = Array.from({ length: 30 }, (_, i) => result(i, i % 6 === 2 ? 'failed' : 'passed'));
    const last = history[history.length - 1];
    const run = { id: last.runId, startedAt: last.startedAt, finishedAt: last.finishedAt, location: 'local', environment: 'prod' };
    const board = buildBoard({ run, results: [last], findings: [] }, { outDir: '.', history, findings: [], deploys: [], window: '24h', generatedAt: last.finishedAt });
    expect(board.flaky.map((f) => f.step ?? '(monitor)')).toEqual(expect.arrayContaining(['Pay']));
    const md = renderMarkdown(board);
    expect(md).toContain('## Flaky (');
    expect(md).toMatch(/\| Checkout \| Pay \| 0\.\d\d \|/);
    const stable = Array.from({ length: 30 }, (_, i) => result(i, 'passed'));
    const quiet = buildBoard({ run, results: [stable[29]], findings: [] }, { outDir: '.', history: stable, findings: [], deploys: [], window: '24h', generatedAt: last.finishedAt });
    expect(renderMarkdown(quiet)).not.toContain('## Flaky');
  });
});

describe('alerting past the usual rate (real SQLite store)', () => {
  it('a flaky monitor usual failure is not alerted on; a burst past its rate is; a stable monitor always is', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { openStore } = await import('../../src/store/index.js');
    const { usualFlakes } = await import('../../src/flaky/index.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'observer-flaky-'));
    const store = await openStore({ path: path.join(dir, 'observer.db') });
    try {
      await store.migrate();
      const one = (i: number, status: Status, monitor = 'checkout') => ({ ...result(i, status), id: `${monitor}-${i}`, runId: `run-${i}`, monitor });
      await store.saveResults(Array.from({ length: 40 }, (_, i) => one(i, i % 8 === 4 ? 'failed' : 'passed')));
      await store.saveResults(Array.from({ length: 40 }, (_, i) => one(i, 'passed', 'health')));
      const usual = one(40, 'failed');
      expect([...(await usualFlakes(store, 'checkout', [usual]))]).toEqual([usual.id]);
      await store.saveResults(Array.from({ length: 5 }, (_, k) => one(41 + k, 'failed')));
      const burst = one(46, 'failed');
      expect((await usualFlakes(store, 'checkout', [burst])).size).toBe(0);
      expect((await usualFlakes(store, 'health', [one(40, 'failed', 'health')])).size).toBe(0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
