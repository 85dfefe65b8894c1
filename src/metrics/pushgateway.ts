/**
 * For CronJobs (one process per run): push the run's metrics to a Prometheus Pushgateway, grouped
 * by job and location, so short-lived runs are seen in Prometheus.
 */
import { Pushgateway } from 'prom-client';
import type { RunReport } from '../reporters/reporter.js';
import type { Redactor } from '../runtime/redact.js';
import { ObserverMetrics } from './registry.js';

export async function pushRunMetrics(
  url: string,
  report: RunReport,
  opts: { job: string; redactor: Redactor; timeoutMs?: number },
): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: "${opts.redactor.redact(url)}"`);
  }
  const metrics = new ObserverMetrics({ processMetrics: false });
  for (const r of report.results) metrics.recordResult(r);
  metrics.setOpenFindings(report.findings);
  const gateway = new Pushgateway(parsed.toString(), { timeout: opts.timeoutMs ?? 5_000 }, metrics.registry);
  // PUT (push) replaces the group: one group per job and location holds the latest run.
  await gateway.push({ jobName: opts.job, groupings: { location: report.run.location, environment: report.run.environment } });
}
