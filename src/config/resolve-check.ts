/**
 * One raw check (already `${env:...}`-interpolated) → a resolved ApiCheckDefinition: schema
 * validation, then the rules a schema cannot say (URL resolution, header names, assertion values,
 * thresholds, cron), then defaults. Every problem is reported; a definition is returned only when
 * the check has no error.
 */
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { ApiCheckDefinition, Assertion, AssertionOp } from '../model/monitor.js';
import { createConfigAjv, validateWith } from './ajv-errors.js';
import { assertionValueProblem, jsonPathProblem, makeAssertion, runnerProblem } from './assertions.js';
import { cronProblem } from './cron.js';
import { joinPath, pathKey } from './diagnostics.js';
import { isPlainObject } from './interpolate.js';
import type { BundledSchema, SchemaLoader } from './json-schema.js';
import { checkSchema } from './schemas.js';
import { didYouMean } from './suggest.js';
import type { CheckInput, ResolvedDefaults } from './types.js';

export interface CheckReporter {
  /** `locate`: a more precise field for finding the line (an unknown field's own key); `line` when known. */
  error(file: string, fieldPath: string, message: string, where?: { locate?: string; line?: number }): void;
  warning(file: string, fieldPath: string, message: string, where?: { locate?: string; line?: number }): void;
}

export interface ResolveCheckContext {
  /** Absolute path of the file the check is in. */
  file: string;
  /** Where the check sits in its file: '' for a single check, `checks[2]` in a list. */
  fieldPrefix: string;
  baseUrl?: string;
  /** Names the base URL's origin in messages (`environments.staging.baseUrl`). */
  baseUrlSource: string;
  /** The base URL could not be determined for a reason already reported (invalid URL, unknown --env). */
  baseUrlBroken?: boolean;
  defaults: ResolvedDefaults;
  schemas: SchemaLoader;
  knownLocations?: readonly string[];
  report: CheckReporter;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ANY_2XX = Array.from({ length: 100 }, (_, i) => 200 + i);

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= createConfigAjv().compile(checkSchema);
  return compiled;
}

export async function resolveCheck(raw: unknown, ctx: ResolveCheckContext): Promise<ApiCheckDefinition | undefined> {
  let errors = 0;
  const at = (p: string): string => joinPath(ctx.fieldPrefix, p);
  const error = (p: string, message: string, locate?: string): void => {
    errors++;
    ctx.report.error(ctx.file, at(p), message, locate !== undefined ? { locate: at(locate) } : undefined);
  };
  const warning = (p: string, message: string): void => ctx.report.warning(ctx.file, at(p), message);

  if (!isPlainObject(raw)) {
    error('', `a check must be an object with id and request (got ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw})`);
    return undefined;
  }
  for (const p of validateWith(validator(), raw)) error(p.path, p.message, p.locate);
  // Past the schema the shape is trusted only where it validated: rules below guard their types.
  const c = raw as Partial<CheckInput> & Record<string, unknown>;
  const request = isPlainObject(c.request) ? (c.request as Partial<CheckInput['request']>) : undefined;
  const expect = isPlainObject(c.expect) ? (c.expect as NonNullable<CheckInput['expect']>) : {};

  // URL
  let url: string | undefined;
  if (request && typeof request.url === 'string' && request.url) {
    const r = resolveUrl(request.url, ctx.baseUrl, ctx.baseUrlSource);
    if ('url' in r) url = r.url;
    // With a broken base URL (already reported) a relative URL's error would only repeat it.
    else if (!(r.relative && ctx.baseUrlBroken)) error('request.url', r.error);
    else errors++;
  }

  // Request headers
  const headers: Record<string, string> = {};
  if (request && isPlainObject(request.headers)) {
    for (const [name, value] of Object.entries(request.headers)) {
      const field = joinPath('request.headers', pathKey(name));
      if (!TOKEN.test(name)) error(field, `"${name}" is not a valid header name`);
      const lower = name.toLowerCase();
      if (lower in headers) error(field, `header "${lower}" is set twice (header names are case-insensitive)`);
      if (typeof value === 'string') {
        if (/[\r\n]/.test(value)) error(field, 'header values cannot contain line breaks');
        headers[lower] = value;
      }
    }
  }

  // Request body
  const method = request && typeof request.method === 'string' ? request.method : 'GET';
  let body: string | undefined;
  if (request && request.body !== undefined) {
    if (typeof request.body === 'string') body = request.body;
    else if (typeof request.body === 'object' && request.body !== null) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    if (method === 'GET' || method === 'HEAD') warning('request.body', `${method} requests usually carry no body; servers and proxies may drop it (use POST, PUT or PATCH)`);
  }

  // Status
  let status = ANY_2XX;
  if (typeof expect.status === 'number') status = [expect.status];
  else if (Array.isArray(expect.status)) status = [...expect.status];

  // Header assertions
  const headerAssertions: Assertion[] = [];
  if (isPlainObject(expect.headers)) {
    for (const [name, spec] of Object.entries(expect.headers)) {
      const field = joinPath('expect.headers', pathKey(name));
      if (!TOKEN.test(name)) error(field, `"${name}" is not a valid header name`);
      const lower = name.toLowerCase();
      if (typeof spec === 'string') {
        headerAssertions.push(makeAssertion('header', 'eq', lower, true, spec));
      } else if (isPlainObject(spec) && typeof spec.op === 'string') {
        const op = spec.op as AssertionOp;
        const hasValue = 'value' in spec;
        const problem = assertionValueProblem('header', op, hasValue, spec.value);
        if (problem) error(joinPath(field, problem.field), problem.message);
        else {
          const a = makeAssertion('header', op, lower, hasValue, spec.value);
          const refused = runnerProblem(a);
          if (refused) error(field, refused);
          else headerAssertions.push(a);
        }
      }
    }
  }

  // Body assertions
  const bodyAssertions: Assertion[] = [];
  if (Array.isArray(expect.body)) {
    expect.body.forEach((a, i) => {
      if (!isPlainObject(a) || typeof a.op !== 'string') return;
      const field = joinPath('expect.body', `[${i}]`);
      const source = a.source === 'text' ? 'text' : 'json';
      const hasValue = 'value' in a;
      let ok = true;
      if (source === 'json') {
        if (typeof a.path !== 'string') {
          error(joinPath(field, 'path'), 'is required for JSON assertions (e.g. "$.items[0].price"); use source: text to assert on the raw body');
          ok = false;
        } else {
          const p = jsonPathProblem(a.path);
          if (p) {
            error(joinPath(field, 'path'), p);
            ok = false;
          }
        }
      } else if (a.path !== undefined) {
        error(joinPath(field, 'path'), 'text assertions apply to the whole body and take no path');
        ok = false;
      }
      const problem = assertionValueProblem(source, a.op as AssertionOp, hasValue, a.value);
      if (problem) {
        error(joinPath(field, problem.field), problem.message);
        ok = false;
      }
      if (!ok) return;
      const built = makeAssertion(source, a.op as AssertionOp, source === 'json' ? (a.path as string) : undefined, hasValue, a.value);
      const refused = runnerProblem(built);
      if (refused) error(field, refused);
      else bodyAssertions.push(built);
    });
  }

  // Thresholds: effective values mix the check's and the defaults'.
  const timeoutMs = typeof c.timeoutMs === 'number' ? c.timeoutMs : ctx.defaults.timeoutMs;
  const maxMs = typeof expect.maxResponseTimeMs === 'number' ? expect.maxResponseTimeMs : ctx.defaults.maxResponseTimeMs;
  const degradedMs = typeof expect.degradedResponseTimeMs === 'number' ? expect.degradedResponseTimeMs : ctx.defaults.degradedResponseTimeMs;
  if (maxMs !== undefined && degradedMs !== undefined && degradedMs >= maxMs) {
    const own = typeof expect.degradedResponseTimeMs === 'number' ? 'expect.degradedResponseTimeMs' : 'expect.maxResponseTimeMs';
    const from = (own === 'expect.degradedResponseTimeMs') === (typeof expect.maxResponseTimeMs === 'number') ? '' : ' (the other one comes from defaults)';
    error(own, `degradedResponseTimeMs (${degradedMs}) must be below maxResponseTimeMs (${maxMs})${from}: degraded is the warning level before failing`);
  }
  if (maxMs !== undefined && maxMs > timeoutMs) {
    warning(typeof expect.maxResponseTimeMs === 'number' ? 'expect.maxResponseTimeMs' : 'timeoutMs', `maxResponseTimeMs (${maxMs}) is above timeoutMs (${timeoutMs}): a slow response times out before it can breach the SLA`);
  }

  // Schedule and locations
  if (typeof c.schedule === 'string') {
    const p = cronProblem(c.schedule);
    if (p) error('schedule', p);
  }
  if (Array.isArray(c.locations) && ctx.knownLocations) {
    c.locations.forEach((l, i) => {
      if (typeof l === 'string' && !ctx.knownLocations?.includes(l)) {
        error(`locations[${i}]`, `unknown location "${l}"${didYouMean(l, ctx.knownLocations ?? [])}; observer.config.ts locations are ${ctx.knownLocations?.join(', ')}`);
      }
    });
  }

  // Response schema
  let schema: BundledSchema | undefined;
  if (expect.schema !== undefined && (typeof expect.schema === 'string' ? expect.schema !== '' : isPlainObject(expect.schema) || typeof expect.schema === 'boolean')) {
    const from = { file: ctx.file, path: at('expect.schema') };
    const loaded =
      typeof expect.schema === 'string'
        ? await ctx.schemas.fromFile(path.resolve(path.dirname(ctx.file), expect.schema), from)
        : await ctx.schemas.inline(expect.schema, from);
    for (const p of loaded.problems) {
      const where = p.line !== undefined ? { line: p.line } : undefined;
      if (p.severity === 'warning') ctx.report.warning(p.file, p.path, p.message, where);
      else {
        errors++;
        ctx.report.error(p.file, p.path, p.message, where);
      }
    }
    schema = loaded.schema;
  }

  if (errors > 0 || !url || typeof c.id !== 'string') return undefined;
  return {
    kind: 'api',
    id: c.id,
    name: typeof c.name === 'string' ? c.name : c.id,
    file: ctx.file,
    request: { method, url, headers, ...(body !== undefined ? { body } : {}) },
    expect: {
      status,
      headers: headerAssertions,
      body: bodyAssertions,
      ...(schema ? { schema } : {}),
      ...(maxMs !== undefined ? { maxResponseTimeMs: maxMs } : {}),
      ...(degradedMs !== undefined ? { degradedResponseTimeMs: degradedMs } : {}),
    },
    retries: typeof c.retries === 'number' ? c.retries : ctx.defaults.retries,
    timeoutMs,
    maxBodyBytes: typeof c.maxBodyBytes === 'number' ? c.maxBodyBytes : ctx.defaults.maxBodyBytes,
    tags: Array.isArray(c.tags) ? [...c.tags] : [],
    ...(typeof c.schedule === 'string' ? { schedule: c.schedule.trim() } : {}),
    ...(Array.isArray(c.locations) ? { locations: [...c.locations] } : {}),
  };
}

/**
 * Absolute http(s) URLs as they are; relative ones (`/api/x` or `api/x`) are appended to the base
 * URL, path included: base `https://x.test/shop` + `/api/health` → `https://x.test/shop/api/health`.
 */
export function resolveUrl(text: string, baseUrl: string | undefined, baseUrlSource: string): { url: string } | { error: string; relative: boolean } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      return { error: `"${text}" is not a valid URL`, relative: false };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `must be an http(s) URL (got ${u.protocol.slice(0, -1)}:)`, relative: false };
    return { url: u.href };
  }
  if (!baseUrl) {
    return { error: `"${text}" is relative but no base URL is set: add environments.<name>.baseUrl to observer.config.ts, set OBSERVER_BASE_URL, or use an absolute URL`, relative: true };
  }
  let base: URL;
  try {
    base = new URL(baseUrl.endsWith('/') ? baseUrl : baseUrl + '/');
  } catch {
    return { error: `cannot resolve "${text}": ${baseUrlSource} "${baseUrl}" is not a valid URL`, relative: true };
  }
  try {
    return { url: new URL(text.replace(/^\/+/, ''), base).href };
  } catch {
    return { error: `"${text}" is not a valid URL path`, relative: true };
  }
}
