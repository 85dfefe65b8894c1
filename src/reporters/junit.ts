/**
 * `junit`: `junit.xml` for CI test tabs. One testsuite per monitor kind (or one for the run), one
 * testcase per monitor (classname = kind or first tag, name = monitor name, time in seconds), a
 * failure per failed monitor (message = error message, type = error class, body = steps summary).
 * Monitors are never skipped. Degraded monitors pass with a `system-out` note. Run id, location and
 * environment are suite properties.
 */
import { MONITOR_KINDS, type MonitorKind, type MonitorResult, type RunInfo, type StepResult } from '../model/index.js';
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import type { ReporterOptions } from './options.js';
import { formatMs } from './format.js';
import { redactReport } from './redaction.js';
import { writeReportFile } from './write.js';
import { xmlAttrs, xmlText } from './xml.js';

const KIND_ORDER: readonly MonitorKind[] = MONITOR_KINDS;

export class JUnitReporter implements Reporter {
  readonly name = 'junit';
  constructor(private readonly opts: ReporterOptions = {}) {}

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    return [await writeReportFile(context.outDir, 'junit.xml', renderJUnit(redactReport(report, this.opts.redactor), this.opts.junit))];
  }
}

interface Suite {
  name: string;
  results: MonitorResult[];
}

/** The junit.xml document for a run (pure; exported for tests and the `report` command). */
export function renderJUnit(report: RunReport, opts: ReporterOptions['junit'] = {}): string {
  const suites: Suite[] =
    opts.suites === 'run'
      ? [{ name: `observer run ${report.run.id}`, results: report.results }]
      : KIND_ORDER.map((kind) => ({ name: kind, results: report.results.filter((r) => r.kind === kind) })).filter((s) => s.results.length);
  const totals = count(report.results);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${xmlAttrs({ name: 'production-observer', ...totals, timestamp: report.run.startedAt })}>`,
  ];
  for (const suite of suites) {
    const stamp = suite.results.map((r) => r.startedAt).sort()[0] ?? report.run.startedAt;
    lines.push(`  <testsuite${xmlAttrs({ name: suite.name, ...count(suite.results), timestamp: stamp, hostname: report.run.location })}>`);
    lines.push(...properties(report.run));
    for (const r of suite.results) lines.push(...testcase(r, opts.classname ?? 'kind'));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function count(results: MonitorResult[]): { tests: number; failures: number; errors: number; skipped: number; time: string } {
  let ms = 0;
  for (const r of results) ms += r.durationMs;
  return { tests: results.length, failures: results.filter((r) => r.status === 'failed').length, errors: 0, skipped: 0, time: seconds(ms) };
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function properties(run: RunInfo): string[] {
  const props: Record<string, string | undefined> = {
    'run.id': run.id,
    location: run.location,
    environment: run.environment,
    shard: run.shard,
    aborted: run.aborted ? 'true' : undefined,
  };
  const out = ['    <properties>'];
  for (const [name, value] of Object.entries(props)) {
    if (value !== undefined) out.push(`      <property${xmlAttrs({ name, value })}/>`);
  }
  out.push('    </properties>');
  return out;
}

function testcase(r: MonitorResult, classname: 'kind' | 'tag'): string[] {
  const attrs = xmlAttrs({ classname: classname === 'tag' ? (r.tags[0] ?? r.kind) : r.kind, name: r.name, time: seconds(r.durationMs) });
  const out: string[] = [];
  const summary = resultSummary(r);
  if (r.status === 'failed') {
    const message = r.error?.message ?? 'failed';
    out.push(`    <testcase${attrs}>`);
    out.push(`      <failure${xmlAttrs({ message, type: r.error?.class ?? 'unknown' })}>${xmlText(summary)}</failure>`);
    const attachments = [r.artifacts?.screenshot, r.artifacts?.trace].filter((p): p is string => !!p);
    // GitLab and Jenkins link `[[ATTACHMENT|path]]` lines from system-out.
    if (attachments.length) out.push(`      <system-out>${xmlText(attachments.map((p) => `[[ATTACHMENT|${p}]]`).join('\n'))}</system-out>`);
    out.push('    </testcase>');
  } else if (r.status === 'degraded') {
    out.push(`    <testcase${attrs}>`);
    out.push(`      <system-out>${xmlText(`degraded: ${r.error?.message ?? 'slower than its degraded threshold'}\n${summary}`)}</system-out>`);
    out.push('    </testcase>');
  } else {
    out.push(`    <testcase${attrs}/>`);
  }
  return out;
}

/** A plain-text transcript: the error, where it happened, attempts, then one line per step. */
export function resultSummary(r: MonitorResult): string {
  const lines: string[] = [];
  if (r.error) lines.push(`${r.error.class}: ${r.error.message}${r.error.location ? ` (${r.error.location})` : ''}`);
  for (const d of r.error?.details ?? []) lines.push(`  - ${d}`);
  lines.push(`monitor ${r.monitor} at ${r.location} (${r.environment}), ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}, ${formatMs(r.durationMs)}${r.httpStatus ? `, HTTP ${r.httpStatus}` : ''}`);
  if (r.steps.length) {
    lines.push('steps:');
    const walk = (steps: StepResult[], depth: number): void => {
      for (const s of steps) {
        const err = s.error ? ` — ${s.error.class}: ${s.error.message}` : '';
        lines.push(`${'  '.repeat(depth)}${STEP_MARK[s.status]} ${s.name} (${formatMs(s.durationMs)})${err}`);
        if (s.steps?.length && depth < 8) walk(s.steps, depth + 1);
      }
    };
    walk(r.steps, 1);
  }
  return lines.join('\n');
}

const STEP_MARK: Record<StepResult['status'], string> = { passed: '✓', degraded: '!', failed: '✗', skipped: '-' };
