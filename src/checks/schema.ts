/**
 * JSON Schema validation with ajv 8 + ajv-formats. Every schema is compiled once per process,
 * cached by the key the config loader gave it. User schemas are compiled with `strict: false`
 * (unknown keywords and formats in hand-written schemas are common and harmless).
 *
 * Failure messages use `$.` paths: `$.items[0].price: must be number (type)`.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { formatKey } from './jsonpath.js';

const addFormats = addFormatsModule.default;

/** A schema that could not be compiled; a config problem, cached so it is reported, not retried. */
export class SchemaCompileError extends Error {
  readonly code = 'OBS_SCHEMA_COMPILE';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`schema ${key} does not compile: ${reason}`);
    this.name = 'SchemaCompileError';
  }
}

export interface SchemaVerdict {
  ok: boolean;
  /** One line: the first error, then how many more. */
  message?: string;
  /** Every error, formatted the same way (bounded). */
  errors?: string[];
}

const MAX_ERRORS = 20;

export class SchemaCache {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | SchemaCompileError>();
  /** How many compilations ran (each key once). */
  compilations = 0;

  constructor() {
    this.ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true, validateSchema: true });
    addFormats(this.ajv);
  }

  /** The compiled validator for `key`, compiling `schema` the first time only. */
  get(key: string, schema: object): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      this.compilations++;
      try {
        // ajv also caches by schema identity; `$id`s colliding across files would throw, so drop them.
        v = this.ajv.compile(withoutId(schema));
      } catch (err) {
        v = new SchemaCompileError(key, (err as Error).message.split('\n')[0] ?? 'unknown error');
      }
      this.compiled.set(key, v);
    }
    if (v instanceof SchemaCompileError) throw v;
    return v;
  }

  validate(key: string, schema: object, data: unknown): SchemaVerdict {
    const fn = this.get(key, schema);
    if (fn(data)) return { ok: true };
    const errors = (fn.errors ?? []).slice(0, MAX_ERRORS).map(formatSchemaError);
    const total = fn.errors?.length ?? errors.length;
    const more = total > 1 ? ` (and ${total - 1} more schema error${total - 1 === 1 ? '' : 's'})` : '';
    return { ok: false, message: `${errors[0] ?? 'does not match the schema'}${more}`, errors };
  }
}

/** The process-wide cache the runners share unless given another. */
export const sharedSchemaCache = new SchemaCache();

/** `/items/0/price` → `$.items[0].price`. */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '$';
  let out = '$';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^(0|[1-9][0-9]*)$/.test(part) ? `[${part}]` : formatKey(part);
  }
  return out;
}

export function formatSchemaError(e: ErrorObject): string {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${path === '$' ? '$' : path}${formatKey(String(p.missingProperty))}: is required (required)`;
    case 'additionalProperties':
      return `${path}${formatKey(String(p.additionalProperty))}: is not allowed (additionalProperties)`;
    case 'enum':
      return `${path}: must be one of ${JSON.stringify(p.allowedValues)} (enum)`;
    case 'const':
      return `${path}: must be ${JSON.stringify(p.allowedValue)} (const)`;
    default:
      return `${path}: ${e.message ?? 'is invalid'} (${e.keyword})`;
  }
}

function withoutId(schema: object): object {
  if (!('$id' in schema)) return schema;
  const { $id: _ignored, ...rest } = schema as Record<string, unknown>;
  return rest;
}
