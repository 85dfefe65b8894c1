/**
 * The run's Prometheus metrics as a reporter: `metrics.prom` in the reports folder (text
 * exposition, for node_exporter's textfile collector), and, with `prometheus.pushgateway` set
 * (`observer run --pushgateway URL`), a push to a Pushgateway grouped by job, location and
 * environment so short-lived CronJob runs are seen. Same metrics as the daemon's /metrics.
 */
import { pushRunMetrics } from '../metrics/pushgateway.js';
import { ObserverMetrics } from '../metrics/registry.js';
import { Redactor } from '../runtime/redact.js';
import type { ReporterOptions } from './options.js';
import type { Reporter, ReportContext, RunReport } from './reporter.js';
import { writeReportFile } from './write.js';

export class PrometheusReporter implements Reporter {
  readonly name = 'prometheus';

  constructor(private readonly opts: ReporterOptions = {}) {}

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    const p = this.opts.prometheus ?? {};
    const files: string[] = [];
    if (p.writeFile !== false) {
      const metrics = new ObserverMetrics({ processMetrics: false, labels: { location: report.run.location, environment: report.run.environment } });
      for (const r of report.results) metrics.recordResult(r);
      metrics.setOpenFindings(report.findings);
      files.push(await writeReportFile(context.outDir, 'metrics.prom', await metrics.registry.metrics()));
    }
    if (p.pushgateway) {
      await pushRunMetrics(p.pushgateway.url, report, { job: p.pushgateway.job, redactor: this.opts.redactor ?? new Redactor() });
    }
    return files;
  }
}
