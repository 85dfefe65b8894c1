/**
 * Terminal progress: one line per monitor as it ends (status, time, error). Colors only on a TTY
 * outside CI; plain lines otherwise so CI logs stay readable.
 */
import path from 'node:path';
import { describeAttempts } from '../journeys/results.js';
import type { MonitorResult, RunInfo, Status } from '../model/index.js';
import type { Reporter, RunReport } from '../reporters/reporter.js';
import { logResult, type Logger } from '../runtime/log.js';

const MARK: Record<Status, string> = { passed: '✓', degraded: '~', failed: '✗', skipped: '-' };
const COLOR: Record<Status, string> = { passed: '\x1b[32m', degraded: '\x1b[33m', failed: '\x1b[31m', skipped: '\x1b[90m' };

export class ProgressReporter implements Reporter {
  readonly name = 'progress';
  private readonly color: boolean;

  /** `reportsDir`: the reports folder as the user should read it (artifact paths are printed under it). */
  constructor(
    private readonly out: { write(text: string): unknown; isTTY?: boolean },
    env: NodeJS.ProcessEnv = process.env,
    private readonly reportsDir?: string,
  ) {
    this.color = Boolean(out.isTTY) && !env.CI && !env.NO_COLOR;
  }

  onBegin(run: RunInfo, monitors: readonly unknown[]): void {
    const shard = run.shard ? `, shard ${run.shard}` : '';
    this.out.write(`observer run ${run.id}: ${monitors.length} monitor(s), environment ${run.environment}, location ${run.location}${shard}\n`);
  }

  onMonitorEnd(r: MonitorResult): void {
    const mark = this.paint(r.status, `${MARK[r.status]} ${r.status.padEnd(8)}`);
    const time = `${Math.round(r.durationMs)} ms`.padStart(8);
    const tries = r.attempts > 1 ? ` (${r.attempts} attempts)` : '';
    const error = r.error ? `  ${r.error.class}: ${r.error.message}` : '';
    this.out.write(`${mark} ${time}  ${r.kind.padEnd(9)}  ${r.name}${tries}${error}\n`);
    if (r.kind === 'journey' || r.kind === 'api-flow') {
      for (const s of r.steps) {
        const err = s.error ? `  ${s.error.message}` : '';
        this.out.write(`    ${this.paint(s.status, MARK[s.status])} ${`${Math.round(s.durationMs)} ms`.padStart(8)}  ${s.name}${err}\n`);
      }
      const tries = r.attemptDetails ?? [];
      if (tries.length > 1 || tries.some((a) => a.diagnostic)) this.out.write(`    attempts: ${describeAttempts(tries)}\n`);
      const under = (p: string) => (this.reportsDir ? path.posix.join(this.reportsDir, p) : p);
      if (r.artifacts?.screenshot) this.out.write(`    screenshot: ${under(r.artifacts.screenshot)}\n`);
      if (r.artifacts?.trace) this.out.write(`    trace: ${under(r.artifacts.trace)}  (npx playwright show-trace ${under(r.artifacts.trace)})\n`);
      for (const e of r.artifacts?.errors ?? []) this.out.write(`    not saved: ${e}\n`);
    }
  }

  onEnd(report: RunReport): void {
    const count = (s: Status) => report.results.filter((r) => r.status === s).length;
    const aborted = report.run.aborted ? ' (aborted)' : '';
    const findings = report.findings.filter((f) => f.status === 'open');
    this.out.write(
      `\n${count('passed')} passed, ${count('degraded')} degraded, ${count('failed')} failed${aborted}` +
        (findings.length ? `; ${findings.length} open finding(s)` : '') +
        '\n',
    );
    for (const f of findings) this.out.write(`  ! ${f.severity} ${f.kind}: ${f.explanation}\n`);
  }

  private paint(status: Status, text: string): string {
    return this.color ? `${COLOR[status]}${text}\x1b[0m` : text;
  }
}

/**
 * Progress as structured log lines (`--log-format json`): one line when the run begins, one per
 * finished monitor (`logResult`: failures at error, degraded at warn) and one per open finding.
 */
export class LogProgressReporter implements Reporter {
  readonly name = 'progress';

  constructor(private readonly log: Logger) {}

  onBegin(run: RunInfo, monitors: readonly unknown[]): void {
    this.log.info(`observer run ${run.id}: ${monitors.length} monitor(s)`, {
      event: 'run/begin',
      runId: run.id,
      monitors: monitors.length,
      environment: run.environment,
      location: run.location,
      ...(run.shard ? { shard: run.shard } : {}),
    });
  }

  onMonitorEnd(r: MonitorResult): void {
    logResult(this.log, r);
  }

  onEnd(report: RunReport): void {
    const count = (s: Status) => report.results.filter((r) => r.status === s).length;
    const open = report.findings.filter((f) => f.status === 'open');
    for (const f of open) {
      this.log[f.severity === 'critical' ? 'error' : 'warn'](`${f.severity} ${f.kind}: ${f.explanation}`, {
        event: 'finding/change',
        runId: report.run.id,
        monitor: f.series.monitor,
        step: f.series.step,
        location: f.series.location,
        kind: f.kind,
        severity: f.severity,
        findingId: f.id,
      });
    }
    const fields = { event: 'run/end', runId: report.run.id, passed: count('passed'), degraded: count('degraded'), failed: count('failed'), openFindings: open.length, ...(report.run.aborted ? { aborted: true } : {}) };
    this.log[fields.failed || fields.aborted ? 'warn' : 'info'](`${fields.passed} passed, ${fields.degraded} degraded, ${fields.failed} failed${report.run.aborted ? ' (aborted)' : ''}`, fields);
  }
}
