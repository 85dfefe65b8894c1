/** Generic JSON webhook: POSTs the event as a versioned JSON document. */
import type { AlertEvent } from '../types.js';
import { HttpJsonChannel } from './http.js';
import { deliveryId } from '../ids.js';

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
  incident?: AlertEvent['incident'];
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
    ...(event.incident ? { incident: event.incident } : {}),
  };
}

export class WebhookChannel extends HttpJsonChannel {
  readonly type = 'webhook';

  render(event: AlertEvent): WebhookPayload {
    return webhookPayload(event, deliveryId(event.id, this.name));
  }
}
