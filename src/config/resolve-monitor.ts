/**
 * One raw check of any kind → its resolved definition. `kind` picks the schema and the rules
 * (`api` when absent, or `api-flow` for a check with `steps` and no `request`); an unknown kind is
 * an error listing the valid ones. Every kind shares the same diagnostics: file, field, expected.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type {
  ApiFlowDefinition,
  Assertion,
  AssertionOp,
  CheckCommon,
  CheckDefinition,
  DnsCheckDefinition,
  DnsRecordType,
  FlowCapture,
  FlowStepDefinition,
  HeartbeatDefinition,
  TcpCheckDefinition,
  TlsCheckDefinition,
} from '../model/monitor.js';
import { createConfigAjv, validateWith } from './ajv-errors.js';
import { assertionValueProblem, jsonPathProblem, makeAssertion, runnerProblem } from './assertions.js';
import { joinPath } from './diagnostics.js';
import { isPlainObject } from './interpolate.js';
import {
  checkScheduleAndLocations,
  resolveApiCheck,
  resolveBodyAssertions,
  resolveCertificate,
  resolveHeaderAssertions,
  resolveOpenApi,
  resolveRedirects,
  resolveRequestParts,
  resolveRequestUrl,
  resolveSchema,
  resolveThresholds,
  Sink,
  type ExpectInput,
  type RequestInput,
  type ResolveCheckContext,
} from './resolve-check.js';
import { CHECK_KINDS, dnsCheckSchema, flowCheckSchema, heartbeatCheckSchema, tcpCheckSchema, tlsCheckSchema, type CheckKind } from './schemas.js';
import { didYouMean } from './suggest.js';
import type { FlowStepInput } from './types.js';

type OtherKind = Exclude<CheckKind, 'api'>;
type Raw = Record<string, unknown>;

const SCHEMAS: Record<OtherKind, object> = {
  'api-flow': flowCheckSchema,
  dns: dnsCheckSchema,
  tcp: tcpCheckSchema,
  tls: tlsCheckSchema,
  heartbeat: heartbeatCheckSchema,
};

const RESOLVERS: { [K in OtherKind]: (raw: Raw, ctx: ResolveCheckContext, sink: Sink, common: CheckCommon) => Promise<CheckDefinition | undefined> } = {
  'api-flow': resolveFlow,
  dns: async (raw, _ctx, sink, common) => resolveDns(raw, sink, common),
  tcp: async (raw, _ctx, sink, common) => resolveTcp(raw, sink, common),
  tls: resolveTls,
  heartbeat: async (raw, _ctx, sink, common) => resolveHeartbeat(raw, sink, common),
};

const validators = new Map<OtherKind, ValidateFunction>();
function validator(kind: OtherKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    v = createConfigAjv().compile(SCHEMAS[kind]);
    validators.set(kind, v);
  }
  return v;
}

export async function resolveCheck(raw: unknown, ctx: ResolveCheckContext): Promise<CheckDefinition | undefined> {
  const sink = new Sink(ctx);
  if (!isPlainObject(raw)) {
    sink.error('', `a check must be an object with id and request (got ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw})`);
    return undefined;
  }
  const kind = raw.kind ?? ('steps' in raw && !('request' in raw) ? 'api-flow' : 'api');
  if (kind === 'api') return resolveApiCheck(raw, ctx, sink);
  if (typeof kind !== 'string' || !(CHECK_KINDS as readonly string[]).includes(kind)) {
    sink.error('kind', `unknown kind ${JSON.stringify(kind)}${typeof kind === 'string' ? didYouMean(kind, CHECK_KINDS) : ''}; expected one of ${CHECK_KINDS.join(', ')}`);
    return undefined;
  }
  const k = kind as OtherKind;
  for (const p of validateWith(validator(k), raw)) sink.error(p.path, p.message, p.locate);
  checkScheduleAndLocations(raw, ctx, sink);
  const common: CheckCommon = {
    id: typeof raw.id === 'string' ? raw.id : '',
    name: typeof raw.name === 'string' ? raw.name : typeof raw.id === 'string' ? raw.id : '',
    file: ctx.file,
    retries: typeof raw.retries === 'number' ? raw.retries : ctx.defaults.retries,
    timeoutMs: typeof raw.timeoutMs === 'number' ? raw.timeoutMs : ctx.defaults.timeoutMs,
    tags: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [],
    ...(typeof raw.schedule === 'string' ? { schedule: raw.schedule.trim() } : {}),
    ...(Array.isArray(raw.locations) ? { locations: raw.locations.filter((l): l is string => typeof l === 'string') } : {}),
  };
  const def = await RESOLVERS[k](raw, ctx, sink, common);
  return sink.errors > 0 || !common.id ? undefined : def;
}

/** Response-time thresholds of a probe, degraded below max. */
function thresholds(expect: Raw, sink: Sink): { maxResponseTimeMs?: number; degradedResponseTimeMs?: number } {
  const max = typeof expect.maxResponseTimeMs === 'number' ? expect.maxResponseTimeMs : undefined;
  const degraded = typeof expect.degradedResponseTimeMs === 'number' ? expect.degradedResponseTimeMs : undefined;
  if (max !== undefined && degraded !== undefined && degraded >= max) {
    sink.error('expect.degradedResponseTimeMs', `degradedResponseTimeMs (${degraded}) must be below maxResponseTimeMs (${max}): degraded is the warning level before failing`);
  }
  return { ...(max !== undefined ? { maxResponseTimeMs: max } : {}), ...(degraded !== undefined ? { degradedResponseTimeMs: degraded } : {}) };
}

function resolveDns(raw: Raw, sink: Sink, common: CheckCommon): DnsCheckDefinition | undefined {
  const query = isPlainObject(raw.query) ? raw.query : {};
  const expect = isPlainObject(raw.expect) ? raw.expect : {};
  const name = typeof query.name === 'string' ? query.name.trim().replace(/\.$/, '') : '';
  if (name && !/^[A-Za-z0-9_*]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/.test(name)) {
    sink.error('query.name', `"${name}" is not a valid DNS name (labels of letters, digits, "-" and "_" separated by ".")`);
  }
  let resolver: string | undefined;
  if (typeof query.resolver === 'string') {
    resolver = query.resolver.trim();
    const m = /^\[([^\]]+)\](?::(\d+))?$|^([^:]+)(?::(\d+))?$|^([0-9a-fA-F:]+)$/.exec(resolver);
    const host = m?.[1] ?? m?.[3] ?? m?.[5];
    const port = m?.[2] ?? m?.[4];
    if (!host || !net.isIP(host) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      sink.error('query.resolver', `"${resolver}" is not a resolver address: expected an IP address, optionally with a port (127.0.0.1:5353, [::1]:53)`);
    }
  }
  const answers: Assertion[] = [];
  if (Array.isArray(expect.answers)) {
    expect.answers.forEach((a, i) => {
      if (!isPlainObject(a) || typeof a.op !== 'string') return;
      const field = joinPath('expect.answers', `[${i}]`);
      const p = typeof a.path === 'string' ? a.path : '$';
      const pathProblem = jsonPathProblem(p);
      if (pathProblem) return sink.error(joinPath(field, 'path'), pathProblem);
      const problem = assertionValueProblem('json', a.op as AssertionOp, 'value' in a, a.value);
      if (problem) return sink.error(joinPath(field, problem.field), problem.message);
      const built = makeAssertion('json', a.op as AssertionOp, p, 'value' in a, a.value);
      const refused = runnerProblem(built);
      if (refused) sink.error(field, refused);
      else answers.push(built);
    });
  }
  return {
    ...common,
    kind: 'dns',
    query: name,
    recordType: (typeof query.type === 'string' ? query.type : 'A') as DnsRecordType,
    ...(resolver ? { resolver } : {}),
    expect: { answers, ...thresholds(expect, sink) },
  };
}

function resolveTcp(raw: Raw, sink: Sink, common: CheckCommon): TcpCheckDefinition | undefined {
  const expect = isPlainObject(raw.expect) ? raw.expect : {};
  let banner: string | undefined;
  if (typeof expect.banner === 'string') {
    try {
      new RegExp(expect.banner);
      banner = expect.banner;
    } catch (err) {
      sink.error('expect.banner', `not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const host = typeof raw.host === 'string' ? hostProblem(raw.host, sink) : '';
  return {
    ...common,
    kind: 'tcp',
    host,
    port: portOf(raw.port, 0, sink),
    ...(typeof raw.send === 'string' ? { send: raw.send } : {}),
    expect: { ...(banner !== undefined ? { banner } : {}), ...thresholds(expect, sink) },
  };
}

async function resolveTls(raw: Raw, ctx: ResolveCheckContext, sink: Sink, common: CheckCommon): Promise<TlsCheckDefinition | undefined> {
  const host = typeof raw.host === 'string' ? hostProblem(raw.host, sink) : '';
  let ca: string | undefined;
  let caFile: string | undefined;
  if (typeof raw.ca === 'string' && raw.ca) {
    caFile = path.resolve(path.dirname(ctx.file), raw.ca);
    try {
      ca = await fs.readFile(caFile, 'utf8');
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) sink.error('ca', `${raw.ca}: not a PEM certificate file (no "-----BEGIN CERTIFICATE-----")`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      sink.error('ca', code === 'ENOENT' ? `CA file not found: ${raw.ca} (relative to the check file)` : `cannot read the CA file ${raw.ca}: ${(err as Error).message}`);
    }
  }
  return {
    ...common,
    kind: 'tls',
    host,
    port: portOf(raw.port, 443, sink),
    servername: typeof raw.servername === 'string' ? raw.servername : host,
    ...(ca !== undefined ? { ca } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    certificate: resolveCertificate(raw.certificate, sink, true)!,
    minProtocol: raw.minProtocol === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2',
  };
}

function resolveHeartbeat(raw: Raw, sink: Sink, common: CheckCommon): HeartbeatDefinition | undefined {
  const periodMs = typeof raw.periodMs === 'number' ? raw.periodMs : 0;
  const graceMs = typeof raw.graceMs === 'number' ? raw.graceMs : Math.max(1_000, Math.round(periodMs / 5));
  if (typeof raw.token === 'string' && raw.token.length < 16) {
    sink.error('token', `must be a secret of at least 16 characters (got ${raw.token.length}; use \${env:NAME})`);
  }
  if (common.schedule === undefined) {
    sink.warning('schedule', 'a heartbeat without a schedule is never evaluated by the daemon: set one at least as frequent as periodMs');
  }
  return { ...common, kind: 'heartbeat', retries: 0, periodMs, graceMs, token: typeof raw.token === 'string' ? raw.token : '' };
}

/** A validated port (number, or digits from `${env:...}`); out of range is an error. */
function portOf(value: unknown, fallback: number, sink: Sink): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (typeof value === 'string' && /^[0-9]{1,5}$/.test(value) && (n < 1 || n > 65535)) sink.error('port', `must be a port number (1-65535) (got ${value})`);
  return Number.isInteger(n) ? n : 0;
}

/** `host` for sockets: a name or an IP (brackets of an IPv6 literal dropped), no scheme or port. */
function hostProblem(text: string, sink: Sink): string {
  const host = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(host)) return host;
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host)) {
    sink.error('host', `"${text}" is not a host name or IP address${/[:/]/.test(host) ? ' (give the port in `port`, without a scheme)' : ''}`);
  }
  return host;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Multi-step checks: each step resolved like an API check, `{{name}}` checked against earlier captures. */
async function resolveFlow(raw: Raw, ctx: ResolveCheckContext, sink: Sink, common: CheckCommon): Promise<ApiFlowDefinition | undefined> {
  const steps: FlowStepDefinition[] = [];
  const captured = new Map<string, number>();
  const names = new Set<string>();
  const list = Array.isArray(raw.steps) ? raw.steps : [];
  for (const [i, item] of list.entries()) {
    if (!isPlainObject(item)) continue;
    const s = item as Partial<FlowStepInput> & Raw;
    const stepSink = new Sink({ ...ctx, fieldPrefix: joinPath(ctx.fieldPrefix, `steps[${i}]`) });
    if (typeof s.name === 'string') {
      if (names.has(s.name)) stepSink.error('name', `step name "${s.name}" is used twice; step names must be unique within the flow`);
      names.add(s.name);
    }
    const request: RequestInput | undefined = isPlainObject(s.request) ? (s.request as RequestInput) : undefined;
    const expect: ExpectInput = isPlainObject(s.expect) ? (s.expect as ExpectInput) : {};
    // Placeholders must name a value captured by an earlier step.
    for (const [field, text] of placeholderFields(request)) {
      for (const m of text.matchAll(PLACEHOLDER)) {
        if (!captured.has(m[1]!)) {
          const known = [...captured.keys()];
          stepSink.error(field, `{{${m[1]}}} is not captured by an earlier step${known.length ? `${didYouMean(m[1]!, known)}; captured so far: ${known.join(', ')}` : ' (no step before it captures anything)'}`);
        }
      }
    }
    const url = request ? resolveTemplateUrl(request, ctx, stepSink) : undefined;
    const { method, headers, body } = resolveRequestParts(request, stepSink);
    const headerAssertions = resolveHeaderAssertions(expect, stepSink);
    const bodyAssertions = resolveBodyAssertions(expect, stepSink);
    const { maxMs, degradedMs } = resolveThresholds(expect, common.timeoutMs, ctx, stepSink);
    const schema = await resolveSchema(expect, ctx, stepSink);
    const openapi = await resolveOpenApi(expect, ctx, stepSink, { method, ...(url ? { url } : {}) });
    const captures = resolveCaptures(s.capture, stepSink);
    for (const c of captures) captured.set(c.name, i);
    const redirects = resolveRedirects(request, method);
    sink.errors += stepSink.errors;
    if (stepSink.errors > 0 || !url || typeof s.name !== 'string') continue;
    steps.push({
      name: s.name,
      ...(url.startsWith('{{') && ctx.baseUrl ? { baseUrl: ctx.baseUrl } : {}),
      request: { method, url, headers, ...(body !== undefined ? { body } : {}) },
      expect: {
        status: typeof expect.status === 'number' ? [expect.status] : Array.isArray(expect.status) ? [...expect.status] : Array.from({ length: 100 }, (_, k) => 200 + k),
        headers: headerAssertions,
        body: bodyAssertions,
        ...(schema ? { schema } : {}),
        ...(openapi ? { openapi } : {}),
        ...(maxMs !== undefined ? { maxResponseTimeMs: maxMs } : {}),
        ...(degradedMs !== undefined ? { degradedResponseTimeMs: degradedMs } : {}),
      },
      captures,
      cleanup: s.cleanup === true,
      ...(redirects ? { redirects } : {}),
    });
  }
  return {
    ...common,
    kind: 'api-flow',
    steps,
    maxBodyBytes: typeof raw.maxBodyBytes === 'number' ? raw.maxBodyBytes : ctx.defaults.maxBodyBytes,
    cookies: raw.cookies !== false,
  };
}

function* placeholderFields(request: RequestInput | undefined): Generator<[string, string]> {
  if (!request) return;
  if (typeof request.url === 'string') yield ['request.url', request.url];
  if (isPlainObject(request.headers)) {
    for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') yield [joinPath('request.headers', k), v];
  }
  if (request.body !== undefined) yield ['request.body', typeof request.body === 'string' ? request.body : JSON.stringify(request.body)];
}

/**
 * Resolve a URL that may hold `{{name}}`: checked with stand-ins, the placeholders kept as written.
 * A URL that starts with a placeholder (`{{next}}`, a captured Location) is kept as written and
 * resolved against the base URL once filled.
 */
function resolveTemplateUrl(request: RequestInput, ctx: ResolveCheckContext, sink: Sink): string | undefined {
  if (typeof request.url !== 'string') return undefined;
  if (/^\{\{/.test(request.url.trim())) return request.url.trim();
  const names: string[] = [];
  const stand = request.url.replace(PLACEHOLDER, (_m, n: string) => `obsplaceholder${names.push(n) - 1}x`);
  const url = resolveRequestUrl({ ...request, url: stand }, ctx, sink);
  return url?.replace(/obsplaceholder(\d+)x/g, (_m, i: string) => `{{${names[Number(i)]}}}`);
}

function resolveCaptures(input: unknown, sink: Sink): FlowCapture[] {
  const out: FlowCapture[] = [];
  if (!isPlainObject(input)) return out;
  for (const [name, spec] of Object.entries(input)) {
    if (!isPlainObject(spec)) continue;
    const field = joinPath('capture', name);
    const [source, value] = Object.entries(spec)[0] ?? [];
    if (typeof value !== 'string') continue;
    if (source === 'json') {
      const p = jsonPathProblem(value);
      if (p) sink.error(joinPath(field, 'json'), p);
      else out.push({ name, source: 'json', path: value });
    } else if (source === 'header') out.push({ name, source: 'header', path: value.toLowerCase() });
    else if (source === 'cookie') out.push({ name, source: 'cookie', path: value });
    else if (source === 'regex') {
      try {
        new RegExp(value);
        out.push({ name, source: 'regex', pattern: value });
      } catch (err) {
        sink.error(joinPath(field, 'regex'), `not a valid regular expression: ${(err as Error).message}`);
      }
    }
  }
  return out;
}
