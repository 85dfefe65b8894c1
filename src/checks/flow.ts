/**
 * Multi-step API checks (`kind: api-flow`): requests in order, each judged like an API check
 * (status, headers, body assertions, schema, response time), values captured from one response
 * (JSON path, header, regex on the body, cookie) filling `{{name}}` in the later requests, cookies
 * carried per host. After a failed step the remaining steps are `skipped`, except cleanup steps,
 * which always run (when the values they need were captured). The flow's result is its first
 * failure, named by step; every step keeps its own timing phases and redirect hops.
 */
import { CookieJar } from 'tough-cookie';
import type { ApiFlowDefinition, FlowCapture, FlowStepDefinition, RedirectPolicy } from '../model/monitor.js';
import type { HttpTimings, MonitorError, Status, StepResult } from '../model/results.js';
import type { Clock } from '../runtime/clock.js';
import { isSecretHeader, Redactor } from '../runtime/redact.js';
import { evaluateJsonPath, compileJsonPath } from './jsonpath.js';
import { CheckAbortedError } from './errors.js';
import type { ExchangeLimits, ExchangeOutcome, ExchangeRequest, FollowedOutcome } from './exchange.js';
import { addTimings, zeroTimings } from './probe.js';
import { isoAtFast as isoAt } from './iso.js';
import { InvalidRequestError, prepareRequest } from './request.js';
import type { SchemaCache } from './schema.js';
import { judge } from './verdict.js';

export interface FlowDeps {
  clock: Clock;
  redactor: Redactor;
  schemas: SchemaCache;
  userAgent: string;
  /** Per-request limits for a step (the flow's timeoutMs bounds each request). */
  limits(def: ApiFlowDefinition): ExchangeLimits;
  send(request: ExchangeRequest, policy: RedirectPolicy, limits: ExchangeLimits, signal: AbortSignal | undefined, jar: CookieJar | undefined): Promise<FollowedOutcome | CheckAbortedError>;
}

export interface FlowAttempt {
  status: Status;
  error: MonitorError | null;
  steps: StepResult[];
  /** Sum over the steps that ran. */
  timings: HttpTimings;
  /** HTTP status of the step that decided the outcome (the failing one, else the last). */
  httpStatus?: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** Captured values longer than this are cut (they are meant to be ids and tokens, not documents). */
const MAX_CAPTURE_CHARS = 8192;

/**
 * The secrets of one flow run (captured tokens, cookies, the credentials sent with them) on top of
 * the process's: masked in everything this run writes, and forgotten with it, so a daemon running
 * a flow every minute does not collect every token it was ever given.
 */
class RunRedactor extends Redactor {
  constructor(private readonly parent: Redactor) {
    super();
  }

  override redact(text: string): string {
    return this.parent.redact(super.redact(text));
  }
}

export async function runFlowAttempt(def: ApiFlowDefinition, parentDeps: FlowDeps, signal: AbortSignal | undefined): Promise<FlowAttempt> {
  const deps: FlowDeps = { ...parentDeps, redactor: new RunRedactor(parentDeps.redactor) };
  const values = new Map<string, string>();
  const jar = def.cookies ? new CookieJar() : undefined;
  const steps: StepResult[] = [];
  let failure: { step: string; error: MonitorError; httpStatus?: number } | undefined;
  let degraded: { step: string; error: MonitorError } | undefined;
  let lastStatus: number | undefined;
  let sum: HttpTimings = zeroTimings();

  for (const step of def.steps) {
    const startedAt = isoAt(deps.clock.nowMs());
    if ((failure && !step.cleanup) || (signal?.aborted && !step.cleanup)) {
      steps.push({ name: step.name, status: 'skipped', startedAt, durationMs: 0, error: null });
      continue;
    }
    const missing = needed(step).filter((n) => !values.has(n));
    if (missing.length) {
      // Only a cleanup step can get here: the loader checks that every placeholder is captured earlier.
      steps.push({ name: step.name, status: 'skipped', startedAt, durationMs: 0, error: { class: 'assertion', message: `not run: needs ${missing.map((m) => `{{${m}}}`).join(', ')}, which no earlier step captured` } });
      continue;
    }
    const r = await runStep(step, def, deps, values, jar, signal);
    sum = addTimings(sum, r.timings);
    steps.push({
      name: step.name,
      status: r.status,
      startedAt,
      durationMs: r.timings.totalMs,
      error: r.error,
      timings: r.timings,
      ...(r.hops.length ? { redirects: r.hops } : {}),
      ...(r.httpStatus !== undefined ? { httpStatus: r.httpStatus } : {}),
      ...(r.tls ? { tls: r.tls } : {}),
    });
    if (r.httpStatus !== undefined) lastStatus = r.httpStatus;
    if (r.status === 'failed' && r.error && !failure) failure = { step: step.name, error: r.error, ...(r.httpStatus !== undefined ? { httpStatus: r.httpStatus } : {}) };
    else if (r.status === 'degraded' && r.error && !degraded) degraded = { step: step.name, error: r.error };
  }
  if (failure) {
    return { status: 'failed', error: { class: failure.error.class, message: `step "${failure.step}": ${failure.error.message}` }, steps, timings: sum, ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}) };
  }
  if (degraded) return { status: 'degraded', error: { class: degraded.error.class, message: `step "${degraded.step}": ${degraded.error.message}` }, steps, timings: sum, ...(lastStatus !== undefined ? { httpStatus: lastStatus } : {}) };
  return { status: 'passed', error: null, steps, timings: sum, ...(lastStatus !== undefined ? { httpStatus: lastStatus } : {}) };
}

async function runStep(
  step: FlowStepDefinition,
  def: ApiFlowDefinition,
  deps: FlowDeps,
  values: Map<string, string>,
  jar: CookieJar | undefined,
  signal: AbortSignal | undefined,
): Promise<{ status: Status; error: MonitorError | null; timings: HttpTimings; hops: FollowedOutcome['hops']; httpStatus?: number; tls?: ExchangeOutcome['tls'] }> {
  const zero = zeroTimings();
  let request: ExchangeRequest;
  try {
    request = prepareRequest(fill(step, values), deps.redactor, deps.userAgent);
  } catch (err) {
    const message = err instanceof InvalidRequestError ? err.message : (err as Error).message;
    return { status: 'failed', error: { class: 'assertion', message: deps.redactor.redact(`could not build the request: ${message}`) }, timings: zero, hops: [] };
  }
  const limits = deps.limits(def);
  const policy = step.redirects ?? { follow: request.method === 'GET' || request.method === 'HEAD', max: 10 };
  const followed = await deps.send(request, policy, limits, signal, jar);
  if (followed instanceof CheckAbortedError) return { status: 'failed', error: { class: 'aborted', message: followed.message }, timings: zero, hops: [] };
  const got = followed.outcome;
  const verdict = judge(step.expect, got, deps.schemas, limits.maxBodyBytes);
  const base = { timings: got.timings, hops: followed.hops, ...(got.statusCode !== undefined ? { httpStatus: got.statusCode } : {}), ...(got.tls ? { tls: got.tls } : {}) };
  if (verdict.status === 'failed') return { ...base, status: 'failed', error: redacted(verdict.error, deps.redactor) };
  const problem = capture(step.captures, got, followed.url, jar, values, deps.redactor);
  if (problem) return { ...base, status: 'failed', error: { class: 'assertion', message: deps.redactor.redact(problem) } };
  return { ...base, status: verdict.status, error: redacted(verdict.error, deps.redactor) };
}

function redacted(e: MonitorError | null, redactor: Redactor): MonitorError | null {
  return e ? { class: e.class, message: redactor.redact(e.message) } : null;
}

/** Names of the values a step's request uses. */
function needed(step: FlowStepDefinition): string[] {
  const out = new Set<string>();
  const scan = (t: string | undefined) => {
    if (t) for (const m of t.matchAll(PLACEHOLDER)) out.add(m[1]!);
  };
  scan(step.request.url);
  for (const v of Object.values(step.request.headers)) scan(v);
  scan(step.request.body);
  return [...out];
}

/** The step's request with `{{name}}` filled: percent-encoded in the URL, JSON-escaped in a JSON body. */
function fill(step: FlowStepDefinition, values: Map<string, string>): FlowStepDefinition['request'] {
  const r = step.request;
  if (needed(step).length === 0) return r;
  const json = /json/i.test(r.headers['content-type'] ?? '');
  const sub = (t: string, enc: (v: string) => string) => t.replace(PLACEHOLDER, (_m, n: string) => enc(values.get(n) ?? ''));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k] = sub(v, (x) => x.replace(/[\r\n]/g, ' '));
  let url: string;
  if (r.url.startsWith('{{')) {
    // The URL is (or starts with) a captured URL or path: taken as it is, relative ones against the base.
    const m = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/.exec(r.url)!;
    const head = values.get(m[1]!) ?? '';
    const filled = head + sub(r.url.slice(m[0].length), encodeURIComponent);
    url = /^[a-z][a-z0-9+.-]*:/i.test(filled) || !step.baseUrl ? filled : new URL(filled.replace(/^\/+/, ''), step.baseUrl.endsWith('/') ? step.baseUrl : `${step.baseUrl}/`).href;
  } else url = sub(r.url, encodeURIComponent);
  return {
    method: r.method,
    url,
    headers,
    ...(r.body !== undefined ? { body: sub(r.body, json ? (x) => JSON.stringify(x).slice(1, -1) : (x) => x) } : {}),
  };
}

/** Take the step's captures from its response; a capture that finds nothing fails the step. */
function capture(
  captures: FlowCapture[],
  got: ExchangeOutcome,
  url: string,
  jar: CookieJar | undefined,
  values: Map<string, string>,
  redactor: Redactor,
): string | undefined {
  let text: string | undefined;
  let json: unknown;
  let parsed = false;
  const body = () => (text ??= got.body ? got.body.toString('utf8') : '');
  for (const c of captures) {
    let value: string | undefined;
    switch (c.source) {
      case 'json': {
        if (!parsed) {
          parsed = true;
          try {
            json = JSON.parse(body());
          } catch {
            return `capture ${c.name}: the body is not JSON`;
          }
        }
        const m = evaluateJsonPath(compileJsonPath(c.path!), json)[0];
        if (m && m.value !== null && m.value !== undefined) value = typeof m.value === 'object' ? JSON.stringify(m.value) : String(m.value);
        if (value === undefined) return `capture ${c.name}: ${c.path} matched nothing in the response`;
        break;
      }
      case 'header':
        value = got.headers?.[c.path!];
        if (value === undefined) return `capture ${c.name}: no "${c.path}" header in the response`;
        break;
      case 'regex': {
        const m = new RegExp(c.pattern!).exec(body());
        if (m) value = m[1] ?? m[0];
        if (value === undefined) return `capture ${c.name}: /${c.pattern}/ did not match the body`;
        break;
      }
      case 'cookie': {
        const fromResponse = (got.setCookies ?? []).map((h) => /^\s*([^=;]+)=([^;]*)/.exec(h)).find((m) => m && m[1]!.trim() === c.path);
        value = fromResponse ? decodeCookie(fromResponse[2]!) : jar?.getCookiesSync(url).find((k) => k.key === c.path)?.value;
        if (value === undefined) return `capture ${c.name}: the response set no cookie "${c.path}"`;
        redactor.add(value);
        break;
      }
    }
    value = value.slice(0, MAX_CAPTURE_CHARS);
    // Cookies, and values named like credentials, are secrets from here on.
    if (isSecretHeader(c.name)) redactor.add(value);
    values.set(c.name, value);
  }
  return undefined;
}

function decodeCookie(v: string): string {
  try {
    return decodeURIComponent(v.trim());
  } catch {
    return v.trim();
  }
}
