/**
 * The runner's own log: human lines by default, pino JSON lines on stderr with `--log-format json`.
 * Every message and field passes through the Redactor first, so no writer can leak a secret.
 */
import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';
import type { MonitorResult, Status, StepResult } from '../model/index.js';
import type { Redactor } from './redact.js';

export type LogFormat = 'pretty' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(opts: {
  format: LogFormat;
  redactor: Redactor;
  level?: LogLevel;
  stream?: NodeJS.WritableStream;
}): Logger {
  const stream = opts.stream ?? process.stderr;
  const min = LEVELS[opts.level ?? 'info'];
  const redactor = opts.redactor;
  let json: PinoLogger | null = null;
  if (opts.format === 'json') {
    json = pino({ level: opts.level ?? 'info', base: { name: 'observer' } }, stream as NodeJS.WritableStream & { write(s: string): boolean });
  }
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVELS[level] < min) return;
    const safeMsg = redactor.redact(msg);
    const safeFields = fields ? redactor.redactDeep(fields) : undefined;
    if (json) {
      if (safeFields) json[level](safeFields, safeMsg);
      else json[level](safeMsg);
      return;
    }
    const extra = safeFields && Object.keys(safeFields).length ? ' ' + formatFields(safeFields) : '';
    const prefix = level === 'info' ? '' : `${level}: `;
    stream.write(`${prefix}${safeMsg}${extra}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** What a log line is about, so a log pipeline can select lines without parsing messages. */
export type LogEvent = 'run/begin' | 'monitor/end' | 'run/end' | 'finding/change' | 'config/warning' | 'config/reload' | 'stderr';

/** The structured fields of one monitor result: who, where, how it went, how long. */
export function resultFields(r: MonitorResult): LogFields {
  const failedStep = firstFailedStep(r.steps);
  return {
    event: 'monitor/end',
    runId: r.runId,
    monitor: r.monitor,
    kind: r.kind,
    location: r.location,
    environment: r.environment,
    status: r.status,
    durationMs: Math.round(r.durationMs),
    attempts: r.attempts,
    ...(failedStep ? { step: failedStep.name, ...(failedStep.location ? { stepLocation: failedStep.location } : {}) } : {}),
    ...(r.error ? { errorClass: r.error.class, error: r.error.message } : {}),
    ...(r.httpStatus !== undefined ? { httpStatus: r.httpStatus } : {}),
    ...(r.runnerHealth?.saturated ? { runnerSaturated: true } : {}),
  };
}

/** Level of a result's line: a failure is an error, a degraded run a warning, the rest info. */
export function resultLevel(status: Status): LogLevel {
  return status === 'failed' ? 'error' : status === 'degraded' ? 'warn' : 'info';
}

/**
 * One line per finished monitor, e.g. `failed checkout 1204 ms http_status: status 503, expected 200`.
 * `passedLevel`: the daemon logs passing runs at debug (thousands a day), a one-shot run at info.
 */
export function logResult(log: Logger, r: MonitorResult, passedLevel: LogLevel = 'info'): void {
  const error = r.error ? ` ${r.error.class}: ${r.error.message}` : '';
  const level = r.status === 'passed' ? passedLevel : resultLevel(r.status);
  log[level](`${r.status} ${r.monitor} ${Math.round(r.durationMs)} ms${error}`, resultFields(r));
}

function firstFailedStep(steps: readonly StepResult[]): StepResult | undefined {
  return steps.find((s) => s.status === 'failed');
}

/** pino's numeric levels, which the guard's lines use too. */
const PINO_LEVEL: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * With `--log-format json`, every line on stderr is a JSON object: lines that already are (the
 * logger's) pass through; any other text written to the stream (a library's notice, a child
 * process's warning, an error message of the CLI) becomes a line `{level, time, name, event:
 * "stderr", msg}` at warn level, or error when it reads as an error. Partial writes are kept until
 * their newline (or `flush()`).
 */
export class JsonLinesGuard {
  private pending = '';

  constructor(
    private readonly out: (line: string) => void,
    private readonly redactor?: Redactor,
  ) {}

  write(chunk: string | Uint8Array): void {
    this.pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let nl = this.pending.indexOf('\n');
    while (nl !== -1) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf('\n');
    }
  }

  flush(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
  }

  private line(text: string): void {
    const line = text.replace(/\r$/, '');
    if (line.trim() === '') return;
    if (isJsonObject(line)) {
      this.out(line + '\n');
      return;
    }
    const msg = this.redactor ? this.redactor.redact(line) : line;
    const level = /\b(error|fatal|fail(ed|ure)?)\b|^observer [\w-]+: /i.test(msg) ? 'error' : 'warn';
    this.out(JSON.stringify({ level: PINO_LEVEL[level], time: Date.now(), name: 'observer', event: 'stderr', msg }) + '\n');
  }
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

/** Whether the command line asks for JSON logs (`--log-format json` or `--log-format=json`). */
export function wantsJsonLogs(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json'));
}

/**
 * A stream whose writes go through a `JsonLinesGuard` (what `observer` hands its commands as stderr
 * with `--log-format json`).
 */
export function guardedStream(guard: JsonLinesGuard, isTTY = false): NodeJS.WritableStream & { isTTY: boolean } {
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      guard.write(chunk);
      cb();
    },
    final(cb) {
      guard.flush();
      cb();
    },
  });
  return Object.assign(stream, { isTTY });
}
