/**
 * One HTTP exchange over undici's `dispatch` with a handler of our own: phase stamps, hard
 * deadlines, a body size limit and cancellation. It resolves once with an `ExchangeOutcome` and
 * never rejects; failures arrive classified (`CheckError`).
 *
 * Measured span: `totalMs` runs from the moment of `dispatch` to the handler seeing the end of the
 * body. Everything the runner does afterwards (JSON parsing, schema validation, assertions,
 * bookkeeping) is outside it; so is waiting for a concurrency slot before dispatch.
 */
import type { Dispatcher } from 'undici';
import type { HttpTimings, RedirectHop, TlsInfo } from '../model/results.js';
import type { Clock } from '../runtime/clock.js';
import { onAbort } from '../runtime/abort.js';
import {
  BodyTooLargeError,
  CheckAbortedError,
  CheckTimeoutError,
  classifyTransportError,
  type CheckError,
  type ExchangePhase,
} from './errors.js';
import { announceProbe, connectionPhases, type ConnectionTimes, type ExchangeProbe } from './timing.js';

export interface ExchangeRequest {
  /** `https://host:port`. */
  origin: string;
  /** Path and query. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ExchangeLimits {
  /** Deadline for the whole exchange, from dispatch. */
  totalMs: number;
  /** Deadline to get a connection (dns + connect + tls), from dispatch. */
  connectMs: number;
  /** Deadline for the response headers, from the request starting on its connection (optional). */
  headersMs?: number;
  /** Deadline for the whole body, from the response headers (optional). */
  bodyMs?: number;
  /** Body size limit in bytes. */
  maxBodyBytes: number;
}

export interface ExchangeOutcome {
  /** Present once response headers arrived. */
  statusCode?: number;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers?: Record<string, string>;
  /** The complete body (absent on failure). */
  body?: Buffer;
  /** HTTPS: the certificate of the connection the response came on. */
  tls?: TlsInfo;
  /** Each `set-cookie` header as sent (joining them would break their `Expires` dates). */
  setCookies?: string[];
  timings: HttpTimings;
  error?: CheckError;
}

/** An exchange and the redirects followed to reach it. */
export interface FollowedOutcome {
  outcome: ExchangeOutcome;
  hops: RedirectHop[];
  /** The URL of the final response. */
  url: string;
}

export interface ExchangeOptions {
  dispatcher: Dispatcher;
  clock: Clock;
  request: ExchangeRequest;
  limits: ExchangeLimits;
  signal?: AbortSignal;
  /** The exchange is in this set while it runs (the runner cancels them on close). */
  registry?: Set<RunningExchange>;
}

/** A running exchange; `cancel` ends it as `aborted` (used when the runner closes). */
export interface RunningExchange {
  readonly done: Promise<ExchangeOutcome>;
  cancel(reason: string): void;
}

export function startExchange(opts: ExchangeOptions): RunningExchange {
  const handler = new ExchangeHandler(opts);
  handler.start();
  return handler;
}

class ExchangeHandler implements Dispatcher.DispatchHandler, ExchangeProbe, RunningExchange {
  done!: Promise<ExchangeOutcome>;
  private readonly clock: Clock;
  private readonly limits: ExchangeLimits;
  private controller: Dispatcher.DispatchController | null = null;
  private phase: ExchangePhase = 'connect';
  private timer: NodeJS.Timeout | undefined;
  /** The armed timer is a phase limit (not the total). */
  private phaseTimer = false;
  private resolve!: (o: ExchangeOutcome) => void;
  private finished = false;
  private offAbort: (() => void) | undefined;

  // Stamps (monotonic ms).
  private dispatchAt = 0;
  private socketAt: number | undefined;
  private sentAt: number | undefined;
  private firstByteAt: number | undefined;
  private connection: ConnectionTimes | undefined;
  private fresh = false;

  private statusCode: number | undefined;
  private headers: Record<string, string> | undefined;
  private setCookies: string[] | undefined;
  private readonly chunks: Buffer[] = [];
  private bodyBytes = 0;

  constructor(private readonly opts: ExchangeOptions) {
    this.clock = opts.clock;
    this.limits = opts.limits;
  }

  cancel(reason: string): void {
    this.fail(new CheckAbortedError(reason));
  }

  start(): void {
    const done = new Promise<ExchangeOutcome>((resolve) => {
      this.resolve = resolve;
    });
    this.done = done;
    this.opts.registry?.add(this);
    const { signal } = this.opts;
    if (signal) {
      if (signal.aborted) {
        this.dispatchAt = this.clock.monotonicMs();
        this.fail(new CheckAbortedError(abortReason(signal)));
        return;
      }
      this.offAbort = onAbort(signal, () => this.fail(new CheckAbortedError(abortReason(signal))));
    }
    const { request, limits } = this.opts;
    // undici's own timers stay as a backstop only; ours are exact and name the phase.
    const backstopMs = Math.ceil(limits.totalMs) + 1000;
    const dispatchOptions: Dispatcher.DispatchOptions = {
      origin: request.origin,
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      headersTimeout: backstopMs,
      bodyTimeout: backstopMs,
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
    this.armDeadline(this.clock.monotonicMs());
    this.dispatchAt = this.clock.monotonicMs();
    try {
      this.opts.dispatcher.dispatch(dispatchOptions, this);
    } catch (err) {
      this.fail(classifyTransportError(err, this.errorContext()));
    }
  }

  // --- deadlines -------------------------------------------------------------------------------

  private phaseLimit(): number | undefined {
    return this.phase === 'connect' ? this.limits.connectMs : this.phase === 'headers' ? this.limits.headersMs : this.limits.bodyMs;
  }

  /**
   * One timer for whichever expires first: the current phase's limit (from the phase's start) or
   * the total (from dispatch). Re-armed on a phase change only when a phase limit is involved.
   */
  private armDeadline(phaseStartAt: number): void {
    if (this.timer) clearTimeout(this.timer);
    const now = this.clock.monotonicMs();
    const totalLeft = this.limits.totalMs - (now - (this.dispatchAt || now));
    const phaseLimit = this.phaseLimit();
    const phaseLeft = phaseLimit === undefined ? Infinity : phaseLimit - (now - phaseStartAt);
    this.phaseTimer = phaseLeft < totalLeft;
    const limit = this.phaseTimer ? phaseLimit! : this.limits.totalMs;
    this.timer = setTimeout(() => this.onDeadline(limit), Math.max(0, this.phaseTimer ? phaseLeft : totalLeft));
  }

  /** Enter the next phase, moving the deadline when a phase limit is involved. */
  private enterPhase(phase: ExchangePhase, at: number): void {
    this.phase = phase;
    if (this.phaseTimer || this.phaseLimit() !== undefined) this.armDeadline(at);
  }

  private onDeadline(limitMs: number): void {
    const detail =
      this.phase === 'connect'
        ? `no connection to ${this.opts.request.origin}`
        : this.phase === 'headers'
          ? 'no response headers'
          : `response body incomplete (${this.bodyBytes} bytes received)`;
    this.fail(new CheckTimeoutError(this.phase, limitMs, detail));
  }

  // --- probe (diagnostics_channel) -------------------------------------------------------------

  onSocket(connection: ConnectionTimes, fresh: boolean): void {
    this.connection = connection;
    this.fresh = fresh;
  }

  onRequestWritten(): void {
    this.sentAt ??= this.clock.monotonicMs();
  }

  // --- undici handler ----------------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.finished) {
      // Timed out or cancelled while connecting: stop here, the request is never written.
      controller.abort(new CheckAbortedError('exchange already ended'));
      return;
    }
    this.socketAt = this.clock.monotonicMs();
    this.controller = controller;
    this.enterPhase('headers', this.socketAt);
    announceProbe(this);
  }

  /** Parser saw the first byte of the response (undici still calls this hook; optional). */
  onResponseStarted(): void {
    this.firstByteAt ??= this.clock.monotonicMs();
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.finished) return;
    if (statusCode < 200) return; // 1xx informational: the final response follows.
    const now = this.clock.monotonicMs();
    this.firstByteAt ??= now;
    this.sentAt ??= this.firstByteAt;
    this.enterPhase('body', now);
    this.statusCode = statusCode;
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      const name = k.toLowerCase();
      flat[name] = Array.isArray(v) ? v.join(', ') : v;
      if (name === 'set-cookie') this.setCookies = Array.isArray(v) ? v : [v];
    }
    this.headers = flat;
    // A HEAD, 204 or 304 response announces a length it does not send.
    const hasBody = this.opts.request.method !== 'HEAD' && statusCode !== 204 && statusCode !== 304;
    const announced = hasBody ? Number(flat['content-length']) : 0;
    if (announced > this.limits.maxBodyBytes) {
      this.abortWith(controller, new BodyTooLargeError(this.limits.maxBodyBytes, announced, true));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished) return;
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.limits.maxBodyBytes) {
      this.abortWith(controller, new BodyTooLargeError(this.limits.maxBodyBytes, this.bodyBytes, false));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const endAt = this.clock.monotonicMs();
    if (this.finished) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bodyBytes);
    this.finish(body, undefined, endAt);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.finished) return;
    this.fail(classifyTransportError(error, this.errorContext()));
  }

  // --- ending ------------------------------------------------------------------------------------

  private abortWith(controller: Dispatcher.DispatchController, error: CheckError): void {
    this.fail(error);
    controller.abort(error);
  }

  /** End with an error (idempotent); cancels the request on the wire if it is still running. */
  fail(error: CheckError): void {
    if (this.finished) return;
    const endAt = this.clock.monotonicMs();
    this.finish(undefined, error, endAt);
    const controller = this.controller;
    if (controller && !controller.aborted) controller.abort(error);
  }

  private finish(body: Buffer | undefined, error: CheckError | undefined, endAt: number): void {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.offAbort?.();
    this.chunks.length = 0;
    this.opts.registry?.delete(this);
    // Plain literals, no object spread: `{ ...x, more }` takes V8's slow path (µs per call).
    const outcome: ExchangeOutcome = { timings: this.timings(endAt) };
    if (this.statusCode !== undefined) outcome.statusCode = this.statusCode;
    if (this.headers !== undefined) outcome.headers = this.headers;
    if (this.setCookies !== undefined) outcome.setCookies = this.setCookies;
    if (this.connection?.tls !== undefined) outcome.tls = this.connection.tls;
    if (body !== undefined) outcome.body = body;
    if (error !== undefined) outcome.error = error;
    this.resolve(outcome);
  }

  private timings(endAt: number): HttpTimings {
    const phases = this.connection && this.fresh ? connectionPhases(this.connection) : NO_CONNECTION_PHASES;
    const socketAt = this.socketAt;
    const sentAt = this.sentAt ?? (this.firstByteAt !== undefined ? this.firstByteAt : undefined);
    const sendMs = socketAt !== undefined && sentAt !== undefined ? sentAt - socketAt : 0;
    const firstByteMs =
      this.firstByteAt !== undefined && sentAt !== undefined
        ? this.firstByteAt - sentAt
        : sentAt !== undefined
          ? endAt - sentAt // still waiting for headers when it ended
          : 0;
    const downloadMs = this.firstByteAt !== undefined ? endAt - this.firstByteAt : 0;
    return {
      dnsMs: phases.dnsMs,
      connectMs: phases.connectMs,
      tlsMs: phases.tlsMs,
      sendMs: Math.max(0, sendMs),
      firstByteMs: Math.max(0, firstByteMs),
      downloadMs: Math.max(0, downloadMs),
      totalMs: Math.max(0, endAt - this.dispatchAt),
      reusedConnection: this.connection !== undefined && !this.fresh,
    };
  }

  private errorContext() {
    return { origin: this.opts.request.origin, phase: this.phase, bodyBytes: this.bodyBytes };
  }
}

const NO_CONNECTION_PHASES = { dnsMs: 0, connectMs: 0, tlsMs: 0 } as const;

function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  if (typeof r === 'string' && r) return r;
  return 'the run was cancelled';
}
