/**
 * Assertions are data (`{ source, path, op, target }`), checked at load time: the operator exists,
 * its value has the right type (numbers for `gt`, a compilable pattern for `matches`, none for
 * `exists`), the JSON path parses with the runner's own grammar (src/checks/jsonpath.ts, pure), and
 * the runner's validateAssertion agrees. The runner never sees an invalid one.
 */
import { validateAssertion } from '../checks/assertions.js';
import { compileJsonPath, JsonPathSyntaxError } from '../checks/jsonpath.js';
import type { Assertion, AssertionOp, AssertionSource } from '../model/monitor.js';

export const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

export interface AssertionProblem {
  /** Field of the assertion the problem is in (`value`, `path`, `op`). */
  field: 'value' | 'path' | 'op' | 'source';
  message: string;
}

/** What is wrong with an operator/value pair, if anything. `source` narrows the value types. */
export function assertionValueProblem(source: AssertionSource, op: AssertionOp, hasValue: boolean, value: unknown): AssertionProblem | undefined {
  switch (op) {
    case 'exists':
    case 'notExists':
      return hasValue ? { field: 'value', message: `"${op}" takes no value; remove it` } : undefined;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : { field: 'value', message: `"${op}" needs a number value (got ${shown(hasValue, value)})` };
    case 'lengthEq':
    case 'lengthGte':
    case 'lengthLte':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0
        ? undefined
        : { field: 'value', message: `"${op}" needs a non-negative integer value (got ${shown(hasValue, value)})` };
    case 'matches': {
      if (typeof value !== 'string') return { field: 'value', message: `"matches" needs a regular expression string (got ${shown(hasValue, value)})` };
      try {
        new RegExp(value);
        return undefined;
      } catch (err) {
        return { field: 'value', message: `not a valid regular expression: ${(err as Error).message}` };
      }
    }
    case 'isType':
      return typeof value === 'string' && (JSON_TYPES as readonly string[]).includes(value)
        ? undefined
        : { field: 'value', message: `"isType" needs one of ${JSON_TYPES.join(', ')} (got ${shown(hasValue, value)})` };
    case 'eq':
    case 'neq':
    case 'contains':
    case 'notContains':
      if (!hasValue) return { field: 'value', message: `"${op}" needs a value` };
      if ((source === 'header' || source === 'text') && typeof value !== 'string' && typeof value !== 'number') {
        return { field: 'value', message: `"${op}" on ${source === 'header' ? 'a header' : 'the body text'} needs a string value (got ${shown(hasValue, value)})` };
      }
      return undefined;
  }
}

/** Numbers compared with header values or text are compared as their decimal text. */
export function normalizeTarget(source: AssertionSource, op: AssertionOp, value: unknown): unknown {
  if ((source === 'header' || source === 'text') && typeof value === 'number' && ['eq', 'neq', 'contains', 'notContains'].includes(op)) return String(value);
  return value;
}

/**
 * Validates a JSON path with the runner's grammar: `$`, `.name`, `[0]`, `[-1]`, `['odd name']`, `*`.
 * The message names the position and what was expected.
 */
export function jsonPathProblem(text: string): string | undefined {
  try {
    compileJsonPath(text);
    return undefined;
  } catch (err) {
    if (err instanceof JsonPathSyntaxError) return `${err.message} (e.g. "$.items[0].price", "$.items[*].id")`;
    throw err;
  }
}

/** The runner's own verdict on a built assertion (a safety net behind the checks above). */
export function runnerProblem(a: Assertion): string | undefined {
  return validateAssertion(a) ?? undefined;
}

export function makeAssertion(source: AssertionSource, op: AssertionOp, pathText: string | undefined, hasValue: boolean, value: unknown): Assertion {
  return {
    source,
    ...(pathText !== undefined ? { path: pathText } : {}),
    op,
    ...(hasValue ? { target: normalizeTarget(source, op, value) } : {}),
  };
}

function shown(hasValue: boolean, value: unknown): string {
  if (!hasValue) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
