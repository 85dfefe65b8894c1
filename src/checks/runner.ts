/**
 * The API check runner: one pooled keep-alive undici Agent per runner, bounded concurrency (global
 * and per origin), retries with backoff for network failures and 5xx, and a `MonitorResult` for
 * every check. It never throws for target problems: every failure is a classified result.
 */
import { lookup as dnsLookup } from 'node:dns';
import { setMaxListeners } from 'node:events';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { ApiCheckDefinition, ApiFlowDefinition, CheckDefinition, RedirectPolicy } from '../model/monitor.js';
import type { AttemptResult, ErrorClass, HttpTimings, MonitorError, MonitorResult, RedirectHop, Status, StepResult, TlsInfo } from '../model/results.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { isoAtFast as isoAt } from './iso.js';
import type { Redactor } from '../runtime/redact.js';
import { onAbort } from '../runtime/abort.js';
import { CookieJar } from 'tough-cookie';
import { CheckAbortedError, RedirectError } from './errors.js';
import { startExchange, type FollowedOutcome, type ExchangeLimits, type ExchangeOptions, type ExchangeOutcome, type ExchangeRequest, type RunningExchange } from './exchange.js';
import { ConcurrencyGate } from './limits.js';
import { InvalidRequestError, prepareRequest } from './request.js';
import { sharedSchemaCache, type SchemaCache } from './schema.js';
import { subscribeTimings, timedConnector } from './timing.js';
import { judge, type Verdict } from './verdict.js';
import { probeDns } from './dns.js';
import type { HeartbeatBook } from './heartbeat.js';
import { addTimings, runProbe, type ProbeOutcome, type ProbeRunOptions } from './probe.js';
import { runFlowAttempt, type FlowDeps } from './flow.js';
import { probeTcp } from './tcp.js';
import { DEFAULT_CERTIFICATE_THRESHOLDS, judgeCertificate, probeTls } from './tls.js';

export interface ApiCheckRunnerOptions {
  /** Checks in flight at once (default 16). */
  concurrency?: number;
  /** Checks in flight at once against one origin (default 6). */
  perOriginConcurrency?: number;
  /** Masks secrets in every message; the runner registers the request's own secrets with it. */
  redactor: Redactor;
  clock?: Clock;
  /** Resolver for host names (default `dns.lookup`, i.e. the system resolver). */
  dnsLookup?: LookupFunction;
  /** TLS trust for targets with a private CA; certificates are always verified unless told otherwise. */
  tls?: { ca?: string | Buffer | Array<string | Buffer>; rejectUnauthorized?: boolean };
  /** Deadline to get a connection (dns + connect + tls), clamped by each check's timeoutMs (default 10000). */
  connectTimeoutMs?: number;
  /** Deadline for response headers once the request is on a connection (default: only timeoutMs). */
  headersTimeoutMs?: number;
  /** Deadline for the whole body once headers arrived (default: only timeoutMs). */
  bodyTimeoutMs?: number;
  /** How long an idle kept-alive connection is kept (default 4000, capped by the server's keep-alive hint). */
  keepAliveTimeoutMs?: number;
  /** Backoff between attempts: `initialMs` doubling per retry, at most `maxMs` (default 100 / 2000). */
  retryBackoff?: { initialMs?: number; maxMs?: number };
  /** Compiled-schema cache (default: the process-wide one). */
  schemaCache?: SchemaCache;
  /** Sent when the check sets no user-agent. */
  userAgent?: string;
  /** Where heartbeat monitors read their pings (the daemon's receiver); without one they fail saying so. */
  heartbeats?: HeartbeatBook;
}

export interface ApiCheckContext {
  runId: string;
  location: string;
  environment: string;
  /** Aborting cancels the in-flight request; the result is `failed` with class `aborted`. */
  signal?: AbortSignal;
}

/** Failure classes worth another attempt (plus 5xx `http_status`). */
const RETRYABLE: ReadonlySet<ErrorClass> = new Set(['dns', 'connection_refused', 'connection_reset', 'timeout', 'tls']);
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

interface AttemptOutcome {
  detail: AttemptResult;
  verdict: Verdict;
  outcome?: ExchangeOutcome;
  hops?: RedirectHop[];
  tls?: TlsInfo;
}


const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class ApiCheckRunner {
  private readonly agent: Agent;
  private readonly gate: ConcurrencyGate;
  private readonly redactor: Redactor;
  private readonly clock: Clock;
  private readonly schemas: SchemaCache;
  private readonly connectTimeoutMs: number;
  private readonly headersTimeoutMs: number | undefined;
  private readonly bodyTimeoutMs: number | undefined;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly userAgent: string;
  private readonly running = new Set<RunningExchange>();
  /** Resolved definitions are immutable: prepare each request spec once. */
  private readonly requests = new WeakMap<object, ExchangeRequest>();
  private readonly unsubscribe: () => void;
  private readonly lookup: LookupFunction | undefined;
  private readonly heartbeats: HeartbeatBook | undefined;
  private readonly probeOptions: ProbeRunOptions;
  private readonly verifiesCertificates: boolean;
  private readonly signals = new WeakSet<AbortSignal>();
  private closed = false;

  constructor(opts: ApiCheckRunnerOptions) {
    const concurrency = positiveInt(opts.concurrency, 16, 'concurrency');
    this.gate = new ConcurrencyGate({
      concurrency,
      perOriginConcurrency: positiveInt(opts.perOriginConcurrency, Math.min(6, concurrency), 'perOriginConcurrency'),
    });
    this.redactor = opts.redactor;
    this.clock = opts.clock ?? systemClock;
    this.schemas = opts.schemaCache ?? sharedSchemaCache;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.headersTimeoutMs = opts.headersTimeoutMs;
    this.bodyTimeoutMs = opts.bodyTimeoutMs;
    this.backoffInitialMs = opts.retryBackoff?.initialMs ?? 100;
    this.backoffMaxMs = opts.retryBackoff?.maxMs ?? 2_000;
    this.userAgent = opts.userAgent ?? 'production-observer';
    this.lookup = opts.dnsLookup;
    this.heartbeats = opts.heartbeats;
    this.verifiesCertificates = opts.tls?.rejectUnauthorized !== false;
    this.probeOptions = { clock: this.clock, redactor: this.redactor, backoff: (n) => this.backoff(n) };
    const connector = buildConnector({
      // A backstop: the exchange's own connect deadline fires first and names the phase.
      timeout: this.connectTimeoutMs + 1_000,
      lookup: opts.dnsLookup ?? dnsLookup,
      ...(opts.tls?.ca !== undefined ? { ca: opts.tls.ca } : {}),
      ...(opts.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.tls.rejectUnauthorized } : {}),
    });
    this.agent = new Agent({
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4_000,
      keepAliveMaxTimeout: 600_000,
      connect: timedConnector(connector, this.clock),
    });
    this.unsubscribe = subscribeTimings();
  }

  /** Run one check of any kind but journeys; every outcome is a classified result. */
  run(check: CheckDefinition, ctx: ApiCheckContext): Promise<MonitorResult> {
    // Every check in flight listens to the run's signal: many at once is expected, not a leak.
    if (ctx.signal && !this.signals.has(ctx.signal)) {
      this.signals.add(ctx.signal);
      setMaxListeners(0, ctx.signal);
    }
    switch (check.kind) {
      case 'api':
        return this.runApi(check, ctx);
      case 'api-flow':
        return this.runFlow(check, ctx);
      case 'dns':
        return this.probe(check, ctx, (signal) => probeDns(check, { clock: this.clock, ...(signal ? { signal } : {}) }));
      case 'tcp':
        return this.probe(check, ctx, (signal) => probeTcp(check, this.socketOptions(signal)));
      case 'tls':
        return this.probe(check, ctx, (signal) => probeTls(check, this.socketOptions(signal)));
      case 'heartbeat': {
        // One evaluation, never retried: waiting would not make a ping arrive in the past.
        const book = this.heartbeats;
        const once = { ...check, retries: 0 };
        return this.probe(once, ctx, () =>
          Promise.resolve<ProbeOutcome>(
            book
              ? book.evaluate(check)
              : { status: 'failed', error: { class: 'heartbeat', message: `heartbeat: no receiver in this process; heartbeats are received by \`observer daemon\` (POST /heartbeat/${check.id})` } },
          ),
        );
      }
    }
  }

  private probe(check: CheckDefinition, ctx: ApiCheckContext, attempt: (signal: AbortSignal | undefined) => Promise<ProbeOutcome>): Promise<MonitorResult> {
    if (this.closed) return runProbe(check, ctx, this.probeOptions, () => Promise.resolve({ status: 'failed', error: { class: 'aborted', message: 'aborted: the check runner was closed' } }));
    return runProbe(check, ctx, this.probeOptions, attempt);
  }

  /** A multi-step check: the whole flow is one attempt, retried on network failures like an API check. */
  private async runFlow(check: ApiFlowDefinition, ctx: ApiCheckContext): Promise<MonitorResult> {
    const deps: FlowDeps = {
      clock: this.clock,
      redactor: this.redactor,
      schemas: this.schemas,
      userAgent: this.userAgent,
      limits: (def) => this.limitsFor(def.timeoutMs, def.maxBodyBytes),
      send: (request, policy, limits, signal, jar) => raceAbort(this.followed(request, policy, limits, signal, jar), signal),
    };
    let steps: StepResult[] = [];
    let httpStatus: number | undefined;
    const result = await this.probe(check, ctx, async (signal) => {
      if (this.closed) return { status: 'failed', error: { class: 'aborted', message: 'aborted: the check runner was closed' } };
      const a = await runFlowAttempt(check, deps, signal);
      steps = a.steps;
      httpStatus = a.httpStatus;
      return { status: a.status, error: a.error, timings: a.timings };
    });
    return { ...result, steps, ...(httpStatus !== undefined ? { httpStatus } : {}) };
  }

  private limitsFor(timeoutMs: number, maxBodyBytes: number): ExchangeLimits {
    const totalMs = timeoutMs > 0 ? timeoutMs : 30_000;
    const limits: ExchangeLimits = {
      totalMs,
      connectMs: Math.min(totalMs, this.connectTimeoutMs),
      maxBodyBytes: maxBodyBytes > 0 ? maxBodyBytes : DEFAULT_MAX_BODY_BYTES,
    };
    if (this.headersTimeoutMs !== undefined) limits.headersMs = this.headersTimeoutMs;
    if (this.bodyTimeoutMs !== undefined) limits.bodyMs = this.bodyTimeoutMs;
    return limits;
  }

  private socketOptions(signal: AbortSignal | undefined): { clock: Clock; lookup?: LookupFunction; signal?: AbortSignal } {
    return { clock: this.clock, ...(this.lookup ? { lookup: this.lookup } : {}), ...(signal ? { signal } : {}) };
  }

  private async runApi(check: ApiCheckDefinition, ctx: ApiCheckContext): Promise<MonitorResult> {
    const startedAtMs = this.clock.nowMs();
    const startedAt = isoAt(startedAtMs);
    const t0 = this.clock.monotonicMs();
    const attempts: AttemptOutcome[] = [];
    try {
      const request = this.prepared(check);
      const maxAttempts = 1 + Math.max(0, Math.floor(check.retries || 0));
      for (let n = 1; n <= maxAttempts; n++) {
        const a = await this.attempt(check, request, ctx, n, n === 1 ? startedAt : isoAt(this.clock.nowMs()));
        attempts.push(a);
        if (n === maxAttempts || !isRetryable(a) || ctx.signal?.aborted || this.closed) break;
        const waited = await sleep(this.backoff(n), ctx.signal);
        if (!waited) break; // aborted while waiting: the last attempt's result stands
      }
    } catch (err) {
      // Not the target's fault: a request the loader should have rejected, or a bug of ours.
      const cls: ErrorClass = 'internal';
      const message = err instanceof InvalidRequestError ? err.message : `runner error: ${(err as Error).message ?? String(err)}`;
      attempts.push(this.syntheticAttempt(attempts.length + 1, { class: cls, message: message.split('\n')[0]! }));
    }
    return this.result(check, ctx, attempts, startedAtMs, startedAt, t0);
  }

  /** Cancel in-flight checks (they end as `aborted`) and release every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ex of this.running) ex.cancel('the check runner was closed');
    this.unsubscribe();
    await this.agent.destroy();
  }

  private async attempt(
    check: ApiCheckDefinition,
    request: ExchangeRequest,
    ctx: ApiCheckContext,
    n: number,
    startedAt: string,
  ): Promise<AttemptOutcome> {
    const t0 = this.clock.monotonicMs();
    const limits = this.limitsFor(check.timeoutMs, check.maxBodyBytes);
    const policy = check.redirects ?? defaultRedirects(request.method);
    const followed = await raceAbort(this.followed(request, policy, limits, ctx.signal), ctx.signal);
    if (followed instanceof CheckAbortedError) {
      return this.syntheticAttempt(n, { class: 'aborted', message: followed.message }, startedAt, this.clock.monotonicMs() - t0);
    }
    const got = followed.outcome;
    let verdict = judge(check.expect, got, this.schemas, limits.maxBodyBytes);
    const tls = got.tls;
    if (tls && verdict.status !== 'failed') {
      // With verification turned off (rejectUnauthorized: false) only the expiry is judged.
      const seen = this.verifiesCertificates ? tls : { ...tls, authorized: true };
      const final = new URL(followed.url);
      const cert = judgeCertificate(seen, { target: final.host, name: final.hostname, thresholds: check.certificate ?? DEFAULT_CERTIFICATE_THRESHOLDS });
      // The worse of the two: a response that passed can still fail or degrade on its certificate.
      if (cert.status === 'failed' || (cert.status === 'degraded' && verdict.status === 'passed')) verdict = cert;
    }
    const error: MonitorError | null = verdict.error ? this.safeError(verdict.error, request) : null;
    const detail: AttemptResult = {
      attempt: n,
      status: verdict.status,
      startedAt,
      durationMs: got.timings.totalMs,
      error,
      timings: got.timings,
      ...(got.statusCode !== undefined ? { httpStatus: got.statusCode } : {}),
    };
    return { detail, verdict: { status: verdict.status, error }, outcome: got, hops: followed.hops, ...(tls ? { tls } : {}) };
  }

  /**
   * One request and the redirects it leads to: each 3xx with a Location is followed (while the
   * policy allows) and recorded as a hop; a loop or too many hops ends as `redirect`. 303 (and
   * 301/302 after a POST) continue as GET without a body; credentials are not sent to another
   * origin. The timings are the sum over the hops; the deadline covers the whole chain.
   */
  async followed(
    first: ExchangeRequest,
    policy: RedirectPolicy,
    limits: ExchangeLimits,
    signal: AbortSignal | undefined,
    jar?: CookieJar,
  ): Promise<FollowedOutcome | CheckAbortedError> {
    const hops: RedirectHop[] = [];
    const t0 = this.clock.monotonicMs();
    let request = first;
    let url = first.origin + first.path;
    // Built at the first redirect: the common case (no redirect) allocates nothing extra.
    let seen: Set<string> | undefined;
    let sum: HttpTimings | undefined;
    for (let i = 0; i <= policy.max + 1; i++) {
      const hopLimits = i === 0 ? limits : { ...limits, totalMs: Math.max(1, limits.totalMs - (this.clock.monotonicMs() - t0)) };
      const headers = jar ? withCookies(request.headers, jar.getCookieStringSync(url)) : request.headers;
      const sent = headers === request.headers ? request : { ...request, headers };
      const got = await this.gate.run(request.origin, () => this.exchange(sent, hopLimits, signal));
      if (got instanceof CheckAbortedError) return got;
      if (jar && got.setCookies) for (const c of got.setCookies) storeCookie(jar, c, url);
      sum = sum ? addTimings(sum, got.timings) : got.timings;
      const location = got.headers?.location;
      if (got.error || !policy.follow || got.statusCode === undefined || !REDIRECT_STATUSES.has(got.statusCode) || !location) {
        if (sum !== got.timings) got.timings = sum;
        return { outcome: got, hops, url };
      }
      seen ??= new Set<string>([`${first.method} ${first.origin + first.path}`]);
      hops.push({ url, status: got.statusCode, durationMs: got.timings.totalMs });
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return { outcome: redirectFailure(sum, `redirect: ${got.statusCode} from ${url} to an invalid Location ${JSON.stringify(location.slice(0, 200))}`), hops, url };
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return { outcome: redirectFailure(sum, `redirect: ${got.statusCode} from ${url} to ${next.protocol} (only http and https are followed)`), hops, url };
      }
      next.hash = '';
      const toGet = got.statusCode === 303 ? request.method !== 'HEAD' : (got.statusCode === 301 || got.statusCode === 302) && request.method === 'POST';
      const method = toGet ? 'GET' : request.method;
      const nextHeaders = { ...request.headers };
      if (toGet) {
        delete nextHeaders['content-type'];
        delete nextHeaders['content-length'];
      }
      if (next.origin !== request.origin) {
        delete nextHeaders.authorization;
        delete nextHeaders.cookie;
      }
      const key = `${method} ${next.href}`;
      if (seen.has(key)) {
        return { outcome: redirectFailure(sum, `redirect loop: ${[...hops.map((h) => h.url), next.href].map((u) => shortUrl(u, first.origin)).join(' → ')}`), hops, url };
      }
      if (hops.length > policy.max) {
        return { outcome: redirectFailure(sum, `redirect: more than ${policy.max} redirects (maxRedirects), last to ${shortUrl(next.href, first.origin)}`), hops, url };
      }
      seen.add(key);
      url = next.href;
      request = {
        origin: next.origin,
        path: `${next.pathname}${next.search}`,
        method,
        headers: nextHeaders,
        ...(!toGet && request.body !== undefined ? { body: request.body } : {}),
      };
    }
    return { outcome: redirectFailure(sum ?? zeroTimings(0), 'redirect: the chain did not end'), hops, url };
  }

  /** Redacted, and a wrong status names the request (`status 404, expected 200 (GET https://x/y)`). */
  private safeError(e: MonitorError, request: ExchangeRequest): MonitorError {
    const message = e.class === 'http_status' ? `${e.message} (${request.method} ${request.origin}${request.path})` : e.message;
    const out: MonitorError = { class: e.class, message: this.redactor.redact(message) };
    if (e.details) out.details = e.details.map((d) => this.redactor.redact(d));
    return out;
  }

  private exchange(request: ExchangeRequest, limits: ExchangeLimits, signal: AbortSignal | undefined): Promise<ExchangeOutcome | CheckAbortedError> {
    if (this.closed) return Promise.resolve(new CheckAbortedError('the check runner was closed'));
    const options: ExchangeOptions = { dispatcher: this.agent, clock: this.clock, request, limits, registry: this.running };
    if (signal) options.signal = signal;
    return startExchange(options).done;
  }

  /** The wire form of a check's request, prepared (and its secrets registered) once per definition. */
  private prepared(check: ApiCheckDefinition): ExchangeRequest {
    let request = this.requests.get(check.request);
    if (!request) {
      request = prepareRequest(check.request, this.redactor, this.userAgent);
      this.requests.set(check.request, request);
    }
    return request;
  }

  private syntheticAttempt(n: number, error: MonitorError, startedAt?: string, durationMs = 0): AttemptOutcome {
    const redacted: MonitorError = { class: error.class, message: this.redactor.redact(error.message) };
    return {
      detail: {
        attempt: n,
        status: 'failed',
        startedAt: startedAt ?? isoAt(this.clock.nowMs()),
        durationMs,
        error: redacted,
        timings: zeroTimings(durationMs),
      },
      verdict: { status: 'failed', error: redacted },
    };
  }

  private backoff(attempt: number): number {
    return Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** (attempt - 1));
  }

  private result(
    check: ApiCheckDefinition,
    ctx: ApiCheckContext,
    attempts: AttemptOutcome[],
    startedAtMs: number,
    startedAt: string,
    t0: number,
  ): MonitorResult {
    const last = attempts[attempts.length - 1]!;
    const status: Status = last.verdict.status;
    const error = last.verdict.error;
    const timings = last.detail.timings ?? zeroTimings(last.detail.durationMs);
    const durationMs = this.clock.monotonicMs() - t0;
    const httpStatus = last.detail.httpStatus;
    return {
      id: `${ctx.runId}:${check.id}`,
      runId: ctx.runId,
      monitor: check.id,
      name: check.name,
      kind: 'api',
      status,
      startedAt,
      finishedAt: isoAt(startedAtMs + durationMs),
      durationMs,
      attempts: attempts.length,
      attemptDetails: attempts.map((a) => a.detail),
      error,
      steps: [
        {
          name: check.name,
          status,
          startedAt: last.detail.startedAt,
          durationMs: last.detail.durationMs,
          error,
          timings,
          ...(last.hops?.length ? { redirects: last.hops } : {}),
          ...(last.tls ? { tls: last.tls } : {}),
        },
      ],
      location: ctx.location,
      environment: ctx.environment,
      tags: check.tags,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
    };
  }
}

function isRetryable(a: AttemptOutcome): boolean {
  const e = a.verdict.error;
  if (a.verdict.status !== 'failed' || !e) return false;
  if (RETRYABLE.has(e.class)) return true;
  return e.class === 'http_status' && a.detail.httpStatus !== undefined && a.detail.httpStatus >= 500;
}

const FOLLOW: RedirectPolicy = { follow: true, max: 10 };
const DONT_FOLLOW: RedirectPolicy = { follow: false, max: 10 };

function defaultRedirects(method: string): RedirectPolicy {
  return method === 'GET' || method === 'HEAD' ? FOLLOW : DONT_FOLLOW;
}

function redirectFailure(timings: HttpTimings, message: string): ExchangeOutcome {
  return { timings, error: new RedirectError(message) };
}

/** Same-origin URLs as their path, for short messages. */
function shortUrl(url: string, origin: string): string {
  return url.startsWith(origin + '/') ? url.slice(origin.length) : url;
}

function withCookies(headers: Record<string, string>, jarCookies: string): Record<string, string> {
  if (!jarCookies) return headers;
  const own = headers.cookie;
  return { ...headers, cookie: own ? `${own}; ${jarCookies}` : jarCookies };
}

/** A cookie the target set; one it would not accept (wrong domain, malformed) is ignored, like a browser does. */
function storeCookie(jar: CookieJar, header: string, url: string): void {
  try {
    jar.setCookieSync(header, url);
  } catch {
    // ignored, as a browser would
  }
}

function zeroTimings(totalMs: number) {
  return { dnsMs: 0, connectMs: 0, tlsMs: 0, sendMs: 0, firstByteMs: 0, downloadMs: 0, totalMs, reusedConnection: false };
}

function positiveInt(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`ApiCheckRunner: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** Resolve with the promise, or with a CheckAbortedError as soon as `signal` aborts (waiting for a slot included). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | CheckAbortedError> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.resolve(new CheckAbortedError(reasonOf(signal)));
  }
  return new Promise((resolve, reject) => {
    // Deferred: a running exchange ends itself on the same abort (with its partial timings) and
    // wins; only a check still waiting for a slot ends here.
    const off = onAbort(signal, () => setImmediate(() => resolve(new CheckAbortedError(reasonOf(signal)))));
    p.then(
      (v) => {
        off();
        resolve(v);
      },
      (err: unknown) => {
        off();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  if (typeof r === 'string' && r) return r;
  return 'the run was cancelled';
}

/** Wait `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off?.();
      resolve(true);
    }, ms);
    const off = signal
      ? onAbort(signal, () => {
          clearTimeout(timer);
          resolve(false);
        })
      : undefined;
  });
}
