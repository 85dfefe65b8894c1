/**
 * Findings on a monitor's outcome describe the present (issue 11, item 8): an error-rate finding
 * follows the monitor's current state, its baseline is the monitor's own history, and a fast SLO
 * burn ends minutes after recovery (both windows of the multi-window rule must hold).
 */
import { describe, expect, it } from 'vitest';
import { AnomalyCore, observationsFromResult, type FindingChange } from '../../src/anomaly/index.js';
import type { SeriesKey } from '../../src/model/findings.js';
import type { MonitorResult } from '../../src/model/index.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const MIN = 60_000;
const k: SeriesKey = { monitor: 'shop', step: 'Checkout', metric: 'outcome', location: 'eu-west' };

/** Feed outcomes (true = failed), one run every `stepMs`; the changes of each run by index. */
function runs(core: AnomalyCore, failed: boolean[], stepMs = 5 * MIN, from = 0): FindingChange[][] {
  return failed.map((f, i) => [...core.observe({ series: k, at: T0 + (from + i) * stepMs, value: f ? 1 : 0, ...(f ? { error: { class: 'http_status', message: 'status 503' } } : {}) })]);
}

const open = (changes: FindingChange[][], kind: string) => {
  const ids = new Map<string, boolean>();
  for (const c of changes.flat()) if (c.finding.kind === kind) ids.set(c.finding.id, c.finding.status === 'open');
  return [...ids.values()].filter(Boolean).length;
};

describe('error_rate follows the current state', () => {
  it('a check that failed 3 times, then passed 4 times in a row, has no error-rate finding open and none opens on a pass', () => {
    const core = new AnomalyCore();
    const pattern = [...Array<boolean>(7).fill(false), true, true, true, false, false, false, false];
    const changes = runs(core, pattern);
    // Nothing opens on a passing run.
    pattern.forEach((failed, i) => {
      if (!failed) expect(changes[i].filter((c) => c.type === 'opened' && c.finding.kind === 'error_rate')).toEqual([]);
    });
    expect(open(changes, 'error_rate')).toBe(0);
    // It did open during the failures, and the third pass resolved it: "passing again".
    const resolved = changes.flat().find((c) => c.type === 'resolved' && c.finding.kind === 'error_rate');
    expect(resolved?.finding.details).toMatchObject({ resolution: 'passing again' });
    expect(changes.findIndex((cs) => cs.includes(resolved!))).toBe(12);
  });

  it('the failures of an episode that is over do not open another finding', () => {
    const core = new AnomalyCore();
    // 30 passes, 4 failures, 5 passes, then one lone failure: the window still holds the episode's
    // failures, but that is the past.
    const pattern = [...Array<boolean>(30).fill(false), true, true, true, true, ...Array<boolean>(5).fill(false), true, false, false];
    const changes = runs(core, pattern);
    const opened = changes.flat().filter((c) => c.type === 'opened' && c.finding.kind === 'error_rate');
    expect(opened).toHaveLength(1);
    expect(changes.findIndex((cs) => cs.includes(opened[0]))).toBeLessThan(34);
  });

  it('learns the baseline from the monitor history: a check failing 1 run in 8 is not news at 3 of 20', () => {
    const core = new AnomalyCore();
    const flaky = Array.from({ length: 400 }, (_, i) => i % 8 === 3);
    // Then 3 failures within 20 runs (15%): about what this monitor always does.
    const later = Array.from({ length: 20 }, (_, i) => i === 2 || i === 9 || i === 15);
    const changes = runs(core, [...flaky, ...later]);
    expect(changes.slice(400).flat().filter((c) => c.type === 'opened' && c.finding.kind === 'error_rate')).toEqual([]);
    // A real outage is measured against the learned rate, and says so.
    const outage = runs(core, Array.from({ length: 12 }, () => true), 5 * MIN, 420).flat();
    const f = outage.find((c) => c.type === 'opened' && c.finding.kind === 'error_rate')!.finding;
    expect(f.expected.value).toBeGreaterThan(0.09);
    expect(f.expected.value).toBeLessThan(0.16);
    expect(f.explanation).toMatch(/baseline failure rate of 1\d\.\d% \(learned from \d{3} earlier runs\)/);
  });

  it('a new monitor starts from a stated prior', () => {
    const core = new AnomalyCore();
    const changes = runs(core, [...Array<boolean>(8).fill(false), true, true, true, true]).flat();
    const f = changes.find((c) => c.type === 'opened' && c.finding.kind === 'error_rate')!.finding;
    expect(f.expected.value).toBeCloseTo(0.01, 3);
    expect(f.explanation).toContain('prior failure rate of a new monitor');
  });
});

describe('slo_burn: the short window ends a fast burn', () => {
  it('a ten-minute outage of a check run every minute: critical, then resolved within 5 minutes of recovery', () => {
    const core = new AnomalyCore();
    // Six hours of passing runs, then 10 failures: 10 of the last 60 runs (16.7x the 1% budget).
    const pattern = [...Array<boolean>(360).fill(false), ...Array<boolean>(10).fill(true), ...Array<boolean>(60).fill(false)];
    const changes = runs(core, pattern, MIN);
    const slo = changes.flat().filter((c) => c.finding.kind === 'slo_burn');
    const opened = slo.filter((c) => c.type === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0].finding.severity).toBe('critical');
    const resolvedAt = changes.findIndex((cs) => cs.some((c) => c.type === 'resolved' && c.finding.kind === 'slo_burn'));
    expect(resolvedAt).toBeGreaterThan(369);
    expect(resolvedAt).toBeLessThanOrEqual(369 + 5);
    expect(slo.find((c) => c.type === 'resolved')!.finding.details).toMatchObject({ resolution: 'burn stopped' });
    expect(open(changes, 'slo_burn')).toBe(0);
  });

  it('a new monitor: its first minutes count against a full window; an outage burns, and nothing lingers after it', () => {
    // 3 failures in its first 13 minutes: 23% of its runs, but 3 of the ~60 runs of an hour.
    const young = runs(new AnomalyCore(), [...Array<boolean>(10).fill(false), true, true, true, ...Array<boolean>(60).fill(false)], MIN);
    expect(young.flat().filter((c) => c.finding.kind === 'slo_burn')).toEqual([]);
    // A ten-minute outage: 10 of 60 (16.7x) in the 1 h window, critical; over 5 minutes after.
    const core = new AnomalyCore();
    const changes = runs(core, [...Array<boolean>(10).fill(false), ...Array<boolean>(10).fill(true), ...Array<boolean>(60).fill(false)], MIN);
    const slo = changes.flat().filter((c) => c.finding.kind === 'slo_burn');
    const opened = slo.filter((c) => c.type === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0].finding.severity).toBe('critical');
    expect(opened[0].finding.explanation).toMatch(/in its first \d+ min \(against the runs of a full 1 h\)/);
    const resolvedAt = changes.findIndex((cs) => cs.some((c) => c.type === 'resolved' && c.finding.kind === 'slo_burn'));
    expect(resolvedAt).toBeGreaterThan(19);
    expect(resolvedAt).toBeLessThanOrEqual(19 + 5);
    expect(open(changes, 'slo_burn')).toBe(0);
  });

  it('a two-minute outage of a check run every 10 s by a daemon started 5 minutes before: no burn left open 5 minutes after', () => {
    const core = new AnomalyCore();
    const S10 = 10_000;
    const pattern = [...Array<boolean>(30).fill(false), ...Array<boolean>(12).fill(true), ...Array<boolean>(30).fill(false)];
    const changes = runs(core, pattern, S10);
    // 12 bad runs are 3.3% of the hour's 360 runs: no 14.4x burn of the budget (the down alert pages for it).
    expect(open(changes, 'slo_burn')).toBe(0);
    expect(changes.flat().filter((c) => c.finding.kind === 'slo_burn' && c.finding.severity === 'critical')).toEqual([]);
  });

  it('on sparse traffic (a run every 5 minutes) one passing run inside an outage does not end it', () => {
    const core = new AnomalyCore();
    const pattern = [...Array<boolean>(40).fill(false), true, true, false, true, true, false, true, ...Array<boolean>(10).fill(false)];
    const changes = runs(core, pattern);
    const slo = changes.flat().filter((c) => c.finding.kind === 'slo_burn' && c.type !== 'updated');
    expect(slo.map((c) => c.type)).toEqual(['opened', 'resolved']);
  });
});

describe('one failure, one cause: a journey and its failed step', () => {
  /** A purchase journey result (the runner's shape): `Pay` inside `Checkout` fails when `broken`. */
  function journey(i: number, broken: boolean): MonitorResult {
    const at = (s: number) => new Date(T0 + i * 5 * MIN + s * 1000).toISOString();
    const error = { class: 'element' as const, message: 'locator("#pay") not visible after 5000 ms' };
    return {
      id: `r${i}:purchase`,
      runId: `r${i}`,
      monitor: 'purchase',
      name: 'Purchase',
      kind: 'journey',
      status: broken ? 'failed' : 'passed',
      startedAt: at(0),
      finishedAt: at(9),
      durationMs: 9000,
      attempts: 1,
      error: broken ? error : null,
      steps: [
        { name: 'Open home', status: 'passed', startedAt: at(0), durationMs: 1200, error: null },
        {
          name: 'Checkout',
          status: broken ? 'failed' : 'passed',
          startedAt: at(2),
          durationMs: 6000,
          error: broken ? error : null,
          steps: [{ name: 'Pay', status: broken ? 'failed' : 'passed', startedAt: at(3), durationMs: 5000, error: broken ? error : null }],
        },
        { name: 'Receipt', status: broken ? 'skipped' : 'passed', startedAt: at(8), durationMs: broken ? 0 : 300, error: null },
      ],
      location: 'eu-west',
      environment: 'prod',
      tags: [],
    };
  }

  it('names the failed step as the cause and orders the outcomes step first', () => {
    const obs = observationsFromResult(journey(0, true)).filter((o) => o.series.metric === 'outcome');
    expect(obs.map((o) => `${o.series.step}=${o.value}${o.cause ? ` <- ${o.cause}` : ''}`)).toEqual([
      'Open home=0',
      'Checkout › Pay=1',
      'Checkout=1 <- Checkout › Pay',
      'Purchase=1 <- Checkout › Pay',
    ]);
    expect(obs.at(-1)!.at).toBeGreaterThanOrEqual(obs[1].at);
  });

  it('the failed step carries the findings; the journey and the parent step fold theirs into them, saved across processes', () => {
    const pattern = [...Array<boolean>(12).fill(false), true, true, true, true, ...Array<boolean>(12).fill(false)];
    const reported: FindingChange[] = [];
    let state = new Map<string, unknown>();
    // A new core per run, as `observer run` in a CronJob does.
    pattern.forEach((broken, i) => {
      const core = new AnomalyCore();
      const obs = observationsFromResult(journey(i, broken)).sort((a, b) => a.at - b.at);
      core.loadState(state);
      for (const o of obs) reported.push(...core.observe(o));
      state = core.exportState();
      if (i === 15) expect(core.openFindings().filter((f) => f.series.metric === 'outcome').every((f) => f.series.step === 'Checkout › Pay')).toBe(true);
    });
    const opened = reported.filter((c) => c.type === 'opened' && c.finding.series.metric === 'outcome');
    expect(opened.map((c) => `${c.finding.series.step} ${c.finding.kind}`).sort()).toEqual(['Checkout › Pay error_rate', 'Checkout › Pay new_error', 'Checkout › Pay slo_burn']);
    // Everything reported was resolved again; nothing folded leaked out.
    const resolved = new Set(reported.filter((c) => c.type === 'resolved').map((c) => c.finding.id));
    expect(opened.every((c) => resolved.has(c.finding.id))).toBe(true);
    expect(reported.every((c) => c.finding.series.step === 'Checkout › Pay' || c.finding.series.metric !== 'outcome')).toBe(true);
  });

  it('a journey failing in a different step every run has a finding of its own', () => {
    const core = new AnomalyCore();
    const changes: FindingChange[] = [];
    for (let i = 0; i < 16; i++) {
      const r = journey(i, i >= 12);
      // Runs 12..15 fail in turns at Pay and at Receipt: no step fails often enough on its own.
      if (i >= 12 && i % 2 === 1) {
        r.steps[1] = { ...r.steps[1], status: 'passed', error: null, steps: [{ ...r.steps[1].steps![0], status: 'passed', error: null }] };
        r.steps[2] = { ...r.steps[2], status: 'failed', durationMs: 5000, error: { class: 'timeout', message: 'timeout of 5000ms exceeded' } };
      }
      for (const o of observationsFromResult(r).sort((a, b) => a.at - b.at)) changes.push(...core.observe(o));
    }
    const opened = changes.filter((c) => c.type === 'opened' && c.finding.kind === 'error_rate');
    expect(opened.map((c) => c.finding.series.step)).toEqual(['Purchase']);
  });
});

describe('a folded finding outlives its step', () => {
  it('the journey goes on failing elsewhere once the step recovered: its finding is reported then', () => {
    const core = new AnomalyCore();
    const changes: FindingChange[] = [];
    const base = (i: number, status: 'passed' | 'failed', failAt?: 'Pay' | 'Receipt'): MonitorResult => {
      const at = (s: number) => new Date(T0 + i * 5 * MIN + s * 1000).toISOString();
      const err = (m: string) => ({ class: 'element' as const, message: m });
      return {
        id: `r${i}`, runId: `r${i}`, monitor: 'purchase', name: 'Purchase', kind: 'journey', status, startedAt: at(0), finishedAt: at(9), durationMs: 9000, attempts: 1,
        error: failAt ? err(`${failAt} failed`) : null,
        steps: [
          { name: 'Pay', status: failAt === 'Pay' ? 'failed' : 'passed', startedAt: at(1), durationMs: 1000, error: failAt === 'Pay' ? err('Pay failed') : null },
          { name: 'Receipt', status: failAt === 'Receipt' ? 'failed' : failAt === 'Pay' ? 'skipped' : 'passed', startedAt: at(3), durationMs: 1000, error: failAt === 'Receipt' ? err('Receipt failed') : null },
        ],
        location: 'eu-west', environment: 'prod', tags: [],
      };
    };
    const plan: Array<'Pay' | 'Receipt' | undefined> = [...Array(12).fill(undefined), 'Pay', 'Pay', 'Pay', 'Pay', 'Receipt', 'Receipt', 'Receipt', 'Receipt', 'Receipt', 'Receipt'];
    plan.forEach((failAt, i) => {
      for (const o of observationsFromResult(base(i, failAt ? 'failed' : 'passed', failAt)).sort((a, b) => a.at - b.at)) changes.push(...core.observe(o));
    });
    const rate = changes.filter((c) => c.finding.kind === 'error_rate' && c.type !== 'updated').map((c) => `${c.type} ${c.finding.series.step}${c.finding.details?.unfoldedFrom ? ' (unfolded)' : ''}`);
    // Pay carries it while it fails; once Pay passes again (Receipt fails now) the journey's own
    // failure rate, folded so far, is reported; Receipt's own comes once it has failed enough.
    expect(rate).toEqual(['opened Pay', 'resolved Pay', 'opened Purchase (unfolded)', 'opened Receipt']);
  });
});
