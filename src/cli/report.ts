/** `observer report [--since 24h] [--out DIR]`: write reports/ from the store, without running anything. */
import path from 'node:path';
import { createReporters, Multiplexer, slaFromMonitors } from '../reporters/index.js';
import type { RunReport } from '../reporters/reporter.js';
import { systemClock } from '../runtime/clock.js';
import { buildReportContext, dashboardHtmlOptions, parseWindow } from '../run/report-context.js';
import { ExitCode } from './exit-codes.js';
import { parse, UsageError } from './args.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export const REPORT_USAGE = `Usage: observer report [--since 24h] [--out DIR] [--config FILE] [--env NAME]

Writes status.md, index.html, latest.json, junit.xml and findings.json from the store:
the latest run, with the history of the window (--since: 90m, 24h, 7d, ...).`;

export async function reportCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    { since: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' }, env: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    REPORT_USAGE,
  );
  if (values.help) {
    io.stdout.write(REPORT_USAGE + '\n');
    return ExitCode.Ok;
  }
  const window = values.since ?? '24h';
  if (parseWindow(window) === undefined) throw new UsageError(`--since: expected a duration such as 90m, 24h or 7d, got "${window}"`);
  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  try {
    const outDir = values.out ? path.resolve(io.cwd, values.out) : config.outDir;
    const context = await buildReportContext(store, { outDir, window, nowMs: systemClock.nowMs(), environment: config.environment });
    const [latest] = await store.listRuns({ limit: 1 });
    if (!latest) {
      io.stderr.write(`observer report: the store (${store.description}) has no runs yet; run \`observer run\` first\n`);
      return ExitCode.MonitorFailed;
    }
    const results = context.history.filter((r) => r.runId === latest.id);
    const report: RunReport = { run: latest, results, findings: context.findings.filter((f) => f.status === 'open') };
    const errors: string[] = [];
    const reporter = new Multiplexer(createReporters(config.reporters, { redactor: config.redactor, env: io.env, sla: slaFromMonitors(config.checks), html: dashboardHtmlOptions(config.dashboard) }), (err: Error) => errors.push(err.message));
    const files = (await reporter.onEnd?.(report, context)) ?? [];
    io.stdout.write(`reports: ${path.relative(io.cwd, outDir) || '.'}/ (${files.map((f) => path.basename(f)).join(', ')}) from ${context.history.length} result(s) over ${window}\n`);
    for (const e of errors) io.stderr.write(`reporter error: ${e}\n`);
    return errors.length ? ExitCode.MonitorFailed : ExitCode.Ok;
  } finally {
    await store.close();
  }
}
