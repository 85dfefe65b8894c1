/**
 * One run of `observer run`: a sequence of tasks raced against cancellation (SIGTERM, SIGINT,
 * the deadline). Results are written to the store as each monitor finishes, so what was measured
 * survives an abort; analysis, alerts and reports run after the monitors, also after an abort.
 */
import { severityRank, type Finding, type MonitorDefinition, type MonitorResult, type RunInfo } from '../model/index.js';
import type { Clock } from '../runtime/clock.js';
import { isoAt } from '../runtime/clock.js';
import type { Logger } from '../runtime/log.js';
import type { Redactor } from '../runtime/redact.js';
import type { Reporter, ReportContext, RunReport } from '../reporters/reporter.js';
import type { AnomalyConfig } from '../anomaly/index.js';
import type { FindingChange } from '../model/index.js';
import type { Store } from '../store/store.js';
import { executeMonitors, type MonitorRunners } from './execute.js';
import { analyzeAndAlert, guardWith, type AlertsStage } from './pipeline.js';
import { buildReportContext } from './report-context.js';
import { closeDeadRuns, thisRunner } from './dead-runs.js';
import { collectSignals, type Collected, type SourceConfig } from '../sources/index.js';
import { monotonicStartOf, RunnerHealthSampler, type RunnerHealthSamplerOptions, type RunnerHealthSource } from '../runtime/runner-health.js';

export type FailOn = 'failed' | 'degraded';

export interface RunDeps {
  runId: string;
  monitors: MonitorDefinition[];
  runners: MonitorRunners;
  store: Store;
  /** Already multiplexed: one object whose hooks never throw. */
  reporter: Reporter;
  log: Logger;
  clock: Clock;
  redactor: Redactor;
  signal: AbortSignal;
  location: string;
  environment: string;
  shard?: string;
  outDir: string;
  anomalyConfig: AnomalyConfig;
  /** Alerts: evaluate and deliver (bounded); absent when no alerts are configured. */
  alerts?: AlertsStage;
  /** The watched system's golden signals: read after the monitors, analysed with them (absent: none configured). */
  sources?: { configs: readonly SourceConfig[]; rootDir: string };
  failOn: FailOn;
  /** The runner-health sampler's options (`runnerHealthOptions(env)`); default: judge saturation. */
  runnerHealth?: RunnerHealthSamplerOptions;
  /** Findings opened in this run at or above this severity fail the run (exit 1). */
  failOnFindings: 'critical' | 'warning' | 'none';
}

export interface RunOutcome {
  report: RunReport;
  findingChanges: FindingChange[];
  exitCode: 0 | 1;
  files: string[];
  /** Problems of the runner itself (store, reporters, alerts) that did not stop the run. */
  problems: string[];
}

export async function executeRun(deps: RunDeps): Promise<RunOutcome> {
  const { store, reporter, log, clock } = deps;
  const problems: string[] = [];
  const run: RunInfo = {
    id: deps.runId,
    startedAt: isoAt(clock.nowMs()),
    finishedAt: null,
    location: deps.location,
    environment: deps.environment,
    ...(deps.shard ? { shard: deps.shard } : {}),
    runner: thisRunner(),
  };

  const guard = guardWith(log, deps.redactor, problems);

  await guard('store: closing runs that died unfinished', async () => {
    const closed = await closeDeadRuns(store, clock.nowMs());
    if (closed.length) log.warn(`marked ${closed.length} run(s) aborted that died without finishing (${closed.join(', ')})`);
  });
  await guard('store: saving the run', () => store.saveRun(run));
  await reporter.onBegin?.(run, deps.monitors);

  // Results are written one by one as monitors finish; writes are chained so they keep order.
  let writes: Promise<void> = Promise.resolve();
  const runnerHealth = new RunnerHealthSampler(deps.runnerHealth).start();
  const results = await executeMonitors(deps.monitors, deps.runners, {
    runnerHealth,
    runId: run.id,
    location: deps.location,
    environment: deps.environment,
    signal: deps.signal,
    clock,
    onMonitorBegin: (m) => reporter.onMonitorBegin?.(m),
    onResult: (r) => {
      reporter.onMonitorEnd?.(r);
      writes = writes.then(() => guard(`store: saving the result of ${r.monitor}`, () => store.saveResults([r])));
    },
  });
  await writes;
  await guard('runner health', () => restampLateBlocks(results, runnerHealth, store));
  runnerHealth.stop();
  for (const r of results) if (r.runnerHealth?.saturated) log.warn(`${r.monitor}: measured while the runner was saturated (${r.runnerHealth.reasons.join('; ')}): kept out of baselines`);

  run.finishedAt = isoAt(clock.nowMs());
  if (deps.signal.aborted) run.aborted = true;
  await guard('store: finishing the run', () => store.saveRun(run));

  // The system's own signals (Prometheus, access logs), collected before the analysis so the
  // monitors' findings can name what their service was doing. A source that is down is reported, never invented.
  let system: Collected | undefined;
  const sources = deps.sources;
  if (sources?.configs.length) {
    await guard('sources', async () => {
      system = await collectSignals(sources.configs, { store, clock, rootDir: sources.rootDir, location: deps.location, monitors: deps.monitors, signal: deps.signal });
    });
  }
  const collected: Collected | undefined = system;

  const findingChanges = await analyzeAndAlert(
    { store, anomaly: deps.anomalyConfig, ...(deps.alerts ? { alerts: deps.alerts } : {}), definitions: new Map(deps.monitors.map((m) => [m.id, m])), guard },
    results,
    deps.signal.aborted ? 2_000 : 10_000,
    collected,
  );

  const findings = latestFindings(findingChanges);
  const report: RunReport = { run, results, findings };
  let context: ReportContext = {
    outDir: deps.outDir,
    history: results,
    findings,
    deploys: [],
    window: '24h',
    generatedAt: isoAt(clock.nowMs()),
  };
  await guard('store: reading history for reports', async () => {
    context = await buildReportContext(store, { outDir: deps.outDir, window: '24h', nowMs: clock.nowMs(), current: results, environment: deps.environment });
  });

  if (collected) context = { ...context, system: collected.system };

  const files: string[] = [];
  const written = await reporter.onEnd?.(report, context);
  if (Array.isArray(written)) files.push(...written);

  const failedMonitor = results.some((r) => r.status === 'failed' || (deps.failOn === 'degraded' && r.status === 'degraded'));
  const failingFinding = findingChanges.some((c) => c.type === 'opened' && severityAtLeast(c.finding.severity, deps.failOnFindings));
  return { report, findingChanges, exitCode: failedMonitor || failingFinding ? 1 : 0, files, problems };
}

/**
 * A result's own window can close just as a block of the event loop ends (the delay is recorded
 * after the I/O that completed it, by a tick that comes later): once the run is over, every result
 * is judged again over its own window with the tick after it, and the ones newly marked are
 * written again (writes are idempotent on the id). Only a result's own window counts: one stall
 * elsewhere in the run (loading a module, a journey's browser starting) says nothing of the others.
 */
async function restampLateBlocks(results: MonitorResult[], health: RunnerHealthSource, store: Store): Promise<void> {
  const restamped: MonitorResult[] = [];
  for (const r of results) {
    if (r.runnerHealth?.saturated) continue;
    const from = monotonicStartOf(r.startedAt);
    const late = health.snapshot(from, from + Math.max(0, r.durationMs));
    if (!late.saturated) continue;
    r.runnerHealth = late;
    restamped.push(r);
  }
  if (restamped.length) await store.saveResults(restamped);
}

function latestFindings(changes: FindingChange[]): Finding[] {
  const byId = new Map<string, Finding>();
  for (const c of changes) byId.set(c.finding.id, c.finding);
  return [...byId.values()];
}

function severityAtLeast(severity: string, threshold: 'critical' | 'warning' | 'none'): boolean {
  if (threshold === 'none') return false;
  return severityRank(severity) >= severityRank(threshold);
}
