/**
 * The one pipeline of `observer run` and `observer daemon`, built in one place from the resolved
 * config: the store, the runners, the alert manager and the reporters, and what happens to results
 * once measured:
 *
 *   results → store → anomaly core → alerts (evaluate, then deliver within a budget) → reporters
 *
 * Every stage is isolated: a stage that throws becomes a `problem` (logged, redacted) and the next
 * stage still runs. Commands only parse arguments, call this and map the outcome to an exit code.
 */
import { AlertManager } from '../alerts/index.js';
import type { AnomalyConfig } from '../anomaly/index.js';
import { ApiCheckRunner } from '../checks/index.js';
import type { HeartbeatBook } from '../checks/heartbeat.js';
import type { ResolvedConfig } from '../config/index.js';
import { JourneyRunner } from '../journeys/index.js';
import type { FindingChange, MonitorDefinition, MonitorResult, RunInfo } from '../model/index.js';
import { createReporters, Multiplexer, type Reporter } from '../reporters/index.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/log.js';
import type { Redactor } from '../runtime/redact.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { analyzeResults } from './analyze.js';
import { analyzeSignals, type Collected } from '../sources/index.js';
import { dashboardHtmlOptions } from './report-context.js';

/** The alerts stage as the pipeline uses it (AlertManager implements it). */
export interface AlertsStage {
  evaluate(input: { results: MonitorResult[]; findingChanges: FindingChange[] }): Promise<unknown>;
  /** Escalate open alerts nobody acknowledged whose step is due (queued; deliver sends them). */
  escalate?(): Promise<unknown>;
  deliver(opts?: { budgetMs?: number }): Promise<unknown>;
}

/** Runs a stage; a throw becomes a logged, redacted problem and the caller goes on. */
export type Guard = (what: string, fn: () => Promise<unknown>) => Promise<void>;

export function guardWith(log: Logger, redactor: Redactor, problems: string[]): Guard {
  return async (what, fn) => {
    try {
      await fn();
    } catch (err) {
      const msg = redactor.redact(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      problems.push(msg);
      log.warn(msg);
    }
  };
}

export interface StagesDeps {
  store: Store;
  anomaly: AnomalyConfig;
  alerts?: AlertsStage;
  /** Definitions by monitor id: their SLAs feed the SLA detector. */
  definitions: ReadonlyMap<string, MonitorDefinition>;
  guard: Guard;
}

/**
 * What follows storing results: the anomaly core on the baselines in the store, then the alerts
 * (evaluate with the finding changes, deliver within `deliveryBudgetMs`). Never throws.
 */
export async function analyzeAndAlert(
  deps: StagesDeps,
  results: MonitorResult[],
  deliveryBudgetMs: number,
  /** The watched system's golden signals of this run (`collectSignals`), analysed after the monitors so their findings can name them. */
  system?: Collected,
): Promise<FindingChange[]> {
  let findingChanges: FindingChange[] = [];
  await deps.guard('anomaly core', async () => {
    findingChanges = await analyzeResults(deps.store, deps.anomaly, results, deps.definitions);
  });
  if (system) {
    await deps.guard('anomaly core: golden signals', async () => {
      findingChanges = [...findingChanges, ...(await analyzeSignals(deps.store, deps.anomaly, system, findingChanges))];
    });
  }
  const alerts = deps.alerts;
  if (alerts) {
    await deps.guard('alerts: evaluating', () => alerts.evaluate({ results, findingChanges }));
    const escalate = alerts.escalate?.bind(alerts);
    if (escalate) await deps.guard('alerts: escalating', () => escalate());
    // Delivery is bounded: a channel that hangs never holds the run (undelivered ones stay queued).
    await deps.guard('alerts: delivering', () => alerts.deliver({ budgetMs: deliveryBudgetMs }));
  }
  return findingChanges;
}

/** A finished run of the daemon (one monitor per tick): store it, then analyse and alert. Never throws. */
export async function recordAndAnalyze(deps: StagesDeps, run: RunInfo, results: MonitorResult[], deliveryBudgetMs: number, system?: Collected): Promise<FindingChange[]> {
  await deps.guard('store: saving the run', () => deps.store.saveRun(run));
  await deps.guard('store: saving results', () => deps.store.saveResults(results));
  return analyzeAndAlert(deps, results, deliveryBudgetMs, system);
}

export interface PipelineOptions {
  config: ResolvedConfig;
  log: Logger;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** Reports and journey artifacts. */
  outDir: string;
  /** Journey browsers at once (the daemon runs one journey per tick and bounds them with its lanes). */
  journeyWorkers: number;
  /** Reporters before the configured ones (the CLI's progress output). */
  extraReporters?: Reporter[];
  /** A reporter threw (it is isolated; the run goes on). */
  onReporterError?: (err: Error) => void;
  /** The daemon's heartbeat book: push monitors are judged from the pings it keeps. */
  heartbeats?: HeartbeatBook;
}

export interface Pipeline {
  store: Store;
  runners: { api: ApiCheckRunner; journeys: JourneyRunner };
  /** Absent when no alert channel is configured. */
  alerts?: AlertManager;
  /** Every reporter behind one multiplexer whose hooks never throw. */
  reporter: Reporter;
  /**
   * Everything the stages after the runners need, with `guard` for their failures; `anomaly`
   * replaces the config's section (the daemon passes the one of a reloaded configuration).
   */
  stages(guard: Guard, definitions: readonly MonitorDefinition[], anomaly?: AnomalyConfig): StagesDeps;
  close(): Promise<void>;
}

/** Build the store, runners, alerts and reporters from the resolved config. */
export async function openPipeline(opts: PipelineOptions): Promise<Pipeline> {
  const { config, log, clock } = opts;
  const redactor = config.redactor;
  const store = await openStore({
    ...(config.store.url ? { url: config.store.url } : {}),
    path: config.store.path,
    redactor,
    log: (line: string) => log.warn(line),
  });
  const api = new ApiCheckRunner({ concurrency: config.concurrency.checks, perOriginConcurrency: config.concurrency.perOrigin, redactor, clock, ...(opts.heartbeats ? { heartbeats: opts.heartbeats } : {}) });
  const journeys = new JourneyRunner({
    workers: opts.journeyWorkers,
    outDir: opts.outDir,
    redactor,
    rootDir: config.rootDir,
    cwd: config.rootDir,
    log: (line: string) => log.debug(line),
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(config.playwrightConfig ? { playwrightConfig: config.playwrightConfig } : {}),
    trace: config.journeyTrace,
  });
  // Everything the alert manager logs is a problem (a delivery failed or was abandoned, a lease
  // not released, incidents not grouped): warn, so JSON logs filtered at warn still show it.
  const alerts = config.alerts.channels.length
    ? new AlertManager({ store, config: config.alerts, redactor, clock, log: (line: string) => log.warn(line) })
    : undefined;
  const reporters = createReporters(config.reporters, { redactor, env: opts.env, concurrency: config.concurrency.checks + config.concurrency.journeyWorkers, html: dashboardHtmlOptions(config.dashboard) });
  const reporter = new Multiplexer([...(opts.extraReporters ?? []), ...reporters], (err: Error) => {
    log.warn(`reporter error: ${err.message}`);
    opts.onReporterError?.(err);
  });
  return {
    store,
    runners: { api, journeys },
    ...(alerts ? { alerts } : {}),
    reporter,
    stages: (guard, definitions, anomaly) => ({
      store,
      anomaly: anomaly ?? config.anomaly,
      ...(alerts ? { alerts } : {}),
      definitions: new Map(definitions.map((m) => [m.id, m])),
      guard,
    }),
    close: async () => {
      await api.close().catch(() => undefined);
      await store.close().catch(() => undefined);
    },
  };
}
