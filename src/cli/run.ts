/**
 * `observer run [files...]`: run the selected monitors once, write results to the store and
 * reports/, exit 0 (all passed), 1 (a monitor failed, an SLA was breached, a critical finding
 * opened) or 2 (usage or config error). Made for CI pipelines and Kubernetes CronJobs.
 */
import path from 'node:path';
import { ApiCheckRunner } from '../checks/index.js';
import { JourneyRunner } from '../journeys/index.js';
import { AlertManager, resolveAlertsConfig } from '../alerts/index.js';
import { openStore } from '../store/index.js';
import { createReporters, Multiplexer } from '../reporters/index.js';
import { systemClock } from '../runtime/clock.js';
import { createLogger, type LogFormat } from '../runtime/log.js';
import { executeRun, type FailOn } from '../run/run.js';
import { newRunId } from '../run/ids.js';
import { formatShard, parseShard } from '../run/shard.js';
import { pushRunMetrics } from '../metrics/pushgateway.js';
import { ExitCode } from './exit-codes.js';
import { intOption, oneOf, parse, UsageError } from './args.js';
import { prepare } from './prepare.js';
import { formatDiagnostic } from '../config/index.js';
import { ProgressReporter } from './progress.js';
import type { CommandIO } from './io.js';
import { recordCiDeploy } from './ci-deploy.js';

export const RUN_USAGE = `Usage: observer run [files...] [options]

Runs the selected checks and journeys once.

Options:
  --config FILE          observer.config.ts (default: discovered in the current folder, else none)
  --env NAME             environment whose baseUrl is used (default: the config's default)
  --grep REGEX           only monitors whose id or name matches
  --tag TAG              only monitors with this tag (repeatable)
  --location NAME        location tag of every result (default: $OBSERVER_LOCATION or "local")
  --out DIR              reports folder (default: reports)
  --json                 print the report JSON to stdout (progress goes to stderr)
  --fail-on LEVEL        failed (default) or degraded: what makes the exit code 1
  --fail-on-findings S   critical (default), warning or none: findings opened in this run that fail it
  --shard I/N            run only shard I of N (stable split by monitor id)
  --shards N             with JOB_COMPLETION_INDEX (Kubernetes Indexed Job): shard index from the Job
  --pushgateway URL      push this run's metrics to a Prometheus Pushgateway
  --pushgateway-job NAME job name of the pushed group (default observer; one per CronJob)
  --deadline MS          abort the run after MS milliseconds (results measured so far are kept)
  --log-format FORMAT    pretty (default) or json (pino lines on stderr)

Exit codes: 0 all passed, 1 a monitor failed / SLA breached / critical finding, 2 usage or config error.`;

export async function runCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string' },
      env: { type: 'string' },
      grep: { type: 'string' },
      tag: { type: 'string', multiple: true },
      location: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      'fail-on': { type: 'string' },
      'fail-on-findings': { type: 'string' },
      shard: { type: 'string' },
      shards: { type: 'string' },
      pushgateway: { type: 'string' },
      'pushgateway-job': { type: 'string' },
      deadline: { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    RUN_USAGE,
  );
  if (values.help) {
    io.stdout.write(RUN_USAGE + '\n');
    return ExitCode.Ok;
  }
  const failOn: FailOn = oneOf(values['fail-on'], 'fail-on', ['failed', 'degraded'] as const) ?? 'failed';
  const failOnFindings = oneOf(values['fail-on-findings'], 'fail-on-findings', ['critical', 'warning', 'none'] as const) ?? 'critical';
  const logFormat: LogFormat = oneOf(values['log-format'], 'log-format', ['pretty', 'json'] as const) ?? 'pretty';
  const deadlineMs = intOption(values.deadline, 'deadline', { min: 1 });
  const shard = (() => {
    try {
      return parseShard(values.shard, io.env, values.shards);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  })();
  const location = values.location ?? io.env.OBSERVER_LOCATION;

  const { config, selected } = await prepare({
    cwd: io.cwd,
    ...(values.config ? { configFile: values.config } : {}),
    ...(values.env ? { environment: values.env } : {}),
    ...(location ? { location } : {}),
    env: io.env,
    selection: { files: positionals, ...(values.grep ? { grep: values.grep } : {}), ...(values.tag ? { tags: values.tag } : {}), ...(shard ? { shard } : {}) },
  });
  const redactor = config.redactor;
  const log = createLogger({ format: logFormat, redactor, stream: io.stderr });
  const outDir = values.out ? path.resolve(io.cwd, values.out) : config.outDir;
  for (const w of config.warnings) log.warn(formatDiagnostic(w));
  if (selected.length === 0) {
    log.warn('no monitors selected: nothing to run (check the files, --grep, --tag and --shard)');
  }

  const clock = systemClock;
  const runId = newRunId(clock.nowMs());
  const controller = new AbortController();
  const abort = (reason: string) => {
    if (controller.signal.aborted) return;
    log.warn(`${reason}: stopping; results measured so far are being saved`);
    controller.abort(new Error(reason));
  };
  const onSignal = (sig: NodeJS.Signals) => abort(`received ${sig}`);
  io.onSignals?.(onSignal);
  const deadline = deadlineMs ? setTimeout(() => abort(`deadline of ${deadlineMs} ms reached`), deadlineMs) : undefined;
  deadline?.unref();

  const store = await openStore({
    ...(config.store.url ? { url: config.store.url } : {}),
    path: config.store.path,
    redactor,
    log: (line: string) => log.warn(line),
  });
  // In a pipeline (GITHUB_SHA, CI_COMMIT_SHA) the run records the deploy it is checking, once per version.
  await recordCiDeploy(store, io.env, config.environment, (line) => log.warn(line));
  const api = new ApiCheckRunner({ concurrency: config.concurrency.checks, perOriginConcurrency: config.concurrency.perOrigin, redactor, clock });
  const journeys = new JourneyRunner({
    workers: config.concurrency.journeyWorkers,
    outDir,
    redactor,
    rootDir: config.rootDir,
    cwd: config.rootDir,
    log: (line: string) => log.debug(line),
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
  });
  const reporterErrors: string[] = [];
  const progress = new ProgressReporter(values.json ? io.stderr : io.stdout, io.env);
  const reporter = new Multiplexer([progress, ...createReporters(config.reporters, { redactor, env: io.env, concurrency: config.concurrency.checks + config.concurrency.journeyWorkers })], (err: Error) => {
    reporterErrors.push(err.message);
    log.warn(`reporter error: ${err.message}`);
  });
  const alertsConfig = resolveAlertsConfig(config.alerts);
  const alerts = alertsConfig.channels.length
    ? new AlertManager({ store, config: alertsConfig, redactor, clock, log: (line: string) => log.info(line) })
    : undefined;

  try {
    const outcome = await executeRun({
      runId,
      monitors: selected,
      runners: { api, journeys },
      store,
      reporter,
      log,
      clock,
      redactor,
      signal: controller.signal,
      location: config.location,
      environment: config.environment,
      ...(shard ? { shard: formatShard(shard) } : {}),
      outDir,
      anomalyConfig: config.anomaly,
      ...(alerts ? { alerts } : {}),
      failOn,
      failOnFindings,
    });
    if (values.pushgateway) {
      try {
        await pushRunMetrics(values.pushgateway, outcome.report, { job: values['pushgateway-job'] ?? 'observer', redactor });
      } catch (err) {
        log.warn(`pushgateway: ${(err as Error).message}`);
      }
    }
    if (values.json) io.stdout.write(redactor.redact(JSON.stringify(outcome.report, null, 2)) + '\n');
    else if (outcome.files.length) io.stdout.write(`reports: ${path.relative(io.cwd, outDir) || '.'}/ (${outcome.files.map((f) => path.basename(f)).join(', ')})\n`);
    return outcome.exitCode;
  } finally {
    if (deadline) clearTimeout(deadline);
    await api.close().catch(() => undefined);
    await store.close().catch(() => undefined);
  }
}
