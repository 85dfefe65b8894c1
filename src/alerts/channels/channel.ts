/**
 * One channel interface. A channel renders an event once (the result is stored in the outbox) and
 * sends a stored payload; it never throws anything but a ChannelError and honours `signal`
 * (per-request timeout combined with the delivery budget).
 */
import type { Redactor } from '../../runtime/redact.js';
import type { AlertEvent } from '../types.js';

export interface ChannelConfig {
  /** Unique name; deliveries in the outbox refer to it. */
  name: string;
  type: string;
  /** Webhook URL (webhook, slack). Often carries a token: never logged, never stored in alerts. */
  url?: string;
  /** Extra request headers; `${env:...}` values are resolved by the config loader. */
  headers?: Record<string, string>;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt within one delivery round (default 2). */
  retries?: number;
}

export interface SendContext {
  /** Outbox id; sent as the `Idempotency-Key` header so a receiver can drop a repeat. */
  idempotencyKey: string;
  signal: AbortSignal;
}

export interface Channel {
  readonly name: string;
  readonly type: string;
  /** Per-request timeout in ms. */
  readonly timeoutMs: number;
  /** Retries after the first attempt within one delivery round. */
  readonly retries: number;
  /** The wire payload for an event (JSON-serialisable). Called once, at enqueue time. */
  render(event: AlertEvent): unknown;
  send(payload: unknown, ctx: SendContext): Promise<void>;
}

export interface ChannelDeps {
  redactor: Redactor;
  /** Where the log channel writes its line (already redacted). */
  log: (line: string) => void;
  /** Default per-request timeout when the channel sets none. */
  defaultTimeoutMs: number;
  /** Default retries when the channel sets none. */
  defaultRetries: number;
}

export type ChannelFactory = (config: ChannelConfig, deps: ChannelDeps) => Channel;
