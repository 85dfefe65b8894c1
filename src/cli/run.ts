/**
 * `observer run [files...]`: run the selected monitors once, write results to the store and
 * reports/, exit 0 (all passed), 1 (a monitor failed, an SLA was breached, a critical finding
 * opened) or 2 (usage or config error). Made for CI pipelines and Kubernetes CronJobs.
 */
import path from 'node:path';
import { systemClock } from '../runtime/clock.js';
import { createLogger, type LogFormat, type LogLevel } from '../runtime/log.js';
import { executeRun, type FailOn } from '../run/run.js';
import { openPipeline } from '../run/pipeline.js';
import { newRunId } from '../run/ids.js';
import { formatShard, parseShard } from '../run/shard.js';
import { PrometheusReporter } from '../reporters/index.js';
import { ExitCode } from './exit-codes.js';
import { intOption, oneOf, parse, UsageError } from './args.js';
import { prepare } from './prepare.js';
import { diagnosticFields, formatDiagnostic } from '../config/index.js';
import { LogProgressReporter, ProgressReporter } from './progress.js';
import type { CommandIO } from './io.js';
import { recordCiDeploy } from './ci-deploy.js';
import { runnerHealthOptions } from '../runtime/runner-health.js';

export const RUN_USAGE = `Usage: observer run [files...] [options]

Runs the selected checks and journeys once.

Options:
  --config FILE          observer.config.ts (default: discovered in the current folder, else none)
  --env NAME             environment whose baseUrl is used (default: $OBSERVER_ENVIRONMENT, else the config's default)
  --grep REGEX           only monitors whose id or name matches
  --tag TAG              only monitors with this tag (repeatable)
  --kind KIND            only monitors of this kind, e.g. api or journey (repeatable); exit 2 if none is selected
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
  --log-level LEVEL      debug, info (default), warn or error

Exit codes: 0 all passed, 1 a monitor failed / SLA breached / critical finding, 2 usage or config error,
3 aborted by a signal or --deadline (what was measured is kept), 4 internal error of the runner.`;

export async function runCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string' },
      env: { type: 'string' },
      grep: { type: 'string' },
      tag: { type: 'string', multiple: true },
      kind: { type: 'string', multiple: true },
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
      'log-level': { type: 'string' },
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
  const logLevel: LogLevel = oneOf(values['log-level'], 'log-level', ['debug', 'info', 'warn', 'error'] as const) ?? 'info';
  const deadlineMs = intOption(values.deadline, 'deadline', { min: 1 });
  const shard = (() => {
    try {
      return parseShard(values.shard, io.env, values.shards);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  })();
  const location = values.location ?? io.env.OBSERVER_LOCATION;
  const environment = values.env ?? (io.env.OBSERVER_ENVIRONMENT || undefined);
  const runnerHealth = (() => {
    try {
      return runnerHealthOptions(io.env);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  })();

  const prepared = await prepare({
    cwd: io.cwd,
    ...(values.config ? { configFile: values.config } : {}),
    ...(environment ? { environment } : {}),
    ...(location ? { location } : {}),
    env: io.env,
    selection: { files: positionals, ...(values.grep ? { grep: values.grep } : {}), ...(values.tag ? { tags: values.tag } : {}), ...(shard ? { shard } : {}) },
  });
  const { config } = prepared;
  const chosen = values.kind?.length ? selectKinds(prepared.all, prepared.selected, values.kind) : prepared.selected;
  const redactor = config.redactor;
  const log = createLogger({ format: logFormat, level: logLevel, redactor, stream: io.stderr });
  const outDir = values.out ? path.resolve(io.cwd, values.out) : config.outDir;
  for (const w of config.warnings) log.warn(formatDiagnostic(w), diagnosticFields(w));
  // Heartbeats are push monitors: only the daemon receives their pings, a one-shot run leaves them out.
  const selected = chosen.filter((m) => m.kind !== 'heartbeat');
  if (selected.length < chosen.length) log.info(`left to observer daemon (heartbeats): ${chosen.filter((m) => m.kind === 'heartbeat').map((m) => m.id).join(', ')}`);
  if (selected.length === 0) {
    // The selection matched (prepare() rejects one that matches nothing); this shard or location is empty.
    log.warn('no monitors selected: nothing to run in this shard or location (check --shard and the monitors\' locations)');
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

  // Progress goes to stderr with --json (stdout carries the report); with --log-format json it is
  // structured log lines on stderr (one per monitor: run, monitor, step, status, error class, duration).
  const progress =
    logFormat === 'json'
      ? new LogProgressReporter(log)
      : new ProgressReporter(values.json ? io.stderr : io.stdout, io.env, path.relative(io.cwd, outDir).split(path.sep).join('/') || '.');
  // --pushgateway: the prometheus reporter pushes the run's metrics (its failure is a reporter error).
  const push = values.pushgateway
    ? [new PrometheusReporter({ redactor, prometheus: { writeFile: false, pushgateway: { url: values.pushgateway, job: values['pushgateway-job'] ?? 'observer' } } })]
    : [];
  const pipeline = await openPipeline({ config, log, clock, env: io.env, outDir, journeyWorkers: config.concurrency.journeyWorkers, extraReporters: [progress, ...push] });
  // In a pipeline (GITHUB_SHA, CI_COMMIT_SHA) the run records the deploy it is checking, once per version.
  await recordCiDeploy(pipeline.store, io.env, config.environment, (line) => log.warn(line));
  try {
    const outcome = await executeRun({
      runId,
      monitors: selected,
      runners: pipeline.runners,
      store: pipeline.store,
      reporter: pipeline.reporter,
      log,
      clock,
      redactor,
      signal: controller.signal,
      location: config.location,
      environment: config.environment,
      ...(shard ? { shard: formatShard(shard) } : {}),
      outDir,
      anomalyConfig: config.anomaly,
      ...(pipeline.alerts ? { alerts: pipeline.alerts } : {}),
      ...(config.sources.length ? { sources: { configs: config.sources, rootDir: config.rootDir } } : {}),
      failOn,
      failOnFindings,
      runnerHealth,
    });
    if (values.json) io.stdout.write(redactor.redact(JSON.stringify(outcome.report, null, 2)) + '\n');
    else if (outcome.files.length) io.stdout.write(`reports: ${path.relative(io.cwd, outDir) || '.'}/ (${outcome.files.map((f) => path.basename(f)).join(', ')})\n`);
    return controller.signal.aborted ? ExitCode.Aborted : outcome.exitCode;
  } finally {
    if (deadline) clearTimeout(deadline);
    await pipeline.close();
  }
}

/**
 * `--kind`: keep the monitors of the given kinds. A kind that selects nothing is a usage error
 * (exit 2): a CronJob meant for journeys must not stay green while running none.
 */
export function selectKinds<T extends { kind: string }>(all: readonly T[], selected: readonly T[], kinds: readonly string[]): T[] {
  const defined = [...new Set(all.map((m) => m.kind))].sort();
  const unknown = kinds.filter((k) => !defined.includes(k));
  if (unknown.length) {
    throw new UsageError(`--kind ${unknown.join(', ')}: no monitor of that kind is defined; kinds defined here: ${defined.join(', ') || 'none'}`);
  }
  const kept = selected.filter((m) => kinds.includes(m.kind));
  if (kept.length === 0) {
    throw new UsageError(`--kind ${kinds.join(', ')}: none of the ${selected.length} monitor(s) left by the other options (files, --grep, --tag, --shard, locations) is of that kind`);
  }
  return kept;
}
