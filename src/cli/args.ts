/** Argument parsing shared by every command: node:util parseArgs, strict, errors as UsageError (exit 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export function parse<O extends Options>(argv: string[], options: O, usage: string): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(message.replace(/^TypeError \[[A-Z_]+\]: /, ''), usage);
  }
}

export function intOption(value: string | undefined, name: string, opts: { min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (opts.min ?? 0)) {
    throw new UsageError(`--${name}: expected an integer >= ${opts.min ?? 0}, got "${value}"`);
  }
  return n;
}

export function oneOf<T extends string>(value: string | undefined, name: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name}: expected one of ${choices.join(', ')}, got "${value}"`);
  }
  return value as T;
}
