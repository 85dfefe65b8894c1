/**
 * Typed failures of one HTTP exchange, one class per kind with a stable code (undici
 * `lib/core/errors.js` style), and the mapping of socket/undici/TLS errors onto `ErrorClass`.
 * Messages are one line a person can act on; they may contain the target's origin and are
 * redacted by the runner before they leave it.
 */
import type { ErrorClass } from '../model/results.js';

/** The phase of an exchange a deadline can expire in. */
export type ExchangePhase = 'connect' | 'headers' | 'body';

/** Base of every failure the check runner produces itself. */
export abstract class CheckError extends Error {
  /** Stable code, e.g. `OBS_CHECK_TIMEOUT`. */
  abstract readonly code: string;
  /** The stored error class. */
  abstract readonly errorClass: ErrorClass;
}

/** A deadline expired: the connect, headers or body phase, or the check's total `timeoutMs`. */
export class CheckTimeoutError extends CheckError {
  readonly code = 'OBS_CHECK_TIMEOUT';
  readonly errorClass = 'timeout';
  constructor(
    readonly phase: ExchangePhase,
    /** The limit that expired, in ms. */
    readonly limitMs: number,
    detail: string,
  ) {
    super(`timeout: ${detail} after ${Math.round(limitMs)} ms`);
    this.name = 'CheckTimeoutError';
  }
}

/** The response body went over `maxBodyBytes`; reading stopped and the socket was destroyed. */
export class BodyTooLargeError extends CheckError {
  readonly code = 'OBS_CHECK_BODY_TOO_LARGE';
  readonly errorClass = 'body_too_large';
  constructor(
    readonly limitBytes: number,
    /** Bytes received (or announced by content-length) when the limit was hit. */
    readonly seenBytes: number,
    announced: boolean,
  ) {
    super(
      announced
        ? `body too large: content-length ${formatBytes(seenBytes)} over the ${formatBytes(limitBytes)} limit (maxBodyBytes)`
        : `body too large: over the ${formatBytes(limitBytes)} limit (maxBodyBytes), stopped after ${formatBytes(seenBytes)}`,
    );
    this.name = 'BodyTooLargeError';
  }
}

/** The run was cancelled (SIGTERM, deadline of the run, runner closed) while the check ran. */
export class CheckAbortedError extends CheckError {
  readonly code = 'OBS_CHECK_ABORTED';
  readonly errorClass = 'aborted';
  constructor(reason: string) {
    super(`aborted: ${reason}`);
    this.name = 'CheckAbortedError';
  }
}

/** A redirect chain that loops or runs past `maxRedirects`, or leads somewhere a check cannot follow. */
export class RedirectError extends CheckError {
  readonly code = 'OBS_CHECK_REDIRECT';
  readonly errorClass = 'redirect';
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

/** A network-level failure (dns, refused, reset, tls, connect timeout) after classification. */
export class NetworkError extends CheckError {
  readonly code = 'OBS_CHECK_NETWORK';
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    /** The system/undici/OpenSSL code it came from, e.g. `ECONNREFUSED`. */
    readonly causeCode: string | undefined,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENOTIMP', 'EREFUSED']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|ERR_OSSL_)/;

/** Where the failing request went, for messages (`https://api.example.com`). */
export interface ErrorContext {
  origin: string;
  /** Phase the exchange was in when the error arrived. */
  phase: ExchangePhase;
  /** Body bytes received so far (for resets mid-body). */
  bodyBytes: number;
}

/**
 * Map anything undici or the socket threw onto a `CheckError`. Errors of our own pass through;
 * unknown errors become `internal` (a bug of ours or an unexpected library failure, never hidden).
 */
export function classifyTransportError(err: unknown, ctx: ErrorContext): CheckError {
  if (err instanceof CheckError) return err;
  const e = err instanceof Error ? (err as Error & { code?: unknown; cause?: unknown }) : new Error(String(err));
  const code = errorCode(e);
  const text = oneLine(e.message);
  if (code && DNS_CODES.has(code)) {
    return new NetworkError('dns', `dns: ${hostOf(ctx.origin)} could not be resolved (${text})`, code);
  }
  if (code && REFUSED_CODES.has(code)) {
    const what = code === 'ECONNREFUSED' ? 'connection refused' : 'host unreachable';
    return new NetworkError('connection_refused', `${what}: ${text}`, code);
  }
  if (code && TLS_CODE.test(code)) {
    return new NetworkError('tls', `tls: ${text} (${code}) from ${ctx.origin}`, code);
  }
  if (code && TIMEOUT_CODES.has(code)) {
    return new NetworkError('timeout', `timeout: ${text} (${ctx.origin})`, code);
  }
  if (code && RESET_CODES.has(code)) {
    const where =
      ctx.phase === 'body'
        ? `during the response body after ${formatBytes(ctx.bodyBytes)}`
        : 'before the response headers';
    return new NetworkError('connection_reset', `connection reset: ${ctx.origin} closed the connection ${where} (${text})`, code);
  }
  if ((code && code.startsWith('HPE_')) || isParserError(e)) {
    // The target answered, but not in HTTP (or in broken HTTP): not a network fault.
    return new NetworkError('protocol', `protocol: invalid HTTP response from ${ctx.origin} (${text})`, code ?? 'HTTPParserError');
  }
  if (code === 'UND_ERR_HEADERS_OVERFLOW') {
    return new NetworkError('protocol', `protocol: ${ctx.origin} sent more response headers than HTTP clients accept (${text})`, code);
  }
  if (code === 'UND_ERR_INVALID_ARG') {
    return new NetworkError('internal', `invalid request: ${text}`, code);
  }
  return new NetworkError('internal', `request failed: ${text}${code ? ` (${code})` : ''}`, code);
}

/** undici's HTTPParserError (its code is not always set), on the error or its cause. */
function isParserError(e: Error & { cause?: unknown }): boolean {
  return e.name === 'HTTPParserError' || (e.cause instanceof Error && e.cause.name === 'HTTPParserError');
}

function errorCode(e: Error & { code?: unknown; cause?: unknown }): string | undefined {
  if (typeof e.code === 'string' && e.code !== 'UND_ERR_SOCKET') return e.code;
  const cause = e.cause as { code?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return typeof e.code === 'string' ? e.code : undefined;
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return origin;
  }
}

function oneLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** `512 B`, `1.5 KiB`, `10 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${trim(n / 1024)} KiB`;
  return `${trim(n / (1024 * 1024))} MiB`;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
