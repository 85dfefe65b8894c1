/**
 * `findings`: `findings.json` with the open findings (critical first) and those resolved in the
 * report window (newest first), from ReportContext.findings plus the run's own.
 */
import type { Finding } from '../model/index.js';
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import type { ReporterOptions } from './options.js';
import { orderFinding, stringify } from './json-order.js';
import { bySeverity } from '../model/index.js';
import { writeReportFile } from './write.js';
import { cmp } from './stats.js';

export class FindingsReporter implements Reporter {
  readonly name = 'findings';
  constructor(private readonly opts: ReporterOptions = {}) {}

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    const byId = new Map<string, Finding>();
    for (const f of [...context.findings, ...report.findings]) {
      const seen = byId.get(f.id);
      if (!seen || f.updatedAt >= seen.updatedAt) byId.set(f.id, f);
    }
    const all = [...byId.values()];
    const open = all.filter((f) => f.status === 'open').sort(bySeverity);
    const resolved = all
      .filter((f) => f.status === 'resolved')
      .sort((a, b) => cmp(b.resolvedAt ?? '', a.resolvedAt ?? '') || cmp(a.id, b.id));
    const redactor = this.opts.redactor;
    const doc = {
      generatedAt: context.generatedAt,
      window: context.window,
      runId: report.run.id,
      counts: {
        open: open.length,
        critical: open.filter((f) => f.severity === 'critical').length,
        warning: open.filter((f) => f.severity === 'warning').length,
        info: open.filter((f) => f.severity === 'info').length,
        resolved: resolved.length,
      },
      open: open.map((f) => orderFinding(redactor ? redactor.redactDeep(f) : f)),
      resolved: resolved.map((f) => orderFinding(redactor ? redactor.redactDeep(f) : f)),
    };
    return [await writeReportFile(context.outDir, 'findings.json', stringify(doc))];
  }
}
