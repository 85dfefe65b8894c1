/**
 * `observer daemon`: schedules every monitor by its cron expression (node-cron, seconds allowed,
 * in the configured time zone) with a stable per-monitor jitter, never overlaps a monitor with
 * itself (the skipped tick is recorded), runs checks and journeys in separate lanes of one budget,
 * reloads its configuration without dropping in-flight runs, and shuts down gracefully.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Finding, FindingChange, HeartbeatDefinition, MonitorDefinition, MonitorResult, RunInfo } from '../model/index.js';
import type { HeartbeatBook } from '../checks/heartbeat.js';
import type { Clock } from '../runtime/clock.js';
import { isoAt } from '../runtime/clock.js';
import { logResult, type Logger } from '../runtime/log.js';
import type { ObserverMetrics } from '../metrics/registry.js';
import { executeMonitors, type MonitorRunners } from '../run/execute.js';
import type { RunnerHealthSource } from '../runtime/runner-health.js';
import { newRunId, stableHash } from '../run/ids.js';
import { thisRunner } from '../run/dead-runs.js';
import { Lanes, laneOf } from './lanes.js';
import { onAbort } from '../runtime/abort.js';

export interface DaemonPlan {
  monitors: MonitorDefinition[];
  timezone?: string;
  /** Upper bound of the per-monitor start offset, ms. */
  jitterMs: number;
}

export interface DaemonDeps {
  runners: MonitorRunners;
  metrics: ObserverMetrics;
  log: Logger;
  clock: Clock;
  location: string;
  environment: string;
  lanes: { api: number; journey: number };
  /**
   * The run pipeline after the runners (src/run/pipeline.ts): store the run and its results, then
   * the anomaly core and alerts. Failures are logged there, never thrown.
   */
  afterRun(run: RunInfo, results: MonitorResult[]): Promise<FindingChange[]>;
  /** Findings open at start (the open-findings gauge starts from them). */
  openFindings?: Finding[];
  /** Where heartbeat monitors' pings are kept: told which monitors to watch on every apply. */
  heartbeats?: HeartbeatBook;
  /** The runner's own health (src/runtime/runner-health.ts): stamps each result, marks saturated ones. */
  runnerHealth?: RunnerHealthSource;
}

interface Scheduled {
  monitor: MonitorDefinition;
  task: ScheduledTask;
  jitterMs: number;
}

export interface DaemonStats {
  started: number;
  finished: number;
  skippedOverlap: number;
  latenessMs: number[];
}

export class Daemon {
  private scheduled = new Map<string, Scheduled>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly lanes: Lanes;
  private readonly controller = new AbortController();
  private stopping = false;
  private plan: DaemonPlan | null = null;
  /** Bounded record of schedule lateness for the benchmark and /readyz; metrics keep the histogram. */
  readonly stats: DaemonStats = { started: 0, finished: 0, skippedOverlap: 0, latenessMs: [] };

  private readonly openFindings = new Map<string, Finding>();

  constructor(private readonly deps: DaemonDeps) {
    this.lanes = new Lanes(deps.lanes);
    for (const f of deps.openFindings ?? []) this.openFindings.set(f.id, f);
    deps.metrics.setOpenFindings(this.openFindings.values());
    // A job reporting a failure (or recovering) is evaluated at once, not at the next tick.
    deps.heartbeats?.onChange((id) => {
      const s = this.scheduled.get(id);
      if (s) this.tick(s.monitor, deps.clock.nowMs(), 0);
    });
  }

  /** Scheduling at least one monitor: a daemon with nothing to run is not ready (/readyz 503). */
  get ready(): boolean {
    return this.plan !== null && !this.stopping && this.scheduled.size > 0;
  }

  get monitorCount(): number {
    return this.scheduled.size;
  }

  /** Start or replace the schedule. In-flight runs of removed or changed monitors finish undisturbed. */
  apply(plan: DaemonPlan): { scheduled: number; unscheduled: string[] } {
    if (this.stopping) return { scheduled: 0, unscheduled: [] };
    for (const s of this.scheduled.values()) void s.task.destroy();
    this.scheduled = new Map();
    const unscheduled: string[] = [];
    for (const monitor of plan.monitors) {
      if (!monitor.schedule) {
        unscheduled.push(monitor.id);
        continue;
      }
      const jitterMs = plan.jitterMs > 0 ? stableHash(monitor.id) % plan.jitterMs : 0;
      const task = cron.createTask(monitor.schedule, (ctx) => this.tick(monitor, ctx.date.getTime(), jitterMs), {
        name: monitor.id,
        ...(plan.timezone ? { timezone: plan.timezone } : {}),
        // We track overlap ourselves to record and count skipped ticks.
        noOverlap: false,
      });
      this.scheduled.set(monitor.id, { monitor, task, jitterMs });
    }
    for (const s of this.scheduled.values()) void s.task.start();
    this.deps.heartbeats?.watch(plan.monitors.filter((m): m is HeartbeatDefinition => m.kind === 'heartbeat'));
    this.deps.heartbeats?.restore().catch((err: unknown) => this.deps.log.warn(`heartbeats: could not read the last pings from the store: ${(err as Error).message}`));
    this.plan = plan;
    return { scheduled: this.scheduled.size, unscheduled };
  }

  /** One cron tick of one monitor. */
  private tick(monitor: MonitorDefinition, scheduledAtMs: number, jitterMs: number): void {
    if (this.stopping) return;
    if (this.running.has(monitor.id)) {
      this.stats.skippedOverlap++;
      this.deps.metrics.skippedTicks.inc({ monitor: monitor.id, reason: 'overlap' });
      this.deps.log.warn(`skipped: overlap — ${monitor.id} is still running from its previous tick`, { monitor: monitor.id });
      return;
    }
    const job = (async () => {
      if (jitterMs > 0) await sleep(jitterMs, this.controller.signal);
      await this.lanes.run(monitor.kind, () => this.execute(monitor, scheduledAtMs + jitterMs));
    })()
      .catch((err: unknown) => this.deps.log.error(`daemon: ${monitor.id}: ${(err as Error).message}`))
      .finally(() => this.running.delete(monitor.id));
    this.running.set(monitor.id, job);
  }

  private async execute(monitor: MonitorDefinition, dueAtMs: number): Promise<void> {
    const { clock, metrics, log } = this.deps;
    const startMs = clock.nowMs();
    const latenessMs = Math.max(0, startMs - dueAtMs);
    if (this.stats.latenessMs.length < 100_000) this.stats.latenessMs.push(latenessMs);
    metrics.scheduleLateness.observe({ kind: monitor.kind }, latenessMs / 1000);
    this.stats.started++;
    const lane = laneOf(monitor.kind);
    metrics.inFlight.inc({ lane });
    const run: RunInfo = { id: newRunId(startMs), startedAt: isoAt(startMs), finishedAt: null, location: this.deps.location, environment: this.deps.environment, runner: thisRunner() };
    try {
      const [result] = await executeMonitors([monitor], this.deps.runners, {
        runId: run.id,
        location: run.location,
        environment: run.environment,
        signal: this.controller.signal,
        clock,
        ...(this.deps.runnerHealth ? { runnerHealth: this.deps.runnerHealth } : {}),
      });
      run.finishedAt = isoAt(clock.nowMs());
      if (this.controller.signal.aborted) run.aborted = true;
      metrics.recordResult(result);
      this.noteFindings(await this.deps.afterRun(run, [result]));
      this.stats.finished++;
      // Every run is a line with run, monitor, step, status, error class, duration: failures at error,
      // degraded at warn, passes at debug (`--log-level debug`).
      logResult(log, result, 'debug');
    } finally {
      metrics.inFlight.dec({ lane });
    }
  }

  private noteFindings(changes: FindingChange[]): void {
    for (const c of changes) {
      if (c.finding.status === 'open') this.openFindings.set(c.finding.id, c.finding);
      else this.openFindings.delete(c.finding.id);
      if (c.type !== 'updated') {
        const f = c.finding;
        const level = c.type === 'opened' ? (f.severity === 'critical' ? 'error' : 'warn') : 'info';
        this.deps.log[level](`finding ${c.type}: ${f.explanation}`, { event: 'finding/change', change: c.type, monitor: f.series.monitor, step: f.series.step, location: f.series.location, kind: f.kind, severity: f.severity, findingId: f.id });
      }
    }
    if (changes.length) this.deps.metrics.setOpenFindings(this.openFindings.values());
  }

  /**
   * Stop scheduling, let in-flight monitors finish up to the deadline, then abort the rest (their
   * results are recorded as failed/aborted by the runners) and wait for those records to be written.
   */
  async shutdown(deadlineMs: number): Promise<{ aborted: boolean }> {
    this.stopping = true;
    for (const s of this.scheduled.values()) void s.task.destroy();
    this.scheduled.clear();
    const all = () => Promise.allSettled([...this.running.values()]);
    const finished = await Promise.race([all().then(() => true), sleep(deadlineMs).then(() => false)]);
    if (!finished) {
      this.controller.abort(new Error('daemon shutdown deadline reached'));
      await Promise.race([all(), sleep(10_000)]);
    }
    return { aborted: !finished };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      off?.();
      resolve();
    }, ms);
    const off = signal
      ? onAbort(signal, () => {
          clearTimeout(t);
          resolve();
        })
      : undefined;
  });
}
