/**
 * `${env:NAME}` in any string value of the config and of checks (TS and YAML). A missing variable
 * is a diagnostic naming it and the field; every substituted value is registered with the Redactor
 * so it is masked in logs, reports, errors and the store. `$${env:NAME}` is the literal text.
 */
import type { Redactor } from '../runtime/redact.js';
import { formatPath } from './diagnostics.js';

const REFERENCE = /(\$?)\$\{env:([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface InterpolationProblem {
  /** Field path inside the value, e.g. `request.headers.authorization`. */
  path: string;
  message: string;
}

export interface InterpolationResult<T> {
  value: T;
  problems: InterpolationProblem[];
  /** Names of the variables used (for messages and tests). */
  used: string[];
}

/** Substitute references in every string of a JSON-like value (plain objects and arrays are copied). */
export function interpolateEnv<T>(value: T, env: NodeJS.ProcessEnv, redactor: Redactor): InterpolationResult<T> {
  const problems: InterpolationProblem[] = [];
  const used = new Set<string>();

  const one = (text: string, parts: Array<string | number>): string => {
    if (!text.includes('${')) return text;
    let out = '';
    let last = 0;
    for (const m of text.matchAll(REFERENCE)) {
      const index = m.index ?? 0;
      out += text.slice(last, index);
      last = index + m[0].length;
      if (m[1] === '$') {
        out += m[0].slice(1);
        continue;
      }
      const name = m[2].trim();
      if (!NAME.test(name)) {
        problems.push({ path: formatPath(parts), message: `invalid variable reference "${m[0]}": expected \${env:NAME} with NAME made of letters, digits and "_"` });
        out += m[0];
        continue;
      }
      used.add(name);
      const resolved = env[name];
      if (resolved === undefined) {
        problems.push({ path: formatPath(parts), message: `environment variable ${name} is not set (referenced as \${env:${name}})` });
        out += m[0];
        continue;
      }
      redactor.add(resolved);
      out += resolved;
    }
    out += text.slice(last);
    const rest = text.slice(last);
    if (/\$\{env:[^}]*$/.test(rest)) {
      problems.push({ path: formatPath(parts), message: 'unterminated "${env:" reference: expected ${env:NAME}' });
    }
    return out;
  };

  const walk = (v: unknown, parts: Array<string | number>, depth: number): unknown => {
    if (depth > 64) return v;
    if (typeof v === 'string') return one(v, parts);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...parts, i], depth + 1));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...parts, k], depth + 1);
      return out;
    }
    return v;
  };

  return { value: walk(value, [], 0) as T, problems, used: [...used] };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
