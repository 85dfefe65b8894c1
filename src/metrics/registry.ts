/**
 * Prometheus metrics of the runner (prom-client), one registry per daemon or per pushed run.
 * Names follow Prometheus conventions: seconds for durations, `_total` for counters, unitless
 * ratios without a unit suffix. `environment` and `location` are constant labels of every series
 * (`labels`), and `observer_runner_info` carries the version. Counters of the monitors the daemon
 * schedules start at zero (`knowMonitors`), so `rate()` and `increase()` work from the first scrape.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Finding, HttpTimings, MonitorResult, NavigationVitals, Status } from '../model/index.js';
import type { SignalStatus, SystemSignals } from '../sources/types.js';

/** Signal states as numbers: -1 no data, 0 ok, 1 warning, 2 critical. */
const SIGNAL_STATE: Record<SignalStatus, number> = { unknown: -1, ok: 0, warning: 1, critical: 2 };

/** Step durations from 10 ms to 60 s. */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * HTTP phases: Prometheus' default buckets, 5 ms to 10 s. Five phases per check make these the
 * bulk of /metrics (14 samples per phase and check, see bench:telemetry); below 5 ms is all one
 * bucket, which is loopback or a warm resolver, never the question.
 */
const PHASE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Web-vital times, with the good / poor limits of web.dev as bucket bounds so the share of good
 * readings is exact: TTFB 0.8 / 1.8 s, FCP 1.8 / 3 s, LCP 2.5 / 4 s, INP 0.2 / 0.5 s.
 */
const VITAL_BUCKETS = [0.05, 0.1, 0.2, 0.5, 0.8, 1, 1.8, 2.5, 3, 4, 6, 10, 20];

/** CLS (unitless), with its good / poor limits 0.1 / 0.25 as bucket bounds. */
const CLS_BUCKETS = [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1];

/** The HTTP phases as label values (blackbox_exporter's phases, named after `HttpTimings`). */
export const HTTP_PHASES = ['dns', 'connect', 'tls', 'first_byte', 'download'] as const;
export type HttpPhase = (typeof HTTP_PHASES)[number];

/** The web vitals measured in seconds, as label values. */
export const TIMED_VITALS = ['ttfb', 'fcp', 'lcp', 'inp'] as const;

const RUN_STATUSES: readonly Status[] = ['passed', 'degraded', 'failed', 'skipped'];

/** The phases of one exchange that happened: a reused connection had no dns, connect or tls; plain HTTP has no tls. */
export function phasesOf(t: HttpTimings): Array<[HttpPhase, number]> {
  const out: Array<[HttpPhase, number]> = [];
  if (!t.reusedConnection) {
    out.push(['dns', t.dnsMs], ['connect', t.connectMs]);
    if (t.tlsMs > 0) out.push(['tls', t.tlsMs]);
  }
  out.push(['first_byte', t.firstByteMs], ['download', t.downloadMs]);
  return out;
}

function timedVitals(v: NavigationVitals): Array<[(typeof TIMED_VITALS)[number], number]> {
  const out: Array<[(typeof TIMED_VITALS)[number], number]> = [];
  if (v.ttfbMs !== undefined && v.navigationType !== 'soft-navigation') out.push(['ttfb', v.ttfbMs]);
  if (v.fcpMs !== undefined) out.push(['fcp', v.fcpMs]);
  if (v.lcpMs !== undefined) out.push(['lcp', v.lcpMs]);
  if (v.inpMs !== undefined) out.push(['inp', v.inpMs]);
  return out;
}

export class ObserverMetrics {
  readonly registry = new Registry();
  readonly stepDuration: Histogram<'monitor' | 'step' | 'location' | 'kind'>;
  readonly monitorSuccess: Gauge<'monitor' | 'location' | 'kind'>;
  readonly monitorDegraded: Gauge<'monitor' | 'location' | 'kind'>;
  readonly lastRun: Gauge<'monitor' | 'location'>;
  readonly runs: Counter<'monitor' | 'location' | 'status'>;
  readonly skippedTicks: Counter<'monitor' | 'reason'>;
  readonly findingsOpen: Gauge<'monitor' | 'kind' | 'severity'>;
  readonly httpPhase: Histogram<'monitor' | 'location' | 'phase'>;
  readonly webVital: Histogram<'monitor' | 'step' | 'location' | 'vital'>;
  readonly webVitalCls: Histogram<'monitor' | 'step' | 'location'>;
  readonly configReloads: Counter;
  readonly configReloadFailures: Counter;
  readonly configLastReloadSuccess: Gauge;
  readonly configLastReloadTimestamp: Gauge;
  readonly alertDeliveries: Counter<'result'>;
  readonly alertOutboxPending: Gauge;
  readonly runnerSaturated: Gauge<'location'>;
  readonly runnerEventLoopDelay: Gauge<'location'>;
  readonly runnerInfo: Gauge<'version'>;
  readonly scheduleLateness: Histogram<'kind'>;
  readonly inFlight: Gauge<'lane'>;
  readonly systemSignal: Gauge<'service' | 'source' | 'signal' | 'route'>;
  readonly systemSignalState: Gauge<'service' | 'source' | 'signal' | 'route'>;
  readonly sourceUp: Gauge<'source' | 'type'>;

  constructor(opts: { processMetrics: boolean; labels?: Record<string, string>; version?: string }) {
    if (opts.labels) this.registry.setDefaultLabels(opts.labels);
    const registers = [this.registry];
    this.stepDuration = new Histogram({
      name: 'observer_step_duration_seconds',
      help: 'Duration of each step of each monitor (an API check has one step)',
      labelNames: ['monitor', 'step', 'location', 'kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.monitorSuccess = new Gauge({
      name: 'observer_monitor_success',
      help: '1 when the last run of the monitor passed or was degraded, 0 when it failed',
      labelNames: ['monitor', 'location', 'kind'],
      registers,
    });
    this.monitorDegraded = new Gauge({
      name: 'observer_monitor_degraded',
      help: '1 when the last run of the monitor was degraded',
      labelNames: ['monitor', 'location', 'kind'],
      registers,
    });
    this.lastRun = new Gauge({
      name: 'observer_monitor_last_run_timestamp_seconds',
      help: 'When the monitor last finished',
      labelNames: ['monitor', 'location'],
      registers,
    });
    this.runs = new Counter({
      name: 'observer_runs_total',
      help: 'Monitor runs by outcome',
      labelNames: ['monitor', 'location', 'status'],
      registers,
    });
    this.skippedTicks = new Counter({
      name: 'observer_skipped_ticks_total',
      help: 'Scheduled ticks that did not start a run (overlap: the previous run was still going)',
      labelNames: ['monitor', 'reason'],
      registers,
    });
    this.findingsOpen = new Gauge({
      name: 'observer_findings_open',
      help: 'Open anomaly findings by monitor, kind and severity (fleet-wide and system findings have their monitor or service id)',
      labelNames: ['monitor', 'kind', 'severity'],
      registers,
    });
    this.httpPhase = new Histogram({
      name: 'observer_http_phase_seconds',
      help: 'HTTP phases of each API check request: dns, connect, tls (new connections only), first_byte (request sent to first response byte), download',
      labelNames: ['monitor', 'location', 'phase'],
      buckets: PHASE_BUCKETS,
      registers,
    });
    this.webVital = new Histogram({
      name: 'observer_web_vital_seconds',
      help: 'Web vitals of each navigation in each journey step: ttfb, fcp, lcp, inp (web.dev good/poor limits are bucket bounds)',
      labelNames: ['monitor', 'step', 'location', 'vital'],
      buckets: VITAL_BUCKETS,
      registers,
    });
    this.webVitalCls = new Histogram({
      name: 'observer_web_vital_cls',
      help: 'Cumulative Layout Shift of each navigation in each journey step (unitless; good <= 0.1, poor > 0.25)',
      labelNames: ['monitor', 'step', 'location'],
      buckets: CLS_BUCKETS,
      registers,
    });
    this.configReloads = new Counter({ name: 'observer_config_reloads_total', help: 'Configuration reloads attempted (SIGHUP), accepted or rejected', registers });
    this.configReloadFailures = new Counter({ name: 'observer_config_reload_failures_total', help: 'Configuration reloads rejected (the previous configuration kept running)', registers });
    this.configLastReloadSuccess = new Gauge({ name: 'observer_config_last_reload_successful', help: '1 when the configuration in force loaded cleanly at the last (re)load, 0 after a rejected reload', registers });
    this.configLastReloadTimestamp = new Gauge({ name: 'observer_config_last_reload_success_timestamp_seconds', help: 'When the configuration in force was loaded', registers });
    this.alertDeliveries = new Counter({ name: 'observer_alert_deliveries_total', help: 'Alert messages sent by result: delivered, failed (kept in the outbox to retry), abandoned (given up after the attempt limit)', labelNames: ['result'], registers });
    this.alertOutboxPending = new Gauge({ name: 'observer_alert_outbox_pending', help: 'Alert messages still undelivered after the last delivery round', registers });
    this.runnerSaturated = new Gauge({ name: 'observer_runner_saturated', help: '1 when the runner was saturated (event-loop delay, CPU, steal or memory over its limits) during its last measured run', labelNames: ['location'], registers });
    this.runnerEventLoopDelay = new Gauge({ name: 'observer_runner_event_loop_delay_p99_seconds', help: 'p99 event-loop delay of the runner over its last measured run', labelNames: ['location'], registers });
    this.runnerInfo = new Gauge({ name: 'observer_runner_info', help: 'The runner: always 1, with its version as a label', labelNames: ['version'], registers });
    for (const result of ['delivered', 'failed', 'abandoned']) this.alertDeliveries.inc({ result }, 0);
    this.scheduleLateness = new Histogram({
      name: 'observer_schedule_lateness_seconds',
      help: 'Delay between a monitor\'s scheduled start (plus its jitter) and its actual start',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inFlight = new Gauge({ name: 'observer_in_flight', help: 'Monitors running now, by lane', labelNames: ['lane'], registers });
    const signalLabels = ['service', 'source', 'signal', 'route'] as const;
    this.systemSignal = new Gauge({
      name: 'observer_system_signal',
      help: 'Last reading of a golden signal of the watched system (traffic req/s, error ratios, latency ms, saturation share); absent when the source had no data',
      labelNames: signalLabels,
      registers,
    });
    this.systemSignalState = new Gauge({
      name: 'observer_system_signal_state',
      help: 'State of a golden signal of the watched system: -1 no data, 0 ok, 1 warning, 2 critical',
      labelNames: signalLabels,
      registers,
    });
    this.sourceUp = new Gauge({ name: 'observer_source_up', help: '1 when the source answered at its last collection (ok or partial), 0 when it was down', labelNames: ['source', 'type'], registers });
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'observer_' });
    if (opts.version) this.runnerInfo.set({ version: opts.version }, 1);
  }

  /**
   * Series of the monitors to expect, present at zero before their first run (counters at zero
   * make `rate()` and `increase()` right from the first scrape; a monitor never run shows as such).
   */
  knowMonitors(monitors: ReadonlyArray<{ id: string; kind: string }>, location: string): void {
    for (const m of monitors) {
      for (const status of RUN_STATUSES) this.runs.inc({ monitor: m.id, location, status }, 0);
      this.skippedTicks.inc({ monitor: m.id, reason: 'overlap' }, 0);
    }
  }

  /** A (re)load of the configuration: `ok` false when it was rejected and the previous one kept running. */
  recordConfigLoad(ok: boolean, opts: { reload: boolean; nowMs: number }): void {
    if (opts.reload) this.configReloads.inc();
    if (!ok) this.configReloadFailures.inc();
    this.configLastReloadSuccess.set(ok ? 1 : 0);
    if (ok) this.configLastReloadTimestamp.set(opts.nowMs / 1000);
  }

  /** One delivery round of the alert outbox (src/alerts/outbox.ts). */
  recordDeliveries(report: { delivered: number; failed: number; abandoned: number; pending: number }): void {
    this.alertDeliveries.inc({ result: 'delivered' }, report.delivered);
    this.alertDeliveries.inc({ result: 'failed' }, report.failed);
    this.alertDeliveries.inc({ result: 'abandoned' }, report.abandoned);
    this.alertOutboxPending.set(report.pending);
  }

  recordResult(r: MonitorResult): void {
    const base = { monitor: r.monitor, location: r.location };
    this.runs.inc({ ...base, status: r.status });
    this.monitorSuccess.set({ ...base, kind: r.kind }, r.status === 'failed' ? 0 : 1);
    this.monitorDegraded.set({ ...base, kind: r.kind }, r.status === 'degraded' ? 1 : 0);
    this.lastRun.set(base, Date.parse(r.finishedAt) / 1000);
    for (const s of r.steps) {
      if (s.status === 'skipped') continue;
      this.stepDuration.observe({ ...base, step: s.name, kind: r.kind }, s.durationMs / 1000);
      if (s.timings) for (const [phase, ms] of phasesOf(s.timings)) this.httpPhase.observe({ ...base, phase }, ms / 1000);
      for (const v of s.vitals ?? []) {
        for (const [vital, ms] of timedVitals(v)) this.webVital.observe({ ...base, step: s.name, vital }, ms / 1000);
        if (v.cls !== undefined) this.webVitalCls.observe({ ...base, step: s.name }, v.cls);
      }
    }
    if (r.runnerHealth) {
      this.runnerSaturated.set({ location: r.location }, r.runnerHealth.saturated ? 1 : 0);
      this.runnerEventLoopDelay.set({ location: r.location }, r.runnerHealth.eventLoopDelayP99Ms / 1000);
    }
  }

  /** The system's signals of the last collection replace the previous ones (a signal gone is not kept stale). */
  recordSystemSignals(sys: SystemSignals): void {
    this.systemSignal.reset();
    this.systemSignalState.reset();
    this.sourceUp.reset();
    for (const s of sys.sources) this.sourceUp.set({ source: s.name, type: s.type }, s.status === 'down' ? 0 : 1);
    for (const s of sys.signals) {
      const labels = { service: s.service, source: s.source, signal: s.signal, route: s.route ?? '' };
      this.systemSignalState.set(labels, SIGNAL_STATE[s.status]);
      if (s.value !== null) this.systemSignal.set(labels, s.value);
    }
  }

  setOpenFindings(findings: Iterable<Finding>): void {
    this.findingsOpen.reset();
    for (const f of findings) if (f.status === 'open') this.findingsOpen.inc({ monitor: f.series.monitor, kind: f.kind, severity: f.severity });
  }
}
