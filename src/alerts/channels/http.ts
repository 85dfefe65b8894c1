/**
 * POST JSON with undici `request`, bounded by an AbortSignal. Errors name the channel, never the
 * URL, and are classified as retryable or not.
 */
import { request } from 'undici';
import { ChannelError } from '../errors.js';
import { isSecretHeader, type Redactor } from '../../runtime/redact.js';
import type { AlertEvent } from '../types.js';
import type { Channel, ChannelConfig, ChannelDeps, SendContext } from './channel.js';

export interface PostJsonOptions {
  channel: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  idempotencyKey: string;
  timeoutMs: number;
  signal: AbortSignal;
  redactor: Redactor;
  /**
   * Classify a non-2xx answer from its status and the first 4 KiB of its body (PagerDuty explains a
   * 400 there). Absent, or returning null: the default (retryable on 5xx, 408 and 429).
   */
  onHttpError?: (status: number, body: string) => ChannelError | null;
}

/** Bytes of an error answer's body read for onHttpError. */
const ERROR_BODY_LIMIT = 4096;

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= ERROR_BODY_LIMIT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_LIMIT).toString('utf8');
}

const USER_AGENT = 'production-observer-alerts/1';

export async function postJson(opts: PostJsonOptions): Promise<void> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = AbortSignal.any([timeout, opts.signal]);
  let statusCode: number;
  let errorBody = '';
  try {
    const res = await request(opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'idempotency-key': opts.idempotencyKey,
        ...opts.headers,
      },
      body: JSON.stringify(opts.body),
      signal,
    });
    statusCode = res.statusCode;
    if (opts.onHttpError && (statusCode < 200 || statusCode >= 300)) {
      errorBody = await readBounded(res.body).catch(() => '');
    } else {
      // Drain (bounded by the same signal) so the connection can be reused.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    }
  } catch (err) {
    if (timeout.aborted) {
      throw new ChannelError('ERR_ALERT_CHANNEL_TIMEOUT', `channel ${opts.channel}: no response within ${opts.timeoutMs} ms`, true);
    }
    if (opts.signal.aborted) {
      throw new ChannelError('ERR_ALERT_CHANNEL_ABORTED', `channel ${opts.channel}: delivery budget exhausted`, true);
    }
    const code = (err as { code?: string }).code;
    const detail = code ?? (err instanceof Error ? err.message : String(err));
    throw new ChannelError('ERR_ALERT_CHANNEL_NETWORK', `channel ${opts.channel}: ${opts.redactor.redact(detail)}`, true);
  }
  if (statusCode >= 200 && statusCode < 300) return;
  const classified = opts.onHttpError?.(statusCode, errorBody);
  if (classified) throw classified;
  const retryable = statusCode >= 500 || statusCode === 408 || statusCode === 429;
  throw new ChannelError('ERR_ALERT_CHANNEL_HTTP', `channel ${opts.channel}: HTTP ${statusCode}`, retryable, statusCode);
}

/**
 * Register what makes a webhook secret with the redactor: the URL itself, its password and query
 * values, the values of secret-named headers (and the token after `Bearer `/`Basic `).
 */
export function registerChannelSecrets(redactor: Redactor, url: string | undefined, headers: Record<string, string>, opts: { secretPath?: boolean } = {}): void {
  if (url) {
    redactor.add(url);
    try {
      const u = new URL(url);
      redactor.add(u.href);
      redactor.add(decodeURIComponent(u.password));
      for (const value of u.searchParams.values()) redactor.add(value);
      if (opts.secretPath) redactor.add(u.pathname.replace(/^\/+/, ''));
    } catch {
      // Invalid URLs are rejected by the config validation; nothing more to register.
    }
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!isSecretHeader(name)) continue;
    redactor.add(value);
    const m = /^\s*(?:bearer|basic|token)\s+(.+)$/i.exec(value);
    if (m) redactor.add(m[1]);
  }
}

/**
 * A channel that POSTs one JSON document per event (webhook, Slack): subclasses only render.
 * Secrets in the URL and headers are registered with the Redactor at construction.
 */
export abstract class HttpJsonChannel implements Channel {
  abstract readonly type: string;
  readonly name: string;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(config: ChannelConfig, protected readonly deps: ChannelDeps, secrets: { secretPath?: boolean } = {}) {
    this.name = config.name;
    this.url = config.url ?? '';
    this.headers = config.headers ?? {};
    this.timeoutMs = config.timeoutMs ?? deps.defaultTimeoutMs;
    this.retries = config.retries ?? deps.defaultRetries;
    registerChannelSecrets(deps.redactor, config.url, this.headers, secrets);
  }

  abstract render(event: AlertEvent): unknown;

  send(payload: unknown, ctx: SendContext): Promise<void> {
    return postJson({
      channel: this.name,
      url: this.url,
      headers: this.headers,
      body: payload,
      idempotencyKey: ctx.idempotencyKey,
      timeoutMs: this.timeoutMs,
      signal: ctx.signal,
      redactor: this.deps.redactor,
    });
  }
}
