/**
 * `observer report [--since 24h] [--out DIR]`: write reports/ from the store, without running anything.
 * `--sla 2026-11 [--format md|json]` prints a month's SLA report; `--status-page DIR` writes the
 * status page's static copy (both read the store only; reports/ is left alone).
 */
import path from 'node:path';
import { createReporters, Multiplexer, slaFromMonitors } from '../reporters/index.js';
import type { RunReport } from '../reporters/reporter.js';
import { systemClock } from '../runtime/clock.js';
import { buildReportContext, dashboardHtmlOptions, parseWindow } from '../run/report-context.js';
import { ExitCode } from './exit-codes.js';
import { oneOf, parse, UsageError } from './args.js';
import { openConfiguredStore } from './store-from-config.js';
import { buildSlaReport, loadStatusSnapshot, monitorNames, monthBounds, slaMarkdown, SLA_FORMATS, writeStatusSite } from '../status/index.js';
import type { CommandIO } from './io.js';

export const REPORT_USAGE = `Usage: observer report [--since 24h] [--out DIR] [--config FILE] [--env NAME]
       observer report --sla YYYY-MM [--format md|json]
       observer report --status-page DIR

Writes status.md, index.html, latest.json, junit.xml and findings.json from the store:
the latest run, with the history of the window (--since: 90m, 24h, 7d, ...).
--sla prints a month's SLA report (UTC month; the current month is month to date): uptime per
monitor and status-page group against its target (statusPage slo), error budget, downtime episodes.
--status-page writes the status page (statusPage in observer.config.ts) as index.html, status.json
and badge/<id>/*.svg for static hosting.`;

export async function reportCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      since: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      env: { type: 'string' },
      sla: { type: 'string' },
      format: { type: 'string' },
      'status-page': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    REPORT_USAGE,
  );
  if (values.help) {
    io.stdout.write(REPORT_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (values.sla !== undefined || values['status-page'] !== undefined) return statusReports(values, io);
  if (values.format !== undefined) throw new UsageError('--format: only with --sla (md or json)', REPORT_USAGE);
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

/** `--sla` and `--status-page`: read the store, print or write, never touch reports/. */
async function statusReports(values: { sla?: string; format?: string; 'status-page'?: string; config?: string; env?: string; since?: string; out?: string }, io: CommandIO): Promise<number> {
  if (values.since !== undefined || values.out !== undefined) throw new UsageError('--since and --out rewrite reports/; they do not combine with --sla or --status-page', REPORT_USAGE);
  if (values.sla !== undefined && !monthBounds(values.sla)) throw new UsageError(`--sla: expected a month as YYYY-MM, e.g. 2026-11, got "${values.sla}"`, REPORT_USAGE);
  const format = oneOf(values.format, 'format', SLA_FORMATS) ?? 'md';
  if (values['status-page'] !== undefined && !values['status-page'].trim()) throw new UsageError('--status-page: expected a folder, e.g. reports/status', REPORT_USAGE);
  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  try {
    const nowMs = systemClock.nowMs();
    const redact = (s: string) => config.redactor.redact(s);
    if (values['status-page'] !== undefined) {
      const snapshot = await loadStatusSnapshot(store, config, nowMs);
      if (!snapshot) {
        io.stderr.write(`${config.configFile ? path.relative(io.cwd, config.configFile) : 'observer.config.ts'}: statusPage: missing; expected { title, groups: [{ name, monitors: [...] }] } to write a status page\n`);
        return ExitCode.UsageOrConfig;
      }
      const dir = path.resolve(io.cwd, values['status-page']);
      const files = await writeStatusSite(dir, snapshot, redact);
      io.stdout.write(`status page: ${path.relative(io.cwd, dir) || '.'}/index.html (${snapshot.overall.text}; ${snapshot.groups.length} group(s), ${Object.keys(snapshot.monitors).length} monitor(s), ${files.length - 2} badge(s))\n`);
    }
    if (values.sla !== undefined) {
      const report = await buildSlaReport(store, { month: values.sla, nowMs, environment: config.environment, ...(config.statusPage ? { page: config.statusPage } : {}), names: monitorNames(config) });
      io.stdout.write(redact(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : slaMarkdown(report)));
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
