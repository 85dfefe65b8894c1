/**
 * Assertions as data (`{ source, path, op, target }`, Checkly style), evaluated against one
 * response. A failed assertion explains itself in one line: `$.items[0].price: expected > 0, got -1`.
 *
 * Sources: `status` (number), `header` (path = header name, value a string), `json` (path = a
 * JSON path, see jsonpath.ts), `text` (the whole body), `responseTime` (totalMs of the exchange).
 * Header, text and status values are compared leniently (numeric strings compare as numbers,
 * `eq 5` matches `"5"`); JSON values strictly (`eq 5` does not match `"5"`).
 *
 * Wildcard paths (`$.items[*].price`) select a list: `exists`, `notExists`, `contains`,
 * `notContains` and `length*` apply to that list, every other op must hold for every match (and
 * fails on an empty list, naming the first failing match's concrete path).
 */
import type { Assertion, AssertionOp, AssertionSource } from '../model/monitor.js';
import { compileJsonPath, evaluateJsonPath, JsonPathSyntaxError, type PathMatch } from './jsonpath.js';

/** What assertions look at; `json()` is only called for `json` assertions, after parsing succeeded. */
export interface ResponseView {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  text(): string;
  json(): unknown;
  /** The exchange's totalMs. */
  responseTimeMs: number;
}

export const ASSERTION_SOURCES: readonly AssertionSource[] = ['status', 'header', 'json', 'text', 'responseTime'];
export const ASSERTION_OPS: readonly AssertionOp[] = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'notContains', 'matches',
  'exists', 'notExists', 'isType', 'lengthEq', 'lengthGte', 'lengthLte',
];
export const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

const LIST_OPS = new Set<AssertionOp>(['exists', 'notExists', 'contains', 'notContains', 'lengthEq', 'lengthGte', 'lengthLte']);
const LENGTH_OPS = new Set<AssertionOp>(['lengthEq', 'lengthGte', 'lengthLte']);
const MISSING = Symbol('missing');
type Actual = unknown | typeof MISSING;

/**
 * Why an assertion is malformed (unknown op or source, missing path, bad JSON path, bad regex,
 * bad type name), or null. The config loader calls this at load time; the runner again, defensively.
 */
export function validateAssertion(a: Assertion): string | null {
  if (!ASSERTION_SOURCES.includes(a.source)) return `unknown source ${JSON.stringify(a.source)} (one of ${ASSERTION_SOURCES.join(', ')})`;
  if (!ASSERTION_OPS.includes(a.op)) return `unknown op ${JSON.stringify(a.op)} (one of ${ASSERTION_OPS.join(', ')})`;
  if ((a.source === 'json' || a.source === 'header') && (typeof a.path !== 'string' || a.path === '')) {
    return `source ${a.source} needs a path`;
  }
  if (a.source === 'json') {
    try {
      compileJsonPath(a.path!);
    } catch (err) {
      if (err instanceof JsonPathSyntaxError) return err.message;
      throw err;
    }
  }
  const needsTarget = a.op !== 'exists' && a.op !== 'notExists';
  if (needsTarget && a.target === undefined) return `op ${a.op} needs a target`;
  if (a.op === 'matches') {
    if (typeof a.target !== 'string') return 'op matches needs a regular expression string as target';
    try {
      compileRegExp(a.target);
    } catch (err) {
      return `invalid regular expression ${JSON.stringify(a.target)}: ${(err as Error).message}`;
    }
  }
  if (a.op === 'isType' && !JSON_TYPES.includes(a.target as (typeof JSON_TYPES)[number])) {
    return `op isType needs one of ${JSON_TYPES.join(', ')} as target`;
  }
  if (LENGTH_OPS.has(a.op) && !(typeof a.target === 'number' && Number.isInteger(a.target) && a.target >= 0)) {
    return `op ${a.op} needs a non-negative integer target`;
  }
  return null;
}

/** Validation verdicts per assertion object (definitions are immutable once resolved). */
const validated = new WeakMap<Assertion, string | null>();

/** Evaluate one assertion: null when it holds, else a one-line explanation. */
export function checkAssertion(a: Assertion, view: ResponseView): string | null {
  let invalid = validated.get(a);
  if (invalid === undefined) {
    invalid = validateAssertion(a);
    validated.set(a, invalid);
  }
  if (invalid) return `invalid assertion (${a.source}${a.path ? ` ${a.path}` : ''}): ${invalid}`;
  switch (a.source) {
    case 'status':
      return checkValue('status', a, view.status, true);
    case 'responseTime':
      return checkValue('response time', a, view.responseTimeMs, true, ' ms');
    case 'text':
      return checkValue('body', a, view.text(), true);
    case 'header': {
      const name = a.path!.toLowerCase();
      const v = view.headers[name];
      return checkValue(`header ${name}`, a, v === undefined ? MISSING : v, true);
    }
    case 'json':
      return checkJson(a, view.json());
  }
}

function checkJson(a: Assertion, doc: unknown): string | null {
  const path = compileJsonPath(a.path!);
  const matches = evaluateJsonPath(path, doc);
  if (!path.multi) {
    return checkValue(path.source, a, matches.length ? matches[0]!.value : MISSING, false);
  }
  if (LIST_OPS.has(a.op)) {
    if (a.op === 'exists') return matches.length ? null : `${path.source}: expected to exist, got no matches`;
    if (a.op === 'notExists') return matches.length ? `${path.source}: expected no matches, got ${matches.length}` : null;
    return checkValue(path.source, a, matches.map((m: PathMatch) => m.value), false);
  }
  if (matches.length === 0) return `${path.source}: expected ${describeExpectation(a)}, got no matches`;
  for (const m of matches) {
    const failure = checkValue(m.path, a, m.value, false);
    if (failure) return failure;
  }
  return null;
}

function checkValue(subject: string, a: Assertion, actual: Actual, lenient: boolean, unit = ''): string | null {
  if (holds(a.op, actual, a.target, lenient)) return null;
  return `${subject}: expected ${describeExpectation(a, unit)}, got ${describeActual(a.op, actual, unit)}`;
}

function holds(op: AssertionOp, actual: Actual, target: unknown, lenient: boolean): boolean {
  if (op === 'exists') return actual !== MISSING;
  if (op === 'notExists') return actual === MISSING;
  if (actual === MISSING) return false;
  switch (op) {
    case 'eq':
      return equals(actual, target, lenient);
    case 'neq':
      return !equals(actual, target, lenient);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(actual, target, lenient);
      if (c === null) return false;
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
    case 'contains':
      return contains(actual, target, lenient) === true;
    case 'notContains':
      return contains(actual, target, lenient) === false;
    case 'matches':
      return (typeof actual === 'string' || typeof actual === 'number') && compileRegExp(String(target)).test(String(actual));
    case 'isType':
      return typeName(actual) === target || (target === 'integer' && Number.isInteger(actual)) || (target === 'number' && typeof actual === 'number');
    case 'lengthEq':
    case 'lengthGte':
    case 'lengthLte': {
      const len = lengthOf(actual);
      if (len === null) return false;
      const t = target as number;
      return op === 'lengthEq' ? len === t : op === 'lengthGte' ? len >= t : len <= t;
    }
  }
}

function equals(actual: unknown, target: unknown, lenient: boolean): boolean {
  if (lenient && typeof actual === 'string' && (typeof target === 'number' || typeof target === 'boolean')) {
    return actual.trim() === String(target);
  }
  if (lenient && typeof actual === 'number' && typeof target === 'string') return String(actual) === target.trim();
  return deepEqual(actual, target);
}

/** Sign of actual - target, or null when they cannot be ordered. */
function compare(actual: unknown, target: unknown, lenient: boolean): number | null {
  let a = actual;
  let t = target;
  if (lenient) {
    if (typeof a === 'string' && a.trim() !== '' && Number.isFinite(Number(a))) a = Number(a);
    if (typeof t === 'string' && t.trim() !== '' && Number.isFinite(Number(t))) t = Number(t);
  }
  if (typeof a === 'number' && typeof t === 'number') return a - t;
  if (typeof a === 'string' && typeof t === 'string') return a < t ? -1 : a > t ? 1 : 0;
  return null;
}

/** true / false, or null when `actual` cannot contain anything (a number, null). */
function contains(actual: unknown, target: unknown, lenient: boolean): boolean | null {
  if (typeof actual === 'string') return actual.includes(String(target));
  if (Array.isArray(actual)) return actual.some((v) => equals(v, target, lenient));
  if (isPlainObject(actual)) return Object.prototype.hasOwnProperty.call(actual, String(target));
  return null;
}

function lengthOf(v: unknown): number | null {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  return null;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

const OP_TEXT: Record<AssertionOp, string> = {
  eq: '',
  neq: 'not ',
  gt: '> ',
  gte: '>= ',
  lt: '< ',
  lte: '<= ',
  contains: 'to contain ',
  notContains: 'not to contain ',
  matches: 'to match ',
  exists: 'to exist',
  notExists: 'not to exist',
  isType: 'type ',
  lengthEq: 'length ',
  lengthGte: 'length >= ',
  lengthLte: 'length <= ',
};

function describeExpectation(a: Assertion, unit = ''): string {
  if (a.op === 'exists' || a.op === 'notExists') return OP_TEXT[a.op];
  if (a.op === 'matches') return `${OP_TEXT.matches}/${String(a.target)}/`;
  if (a.op === 'isType' || LENGTH_OPS.has(a.op)) return `${OP_TEXT[a.op]}${String(a.target)}`;
  return `${OP_TEXT[a.op]}${show(a.target)}${typeof a.target === 'number' ? unit : ''}`;
}

function describeActual(op: AssertionOp, actual: Actual, unit: string): string {
  if (actual === MISSING) return 'nothing (not present)';
  if (LENGTH_OPS.has(op)) {
    const len = lengthOf(actual);
    return len === null ? `${typeName(actual)} ${show(actual)} (no length)` : `length ${len}`;
  }
  if (op === 'isType') return `${typeName(actual)} ${show(actual)}`;
  if (typeof actual === 'number') return `${show(round(actual))}${unit}`;
  return show(actual);
}

function round(n: number): number {
  return Number.isInteger(n) ? n : Math.round(n * 10) / 10;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const MAX_SHOWN = 80;

/** JSON-ish, one line, truncated. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = s.replace(/[\r\n]+/g, ' ');
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const regexps = new Map<string, RegExp>();

/** `"^ok$"` or `"/^ok$/i"`; compiled once per distinct pattern. */
function compileRegExp(pattern: string): RegExp {
  let re = regexps.get(pattern);
  if (!re) {
    const literal = /^\/(.*)\/([dgimsuy]*)$/s.exec(pattern);
    re = literal ? new RegExp(literal[1]!, literal[2]!.replace('g', '')) : new RegExp(pattern);
    if (regexps.size >= 10_000) regexps.clear();
    regexps.set(pattern, re);
  }
  return re;
}
