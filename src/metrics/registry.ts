/**
 * Prometheus metrics of the runner (prom-client), one registry per daemon or per pushed run.
 * Names follow Prometheus conventions: seconds for durations, `_total` for counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Finding, MonitorResult } from '../model/index.js';
import type { SignalStatus, SystemSignals } from '../sources/types.js';

/** Signal states as numbers: -1 no data, 0 ok, 1 warning, 2 critical. */
const SIGNAL_STATE: Record<SignalStatus, number> = { unknown: -1, ok: 0, warning: 1, critical: 2 };

/** Step durations from 10 ms to 60 s. */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class ObserverMetrics {
  readonly registry = new Registry();
  readonly stepDuration: Histogram<'monitor' | 'step' | 'location' | 'kind'>;
  readonly monitorSuccess: Gauge<'monitor' | 'location' | 'kind'>;
  readonly monitorDegraded: Gauge<'monitor' | 'location' | 'kind'>;
  readonly lastRun: Gauge<'monitor' | 'location'>;
  readonly runs: Counter<'monitor' | 'location' | 'status'>;
  readonly skippedTicks: Counter<'monitor' | 'reason'>;
  readonly findingsOpen: Gauge<'kind' | 'severity'>;
  readonly scheduleLateness: Histogram<'kind'>;
  readonly inFlight: Gauge<'lane'>;
  readonly systemSignal: Gauge<'service' | 'source' | 'signal' | 'route'>;
  readonly systemSignalState: Gauge<'service' | 'source' | 'signal' | 'route'>;
  readonly sourceUp: Gauge<'source' | 'type'>;

  constructor(opts: { processMetrics: boolean; labels?: Record<string, string> }) {
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
      help: 'Open anomaly findings by kind and severity',
      labelNames: ['kind', 'severity'],
      registers,
    });
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
    for (const f of findings) if (f.status === 'open') this.findingsOpen.inc({ kind: f.kind, severity: f.severity });
  }
}
