/**
 * The API check runner: one pooled keep-alive undici Agent per runner, bounded concurrency (global
 * and per origin), retries with backoff for network failures and 5xx, and a `MonitorResult` for
 * every check. It never throws for target problems: every failure is a classified result.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { ApiCheckDefinition } from '../model/monitor.js';
import type { AttemptResult, ErrorClass, MonitorError, MonitorResult, Status } from '../model/results.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { isoAtFast as isoAt } from './iso.js';
import type { Redactor } from '../runtime/redact.js';
import { onAbort } from '../runtime/abort.js';
import { CheckAbortedError } from './errors.js';
import { startExchange, type ExchangeLimits, type ExchangeOptions, type ExchangeOutcome, type ExchangeRequest, type RunningExchange } from './exchange.js';
import { ConcurrencyGate } from './limits.js';
import { InvalidRequestError, prepareRequest } from './request.js';
import { sharedSchemaCache, type SchemaCache } from './schema.js';
import { subscribeTimings, timedConnector } from './timing.js';
import { judge, type Verdict } from './verdict.js';

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
}

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

  async run(check: ApiCheckDefinition, ctx: ApiCheckContext): Promise<MonitorResult> {
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
    const totalMs = check.timeoutMs > 0 ? check.timeoutMs : 30_000;
    const limits: ExchangeLimits = {
      totalMs,
      connectMs: Math.min(totalMs, this.connectTimeoutMs),
      maxBodyBytes: check.maxBodyBytes > 0 ? check.maxBodyBytes : DEFAULT_MAX_BODY_BYTES,
    };
    if (this.headersTimeoutMs !== undefined) limits.headersMs = this.headersTimeoutMs;
    if (this.bodyTimeoutMs !== undefined) limits.bodyMs = this.bodyTimeoutMs;
    const got = await raceAbort(
      this.gate.run(request.origin, () => this.exchange(request, limits, ctx.signal)),
      ctx.signal,
    );
    if (got instanceof CheckAbortedError) {
      return this.syntheticAttempt(n, { class: 'aborted', message: got.message }, startedAt, this.clock.monotonicMs() - t0);
    }
    const verdict = judge(check.expect, got, this.schemas, limits.maxBodyBytes);
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
    return { detail, verdict: { status: verdict.status, error }, outcome: got };
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
