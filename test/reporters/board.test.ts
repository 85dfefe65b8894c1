import { describe, expect, it } from 'vitest';
import { buildBoard } from '../../src/reporters/board.js';
import { scenario } from './fixtures.js';

describe('health board', () => {
  it('computes the golden signals against the window', () => {
    const { report, context } = scenario('/unused');
    const b = buildBoard(report, context, { concurrency: 4 });
    const by = Object.fromEntries(b.signals.map((s) => [s.key, s]));
    // Error rate: 1 of 4 this run; before it, 1 failure (login) in 115 results.
    expect(by.errorRate.current).toBe(0.25);
    expect(by.errorRate.baseline).toBeCloseTo(1 / 115, 6);
    expect(by.errorRate.status).toBe('critical');
    expect(by.errorRate.trend).toBe('up');
    // Traffic: results in the last hour (this run + runs at 11:00, 11:15, 11:30 and us-east) per minute.
    expect(by.traffic.current).toBeCloseTo(18 / 60, 6);
    expect(by.traffic.status).toBe('ok');
    // Runner saturation: always monitors in flight (the unit never flips with the options); the
    // configured concurrency sets the status and is named in the note.
    expect(by.saturation.unit).toBe('inFlight');
    expect(by.saturation.scope).toBe('runner');
    expect(by.traffic.scope).toBe('runner');
    const busy = report.results.reduce((a, r) => a + r.durationMs, 0);
    expect(by.saturation.current).toBeCloseTo(busy / 8000, 6);
    expect(by.saturation.note).toContain('of concurrency 4');
    expect(buildBoard(report, context).signals.find((s) => s.key === 'saturation')!.unit).toBe('inFlight');
    expect(by.latencyP50.current).not.toBeNull();
    expect(by.latencyP99.current!).toBeGreaterThan(by.latencyP50.current!);
  });

  it('marks latency critical when the recent durations triple', () => {
    const { report, context } = scenario('/unused');
    const cutoff = Date.parse(context.generatedAt) - 3_600_000;
    for (const r of context.history) if (Date.parse(r.startedAt) > cutoff) r.durationMs *= 4;
    const b = buildBoard(report, context);
    const p50 = b.signals.find((s) => s.key === 'latencyP50')!;
    expect(p50.current! / p50.baseline!).toBeGreaterThan(3);
    expect(p50.status).toBe('critical');
    expect(p50.trend).toBe('up');
    expect(b.reasons).toContain(`${p50.label} is critical.`);
  });

  it('never pools latency across monitor kinds: journeys do not move the API checks\' percentiles', () => {
    const { report, context } = scenario('/unused');
    const b = buildBoard(report, context);
    const kinds = [...new Set(context.history.map((r) => r.kind))].sort();
    for (const k of kinds) expect(b.signals.filter((s) => s.key === 'latencyP99' && s.kind === k)).toHaveLength(1);
    const api = b.signals.find((s) => s.key === 'latencyP99' && s.kind === 'api')!;
    for (const r of context.history) if (r.kind !== 'api') r.durationMs *= 100;
    const again = buildBoard(report, context).signals.find((s) => s.key === 'latencyP99' && s.kind === 'api')!;
    expect(again.current).toBe(api.current);
    expect(again.baseline).toBe(api.baseline);
  });

  it('warns when traffic drops (monitors stopped running)', () => {
    const { report, context } = scenario('/unused');
    const cutoff = Date.parse(context.generatedAt) - 3_600_000;
    context.history = context.history.filter((r) => Date.parse(r.startedAt) <= cutoff || r.runId === report.run.id);
    const traffic = buildBoard(report, context).signals.find((s) => s.key === 'traffic')!;
    expect(traffic.status).toBe('warning');
    expect(traffic.trend).toBe('down');
  });

  it('works on a first run with no history', () => {
    const { report, context } = scenario('/unused');
    context.history = [];
    context.findings = [];
    context.deploys = [];
    report.findings = [];
    const b = buildBoard(report, context);
    expect(b.monitors).toHaveLength(4);
    for (const s of b.signals) expect(s.baseline).toBeNull();
    expect(b.signals.every((s) => s.trend === 'none')).toBe(true);
    expect(b.status).toBe('down');
  });

  it('orders monitors failing first and anomalies critical first', () => {
    const { report, context } = scenario('/unused');
    const b = buildBoard(report, context);
    expect(b.monitors.map((m) => `${m.name}@${m.location}:${m.lastStatus}`)).toEqual([
      'Checkout API@eu-west:failed',
      'Purchase journey@eu-west:degraded',
      'Catalog API@eu-west:passed',
      'Catalog API@us-east:passed',
      'Login | SSO@eu-west:passed',
    ]);
    expect(b.anomalies.map((f) => f.severity)).toEqual(['critical', 'warning']);
    expect(b.resolved.map((f) => f.id)).toEqual(['f-spike-catalog']);
  });
});
