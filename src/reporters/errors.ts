/**
 * Errors of the reporters, one class per failure kind with a stable code (undici style).
 */

/** `createReporters` got a name that is not in the registry. */
export class UnknownReporterError extends Error {
  readonly code = 'ERR_UNKNOWN_REPORTER';
  constructor(
    /** The names that are not reporters. */
    readonly unknown: string[],
    /** Every valid name, for the message and for shell completion. */
    readonly choices: readonly string[],
  ) {
    const list = unknown.map((n) => `"${n}"`).join(', ');
    super(`reporters: unknown reporter ${list}; expected one of: ${choices.join(', ')}`);
    this.name = 'UnknownReporterError';
  }
}

/** Hooks of the Reporter interface, as named in errors. */
export type ReporterHook = 'onBegin' | 'onMonitorBegin' | 'onMonitorEnd' | 'onError' | 'onEnd';

/** A reporter threw (or rejected) in one of its hooks; the multiplexer isolated it and the run went on. */
export class ReporterError extends Error {
  readonly code = 'ERR_REPORTER_FAILED';
  constructor(
    readonly reporter: string,
    readonly hook: ReporterHook,
    override readonly cause: unknown,
  ) {
    super(`reporter "${reporter}" failed in ${hook}: ${firstLine(cause)}`, { cause });
    this.name = 'ReporterError';
  }
}

/** A reporter could not write its output (bad outDir, unwritable GITHUB_STEP_SUMMARY, ...). */
export class ReportWriteError extends Error {
  readonly code = 'ERR_REPORT_WRITE';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`cannot write ${file}: ${firstLine(cause)}`, { cause });
    this.name = 'ReportWriteError';
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? '';
}
