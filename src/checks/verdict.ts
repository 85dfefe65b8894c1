/**
 * From one exchange's outcome to passed / degraded / failed with one error class, in a fixed order:
 * transport failure → status → documented status (OpenAPI contract) → JSON → schema → contract schema →
 * assertions → SLA (maxResponseTimeMs) → degraded.
 * Response times are the exchange's totalMs; nothing here adds to them.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ApiExpectations, Assertion, OpenApiContract } from '../model/monitor.js';
import { MAX_ERROR_DETAILS, type MonitorError, type Status } from '../model/results.js';
import { checkAssertion, type ResponseView } from './assertions.js';
import type { ExchangeOutcome } from './exchange.js';
import { formatBytes } from './errors.js';
import type { SchemaCache } from './schema.js';
import { jsonParseErrorText } from '../runtime/json-error.js';

export interface Verdict {
  status: Status;
  error: MonitorError | null;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/i;

/**
 * @param maxBodyBytes also bounds a compressed body once decoded (`content-encoding` gzip, deflate, br).
 */
export function judge(expect: ApiExpectations, outcome: ExchangeOutcome, schemas: SchemaCache, maxBodyBytes: number): Verdict {
  const { statusCode } = outcome;
  const accepted = statusCode !== undefined && (expect.status.length === 0 || expect.status.includes(statusCode));

  if (outcome.error) {
    const e = outcome.error;
    if (statusCode !== undefined && !accepted && e.errorClass !== 'aborted') {
      return fail('http_status', `${statusMessage(statusCode, expect.status)}; then ${e.message}`);
    }
    return fail(e.errorClass, e.message);
  }
  if (statusCode === undefined || !outcome.body || !outcome.headers) {
    return fail('internal', 'the exchange ended without a response or an error');
  }
  if (!accepted) return fail('http_status', statusMessage(statusCode, expect.status));

  // A contract: the operation's response for this status, or a failure saying it is not documented.
  let contract: { status: string; schema?: { key: string; schema: object } } | undefined;
  if (expect.openapi) {
    contract = documentedResponse(expect.openapi, statusCode);
    if (!contract) {
      const documented = expect.openapi.responses.map((r) => r.status);
      return fail('schema', `status ${statusCode} is not documented for ${expect.openapi.operation} in ${expect.openapi.spec} (documented: ${documented.join(', ') || 'none'})`);
    }
  }

  const headers = outcome.headers;
  const contentType = headers['content-type'] ?? '';
  const { assertions, needsJson, readsText } = planFor(expect);
  const readsJson = needsJson || contract?.schema !== undefined || (outcome.body.length > 0 && JSON_TYPE.test(contentType));
  const readsBody = readsJson || readsText;

  let body = outcome.body;
  const encoding = headers['content-encoding'];
  if (readsBody && encoding && body.length > 0) {
    try {
      body = decodeContent(body, encoding, maxBodyBytes);
    } catch (err) {
      if (err instanceof RangeError) {
        return fail('body_too_large', `body too large: over the ${formatBytes(maxBodyBytes)} limit (maxBodyBytes) once decoded (${encoding})`);
      }
      return fail(readsJson ? 'invalid_json' : 'assertion', `body: could not decode content-encoding ${encoding} (${(err as Error).message})`);
    }
  }
  const view = new BodyView(statusCode, headers, body, contentType, outcome.timings.totalMs);
  let json: unknown;
  if (readsJson) {
    try {
      json = JSON.parse(view.text());
      view.parsed = json;
      const depth = jsonDepthOver(json, MAX_JSON_DEPTH);
      if (depth) return fail('invalid_json', `JSON nested deeper than ${MAX_JSON_DEPTH} levels: assertions and schemas are not evaluated on it (${contentType || 'no content-type'}, ${formatBytes(body.length)})`);
    } catch (err) {
      const what = body.length === 0 ? 'empty body' : jsonParseErrorText(err);
      return fail('invalid_json', `invalid JSON: ${what} (${contentType || 'no content-type'}, ${formatBytes(body.length)})`);
    }
  }

  if (expect.schema) {
    try {
      const v = schemas.validate(expect.schema.key, expect.schema.schema, json);
      if (!v.ok) return fail('schema', v.message ?? 'does not match the schema', v.errors);
    } catch (err) {
      const where = expect.schema.file ?? expect.schema.key;
      return fail('schema', `schema ${where} could not be used: ${(err as Error).message}`);
    }
  }

  if (contract?.schema) {
    const where = `response ${contract.status} of ${expect.openapi!.operation} in ${expect.openapi!.spec}`;
    try {
      const v = schemas.validate(contract.schema.key, contract.schema.schema, json);
      if (!v.ok) return fail('schema', `${v.message ?? 'does not match the schema'} (${where})`, v.errors);
    } catch (err) {
      return fail('schema', `the schema of ${where} could not be used: ${(err as Error).message}`);
    }
  }

  const totalMs = outcome.timings.totalMs;
  if (assertions.length) {
    const failures: string[] = [];
    for (const a of assertions) {
      const failure = checkAssertion(a, view);
      if (failure) failures.push(failure);
    }
    if (failures.length) {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed assertion${failures.length > 2 ? 's' : ''})` : '';
      return fail('assertion', `${failures[0]}${more}`, failures);
    }
  }

  if (expect.maxResponseTimeMs !== undefined && totalMs > expect.maxResponseTimeMs) {
    return fail('sla', `response time ${ms(totalMs)} over the ${expect.maxResponseTimeMs} ms limit (maxResponseTimeMs)`);
  }
  if (expect.degradedResponseTimeMs !== undefined && totalMs > expect.degradedResponseTimeMs) {
    return {
      status: 'degraded',
      error: {
        class: 'sla',
        message: `response time ${ms(totalMs)} over the ${expect.degradedResponseTimeMs} ms degraded threshold (degradedResponseTimeMs)`,
      },
    };
  }
  return { status: 'passed', error: null };
}

/** The documented response for a status: exact (`404`), then its range (`4XX`), then `default`. */
export function documentedResponse(contract: OpenApiContract, status: number): OpenApiContract['responses'][number] | undefined {
  const code = String(status);
  const range = `${code[0]}XX`;
  return contract.responses.find((r) => r.status === code) ?? contract.responses.find((r) => r.status === range) ?? contract.responses.find((r) => r.status === 'default');
}

/** What judge needs to know about a set of expectations, worked out once per (immutable) definition. */
interface Plan {
  assertions: Assertion[];
  needsJson: boolean;
  readsText: boolean;
}

const plans = new WeakMap<ApiExpectations, Plan>();

function planFor(expect: ApiExpectations): Plan {
  let plan = plans.get(expect);
  if (!plan) {
    const assertions = [...expect.headers, ...expect.body];
    plan = {
      assertions,
      needsJson: expect.schema !== undefined || assertions.some((a) => a.source === 'json'),
      readsText: assertions.some((a) => a.source === 'text'),
    };
    plans.set(expect, plan);
  }
  return plan;
}

/** The response as assertions see it; the body is decoded to text at most once. */
class BodyView implements ResponseView {
  private decoded: string | undefined;
  /** Set once the body parsed as JSON. */
  parsed: unknown;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    private readonly body: Buffer,
    private readonly contentType: string,
    readonly responseTimeMs: number,
  ) {}

  text(): string {
    return (this.decoded ??= decodeText(this.body, this.contentType));
  }

  json(): unknown {
    return this.parsed;
  }
}

/** `status 503, expected 200` / `status 503, expected one of 200, 204`. */
export function statusMessage(actual: number, expected: number[]): string {
  const parts = statusRanges(expected);
  const what = parts.length === 1 ? parts[0] : `one of ${parts.join(', ')}`;
  return `status ${actual}, expected ${what}`;
}

/** `[200..299, 304]` → `['2xx', '304']`; other runs of consecutive codes → `201-204`. */
function statusRanges(codes: number[]): string[] {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    let from = sorted[i];
    const to = sorted[j];
    // Whole classes first (200-299 → 2xx), then what is left of the run.
    while (from <= to) {
      if (from % 100 === 0 && from + 99 <= to) {
        out.push(`${from / 100}xx`);
        from += 100;
        continue;
      }
      const end = Math.min(to, from % 100 === 0 ? to : Math.ceil((from + 1) / 100) * 100 - 1);
      out.push(end === from ? String(from) : end === from + 1 ? `${from}, ${end}` : `${from}-${end}`);
      from = end + 1;
    }
    i = j + 1;
  }
  return out;
}

function fail(cls: MonitorError['class'], message: string, all?: readonly string[]): Verdict {
  const error: MonitorError = { class: cls, message };
  if (all && all.length > 1) error.details = all.slice(0, MAX_ERROR_DETAILS);
  return { status: 'failed', error };
}

function ms(x: number): string {
  return `${x >= 100 ? Math.round(x) : Math.round(x * 10) / 10} ms`;
}

/** Undo `content-encoding` (applied left to right, so undone right to left); unknown codings stay as they are. */
function decodeContent(body: Buffer, encoding: string, maxBytes: number): Buffer {
  let out = body;
  const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean).reverse();
  for (const coding of codings) {
    const opts = { maxOutputLength: maxBytes };
    if (coding === 'gzip' || coding === 'x-gzip') out = gunzipSync(out, opts);
    else if (coding === 'deflate') out = inflateSync(out, opts);
    else if (coding === 'br') out = brotliDecompressSync(out, opts);
  }
  return out;
}

function decodeText(body: Buffer, contentType: string): string {
  const charset = /charset="?([\w.:-]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
  if (!charset || charset === 'utf-8' || charset === 'utf8') return body.toString('utf8');
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return body.toString('utf8');
  }
}

/** Deepest JSON nesting assertions and schemas walk (recursive code would overflow the stack on a hostile body). */
export const MAX_JSON_DEPTH = 1000;

/** Whether a parsed JSON value nests deeper than `max` (iterative: never recurses). */
function jsonDepthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
