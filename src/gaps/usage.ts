/**
 * Production usage per API operation, from access logs: requests, status classes, latency (p99),
 * the parameter values seen (most common first), the values behind 5xx answers, and 5xx signatures
 * with when they first and last appeared. Requests that match no operation are grouped into
 * undocumented route templates. Memory grows with the number of operations and templates (bounded),
 * never with the number of lines. Lines that do not parse are counted and sampled, never fatal.
 */
import path from 'node:path';
import { RequestAggregate } from '../sources/access-log/aggregate.js';
import { createRequestParser, logTimeMs, type RequestSink } from '../sources/access-log/parse.js';
import { readNewLines } from '../sources/access-log/reader.js';
import { isSecretQueryParam } from '../runtime/redact.js';
import type { AccessLogSourceConfig } from '../sources/types.js';
import { UndocumentedRoutes } from './match.js';
import type { ApiOperation } from './openapi.js';

/** Finds the operation a concrete request is for (src/gaps/match.ts implements it). */
export interface OperationLookup {
  match(method: string, urlOrPath: string): ApiOperation | undefined;
}

/** One access log to read. */
export interface LogInput {
  /** Absolute path. */
  file: string;
  format: AccessLogSourceConfig['format'];
  fields?: AccessLogSourceConfig['fields'];
  requestTimeUnit?: AccessLogSourceConfig['requestTimeUnit'];
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx';

/** A 5xx status on one route: when it first and last appeared, how often. */
export interface ErrorSignature {
  status: number;
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** What production did with one operation (or one undocumented route template). */
export interface RouteUsage {
  /** `GET /api/products/{id}` (the operation's key, or the undocumented template). */
  key: string;
  method: string;
  /** Template path: the operation's full path, or the undocumented route with `{id}` for folded segments. */
  path: string;
  operation?: ApiOperation;
  requests: number;
  statusClasses: Record<StatusClass, number>;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Parameter name (path and query) → value → count; at most `MAX_VALUES` distinct values each. */
  values: Map<string, Map<string, number>>;
  /** `id=42` → 5xx answers for requests carrying that parameter value (at most `MAX_VALUES`). */
  failingValues: Map<string, number>;
  /** 5xx status → signature. */
  signatures: Map<number, ErrorSignature>;
  /** An example request target as logged (the first one), for undocumented routes. */
  example: string;
  /** Latency and counts (a log-bucketed histogram: 1% error, fixed memory). */
  readonly latency: RequestAggregate;
}

export interface UsageData {
  /** The files read, as given. */
  files: string[];
  /** Lines that parsed as requests (inside the window). */
  requests: number;
  /** Parsed lines older than the window (`since`), skipped. */
  outsideWindow: number;
  /** Requests outside every base path of the API (pages, static files beside an `/api`), skipped. */
  outsideApi: number;
  /** Lines that did not parse, and a few of them (clipped). */
  malformed: number;
  malformedSamples: string[];
  /** Epoch ms of the oldest and newest request read (NaN without readable times). */
  firstAtMs: number;
  lastAtMs: number;
  /** Operation key → usage. */
  operations: Map<string, RouteUsage>;
  /** Undocumented template key → usage; beyond `maxUndocumented` templates, `OTHER_KEY`. */
  undocumented: Map<string, RouteUsage>;
}

export const MAX_VALUES = 20;
export const MAX_SAMPLES = 5;
export const OTHER_KEY = '* (other undocumented routes)';
const MAX_SAMPLE_CHARS = 200;

export interface ReadUsageOptions {
  lookup: OperationLookup;
  /** Epoch ms; requests before it are skipped (lines without a readable time are kept). */
  sinceMs?: number;
  /**
   * The API's base paths (`/api`): requests under none of them are not API traffic and are only
   * counted (`outsideApi`). Absent, or one of them the root (`''`): every request counts.
   */
  basePaths?: readonly string[];
  /** Bound of undocumented templates; default 200. */
  maxUndocumented?: number;
}

/** Read every log (all of it: gaps looks at the whole window, not what is new since the last run). */
export async function readUsage(logs: readonly LogInput[], opts: ReadUsageOptions): Promise<UsageData> {
  const data: UsageData = {
    files: logs.map((l) => l.file),
    requests: 0,
    outsideWindow: 0,
    outsideApi: 0,
    malformed: 0,
    malformedSamples: [],
    firstAtMs: Number.NaN,
    lastAtMs: Number.NaN,
    operations: new Map(),
    undocumented: new Map(),
  };
  const sink = new UsageSink(data, opts);
  for (const log of logs) {
    const parser = createRequestParser(log, sink);
    const where = path.basename(log.file);
    let lineNo = 0;
    await readNewLines(log.file, undefined, { maxBytes: Number.MAX_SAFE_INTEGER, nowMs: 0 }, (text) => {
      let start = 0;
      const n = text.length;
      while (start < n) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = n;
        let stop = end;
        if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
        lineNo++;
        if (stop > start && !parser.line(text.slice(start, stop))) {
          data.malformed++;
          if (data.malformedSamples.length < MAX_SAMPLES) data.malformedSamples.push(`${where}:${lineNo}: ${clip(text.slice(start, stop))}`);
        }
        start = end + 1;
      }
      parser.flush();
    });
  }
  return data;
}

/** p99 of a route's request times in ms (null when the lines carry none). */
export function p99Ms(u: RouteUsage): number | null {
  return u.latency.quantileMs(0.99);
}

/** Values of one parameter, most common first. */
export function commonValues(u: RouteUsage, name: string): Array<[string, number]> {
  return [...(u.values.get(name) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

class UsageSink implements RequestSink {
  /** Only its templates (`/jobs/123` → `/jobs/{id}`): the matcher's folding, so both lists agree. */
  private readonly templates = new UndocumentedRoutes(0);
  private readonly maxUndocumented: number;
  /** The last time string read and its value (consecutive lines share a second). */
  private lastTime: string | number | undefined;
  private lastTimeMs = Number.NaN;

  constructor(
    private readonly data: UsageData,
    private readonly opts: ReadUsageOptions,
  ) {
    this.maxUndocumented = opts.maxUndocumented ?? 200;
    const bases = opts.basePaths ?? [];
    this.prefixes = bases.length && !bases.some((b) => b === '' || b === '/') ? bases.map((b) => b.replace(/\/+$/, '')) : undefined;
  }

  private readonly prefixes: string[] | undefined;

  /** `/api`, `/api/x`, `https://host/api/x?y` are under `/api`; `/apix` is not. */
  private underApi(target: string): boolean {
    let p = target;
    if (p.charCodeAt(0) !== 47) {
      const at = p.indexOf('/', p.indexOf('//') + 2);
      p = at >= 0 ? p.slice(at) : '/';
    }
    for (const b of this.prefixes!) {
      if (p.startsWith(b)) {
        const c = p.charCodeAt(b.length);
        if (Number.isNaN(c) || c === 47 || c === 63) return true;
      }
    }
    return false;
  }

  request(method: string, target: string, status: number, bytes: number, requestTimeMs: number, time: string | number | undefined): void {
    const atMs = this.timeMs(time);
    if (this.opts.sinceMs !== undefined && atMs < this.opts.sinceMs) {
      this.data.outsideWindow++;
      return;
    }
    if (this.prefixes && !this.underApi(target)) {
      this.data.outsideApi++;
      return;
    }
    const m = method === '' ? 'GET' : method.toUpperCase();
    this.data.requests++;
    if (atMs >= 0) {
      if (!(this.data.firstAtMs <= atMs)) this.data.firstAtMs = atMs;
      if (!(this.data.lastAtMs >= atMs)) this.data.lastAtMs = atMs;
    }
    const op = this.opts.lookup.match(m, target);
    const u = op ? this.operationUsage(op) : this.undocumentedUsage(m, target);
    u.requests++;
    u.latency.add('', status, bytes, requestTimeMs);
    u.statusClasses[status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx']++;
    if (atMs >= 0) {
      if (!(u.firstSeenMs <= atMs)) u.firstSeenMs = atMs;
      if (!(u.lastSeenMs >= atMs)) u.lastSeenMs = atMs;
    }
    const values = op ? parameterValues(op, target) : [];
    for (const [name, value] of values) {
      if (isSecretQueryParam(name)) continue;
      let byValue = u.values.get(name);
      if (!byValue) u.values.set(name, (byValue = new Map()));
      const c = byValue.get(value);
      if (c !== undefined) byValue.set(value, c + 1);
      else if (byValue.size < MAX_VALUES) byValue.set(value, 1);
    }
    if (status >= 500) {
      let sig = u.signatures.get(status);
      if (!sig) u.signatures.set(status, (sig = { status, count: 0, firstSeenMs: atMs, lastSeenMs: atMs }));
      sig.count++;
      if (atMs >= 0) {
        if (!(sig.firstSeenMs <= atMs)) sig.firstSeenMs = atMs;
        if (!(sig.lastSeenMs >= atMs)) sig.lastSeenMs = atMs;
      }
      for (const [name, value] of values) {
        if (isSecretQueryParam(name)) continue;
        const k = `${name}=${value}`;
        const c = u.failingValues.get(k);
        if (c !== undefined) u.failingValues.set(k, c + 1);
        else if (u.failingValues.size < MAX_VALUES) u.failingValues.set(k, 1);
      }
    }
  }

  seen(): void {
    // Per-request times are read in `request` (the window and first/last seen need them).
  }

  private timeMs(time: string | number | undefined): number {
    if (time === undefined) return Number.NaN;
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastTimeMs = logTimeMs(time);
    }
    return this.lastTimeMs;
  }

  private operationUsage(op: ApiOperation): RouteUsage {
    let u = this.data.operations.get(op.key);
    if (!u) this.data.operations.set(op.key, (u = newUsage(op.key, op.method.toUpperCase(), op.fullPath, '', op)));
    return u;
  }

  private undocumentedUsage(method: string, target: string): RouteUsage {
    const template = this.templates.template(target);
    let key = `${method} ${template}`;
    let u = this.data.undocumented.get(key);
    if (!u && this.data.undocumented.size >= this.maxUndocumented) {
      key = OTHER_KEY;
      u = this.data.undocumented.get(key);
    }
    if (!u) this.data.undocumented.set(key, (u = newUsage(key, key === OTHER_KEY ? '*' : method, key === OTHER_KEY ? '*' : template, clip(withoutQueryValues(target)))));
    return u;
  }
}

function newUsage(key: string, method: string, p: string, example: string, operation?: ApiOperation): RouteUsage {
  return {
    key,
    method,
    path: p,
    ...(operation ? { operation } : {}),
    requests: 0,
    statusClasses: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    firstSeenMs: Number.NaN,
    lastSeenMs: Number.NaN,
    values: new Map(),
    failingValues: new Map(),
    signatures: new Map(),
    example,
    latency: new RequestAggregate(1),
  };
}

/**
 * The path and query parameter values of a request for an operation: path segments aligned from the
 * end with the operation's full path (so a server base path in front does not matter), query values
 * for the operation's query parameters. Values are decoded; at most 100 characters each.
 */
export function parameterValues(op: ApiOperation, target: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const q = target.indexOf('?');
  const bare = q >= 0 ? target.slice(0, q) : target;
  if (op.fullPath.includes('{')) {
    const tpl = op.fullPath.split('/');
    const segs = bare.split('/');
    const offset = segs.length - tpl.length;
    if (offset >= 0) {
      for (let i = 0; i < tpl.length; i++) {
        const t = tpl[i];
        const open = t.indexOf('{');
        if (open < 0) continue;
        const close = t.indexOf('}', open);
        // `product-{id}.svg`: the value is what lies between the literal prefix and suffix.
        const prefix = t.slice(0, open);
        const suffix = t.slice(close + 1);
        const seg = segs[i + offset];
        if (seg.length < prefix.length + suffix.length) continue;
        out.push([t.slice(open + 1, close), decode(seg.slice(prefix.length, seg.length - suffix.length))]);
      }
    }
  }
  if (q >= 0 && op.parameters.some((p) => p.in === 'query')) {
    const wanted = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    for (const pair of target.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = decode(eq >= 0 ? pair.slice(0, eq) : pair);
      if (wanted.has(name)) out.push([name, decode(eq >= 0 ? pair.slice(eq + 1) : '')]);
    }
  }
  return out;
}

/** `/a?token=x&q=y` → `/a?token=…&q=…`: query values may be credentials; the names say enough. */
function withoutQueryValues(target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return target;
  return `${target.slice(0, q)}?${target
    .slice(q + 1)
    .split('&')
    .map((pair) => `${pair.split('=')[0]}=…`)
    .join('&')}`;
}

function decode(s: string): string {
  let v = s;
  try {
    v = decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    // keep it as logged
  }
  return v.length > 100 ? v.slice(0, 100) : v;
}

function clip(s: string): string {
  return s.length > MAX_SAMPLE_CHARS ? `${s.slice(0, MAX_SAMPLE_CHARS)}…` : s;
}
