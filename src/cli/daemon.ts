/**
 * `observer daemon`: the long-running scheduler. SIGHUP reloads the configuration (a bad one is
 * rejected with the usual diagnostics and the old schedule keeps running); SIGTERM/SIGINT stop
 * scheduling, let in-flight monitors finish up to the shutdown deadline, record the rest as
 * aborted, flush the store and exit 0.
 */
import { readFileSync } from 'node:fs';
import { startEscalationTimer } from '../alerts/escalation-timer.js';
import { HeartbeatBook } from '../checks/heartbeat.js';
import type { Store } from '../store/store.js';
import { ConfigError, diagnosticFields, formatDiagnostic, formatDiagnostics } from '../config/index.js';
import { ObserverMetrics } from '../metrics/registry.js';
import { systemClock } from '../runtime/clock.js';
import { createLogger, type LogFormat, type LogLevel } from '../runtime/log.js';
import { guardWith, openPipeline, recordAndAnalyze } from '../run/pipeline.js';
import { SignalsPoller } from '../sources/index.js';
import { RunnerHealthSampler, runnerHealthOptions } from '../runtime/runner-health.js';
import { Daemon } from '../scheduler/daemon.js';
import { ExitCode } from './exit-codes.js';
import { oneOf, parse } from './args.js';
import { checkServerFlags, SERVER_FLAGS, SERVER_USAGE, startLiveServer } from './live-server.js';
import { prepare } from './prepare.js';
import type { CommandIO } from './io.js';

export const DAEMON_USAGE = `Usage: observer daemon [options]

Schedules every monitor that has a \`schedule\` (cron, seconds allowed), serves the live
dashboard at / (updated as runs finish), /metrics, /healthz and /readyz, and keeps reports/ current.

  --config FILE        observer.config.ts
  --env NAME           environment (default: $OBSERVER_ENVIRONMENT, else the config's default)
  --location NAME      location tag (default: $OBSERVER_LOCATION or "local")
${SERVER_USAGE}
  --tag TAG            only monitors with this tag (repeatable)
  --log-format FORMAT  pretty (default) or json
  --log-level LEVEL    debug, info (default), warn or error; passing runs are logged at debug

Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT shut down gracefully.`;

export async function daemonCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      config: { type: 'string' },
      env: { type: 'string' },
      location: { type: 'string' },
      ...SERVER_FLAGS,
      tag: { type: 'string', multiple: true },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    DAEMON_USAGE,
  );
  if (values.help) {
    io.stdout.write(DAEMON_USAGE + '\n');
    return ExitCode.Ok;
  }
  const logFormat: LogFormat = oneOf(values['log-format'], 'log-format', ['pretty', 'json'] as const) ?? 'pretty';
  const logLevel: LogLevel = oneOf(values['log-level'], 'log-level', ['debug', 'info', 'warn', 'error'] as const) ?? 'info';
  checkServerFlags(values);
  const location = values.location ?? io.env.OBSERVER_LOCATION;
  const environment = values.env ?? (io.env.OBSERVER_ENVIRONMENT || undefined);
  const load = () =>
    prepare({
      cwd: io.cwd,
      ...(values.config ? { configFile: values.config } : {}),
      ...(environment ? { environment } : {}),
      ...(location ? { location } : {}),
      env: io.env,
      selection: { ...(values.tag ? { tags: values.tag } : {}) },
    });
  let prepared = await load();
  const { config } = prepared;
  const log = createLogger({ format: logFormat, level: logLevel, redactor: config.redactor, stream: io.stderr });
  for (const w of config.warnings) log.warn(formatDiagnostic(w), diagnosticFields(w));
  const clock = systemClock;

  // The daemon runs one journey per tick; the journey lane bounds how many run at once.
  // Heartbeat pings are kept in the pipeline's store (opened just below, before any ping can arrive).
  const opened: { store?: Store; changed?: () => void } = {};
  const heartbeats = new HeartbeatBook(
    clock,
    { load: (ids) => opened.store!.getStates('heartbeats', ids), save: (id, ping) => opened.store!.putStates('heartbeats', new Map([[id, ping]])) },
    (err) => log.warn(`heartbeats: could not save a ping: ${err.message}`),
  );
  const pipeline = await openPipeline({ config, log, clock, env: io.env, outDir: config.outDir, journeyWorkers: 1, heartbeats });
  opened.store = pipeline.store;
  // environment and location label every series; counters of the scheduled monitors start at zero (apply below).
  const metrics = new ObserverMetrics({ processMetrics: true, labels: { location: config.location, environment: config.environment }, version: packageVersion() });
  metrics.recordConfigLoad(true, { reload: false, nowMs: clock.nowMs() });
  const guard = guardWith(log, config.redactor, []);
  // Alert delivery rounds are counted on /metrics (delivered, failed, abandoned; the outbox backlog).
  const stages = () => {
    const deps = pipeline.stages(guard, prepared.all, prepared.config.anomaly);
    const alerts = deps.alerts;
    if (!alerts) return deps;
    return {
      ...deps,
      alerts: {
        evaluate: (input: Parameters<typeof alerts.evaluate>[0]) => alerts.evaluate(input),
        deliver: async (o?: { budgetMs?: number }) => {
          const report = await alerts.deliver(o);
          if (isDeliveryReport(report)) metrics.recordDeliveries(report);
          return report;
        },
      },
    };
  };

  // The system's golden signals (sources): collected after results, at most once a minute; /metrics shows them.
  const signals = config.sources.length
    ? new SignalsPoller({ sources: config.sources, store: pipeline.store, clock, rootDir: config.rootDir, location: config.location, monitors: () => prepared.all, onCollected: (s) => metrics.recordSystemSignals(s) })
    : undefined;

  const lanes = {
    api: config.daemon.lanes?.api ?? config.concurrency.checks,
    journey: config.daemon.lanes?.journey ?? config.concurrency.journeyWorkers,
  };
  const runnerHealth = new RunnerHealthSampler(runnerHealthOptions(io.env)).start(); // unref'd timer: never holds the process
  const daemon = new Daemon({
    runners: pipeline.runners,
    metrics,
    log,
    clock,
    location: config.location,
    environment: config.environment,
    lanes,
    // The definitions of the configuration in force (SIGHUP replaces them).
    // The live dashboard hears of each run once it is in the store.
    afterRun: async (run, results) => {
      const changes = await recordAndAnalyze(stages(), run, results, 10_000, await signals?.collect());
      opened.changed?.();
      return changes;
    },
    heartbeats,
    runnerHealth,
    openFindings: await pipeline.store.listFindings({ status: 'open' }).catch(() => []),
  });
  const plan = (p: typeof prepared) => ({ monitors: p.selected, jitterMs: p.config.daemon.jitterMs ?? 0, ...(p.config.daemon.timezone ? { timezone: p.config.daemon.timezone } : {}) });
  const applied = daemon.apply(plan(prepared));
  metrics.knowMonitors(prepared.selected.filter((m) => m.schedule), config.location);
  if (applied.unscheduled.length) log.warn(`no schedule, not scheduled: ${applied.unscheduled.join(', ')}`);

  // Alerts nobody acknowledged escalate on a timer too, not only when a run finishes.
  const escalation = pipeline.alerts ? startEscalationTimer(pipeline.alerts, { log: (line) => log.warn(line) }) : undefined;
  const { server, dashboard } = await startLiveServer({ flags: values, config, store: pipeline.store, clock, log, env: io.env, metrics, health: daemon, heartbeats, monitors: prepared.all });
  if (dashboard) opened.changed = () => dashboard.changed();
  log.info(`observer daemon: ${applied.scheduled} monitor(s) scheduled, ${dashboard ? `dashboard on :${server.port}/, ` : ''}metrics on :${server.port}/metrics, store ${pipeline.store.description}`);
  io.stdout.write(`listening on ${server.port}\n`);

  return await new Promise<number>((resolve) => {
    let shuttingDown = false;
    io.onSignals?.((sig) => {
      if (sig === 'SIGHUP') {
        if (shuttingDown) return;
        log.info('SIGHUP: reloading the configuration', { event: 'config/reload' });
        load()
          .then((next) => {
            prepared = next;
            const r = daemon.apply(plan(next));
            metrics.knowMonitors(next.selected.filter((m) => m.schedule), next.config.location);
            metrics.recordConfigLoad(true, { reload: true, nowMs: clock.nowMs() });
            for (const w of next.config.warnings) log.warn(formatDiagnostic(w), diagnosticFields(w));
            log.info(`reloaded: ${r.scheduled} monitor(s) scheduled`, { event: 'config/reload', result: 'applied', scheduled: r.scheduled });
          })
          .catch((err: unknown) => {
            metrics.recordConfigLoad(false, { reload: true, nowMs: clock.nowMs() });
            const diagnostics = err instanceof ConfigError ? err.diagnostics : [];
            const detail = diagnostics.length ? '\n' + formatDiagnostics(diagnostics) : ` ${(err as Error).message}`;
            log.error(`reload rejected, the previous configuration keeps running:${detail}`, {
              event: 'config/reload',
              result: 'rejected',
              ...(diagnostics.length ? { diagnostics: diagnostics.map((d) => ({ ...diagnosticFields(d), message: d.message })) } : {}),
            });
          });
        return;
      }
      if (shuttingDown) return;
      shuttingDown = true;
      const deadline = prepared.config.daemon.shutdownTimeoutMs;
      log.info(`${sig}: stopping the schedule; waiting up to ${deadline} ms for in-flight monitors`);
      void (async () => {
        const { aborted } = await daemon.shutdown(deadline);
        if (aborted) log.warn('shutdown deadline reached: the monitors still running were recorded as aborted');
        await escalation?.stop();
        await pipeline.alerts?.deliver({ budgetMs: 2_000 }).catch(() => undefined);
        await server.close();
        await pipeline.close();
        const late = [...daemon.stats.latenessMs].sort((a, b) => a - b);
        const q = (p: number) => (late.length ? Math.round(late[Math.min(late.length - 1, Math.floor(p * late.length))] * 10) / 10 : 0);
        log.info(`stopped after ${daemon.stats.finished} run(s), ${daemon.stats.skippedOverlap} skipped tick(s)`, {
          daemonStats: { started: daemon.stats.started, finished: daemon.stats.finished, skippedOverlap: daemon.stats.skippedOverlap, latenessP50Ms: q(0.5), latenessP99Ms: q(0.99) },
        });
        resolve(ExitCode.Ok);
      })();
    });
  });
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function isDeliveryReport(r: unknown): r is { delivered: number; failed: number; abandoned: number; pending: number } {
  return typeof r === 'object' && r !== null && typeof (r as { delivered?: unknown }).delivered === 'number';
}
