/**
 * `observer daemon`: the long-running scheduler. SIGHUP reloads the configuration (a bad one is
 * rejected with the usual diagnostics and the old schedule keeps running); SIGTERM/SIGINT stop
 * scheduling, let in-flight monitors finish up to the shutdown deadline, record the rest as
 * aborted, flush the store and exit 0.
 */
import { ApiCheckRunner } from '../checks/index.js';
import { ConfigError, formatDiagnostic, formatDiagnostics } from '../config/index.js';
import { JourneyRunner } from '../journeys/index.js';
import { AlertManager, resolveAlertsConfig } from '../alerts/index.js';
import { openStore } from '../store/index.js';
import { ObserverMetrics } from '../metrics/registry.js';
import { systemClock } from '../runtime/clock.js';
import { createLogger, type LogFormat } from '../runtime/log.js';
import { analyzeResults } from '../run/analyze.js';
import { RunnerHealthSampler } from '../runtime/runner-health.js';
import { Daemon } from '../scheduler/daemon.js';
import { startMetricsServer } from '../scheduler/http.js';
import type { FindingChange } from '../anomaly/index.js';
import type { Finding } from '../model/index.js';
import { ExitCode } from './exit-codes.js';
import { intOption, oneOf, parse } from './args.js';
import { prepare } from './prepare.js';
import type { CommandIO } from './io.js';

export const DAEMON_USAGE = `Usage: observer daemon [options]

Schedules every monitor that has a \`schedule\` (cron, seconds allowed) and serves metrics.

  --config FILE        observer.config.ts
  --env NAME           environment
  --location NAME      location tag (default: $OBSERVER_LOCATION or "local")
  --port N             HTTP port for /metrics, /healthz, /readyz (default 9464; 0 picks a free one)
  --host ADDR          bind address (default 0.0.0.0 in a container, set 127.0.0.1 to keep it local)
  --tag TAG            only monitors with this tag (repeatable)
  --log-format FORMAT  pretty (default) or json

Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT shut down gracefully.`;

export async function daemonCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      config: { type: 'string' },
      env: { type: 'string' },
      location: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    DAEMON_USAGE,
  );
  if (values.help) {
    io.stdout.write(DAEMON_USAGE + '\n');
    return ExitCode.Ok;
  }
  const logFormat: LogFormat = oneOf(values['log-format'], 'log-format', ['pretty', 'json'] as const) ?? 'pretty';
  const location = values.location ?? io.env.OBSERVER_LOCATION;
  const load = () =>
    prepare({
      cwd: io.cwd,
      ...(values.config ? { configFile: values.config } : {}),
      ...(values.env ? { environment: values.env } : {}),
      ...(location ? { location } : {}),
      env: io.env,
      selection: { ...(values.tag ? { tags: values.tag } : {}) },
    });
  let prepared = await load();
  const { config } = prepared;
  for (const w of config.warnings) io.stderr.write(config.redactor.redact(formatDiagnostic(w)) + '\n');
  const port = intOption(values.port, 'port') ?? config.daemon.port;
  const log = createLogger({ format: logFormat, redactor: config.redactor, stream: io.stderr });
  const clock = systemClock;

  const store = await openStore({ ...(config.store.url ? { url: config.store.url } : {}), path: config.store.path, redactor: config.redactor, log: (l: string) => log.warn(l) });
  const metrics = new ObserverMetrics({ processMetrics: true, labels: { location: config.location } });
  const api = new ApiCheckRunner({ concurrency: config.concurrency.checks, perOriginConcurrency: config.concurrency.perOrigin, redactor: config.redactor, clock });
  // The daemon runs one journey per tick; the journey lane bounds how many run at once.
  const journeys = new JourneyRunner({
    workers: 1,
    outDir: config.outDir,
    redactor: config.redactor,
    rootDir: config.rootDir,
    cwd: config.rootDir,
    log: (l: string) => log.debug(l),
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
  const alertsConfig = resolveAlertsConfig(config.alerts);
  const alerts = alertsConfig.channels.length ? new AlertManager({ store, config: alertsConfig, redactor: config.redactor, clock, log: (l: string) => log.info(l) }) : undefined;
  const openFindings = new Map<string, Finding>();
  for (const f of await store.listFindings({ status: 'open' }).catch(() => [])) openFindings.set(f.id, f);
  metrics.setOpenFindings(openFindings.values());

  const afterResults = async (results: Parameters<typeof analyzeResults>[2]): Promise<FindingChange[]> => {
    let changes: FindingChange[] = [];
    try {
      changes = await analyzeResults(store, prepared.config.anomaly as never, results, new Map(prepared.all.map((m) => [m.id, m])));
      for (const c of changes) {
        if (c.finding.status === 'open') openFindings.set(c.finding.id, c.finding);
        else openFindings.delete(c.finding.id);
        if (c.type !== 'updated') log.info(`finding ${c.type}: ${c.finding.explanation}`, { kind: c.finding.kind, severity: c.finding.severity });
      }
      metrics.setOpenFindings(openFindings.values());
    } catch (err) {
      log.warn(`anomaly core: ${(err as Error).message}`);
    }
    if (alerts) {
      try {
        await alerts.evaluate({ results, findingChanges: changes });
        await alerts.deliver({ budgetMs: 10_000 });
      } catch (err) {
        log.warn(`alerts: ${(err as Error).message}`);
      }
    }
    return changes;
  };

  const lanes = {
    api: config.daemon.lanes?.api ?? config.concurrency.checks,
    journey: config.daemon.lanes?.journey ?? config.concurrency.journeyWorkers,
  };
  const runnerHealth = new RunnerHealthSampler().start(); // unref'd timer: never holds the process
  const daemon = new Daemon({ runners: { api, journeys }, store, metrics, log, clock, location: config.location, environment: config.environment, lanes, afterResults, runnerHealth });
  const plan = (p: typeof prepared) => ({ monitors: p.selected, jitterMs: p.config.daemon.jitterMs ?? 0, ...(p.config.daemon.timezone ? { timezone: p.config.daemon.timezone } : {}) });
  const applied = daemon.apply(plan(prepared));
  if (applied.unscheduled.length) log.warn(`no schedule, not scheduled: ${applied.unscheduled.join(', ')}`);

  const server = await startMetricsServer({ port, host: values.host ?? '0.0.0.0', metrics, health: daemon });
  log.info(`observer daemon: ${applied.scheduled} monitor(s) scheduled, metrics on :${server.port}/metrics, store ${store.description}`);
  io.stdout.write(`listening on ${server.port}\n`);

  return await new Promise<number>((resolve) => {
    let shuttingDown = false;
    io.onSignals?.((sig) => {
      if (sig === 'SIGHUP') {
        if (shuttingDown) return;
        log.info('SIGHUP: reloading the configuration');
        load()
          .then((next) => {
            prepared = next;
            const r = daemon.apply(plan(next));
            log.info(`reloaded: ${r.scheduled} monitor(s) scheduled`);
          })
          .catch((err: unknown) => {
            const detail = err instanceof ConfigError ? '\n' + formatDiagnostics(err.diagnostics) : ` ${(err as Error).message}`;
            log.error(`reload rejected, the previous configuration keeps running:${detail}`);
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
        await alerts?.deliver({ budgetMs: 2_000 }).catch(() => undefined);
        await server.close();
        await api.close().catch(() => undefined);
        await store.close().catch(() => undefined);
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
