/**
 * `json`: the RunReport as `latest.json` and `run-<id>.json`, pretty, stable key order
 * (see json-order.ts). `latest.json` is replaced atomically, so readers never see half a file.
 * With `json.keepRuns: N` only the newest N `run-*.json` stay (run ids sort by time), so a daemon
 * does not fill the disk.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import type { ReporterOptions } from './options.js';
import { orderReport, stringify } from './json-order.js';
import { redactContext, redactReport } from './redaction.js';
import { fileSafe, writeReportFile } from './write.js';

export class JsonReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly opts: ReporterOptions = {}) {}

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    const ordered = orderReport(redactReport(report, this.opts.redactor));
    // The system's golden signals of this run (sources), after the run's own data.
    const system = context.system ? redactContext(context, this.opts.redactor).system : undefined;
    const text = stringify(system ? { ...(ordered as { [k: string]: Parameters<typeof stringify>[0] }), system: JSON.parse(JSON.stringify(system)) as Parameters<typeof stringify>[0] } : ordered);
    const runFile = await writeReportFile(context.outDir, `run-${fileSafe(report.run.id)}.json`, text);
    const latest = await writeReportFile(context.outDir, 'latest.json', text);
    const keep = this.opts.json?.keepRuns;
    if (keep !== undefined) await pruneRunFiles(context.outDir, Math.max(1, keep), path.basename(runFile));
    return [latest, runFile];
  }
}

/** Remove all but the newest `keep` run files (never the one just written). */
async function pruneRunFiles(outDir: string, keep: number, current: string): Promise<void> {
  const runs = (await readdir(outDir)).filter((f) => /^run-.+\.json$/.test(f)).sort();
  const excess = runs.slice(0, Math.max(0, runs.length - keep)).filter((f) => f !== current);
  await Promise.all(excess.map((f) => rm(path.join(outDir, f), { force: true })));
}
