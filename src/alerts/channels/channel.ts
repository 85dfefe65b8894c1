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
  /** pagerduty: the Events API v2 integration key (`${env:PD_KEY}`). A secret: sent, never stored or logged. */
  routingKey?: string;
  /** pagerduty: our severity -> PagerDuty's (default critical->critical, warning->warning, info->info). */
  severityMap?: Partial<Record<'info' | 'warning' | 'critical', PagerDutySeverity>>;
  /** email: the SMTP server. */
  smtp?: SmtpSettings;
  /** email: the sender, `Observer <observer@example.com>`. */
  from?: string;
  /** email: recipients. */
  to?: string[];
  cc?: string[];
  /** email: before every subject (default `[observer]`). */
  subjectPrefix?: string;
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** How an e-mail channel reaches its SMTP server. */
export interface SmtpSettings {
  host: string;
  /** Default 587, or 465 with `secure`. */
  port?: number;
  /** TLS from the first byte (SMTPS, usually port 465). Default false. */
  secure?: boolean;
  /**
   * Upgrade a plain connection with STARTTLS: `required` (fail when the server does not offer it),
   * `if-offered` (default: when the server offers it), `never`. Ignored with `secure`.
   */
  starttls?: 'required' | 'if-offered' | 'never';
  user?: string;
  /** A secret (`${env:SMTP_PASSWORD}`): never logged, stored or shown in an error. */
  password?: string;
  /** PEM of the CA (or self-signed certificate) to trust besides the system's. */
  ca?: string;
  /** Verify the server's certificate (default true). */
  rejectUnauthorized?: boolean;
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
