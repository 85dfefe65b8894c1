/**
 * `json`: the RunReport as `latest.json` and `run-<id>.json`, pretty, stable key order
 * (see json-order.ts). `latest.json` is replaced atomically, so readers never see half a file.
 */
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import type { ReporterOptions } from './options.js';
import { orderReport, stringify } from './json-order.js';
import { redactReport } from './redaction.js';
import { fileSafe, writeReportFile } from './write.js';

export class JsonReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly opts: ReporterOptions = {}) {}

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    const text = stringify(orderReport(redactReport(report, this.opts.redactor)));
    const runFile = await writeReportFile(context.outDir, `run-${fileSafe(report.run.id)}.json`, text);
    const latest = await writeReportFile(context.outDir, 'latest.json', text);
    return [latest, runFile];
  }
}
