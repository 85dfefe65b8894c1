/**
 * The runner's own log: human lines by default, pino JSON lines on stderr with `--log-format json`.
 * Every message and field passes through the Redactor first, so no writer can leak a secret.
 */
import { pino, type Logger as PinoLogger } from 'pino';
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
