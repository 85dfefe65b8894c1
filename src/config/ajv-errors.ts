/**
 * Ajv for the configuration's own schemas, and the translation of Ajv errors into readable
 * diagnostics: `unknown field "expcet" (did you mean "expect"?)`, `must be number (got "abc")`,
 * `must be one of GET, POST, ...` — never a raw Ajv dump.
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { formatPath } from './diagnostics.js';
import { didYouMean } from './suggest.js';

/** Annotation keyword of our schemas: the human wording of a `pattern`, `anyOf` or `format` rule. */
export const HINT = 'errorHint';

/** Ajv for our own schemas: strict (a typo in our schema is a bug), every error, data in errors. */
export function createConfigAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addVocabulary([HINT]);
  return ajv;
}

export interface FieldProblem {
  /** Path inside the validated value, e.g. `request.url`. */
  path: string;
  message: string;
  /** The field the problem is located at when it differs from `path` (an unknown field's own key), for line lookup. */
  locate?: string;
  /** Top-level key the problem is under (the unknown or missing key itself at the root). */
  topKey?: string;
  /** Instance location as parts, the unknown or missing key appended. */
  parts?: Array<string | number>;
}

/** Validate `data` with a compiled schema; readable problems, empty when valid. */
export function validateWith(validate: ValidateFunction, data: unknown): FieldProblem[] {
  if (validate(data)) return [];
  return explainAjvErrors(validate.errors ?? []);
}

/** Turn Ajv errors into one readable problem each (branches of `anyOf` pruned to the relevant one). */
export function explainAjvErrors(errors: readonly ErrorObject[]): FieldProblem[] {
  // `if`/`then` failures are explained by the errors inside `then`.
  const kept = pruneAnyOf(errors).filter((e) => e.keyword !== 'if');
  const out: FieldProblem[] = [];
  for (const e of kept) {
    const parts = pointerToParts(e.instancePath);
    const problem = explain(e, parts);
    const own = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
    const full = own !== undefined ? [...parts, String(own)] : parts;
    if (full.length > 0) {
      problem.topKey = String(full[0]);
      problem.parts = full;
    }
    if (e.keyword === 'additionalProperties' && own !== undefined) problem.locate = formatPath([...parts, String(own)]);
    if (!out.some((p) => p.path === problem.path && p.message === problem.message)) out.push(problem);
  }
  return out;
}

function explain(e: ErrorObject, parts: Array<string | number>): FieldProblem {
  const hint = typeof e.parentSchema?.[HINT] === 'string' ? (e.parentSchema[HINT] as string) : undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = didYouMean(name, known);
      const list = !suggestion && known.length > 0 && known.length <= 16 ? `; expected one of ${known.join(', ')}` : '';
      return { path: formatPath(parts), message: `unknown field "${name}"${suggestion}${list}` };
    }
    case 'required': {
      const name = String((e.params as { missingProperty: string }).missingProperty);
      return { path: formatPath([...parts, name]), message: 'is required' };
    }
    case 'type': {
      const t = String((e.params as { type: string }).type).split(',');
      const expected = t.map(article).join(' or ');
      return { path: formatPath(parts), message: `must be ${expected} (got ${describe(e.data)})` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return {
        path: formatPath(parts),
        message: `must be one of ${allowed.join(', ')} (got ${describe(e.data)})${suggestion}`,
      };
    }
    case 'const':
      return { path: formatPath(parts), message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` };
    case 'anyOf':
    case 'oneOf':
      return { path: formatPath(parts), message: `${hint ?? 'must match one of the allowed forms'} (got ${describe(e.data)})` };
    case 'pattern':
    case 'format':
    case 'minLength':
    case 'maxLength':
      return { path: formatPath(parts), message: `${hint ?? e.message ?? 'is invalid'} (got ${describe(e.data)})` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: formatPath(parts), message: `${e.message ?? 'is out of range'} (got ${describe(e.data)})` };
    case 'uniqueItems': {
      const p = e.params as { i: number; j: number };
      return { path: formatPath(parts), message: `must not repeat items (items ${p.j} and ${p.i} are equal)` };
    }
    default:
      return { path: formatPath(parts), message: hint ?? e.message ?? `is invalid (${e.keyword})` };
  }
}

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'null';
    default:
      return type;
  }
}

/** Short, type-revealing description of a value for messages (secrets are redacted later by the loader). */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** `/checks/2/request/url` → `['checks', 2, 'request', 'url']`. */
export function pointerToParts(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function branchAccepts(branch: unknown, type: string): boolean {
  if (!branch || typeof branch !== 'object') return true;
  const t = (branch as SchemaObject).type as string | string[] | undefined;
  if (t === undefined) return true;
  const list = Array.isArray(t) ? t : [t];
  return list.includes(type) || (type === 'integer' && list.includes('number'));
}

/**
 * Errors of `anyOf` branches: when the value's type selects exactly one branch, keep only that
 * branch's errors (they say what is wrong inside it); otherwise keep only the `anyOf` error itself
 * (its hint names the accepted forms). Our schemas inline their branches (no `$ref`), so a branch's
 * errors are those whose schemaPath starts with the branch's.
 */
function pruneAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const removed = new Set<ErrorObject>();
  const branching = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const e of branching) {
    if (removed.has(e)) continue;
    const branches = (e.parentSchema?.[e.keyword] as unknown[] | undefined) ?? [];
    const type = jsonType(e.data);
    const matching = branches.map((b, i) => (branchAccepts(b, type) ? i : -1)).filter((i) => i >= 0);
    const under = `${e.schemaPath}/`;
    if (matching.length === 1) {
      const keep = `${e.schemaPath}/${matching[0]}/`;
      removed.add(e);
      for (const x of errors) if (x.schemaPath.startsWith(under) && !x.schemaPath.startsWith(keep)) removed.add(x);
    } else {
      for (const x of errors) if (x.schemaPath.startsWith(under)) removed.add(x);
    }
  }
  return errors.filter((e) => !removed.has(e));
}
