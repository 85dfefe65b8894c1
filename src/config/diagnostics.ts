/**
 * Validation collects diagnostics across every file, then fails once (Checkly style): a user sees
 * every problem of a configuration in one run, each naming the file, the field and what was expected.
 */
import path from 'node:path';

export type DiagnosticSeverity = 'error' | 'warning';

export interface Diagnostic {
  /** File the problem is in, relative to the working folder (`checks/health.check.yaml`). */
  file: string;
  /** 1-based line when known (YAML files, syntax errors). */
  line?: number;
  /** Field path inside the file: `expect.status`, `checks[2].request.url`; empty for the whole file. */
  path: string;
  /** What was expected, with a hint where one helps: `unknown field "expcet" (did you mean "expect"?)`. */
  message: string;
  severity: DiagnosticSeverity;
}

/** One configuration problem or more; nothing was run. Carries every diagnostic collected. */
export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? diagnostics[0];
    super(
      first
        ? `${errors.length} configuration error(s); first: ${formatDiagnostic(first)}`
        : 'invalid configuration',
    );
    this.name = 'ConfigError';
    this.diagnostics = diagnostics;
  }
}

/** `file[:line]: path.to.field: message`, warnings prefixed with `warning: `. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line ? `${d.file}:${d.line}` : d.file;
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return d.path ? `${where}: ${d.path}: ${prefix}${d.message}` : `${where}: ${prefix}${d.message}`;
}

/** A diagnostic as structured log fields (`--log-format json`). */
export function diagnosticFields(d: Diagnostic): Record<string, unknown> {
  return { event: d.severity === 'warning' ? 'config/warning' : 'config/diagnostic', file: d.file, ...(d.line ? { line: d.line } : {}), field: d.path, severity: d.severity };
}

/** One diagnostic per line, in the order they were found. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n');
}

/** Field path from its parts: `['checks', 2, 'request', 'url']` → `checks[2].request.url`; odd keys quoted. */
export function formatPath(parts: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Joins two formatted paths: `joinPath('checks[2]', 'request.url')`, `joinPath('', 'x')`. */
export function joinPath(prefix: string, rest: string): string {
  if (!prefix) return rest;
  if (!rest) return prefix;
  return rest.startsWith('[') ? prefix + rest : `${prefix}.${rest}`;
}

/** A field name as a path part: identifiers plain, anything else quoted in brackets. */
export function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
}

/**
 * Collects diagnostics for one load. Files are stored relative to `cwd` so messages read the same
 * on every machine.
 */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  constructor(private readonly cwd: string) {}

  relative(file: string): string {
    if (!path.isAbsolute(file)) return file;
    const rel = path.relative(this.cwd, file);
    return rel === '' ? '.' : rel.split(path.sep).join('/');
  }

  error(file: string, fieldPath: string, message: string, line?: number): void {
    this.push({ file: this.relative(file), path: fieldPath, message, severity: 'error', ...(line ? { line } : {}) });
  }

  warning(file: string, fieldPath: string, message: string, line?: number): void {
    this.push({ file: this.relative(file), path: fieldPath, message, severity: 'warning', ...(line ? { line } : {}) });
  }

  push(d: Diagnostic): void {
    const dup = this.items.some(
      (x) => x.file === d.file && x.path === d.path && x.message === d.message && x.severity === d.severity,
    );
    if (!dup) this.items.push(d);
  }

  get errorCount(): number {
    return this.items.filter((d) => d.severity === 'error').length;
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }

  /** Throws one ConfigError carrying everything collected when any error was found. */
  throwIfErrors(): void {
    if (this.errorCount > 0) throw new ConfigError([...this.items]);
  }
}

/** Inverse of formatPath: `checks[2].headers["x-id"]` → `['checks', 2, 'headers', 'x-id']`. */
export function parsePath(fieldPath: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of fieldPath.matchAll(re)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(JSON.parse(m[3]) as string);
  }
  return parts;
}
