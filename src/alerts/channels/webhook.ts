/** Generic JSON webhook: POSTs the event as a versioned JSON document. */
import type { AlertEvent } from '../types.js';
import type { Channel, ChannelConfig, ChannelDeps, SendContext } from './channel.js';
import { postJson, registerChannelSecrets } from './http.js';
import { deliveryId } from '../messages.js';

/** The body a webhook receives; `schema` names the version of this shape. */
export interface WebhookPayload {
  schema: 'production-observer/alert@1';
  /** The outbox id, also sent as the `Idempotency-Key` header. */
  id: string;
  event: AlertEvent['type'];
  at: string;
  alert: {
    id: string;
    key: string;
    rule: string;
    monitor: string;
    monitorName: string;
    cause: string;
    severity: string;
    status: 'open' | 'resolved';
    openedAt: string;
    resolvedAt: string | null;
    version: number;
    flaps: number;
  };
  title: string;
  explanation: string;
  locations: string[];
  errorClasses: string[];
  settled: boolean;
  links: AlertEvent['links'];
  finding?: AlertEvent['finding'];
}

export function webhookPayload(event: AlertEvent, id: string): WebhookPayload {
  return {
    schema: 'production-observer/alert@1',
    id,
    event: event.type,
    at: event.at,
    alert: {
      id: event.alertId,
      key: event.key,
      rule: event.rule,
      monitor: event.monitor,
      monitorName: event.monitorName,
      cause: event.cause,
      severity: event.severity,
      status: event.status,
      openedAt: event.openedAt,
      resolvedAt: event.resolvedAt,
      version: event.version,
      flaps: event.flaps,
    },
    title: event.title,
    explanation: event.explanation,
    locations: event.locations,
    errorClasses: event.errorClasses,
    settled: event.settled,
    links: event.links,
    ...(event.finding ? { finding: event.finding } : {}),
  };
}

export class WebhookChannel implements Channel {
  readonly type = 'webhook';
  readonly name: string;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(config: ChannelConfig, private readonly deps: ChannelDeps) {
    this.name = config.name;
    this.url = config.url ?? '';
    this.headers = config.headers ?? {};
    this.timeoutMs = config.timeoutMs ?? deps.defaultTimeoutMs;
    this.retries = config.retries ?? deps.defaultRetries;
    registerChannelSecrets(deps.redactor, config.url, this.headers);
  }

  render(event: AlertEvent): WebhookPayload {
    return webhookPayload(event, deliveryId(event.id, this.name));
  }

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
