/**
 * How signals are judged (traffic against its daily/weekly profile, saturation risk levels), how
 * monitor findings get the service's context, and what /metrics exposes.
 */
import { describe, expect, it } from 'vitest';
import { ObserverMetrics } from '../../src/metrics/registry.js';
import type { Finding } from '../../src/model/index.js';
import { correlateFindings, judge, type SignalHistory, type SignalReading, type SignalState, type SystemSignals } from '../../src/sources/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Tuesday 2026-11-03 00:00 UTC. */
const TUESDAY = Date.UTC(2026, 10, 3);
const reading = (value: number | null, signal: SignalReading['signal'] = 'traffic'): SignalReading => ({ service: 'api', signal, value, source: 'prometheus' });

/** A daily ramp: quiet at night, busy from 08:00, peak at 14:00. */
const usual = (hour: number) => (hour < 7 ? 10 : hour < 9 ? 40 : hour < 18 ? 100 + (hour === 14 ? 20 : 0) : 30);

describe('traffic against its daily and weekly profile', () => {
  it('the morning ramp is not an anomaly; 1.5x the usual Tuesday 14:00 is, and says against what', () => {
    const h: SignalHistory = { points: [] };
    // Three weeks of hourly readings.
    for (let t = TUESDAY - 21 * DAY; t < TUESDAY; t += HOUR) judge(reading(usual(new Date(t).getUTCHours())), h, t);
    // Today's ramp: 10 → 40 → 100 req/s, all as usual.
    for (const hour of [6, 7, 8, 9, 10]) {
      const s = judge(reading(usual(hour)), h, TUESDAY + hour * HOUR);
      expect(s.status, `hour ${hour}`).toBe('ok');
      expect(s.basis).toMatch(/^earlier Tuesdays \d\d:00 UTC \(3 weeks\)$/);
    }
    const spike = judge(reading(1.5 * 120), h, TUESDAY + 14 * HOUR);
    expect(spike.baseline).toBeCloseTo(120, 6);
    expect(spike.status).toBe('warning');
    expect(spike.note).toBe('1.5x expected');
    expect(spike.basis).toBe('earlier Tuesdays 14:00 UTC (3 weeks)');
    const surge = judge(reading(2.1 * 100), h, TUESDAY + 15 * HOUR);
    expect(surge).toMatchObject({ status: 'critical', note: '2.1x expected', trend: 'up' });
    const drop = judge(reading(20), h, TUESDAY + 16 * HOUR);
    expect(drop.status).toBe('critical');
  });

  it('before a week of history it uses earlier days, then recent readings; never a made-up baseline', () => {
    const h: SignalHistory = { points: [] };
    const first = judge(reading(50), h, TUESDAY + 14 * HOUR);
    expect(first).toMatchObject({ baseline: null, status: 'ok', trend: 'none' });
    judge(reading(50), h, TUESDAY + 14 * HOUR + 60_000);
    const nextDay = judge(reading(100), h, TUESDAY + DAY + 14 * HOUR);
    expect(nextDay.basis).toBe('earlier days 14:00 UTC (1 day)');
    expect(nextDay).toMatchObject({ baseline: 50, status: 'critical', note: '2.0x expected' });
  });

  it('no data stays no data: no history point, status unknown', () => {
    const h: SignalHistory = { points: [[TUESDAY, 5]] };
    const s = judge({ ...reading(null), error: 'no data: the query returned no series' }, h, TUESDAY + HOUR);
    expect(s).toMatchObject({ value: null, status: 'unknown', note: 'no data' });
    expect(h.points).toHaveLength(1);
  });
});

describe('saturation risk levels', () => {
  it.each([
    [0.5, 'ok', undefined, '50% (below 70%)'],
    [0.72, 'warning', 'watch', '72% (watch)'],
    [0.85, 'warning', 'high', '85% (high)'],
    [0.93, 'critical', 'critical', '93% (critical)'],
  ])('%s of capacity', (v, status, risk, note) => {
    const s = judge(reading(v, 'cpu'), { points: [] }, TUESDAY);
    expect(s.status).toBe(status);
    expect(s.note).toBe(note);
    if (risk) expect(s.risk).toBe(risk);
  });
});

describe('correlation at the point of use', () => {
  const finding = (monitor: string): Finding => ({
    id: `f-${monitor}`,
    kind: 'regression',
    severity: 'warning',
    status: 'open',
    series: { monitor, step: 'Checkout', metric: 'durationMs', location: 'local' },
    observed: 900,
    expected: { value: 300 },
    unit: 'ms',
    magnitude: { ratio: 3 },
    startedAt: '2026-11-03T14:00:00.000Z',
    updatedAt: '2026-11-03T14:00:00.000Z',
    resolvedAt: null,
    count: 3,
    explanation: 'Checkout durationMs rose from 300 ms to 900 ms (3.0x) since 14:00 UTC.',
  });
  const state = (signal: SignalState['signal'], value: number, status: SignalState['status'], note: string): SignalState => ({
    service: 'api',
    signal,
    value,
    source: 'prometheus',
    label: signal === 'cpu' ? 'CPU' : 'Traffic',
    unit: signal === 'cpu' ? 'share' : 'rps',
    baseline: null,
    basis: '',
    status,
    trend: 'up',
    history: [],
    note,
  });
  const system: SystemSignals = {
    at: '2026-11-03T14:05:00.000Z',
    sources: [],
    signals: [state('cpu', 0.93, 'critical', '93% (critical)'), state('traffic', 210, 'critical', '2.1x expected'), { ...state('traffic', 5, 'ok', '1.0x expected'), service: 'search' }],
    monitorsByService: { api: ['checkout'], search: ['search'] },
  };

  it("a monitor's finding names its service's signals that are not ok", () => {
    const [out] = correlateFindings([{ type: 'opened', finding: finding('checkout') }], system, []);
    expect(out.explanation).toBe('Checkout durationMs rose from 300 ms to 900 ms (3.0x) since 14:00 UTC — while api CPU saturation is 93% (critical) and traffic is 2.1x expected.');
    expect(out.details?.correlated).toHaveLength(2);
    // Applied again (the next update), the context is replaced, not appended twice.
    const [again] = correlateFindings([{ type: 'updated', finding: out }], system, []);
    expect(again.explanation).toBe(out.explanation);
  });

  it('a monitor of a quiet service, or of no service, is left alone', () => {
    expect(correlateFindings([{ type: 'opened', finding: finding('search') }, { type: 'opened', finding: finding('other') }], system, [])).toEqual([]);
  });
});

describe('/metrics', () => {
  it('exposes each signal value, its state, and whether each source is up', async () => {
    const m = new ObserverMetrics({ processMetrics: false });
    m.recordSystemSignals({
      at: '2026-11-03T14:05:00.000Z',
      sources: [
        { name: 'prometheus', type: 'prometheus', status: 'down', error: 'ECONNREFUSED', readings: 0, durationMs: 3 },
        { name: 'access-log:web', type: 'access-log', status: 'ok', readings: 6, durationMs: 3 },
      ],
      signals: [
        { ...judge({ service: 'web', signal: 'errors5xx', value: 0.07, source: 'access-log:web' }, { points: [] }, TUESDAY) },
        { ...judge({ service: 'web', signal: 'traffic', value: null, source: 'prometheus', error: 'down' }, { points: [] }, TUESDAY) },
      ],
      monitorsByService: {},
    });
    const text = await m.registry.metrics();
    expect(text).toContain('observer_system_signal{service="web",source="access-log:web",signal="errors5xx",route=""} 0.07');
    expect(text).toContain('observer_system_signal_state{service="web",source="access-log:web",signal="errors5xx",route=""} 2');
    expect(text).toContain('observer_system_signal_state{service="web",source="prometheus",signal="traffic",route=""} -1');
    expect(text).not.toMatch(/observer_system_signal\{[^}]*source="prometheus"/);
    expect(text).toContain('observer_source_up{source="prometheus",type="prometheus"} 0');
    expect(text).toContain('observer_source_up{source="access-log:web",type="access-log"} 1');
  });
});
