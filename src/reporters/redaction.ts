/**
 * Defense in depth: reporters get results the runners already redacted, and still pass every string
 * they are about to write through the Redactor, before any escaping (an escaped secret would no
 * longer match the registered value). The data is redacted, never the finished document: a secret
 * that happens to equal `true` or `table` must not break the JSON or HTML around it.
 */
import type { Redactor } from '../runtime/redact.js';
import type { ReportContext, RunReport } from './reporter.js';

export function redactReport(report: RunReport, redactor: Redactor | undefined): RunReport {
  if (!redactor || redactor.size === 0) return report;
  return redactor.redactDeep(report);
}

export function redactContext(context: ReportContext, redactor: Redactor | undefined): ReportContext {
  if (!redactor || redactor.size === 0) return context;
  return {
    ...context,
    history: redactor.redactDeep(context.history),
    findings: redactor.redactDeep(context.findings),
    deploys: redactor.redactDeep(context.deploys),
    // Queries and source errors may quote configured values (an `${env:...}` in a URL or selector).
    ...(context.system ? { system: redactor.redactDeep(context.system) } : {}),
  };
}
