/**
 * The runner's Prometheus metrics (src/metrics/registry.ts) as prom-client exposes them: HTTP phase
 * and web-vital histograms from results, the monitor label on open findings, counters at zero for
 * known monitors, config reloads, alert deliveries, runner saturation, and the constant labels.
 */
import { describe, expect, it } from 'vitest';
import { ObserverMetrics, phasesOf } from '../../src/metrics/registry.js';
import type { Finding, HttpTimings, MonitorResult } from '../../src/model/index.js';

const AT = '2026-11-25T12:00:00.000Z';

function timings(over: Partial<HttpTimings> = {}): HttpTimings {
  return { dnsMs: 2, connectMs: 4, tlsMs: 9, sendMs: 0.4, firstByteMs: 120, downloadMs: 30, totalMs: 165, reusedConnection: false, ...over };
}

function result(over: Partial<MonitorResult>): MonitorResult {
  return { id: 'r1:x', runId: 'r1', monitor: 'x', name: 'X', kind: 'api', status: 'passed', startedAt: AT, finishedAt: AT, durationMs: 200, attempts: 1, error: null, steps: [], location: 'eu', environment: 'production', tags: [], ...over };
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + '{') && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('ObserverMetrics', () => {
  it('observes the HTTP phases that happened: none of dns, connect, tls on a reused connection; no tls over plain HTTP', async () => {
    expect(phasesOf(timings()).map(([p]) => p)).toEqual(['dns', 'connect', 'tls', 'first_byte', 'download']);
    expect(phasesOf(timings({ reusedConnection: true })).map(([p]) => p)).toEqual(['first_byte', 'download']);
    expect(phasesOf(timings({ tlsMs: 0 })).map(([p]) => p)).toEqual(['dns', 'connect', 'first_byte', 'download']);

    const m = new ObserverMetrics({ processMetrics: false, labels: { environment: 'production' } });
    m.recordResult(result({ monitor: 'api', steps: [{ name: 'GET /', status: 'passed', startedAt: AT, durationMs: 165, error: null, timings: timings() }] }));
    m.recordResult(result({ monitor: 'api', steps: [{ name: 'GET /', status: 'passed', startedAt: AT, durationMs: 150, error: null, timings: timings({ reusedConnection: true }) }] }));
    const text = await m.registry.metrics();
    expect(sample(text, 'observer_http_phase_seconds_count', { monitor: 'api', phase: 'first_byte', environment: 'production' })).toBe(2);
    expect(sample(text, 'observer_http_phase_seconds_count', { monitor: 'api', phase: 'dns' })).toBe(1);
    expect(sample(text, 'observer_http_phase_seconds_sum', { monitor: 'api', phase: 'first_byte' })).toBeCloseTo(0.24, 6);
    // 120 ms falls in the 0.25 s bucket, not the 0.1 s one.
    expect(sample(text, 'observer_http_phase_seconds_bucket', { monitor: 'api', phase: 'first_byte', le: '0.1' })).toBe(0);
    expect(sample(text, 'observer_http_phase_seconds_bucket', { monitor: 'api', phase: 'first_byte', le: '0.25' })).toBe(2);
  });

  it('observes web vitals per journey step, in seconds with web.dev limits as bucket bounds, and CLS unitless', async () => {
    const m = new ObserverMetrics({ processMetrics: false });
    m.recordResult(
      result({
        monitor: 'shop',
        kind: 'journey',
        steps: [
          { name: 'home', status: 'passed', startedAt: AT, durationMs: 900, error: null, vitals: [{ url: 'http://127.0.0.1/', navigationType: 'navigate', ttfbMs: 700, fcpMs: 1200, lcpMs: 2600, cls: 0.12 }] },
          { name: 'search', status: 'passed', startedAt: AT, durationMs: 300, error: null, vitals: [{ url: 'http://127.0.0.1/?q', navigationType: 'soft-navigation', ttfbMs: 0, inpMs: 180 }] },
          { name: 'pay', status: 'skipped', startedAt: AT, durationMs: 0, error: null, vitals: [{ url: 'http://127.0.0.1/pay', lcpMs: 100 }] },
        ],
      }),
    );
    const text = await m.registry.metrics();
    expect(sample(text, 'observer_web_vital_seconds_bucket', { monitor: 'shop', step: 'home', vital: 'lcp', le: '2.5' })).toBe(0);
    expect(sample(text, 'observer_web_vital_seconds_bucket', { monitor: 'shop', step: 'home', vital: 'lcp', le: '3' })).toBe(1);
    expect(sample(text, 'observer_web_vital_seconds_bucket', { monitor: 'shop', step: 'home', vital: 'ttfb', le: '0.8' })).toBe(1);
    expect(sample(text, 'observer_web_vital_seconds_bucket', { monitor: 'shop', step: 'search', vital: 'inp', le: '0.2' })).toBe(1);
    // A soft navigation has no TTFB of its own; a skipped step measured nothing.
    expect(sample(text, 'observer_web_vital_seconds_count', { step: 'search', vital: 'ttfb' })).toBeUndefined();
    expect(sample(text, 'observer_web_vital_seconds_count', { step: 'pay' })).toBeUndefined();
    expect(sample(text, 'observer_web_vital_cls_bucket', { monitor: 'shop', step: 'home', le: '0.1' })).toBe(0);
    expect(sample(text, 'observer_web_vital_cls_bucket', { monitor: 'shop', step: 'home', le: '0.15' })).toBe(1);
  });

  it('labels open findings with their monitor; resolved ones leave', async () => {
    const m = new ObserverMetrics({ processMetrics: false });
    const finding = (id: string, monitor: string, status: Finding['status']): Finding => ({
      id, kind: 'regression', severity: 'warning', status, series: { monitor, step: monitor, metric: 'durationMs', location: 'eu' }, observed: 900, expected: { value: 300 }, unit: 'ms', magnitude: { ratio: 3 }, startedAt: AT, updatedAt: AT, resolvedAt: null, count: 3, explanation: 'slower',
    });
    m.setOpenFindings([finding('f1', 'checkout', 'open'), finding('f2', 'checkout', 'open'), finding('f3', 'search', 'resolved')]);
    const text = await m.registry.metrics();
    expect(sample(text, 'observer_findings_open', { monitor: 'checkout', kind: 'regression', severity: 'warning' })).toBe(2);
    expect(sample(text, 'observer_findings_open', { monitor: 'search' })).toBeUndefined();
  });

  it('starts the counters of known monitors at zero, and counts reloads, deliveries and runner saturation', async () => {
    const m = new ObserverMetrics({ processMetrics: false, labels: { environment: 'staging', location: 'eu' }, version: '1.2.3' });
    m.knowMonitors([{ id: 'a', kind: 'api' }], 'eu');
    m.recordConfigLoad(true, { reload: false, nowMs: 1_000_000 });
    let text = await m.registry.metrics();
    for (const status of ['passed', 'degraded', 'failed', 'skipped']) expect(sample(text, 'observer_runs_total', { monitor: 'a', status, environment: 'staging' }), status).toBe(0);
    expect(sample(text, 'observer_runner_info', { version: '1.2.3', environment: 'staging' })).toBe(1);
    expect(sample(text, 'observer_config_last_reload_success_timestamp_seconds', {})).toBe(1000);
    expect(sample(text, 'observer_config_reloads_total', {})).toBe(0);

    m.recordConfigLoad(false, { reload: true, nowMs: 2_000_000 });
    m.recordDeliveries({ delivered: 2, failed: 1, abandoned: 0, pending: 4 });
    m.recordResult(result({ monitor: 'a', runnerHealth: { eventLoopDelayP99Ms: 250, eventLoopDelayMaxMs: 400, rssBytes: 1, saturated: true, reasons: ['event loop'] } }));
    text = await m.registry.metrics();
    expect(sample(text, 'observer_config_reloads_total', {})).toBe(1);
    expect(sample(text, 'observer_config_reload_failures_total', {})).toBe(1);
    expect(sample(text, 'observer_config_last_reload_successful', {})).toBe(0);
    expect(sample(text, 'observer_config_last_reload_success_timestamp_seconds', {})).toBe(1000);
    expect(sample(text, 'observer_alert_deliveries_total', { result: 'delivered' })).toBe(2);
    expect(sample(text, 'observer_alert_deliveries_total', { result: 'failed' })).toBe(1);
    expect(sample(text, 'observer_alert_outbox_pending', {})).toBe(4);
    expect(sample(text, 'observer_runs_total', { monitor: 'a', status: 'passed' })).toBe(1);
    expect(sample(text, 'observer_runner_saturated', { location: 'eu' })).toBe(1);
    expect(sample(text, 'observer_runner_event_loop_delay_p99_seconds', { location: 'eu' })).toBe(0.25);
  });
});
