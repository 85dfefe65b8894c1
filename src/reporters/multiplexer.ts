/**
 * Fans every hook out to a list of reporters and isolates their failures (Playwright multiplexer).
 *
 * Call order:
 * - Each hook is called on the reporters in the order they were given.
 * - `onBegin` and `onEnd` are awaited one reporter after the other (deterministic file order, and a
 *   slow writer never races another for the same folder); the others are synchronous.
 * - A hook that throws, or returns a promise that rejects, becomes a `ReporterError`
 *   (code `ERR_REPORTER_FAILED`, naming the reporter and the hook). It is collected in `errors`,
 *   given to the `onReporterError` callback, and sent as `onError` to every other reporter. The
 *   failing reporter keeps receiving later hooks; the run goes on.
 * - An `onError` hook that itself fails is collected but not sent again (no error storms).
 * - Promises returned by the synchronous hooks are tracked; `onEnd` waits for them first, so their
 *   failures are reported before the files are written.
 * - `onEnd` returns every reporter's written paths, in reporter order.
 */
import type { MonitorDefinition, MonitorResult, RunInfo } from '../model/index.js';
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import { ReporterError, type ReporterHook } from './errors.js';

export class Multiplexer implements Reporter {
  readonly name = 'multiplexer';
  /** Every reporter failure so far, in the order they happened. */
  readonly errors: ReporterError[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly reporters: readonly Reporter[],
    private readonly onReporterError?: (error: ReporterError) => void,
  ) {}

  onBegin(run: RunInfo, monitors: MonitorDefinition[]): Promise<void> {
    return this.sequence('onBegin', async (r) => {
      await r.onBegin?.(run, monitors);
    });
  }

  onMonitorBegin(monitor: MonitorDefinition): void {
    this.each('onMonitorBegin', (r) => r.onMonitorBegin?.(monitor));
  }

  onMonitorEnd(result: MonitorResult): void {
    this.each('onMonitorEnd', (r) => r.onMonitorEnd?.(result));
  }

  /** An error of the run (not of a reporter): every reporter hears it. */
  onError(error: Error): void {
    this.each('onError', (r) => r.onError?.(error));
  }

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    await this.settled();
    const files: string[] = [];
    await this.sequence('onEnd', async (r) => {
      const written = await r.onEnd?.(report, context);
      if (written) files.push(...written);
    });
    return files;
  }

  /** Wait for promises the synchronous hooks returned (so their failures are collected). */
  async settled(): Promise<void> {
    // Bounded: each round settles the promises known at its start; hooks do not add new ones.
    for (let round = 0; round < 3 && this.pending.size; round++) await Promise.allSettled([...this.pending]);
  }

  private each(hook: ReporterHook, call: (r: Reporter) => unknown): void {
    for (const r of this.reporters) {
      try {
        const out = call(r);
        if (isThenable(out)) this.track(r, hook, out);
      } catch (err) {
        this.fail(r, hook, err);
      }
    }
  }

  private async sequence(hook: ReporterHook, call: (r: Reporter) => Promise<void>): Promise<void> {
    for (const r of this.reporters) {
      try {
        await call(r);
      } catch (err) {
        this.fail(r, hook, err);
      }
    }
  }

  private track(r: Reporter, hook: ReporterHook, promise: PromiseLike<unknown>): void {
    const p: Promise<unknown> = Promise.resolve(promise).then(
      () => this.pending.delete(p),
      (err: unknown) => {
        this.pending.delete(p);
        this.fail(r, hook, err);
      },
    );
    this.pending.add(p);
  }

  private fail(source: Reporter, hook: ReporterHook, cause: unknown): void {
    const error = new ReporterError(reporterName(source), hook, cause);
    this.errors.push(error);
    try {
      this.onReporterError?.(error);
    } catch (_) {
      // The callback is the caller's logger; a failing logger must not stop the reporters.
    }
    if (hook === 'onError') return;
    for (const r of this.reporters) {
      if (r === source || !r.onError) continue;
      try {
        const out = r.onError(error);
        if (isThenable(out)) this.track(r, 'onError', out);
      } catch (err) {
        this.fail(r, 'onError', err);
      }
    }
  }
}

function reporterName(r: Reporter): string {
  return typeof r.name === 'string' && r.name ? r.name : 'anonymous';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return !!value && typeof (value as { then?: unknown }).then === 'function';
}
