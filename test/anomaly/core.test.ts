/** The core's contract: lifecycle, state round trip, determinism, errors, SLA/SLO, overrides. */
import { describe, expect, it } from 'vitest';
import { AnomalyCore, seriesId, type FindingChange, type Observation } from '../../src/anomaly/index.js';
import type { SeriesKey } from '../../src/model/findings.js';
import { LogSketch } from '../../src/anomaly/sketch.js';
import { gaussian, mulberry32 } from './scenarios.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const MIN = 60_000;
const key = (step: string, metric = 'durationMs', location = 'eu-west'): SeriesKey => ({ monitor: 'shop', step, metric, location });

function latency(n: number, seed: number, level: (i: number) => number, cv = 0.04): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => level(i) * (1 + cv * gaussian(r)));
}

function feed(core: AnomalyCore, k: SeriesKey, values: number[], from = 0, stepMs = 5 * MIN): FindingChange[] {
  const out: FindingChange[] = [];
  values.forEach((value, i) => out.push(...core.observe({ series: k, at: T0 + (from + i) * stepMs, value })));
  return out;
}

describe('AnomalyCore regression lifecycle', () => {
  const k = key('Checkout');
  const values = latency(400, 1, (i) => (i >= 150 && i < 300 ? 1000 : 600));

  it('opens one regression at the shift, keeps it open while it lasts, resolves it on recovery', () => {
    const core = new AnomalyCore();
    const changes = feed(core, k, values);
    const reg = changes.filter((c) => c.finding.kind === 'regression');
    const opened = reg.filter((c) => c.type === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0].finding;
    expect(Date.parse(f.startedAt)).toBeGreaterThanOrEqual(T0 + 148 * 5 * MIN);
    expect(Date.parse(f.startedAt)).toBeLessThanOrEqual(T0 + 152 * 5 * MIN);
    expect(f.magnitude.pct).toBeGreaterThan(50);
    expect(f.magnitude.pValue).toBeLessThan(0.01);
    expect(f.severity).toBe('critical');
    expect(f.explanation).toMatch(/^shop \/ Checkout level moved \+\d+% from \d+ ms to \d+ ms/);
    const resolved = reg.filter((c) => c.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0].finding.id).toBe(f.id);
    expect(resolved[0].finding.details?.resolution).toBe('recovered');
    const resolvedAt = Date.parse(resolved[0].finding.resolvedAt ?? '');
    expect(resolvedAt).toBeGreaterThanOrEqual(T0 + 300 * 5 * MIN);
    expect(resolvedAt).toBeLessThanOrEqual(T0 + 310 * 5 * MIN);
    // Updates in between keep the id and count the points.
    const updates = reg.filter((c) => c.type === 'updated');
    expect(updates.length).toBeGreaterThan(100);
    expect(new Set(updates.map((u) => u.finding.id))).toEqual(new Set([f.id]));
    expect(resolved[0].finding.count).toBeGreaterThan(140);
    expect(core.openFindings().filter((x) => x.kind === 'regression')).toHaveLength(0);
  });

  it('accepts a lasting shift as the new baseline after acceptAfterPoints', () => {
    const core = new AnomalyCore({ detectors: { regression: { acceptAfterPoints: 60 } } });
    const changes = feed(core, k, latency(400, 2, (i) => (i >= 150 ? 900 : 600)));
    const reg = changes.filter((c) => c.finding.kind === 'regression' && c.type !== 'updated');
    expect(reg.map((c) => c.type)).toEqual(['opened', 'resolved']);
    expect(reg[1].finding.details?.resolution).toBe('accepted as new baseline');
    expect(reg[1].finding.explanation).toContain('accepted as new baseline');
    // The new level is normal now: no further findings.
    expect(changes.filter((c) => c.type === 'opened' && Date.parse(c.finding.updatedAt) > Date.parse(reg[1].finding.resolvedAt ?? '')).length).toBe(0);
  });

  it('does not open a latency regression when the series gets faster', () => {
    const core = new AnomalyCore();
    const changes = feed(core, k, latency(300, 3, (i) => (i >= 150 ? 300 : 600)));
    expect(changes.filter((c) => c.type === 'opened' && c.finding.severity !== 'info')).toEqual([]);
  });

  it('flags a spike with an explanation, and resolves it after resolveAfter normal points', () => {
    const core = new AnomalyCore();
    const vals = latency(200, 4, () => 500);
    vals[120] = 2500;
    const changes = feed(core, key('Search'), vals);
    const spike = changes.filter((c) => c.finding.kind === 'spike' && c.type !== 'updated');
    expect(spike.map((c) => c.type)).toEqual(['opened', 'resolved']);
    expect(spike[0].finding.observed).toBe(2500);
    expect(spike[0].finding.explanation).toMatch(/^shop \/ Search 2\.5 s is 5\.\dx above its baseline of \d+ ms/);
    expect(Date.parse(spike[1].finding.resolvedAt ?? '')).toBe(T0 + 123 * 5 * MIN);
  });
});

describe('AnomalyCore state', () => {
  it('continues across processes: export, JSON round trip, load gives the same changes as one process', () => {
    const k = key('Pay');
    const vals = latency(500, 5, (i) => (i >= 260 ? 800 : 500) * (i === 400 ? 4 : 1));
    const one = new AnomalyCore();
    const all = feed(one, k, vals);

    const changes: FindingChange[] = [];
    let saved = new Map<string, unknown>();
    for (let start = 0; start < vals.length; start += 37) {
      const core = new AnomalyCore();
      core.loadState(new Map(JSON.parse(JSON.stringify([...saved]))));
      changes.push(...feed(core, k, vals.slice(start, start + 37), start));
      saved = core.exportState([seriesId(k)]);
    }
    const summary = (cs: FindingChange[]) => cs.filter((c) => c.type !== 'updated').map((c) => `${c.type} ${c.finding.kind} ${c.finding.startedAt}`);
    expect(summary(changes)).toEqual(summary(all));
    expect(summary(all).length).toBeGreaterThanOrEqual(2);
    const size = JSON.stringify(saved.get(seriesId(k))).length;
    expect(size).toBeLessThan(4096);
  });

  it('is deterministic and ignores late and non-finite observations', () => {
    const k = key('Home');
    const vals = latency(120, 6, () => 300);
    const a = new AnomalyCore();
    const b = new AnomalyCore();
    feed(a, k, vals);
    feed(b, k, vals);
    expect(JSON.stringify([...a.exportState()])).toBe(JSON.stringify([...b.exportState()]));
    expect(b.observe({ series: k, at: T0, value: 99999 })).toEqual([]);
    expect(b.observe({ series: k, at: T0 + 1e9, value: NaN })).toEqual([]);
    expect(JSON.stringify([...a.exportState()])).toBe(JSON.stringify([...b.exportState()]));
  });

  it('uses a newly loaded state even for a key object it has seen', () => {
    const k = key('Reload');
    const core = new AnomalyCore();
    feed(core, k, latency(50, 11, () => 300));
    const other = new AnomalyCore();
    feed(other, k, latency(10, 12, () => 300));
    core.loadState(other.exportState());
    core.observe({ series: k, at: T0 + 100 * 5 * MIN, value: 300 });
    expect(core.exportState().get(seriesId(k))).toMatchObject({ n: 11 });
  });

  it('gives exact recent quantiles and sketch quantiles of a series', () => {
    const core = new AnomalyCore();
    const k = key('Q');
    const vals = Array.from({ length: 300 }, (_, i) => 100 + ((i * 37) % 100));
    feed(core, k, vals);
    const q = core.quantiles(k);
    expect(q?.points).toBe(300);
    const recent = vals.slice(-64).sort((a, b) => a - b);
    expect(q?.recent.p50).toBe((recent[31] + recent[32]) / 2);
    expect(q?.recent.p90).toBeCloseTo(recent[56] + 0.7 * (recent[57] - recent[56]), 6);
    expect(q?.long?.p50).toBeGreaterThan(140 * 0.97);
    expect(q?.long?.p50).toBeLessThan(160 * 1.03);
    expect(q?.long?.p99).toBeGreaterThan(199 * 0.97);
    expect(core.quantiles(key('unknown'))).toBeNull();
  });

  it('keeps the long-window sketch of raw values as if fed point by point, across a level shift and a save/load', () => {
    const k = key('Sketch');
    // 600 ms, then a confirmed shift to 1,000 ms at 150 (the ring's older values move to the new
    // level then: the sketch must still have seen them raw), saved and loaded at 203 (mid-batch).
    const vals = latency(260, 11, (i) => (i >= 150 ? 1000 : 600));
    const a = new AnomalyCore();
    const changes = feed(a, k, vals.slice(0, 203));
    expect(changes.some((c) => c.type === 'opened' && c.finding.kind === 'regression')).toBe(true);
    const b = new AnomalyCore();
    b.loadState(a.exportState());
    feed(b, k, vals.slice(203), 203);
    // The reference: every value added in order, decayed by 2^(-64/256) after every 64th.
    const ref = new LogSketch();
    vals.forEach((v, i) => {
      ref.add(v);
      if ((i + 1) % 64 === 0) ref.decay(Math.pow(0.5, 64 / 256));
    });
    const want = ref.quantiles([0.1, 0.5, 0.9, 0.99], []);
    const long = b.quantiles(k)?.long;
    expect([long?.p50, long?.p90, long?.p99]).toEqual(want.slice(1));
    expect(ref.quantile(0.1)).toBeLessThan(700); // the 600 ms regime is in it, raw
  });

  it('starts a series afresh when its saved state is unusable', () => {
    const k = key('Home');
    const core = new AnomalyCore();
    core.loadState(new Map([[seriesId(k), { v: 1, base: { nonsense: true }, det: {}, open: 'x', n: 3 }]]));
    expect(() => feed(core, k, latency(50, 7, () => 300))).not.toThrow();
    expect(core.exportState().get(seriesId(k))).toMatchObject({ v: 1 });
  });
});

describe('errors detector', () => {
  const k = key('Checkout', 'outcome');
  function outcomes(n: number, failAt: (i: number) => boolean, message: (i: number) => string): Observation[] {
    return Array.from({ length: n }, (_, i) => ({ series: k, at: T0 + i * 5 * MIN, value: failAt(i) ? 1 : 0, ...(failAt(i) ? { error: { class: 'http_status', message: message(i) } } : {}) }));
  }

  it('opens error_rate on a burst (Wilson bound over the baseline) and new_error once per signature', () => {
    const core = new AnomalyCore();
    const obs = outcomes(200, (i) => i >= 100 && i < 110 && i % 3 !== 0, (i) => `status 503 from https://api.test/orders/${1000 + i}?t=${i * 7}`);
    const changes = obs.flatMap((o) => core.observe(o));
    const opened = changes.filter((c) => c.type === 'opened');
    expect(opened.map((c) => c.finding.kind).sort()).toEqual(['error_rate', 'new_error', 'slo_burn']);
    const rate = opened.find((c) => c.finding.kind === 'error_rate')!.finding;
    expect(Date.parse(rate.startedAt)).toBeLessThanOrEqual(T0 + 105 * 5 * MIN);
    expect(rate.explanation).toMatch(/^shop \/ Checkout failed \d+ of the last \d+ runs/);
    const ne = opened.find((c) => c.finding.kind === 'new_error')!.finding;
    expect(ne.details).toMatchObject({ errorClass: 'http_status', signature: 'status <n> from https://api.test/orders/<n>' });
    // All later failures share the signature: the finding counts them instead of opening more.
    const last = changes.filter((c) => c.finding.kind === 'new_error').at(-1)!.finding;
    expect(last.details).toMatchObject({ count: 7 });
    expect(changes.filter((c) => c.type === 'resolved').map((c) => c.finding.kind).sort()).toEqual(['error_rate', 'new_error', 'slo_burn']);
  });

  it('stays quiet on a single failure', () => {
    const core = new AnomalyCore();
    const changes = outcomes(100, (i) => i === 50, () => 'timeout after 5000 ms').flatMap((o) => core.observe(o));
    expect(changes.filter((c) => c.type === 'opened').map((c) => c.finding.kind)).toEqual(['new_error']);
  });
});

describe('SLA and SLO', () => {
  it('opens an SLA breach at the first breach and does not flap on the edge (hysteresis)', () => {
    const core = new AnomalyCore({ overrides: [{ step: 'Login', detectors: { sla: { degradedMs: 1000, failedMs: 3000 } } }] });
    // 980 / 1020 alternating: over degraded every other run, never below 90% of it.
    const vals = Array.from({ length: 60 }, (_, i) => (i < 20 ? 500 : i % 2 ? 1020 : 980));
    const changes = feed(core, key('Login'), vals);
    const sla = changes.filter((c) => c.finding.kind === 'sla_breach' && c.type !== 'updated');
    expect(sla.map((c) => c.type)).toEqual(['opened']);
    expect(sla[0].finding.severity).toBe('warning');
    expect(sla[0].finding.explanation).toBe('shop / Login 1.02 s is over its degraded threshold of 1 s (1.0x) since 09:45 UTC (1 run).');
    const more = feed(core, key('Login'), [4000, 500, 500, 500], 60);
    expect(more.find((c) => c.type === 'updated' && c.finding.kind === 'sla_breach')?.finding.severity).toBe('critical');
    expect(more.filter((c) => c.type === 'resolved').map((c) => c.finding.kind)).toContain('sla_breach');
  });

  it('takes step thresholds from the observation when the config has none', () => {
    const core = new AnomalyCore();
    const changes = core.observe({ series: key('Cart'), at: T0, value: 2500, sla: { degradedMs: 1000, failedMs: 2000 } });
    expect(changes.map((c) => [c.type, c.finding.kind, c.finding.severity])).toEqual([['opened', 'sla_breach', 'critical']]);
  });

  it('fires the fast burn of the multi-window rule on sustained failures, from observation time', () => {
    const core = new AnomalyCore({ detectors: { errors: { enabled: false } } });
    const k = key('Checkout', 'outcome');
    const changes: FindingChange[] = [];
    for (let i = 0; i < 180; i++) changes.push(...core.observe({ series: k, at: T0 + i * MIN, value: i >= 120 && i < 135 ? 1 : 0 }));
    const opened = changes.filter((c) => c.type === 'opened');
    expect(opened.map((c) => c.finding.kind)).toEqual(['slo_burn']);
    // The slow rule (6 h and 30 min at 6x) fires first, the fast one (1 h and 5 min at 14.4x) a run later.
    const started = Date.parse(opened[0].finding.startedAt);
    expect(started).toBeGreaterThanOrEqual(T0 + 122 * MIN);
    expect(started).toBeLessThanOrEqual(T0 + 130 * MIN);
    const fast = changes.find((c) => c.finding.kind === 'slo_burn' && c.finding.severity === 'critical');
    expect(fast?.finding.details).toMatchObject({ window: '1 h', objective: 0.99 });
    expect(Date.parse(fast?.finding.updatedAt ?? '')).toBeLessThanOrEqual(T0 + 131 * MIN);
    expect(changes.filter((c) => c.type === 'resolved').map((c) => c.finding.kind)).toEqual(['slo_burn']);
  });
});

describe('configuration', () => {
  it('applies overrides by monitor/step/metric and defaults elsewhere', () => {
    const core = new AnomalyCore({ overrides: [{ monitor: 'shop', step: 'Quiet', detectors: { spike: { enabled: false } } }] });
    const vals = latency(100, 8, () => 400);
    vals[80] = 4000;
    expect(feed(core, key('Quiet'), vals).filter((c) => c.finding.kind === 'spike')).toEqual([]);
    expect(feed(core, key('Loud'), vals).filter((c) => c.finding.kind === 'spike' && c.type === 'opened')).toHaveLength(1);
  });

  it('is off with enabled: false', () => {
    const core = new AnomalyCore({ enabled: false });
    expect(core.observe({ series: key('x'), at: T0, value: 1, sla: { failedMs: 0.5 } })).toEqual([]);
  });
});
