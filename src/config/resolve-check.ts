/**
 * One raw check (already `${env:...}`-interpolated) → a resolved ApiCheckDefinition: schema
 * validation, then the rules a schema cannot say (URL resolution, header names, assertion values,
 * thresholds, cron), then defaults. Every problem is reported; a definition is returned only when
 * the check has no error.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { ApiCheckDefinition, Assertion, AssertionOp, CertificateThresholds, OpenApiContract, RedirectPolicy } from '../model/monitor.js';
import { createConfigAjv, validateWith } from './ajv-errors.js';
import { assertionValueProblem, jsonPathProblem, makeAssertion, runnerProblem } from './assertions.js';
import { cronProblem } from './cron.js';
import { joinPath, pathKey } from './diagnostics.js';
import { isPlainObject } from './interpolate.js';
import type { BundledSchema, SchemaLoader } from './json-schema.js';
import { OpenApiSpecs } from './openapi-specs.js';
import { checkSchema } from './schemas.js';
import { didYouMean } from './suggest.js';
import type { ApiCheckInput, CertificateInput, ResolvedDefaults } from './types.js';

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
  /** OpenAPI descriptions of contract checks, loaded once per configuration load (a fresh cache when absent). */
  specs?: OpenApiSpecs;
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

/** Where one check's problems go: paths relative to the check, counted so the caller knows if any was an error. */
export class Sink {
  errors = 0;
  constructor(private readonly ctx: ResolveCheckContext) {}

  at(p: string): string {
    return joinPath(this.ctx.fieldPrefix, p);
  }

  error(p: string, message: string, locate?: string): void {
    this.errors++;
    this.ctx.report.error(this.ctx.file, this.at(p), message, locate !== undefined ? { locate: this.at(locate) } : undefined);
  }

  warning(p: string, message: string): void {
    this.ctx.report.warning(this.ctx.file, this.at(p), message);
  }
}

export type RequestInput = Partial<ApiCheckInput['request']>;
export type ExpectInput = NonNullable<ApiCheckInput['expect']>;

/** An API check (`kind: api` or no kind); see resolve-monitor.ts for the other kinds. */
export async function resolveApiCheck(raw: Record<string, unknown>, ctx: ResolveCheckContext, sink = new Sink(ctx)): Promise<ApiCheckDefinition | undefined> {
  for (const p of validateWith(validator(), raw)) sink.error(p.path, p.message, p.locate);
  // Past the schema the shape is trusted only where it validated: the rules below guard their types.
  const c = raw as Partial<ApiCheckInput> & Record<string, unknown>;
  const request: RequestInput | undefined = isPlainObject(c.request) ? (c.request as RequestInput) : undefined;
  const expect: ExpectInput = isPlainObject(c.expect) ? (c.expect as ExpectInput) : {};

  const url = request ? resolveRequestUrl(request, ctx, sink) : undefined;
  const { method, headers, body } = resolveRequestParts(request, sink);
  const redirects = resolveRedirects(request, method);
  const certificate = resolveCertificate(c.certificate, sink);
  const headerAssertions = resolveHeaderAssertions(expect, sink);
  const bodyAssertions = resolveBodyAssertions(expect, sink);
  const timeoutMs = typeof c.timeoutMs === 'number' ? c.timeoutMs : ctx.defaults.timeoutMs;
  const { maxMs, degradedMs } = resolveThresholds(expect, timeoutMs, ctx, sink);
  checkScheduleAndLocations(c, ctx, sink);
  const schema = await resolveSchema(expect, ctx, sink);
  const openapi = await resolveOpenApi(expect, ctx, sink, { method, url });

  if (sink.errors > 0 || !url || typeof c.id !== 'string') return undefined;
  return {
    kind: 'api',
    id: c.id,
    name: typeof c.name === 'string' ? c.name : c.id,
    file: ctx.file,
    request: { method, url, headers, ...(body !== undefined ? { body } : {}) },
    ...(redirects ? { redirects } : {}),
    ...(certificate ? { certificate } : {}),
    expect: {
      status: typeof expect.status === 'number' ? [expect.status] : Array.isArray(expect.status) ? [...expect.status] : ANY_2XX,
      headers: headerAssertions,
      body: bodyAssertions,
      ...(schema ? { schema } : {}),
      ...(openapi ? { openapi } : {}),
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

export function resolveRequestUrl(request: RequestInput, ctx: ResolveCheckContext, sink: Sink, field = 'request.url'): string | undefined {
  if (typeof request.url !== 'string' || !request.url) return undefined;
  const r = resolveUrl(request.url, ctx.baseUrl, ctx.baseUrlSource);
  if ('url' in r) return r.url;
  // With a broken base URL (already reported) a relative URL's error would only repeat it.
  if (r.relative && ctx.baseUrlBroken) sink.errors++;
  else sink.error(field, r.error);
  return undefined;
}

/** Method (default GET), lower-cased header names, the body serialized (objects as JSON with a content-type). */
export function resolveRequestParts(request: RequestInput | undefined, sink: Sink): { method: string; headers: Record<string, string>; body?: string } {
  const method = request && typeof request.method === 'string' ? request.method : 'GET';
  const headers: Record<string, string> = {};
  if (request && isPlainObject(request.headers)) {
    for (const [name, value] of Object.entries(request.headers)) {
      const field = joinPath('request.headers', pathKey(name));
      if (!TOKEN.test(name)) sink.error(field, `"${name}" is not a valid header name`);
      const lower = name.toLowerCase();
      if (lower in headers) sink.error(field, `header "${lower}" is set twice (header names are case-insensitive)`);
      if (typeof value !== 'string') continue;
      if (/[\r\n]/.test(value)) sink.error(field, 'header values cannot contain line breaks');
      headers[lower] = value;
    }
  }
  let body: string | undefined;
  if (request && request.body !== undefined) {
    if (typeof request.body === 'string') body = request.body;
    else if (typeof request.body === 'object' && request.body !== null) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    if (method === 'GET' || method === 'HEAD') sink.warning('request.body', `${method} requests usually carry no body; servers and proxies may drop it (use POST, PUT or PATCH)`);
  }
  return { method, headers, ...(body !== undefined ? { body } : {}) };
}

/** `name: "exact"` or `name: { op, value }` → header assertions on lower-cased names. */
export function resolveHeaderAssertions(expect: ExpectInput, sink: Sink): Assertion[] {
  const out: Assertion[] = [];
  if (!isPlainObject(expect.headers)) return out;
  for (const [name, spec] of Object.entries(expect.headers)) {
    const field = joinPath('expect.headers', pathKey(name));
    if (!TOKEN.test(name)) sink.error(field, `"${name}" is not a valid header name`);
    const lower = name.toLowerCase();
    if (typeof spec === 'string') {
      out.push(makeAssertion('header', 'eq', lower, true, spec));
      continue;
    }
    if (!isPlainObject(spec) || typeof spec.op !== 'string') continue;
    const op = spec.op as AssertionOp;
    const hasValue = 'value' in spec;
    const problem = assertionValueProblem('header', op, hasValue, spec.value);
    if (problem) {
      sink.error(joinPath(field, problem.field), problem.message);
      continue;
    }
    const a = makeAssertion('header', op, lower, hasValue, spec.value);
    const refused = runnerProblem(a);
    if (refused) sink.error(field, refused);
    else out.push(a);
  }
  return out;
}

/** `{ path, op, value }` (JSON) or `{ source: text, op, value }` → body assertions. */
export function resolveBodyAssertions(expect: ExpectInput, sink: Sink): Assertion[] {
  const out: Assertion[] = [];
  if (!Array.isArray(expect.body)) return out;
  expect.body.forEach((a, i) => {
    if (!isPlainObject(a) || typeof a.op !== 'string') return;
    const field = joinPath('expect.body', `[${i}]`);
    const source = a.source === 'text' ? 'text' : 'json';
    const hasValue = 'value' in a;
    let ok = true;
    if (source === 'json') {
      if (a.path !== undefined && typeof a.path !== 'string') return; // the schema reported its type
      const p = typeof a.path === 'string' ? jsonPathProblem(a.path) : 'is required for JSON assertions (e.g. "$.items[0].price"); use source: text to assert on the raw body';
      if (p) {
        sink.error(joinPath(field, 'path'), p);
        ok = false;
      }
    } else if (a.path !== undefined) {
      sink.error(joinPath(field, 'path'), 'text assertions apply to the whole body and take no path');
      ok = false;
    }
    const problem = assertionValueProblem(source, a.op as AssertionOp, hasValue, a.value);
    if (problem) {
      sink.error(joinPath(field, problem.field), problem.message);
      ok = false;
    }
    if (!ok) return;
    const built = makeAssertion(source, a.op as AssertionOp, source === 'json' ? (a.path as string) : undefined, hasValue, a.value);
    const refused = runnerProblem(built);
    if (refused) sink.error(field, refused);
    else out.push(built);
  });
  return out;
}

/** Effective thresholds mix the check's and the defaults'; degraded must stay below max. */
export function resolveThresholds(expect: ExpectInput, timeoutMs: number, ctx: ResolveCheckContext, sink: Sink): { maxMs?: number; degradedMs?: number } {
  const ownMax = typeof expect.maxResponseTimeMs === 'number';
  const ownDegraded = typeof expect.degradedResponseTimeMs === 'number';
  const maxMs = ownMax ? expect.maxResponseTimeMs : ctx.defaults.maxResponseTimeMs;
  const degradedMs = ownDegraded ? expect.degradedResponseTimeMs : ctx.defaults.degradedResponseTimeMs;
  if (maxMs !== undefined && degradedMs !== undefined && degradedMs >= maxMs) {
    const field = ownDegraded ? 'expect.degradedResponseTimeMs' : 'expect.maxResponseTimeMs';
    const mixed = ownDegraded !== ownMax ? ' (the other one comes from defaults)' : '';
    sink.error(field, `degradedResponseTimeMs (${degradedMs}) must be below maxResponseTimeMs (${maxMs})${mixed}: degraded is the warning level before failing`);
  }
  if (maxMs !== undefined && maxMs > timeoutMs) {
    sink.warning(ownMax ? 'expect.maxResponseTimeMs' : 'timeoutMs', `maxResponseTimeMs (${maxMs}) is above timeoutMs (${timeoutMs}): a slow response times out before it can breach the SLA`);
  }
  return { ...(maxMs !== undefined ? { maxMs } : {}), ...(degradedMs !== undefined ? { degradedMs } : {}) };
}

export function checkScheduleAndLocations(c: Partial<ApiCheckInput>, ctx: ResolveCheckContext, sink: Sink): void {
  if (typeof c.schedule === 'string') {
    const p = cronProblem(c.schedule);
    if (p) sink.error('schedule', p);
  }
  const known = ctx.knownLocations;
  if (!Array.isArray(c.locations) || !known) return;
  c.locations.forEach((l, i) => {
    if (typeof l === 'string' && !known.includes(l)) {
      sink.error(`locations[${i}]`, `unknown location "${l}"${didYouMean(l, known)}; observer.config.ts locations are ${known.join(', ')}`);
    }
  });
}

/** A schema file (relative to the check file) or an inline schema → a bundle with its cache key. */
export async function resolveSchema(expect: ExpectInput, ctx: ResolveCheckContext, sink: Sink): Promise<BundledSchema | undefined> {
  const s = expect.schema;
  const usable = typeof s === 'string' ? s !== '' : isPlainObject(s) || typeof s === 'boolean';
  if (!usable) return undefined;
  const from = { file: ctx.file, path: sink.at('expect.schema') };
  const loaded = typeof s === 'string' ? await ctx.schemas.fromFile(path.resolve(path.dirname(ctx.file), s), from) : await ctx.schemas.inline(s, from);
  for (const p of loaded.problems) {
    const where = p.line !== undefined ? { line: p.line } : undefined;
    if (p.severity === 'warning') ctx.report.warning(p.file, p.path, p.message, where);
    else {
      sink.errors++;
      ctx.report.error(p.file, p.path, p.message, where);
    }
  }
  return loaded.schema;
}

const fallbackSpecs = new WeakMap<SchemaLoader, OpenApiSpecs>();

/**
 * `expect.openapi` → the operation's documented responses, their schemas ready for the compile cache.
 * The description is loaded once per configuration load; its problems are reported under its own name,
 * an unknown operation (or a request no operation documents) under the check's field.
 */
export async function resolveOpenApi(expect: ExpectInput, ctx: ResolveCheckContext, sink: Sink, request: { method: string; url?: string }): Promise<OpenApiContract | undefined> {
  const o = expect.openapi;
  if (!isPlainObject(o) || typeof o.spec !== 'string' || o.spec === '') return undefined;
  let specs = ctx.specs ?? fallbackSpecs.get(ctx.schemas);
  if (!specs) fallbackSpecs.set(ctx.schemas, (specs = new OpenApiSpecs(process.cwd())));
  const file = path.resolve(path.dirname(ctx.file), o.spec);
  const loaded = await specs.load(file);
  if (!loaded.ok) {
    const { error } = loaded;
    for (const p of error.problems) ctx.report.error(p.file ?? error.file, p.pointer ? `#${p.pointer}` : '', p.message);
    const n = error.problems.length;
    sink.error('expect.openapi.spec', `${o.spec} is not a usable OpenAPI description (${n} problem${n === 1 ? '' : 's'}, listed under ${error.file}); expected an OpenAPI 3.x or Swagger 2.0 document`);
    return undefined;
  }
  const { api, matcher } = loaded;
  const label = specs.relative(file);
  let op;
  if (typeof o.operation === 'string' && o.operation !== '') {
    const want = o.operation.trim();
    const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(want);
    op = api.operations.find((x) => x.operationId === want);
    if (!op && m) {
      const method = m[1]!.toUpperCase();
      op = api.operations.find((x) => x.method === method && (x.path === m[2] || x.fullPath === m[2] || x.basePaths.some((b) => b + x.path === m[2])));
    }
    if (!op) {
      const known = api.operations.flatMap((x) => (x.operationId ? [x.operationId, x.key] : [x.key]));
      const sample = api.operations.slice(0, 3).map((x) => (x.operationId ? `"${x.operationId}"` : `"${x.key}"`));
      sink.error('expect.openapi.operation', `no operation "${want}" in ${label}${didYouMean(want, known)}; expected an operationId or "METHOD /path" of the description (${api.operations.length} operation${api.operations.length === 1 ? '' : 's'}, such as ${sample.join(', ')})`);
      return undefined;
    }
  } else {
    if (!request.url) return undefined; // the URL's own error is reported
    op = request.url.includes('{{') ? undefined : matcher.match(request.method, request.url);
    if (!op) {
      const pathOnly = request.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') || '/';
      const bases = api.basePaths.filter((b) => b !== '');
      sink.error('expect.openapi', `no operation of ${label} matches ${request.method} ${pathOnly}${bases.length ? ` (its base paths: ${bases.join(', ')})` : ''}; name one with operation: an operationId or "METHOD /path"`);
      return undefined;
    }
  }
  if (op.deprecated) sink.warning('expect.openapi', `${op.key} is deprecated in ${label}`);
  return {
    spec: label,
    operation: op.key,
    responses: op.responses.map((r) => {
      if (r.schema === null || typeof r.schema !== 'object') return { status: r.status };
      const schema = r.schema as object;
      const key = `openapi:${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32)}`;
      return { status: r.status, schema: { key, schema } };
    }),
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

/** Default: follow for GET/HEAD (10 hops), not for other methods; returned only when set. */
export function resolveRedirects(request: RequestInput | undefined, method: string): RedirectPolicy | undefined {
  if (!request || (request.followRedirects === undefined && request.maxRedirects === undefined)) return undefined;
  const follow = typeof request.followRedirects === 'boolean' ? request.followRedirects : method === 'GET' || method === 'HEAD';
  return { follow, max: typeof request.maxRedirects === 'number' ? request.maxRedirects : 10 };
}

/** `certificate: { degradedDays, failedDays }` with defaults 14 / 7; failed must stay below degraded. */
export function resolveCertificate(input: unknown, sink: Sink, always = false): CertificateThresholds | undefined {
  if (!isPlainObject(input)) return always ? { degradedDays: 14, failedDays: 7 } : undefined;
  const c = input as CertificateInput;
  const degradedDays = typeof c.degradedDays === 'number' ? c.degradedDays : 14;
  const failedDays = typeof c.failedDays === 'number' ? c.failedDays : 7;
  if (failedDays > degradedDays) {
    sink.error(typeof c.failedDays === 'number' ? 'certificate.failedDays' : 'certificate.degradedDays', `failedDays (${failedDays}) must not be above degradedDays (${degradedDays}): degraded is the warning before failing`);
  }
  return { degradedDays, failedDays };
}
