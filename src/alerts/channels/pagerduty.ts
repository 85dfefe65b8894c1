/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`). Every message about one alert carries the same
 * `dedup_key`, so PagerDuty keeps one incident per alert: `open`, `update`, `reminder` and
 * `escalation` are `trigger` events (PagerDuty adds them to the open incident's log), `resolved`
 * is `resolve` and closes it.
 *
 * The routing key is a secret: it is not in the rendered payload (the outbox stores that), only
 * added to the request body at send time, and registered with the Redactor.
 *
 * Answers: 202 accepted; 400 "invalid event" is rejected for good (the outbox abandons it, its
 * error names PagerDuty's reason); 429 and 5xx are retried with backoff by the outbox.
 */
import { ChannelError } from '../errors.js';
import type { Severity } from '../../model/index.js';
import type { AlertEvent, AlertEventType } from '../types.js';
import type { Channel, ChannelConfig, ChannelDeps, PagerDutySeverity, SendContext } from './channel.js';
import { eventFacts, incidentLines } from './content.js';
import { postJson } from './http.js';

/** PagerDuty's US endpoint; EU accounts use `https://events.eu.pagerduty.com/v2/enqueue`. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = { critical: 'critical', warning: 'warning', info: 'info' };

const ACTION: Record<AlertEventType, 'trigger' | 'resolve'> = {
  open: 'trigger',
  update: 'trigger',
  reminder: 'trigger',
  escalation: 'trigger',
  resolved: 'resolve',
};

/** What the outbox stores: the event without `routing_key` (added by send). */
export interface PagerDutyPayload {
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component: string;
    group?: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
  images?: never[];
  client: string;
  client_url?: string;
}

/** The dedup key of an alert: stable for its life, so a resolve closes the incident its trigger opened. */
export function pagerDutyDedupKey(alertId: string): string {
  return `production-observer/${alertId}`;
}

/**
 * `observer alerts ack` acknowledges the PagerDuty incident too: this payload is queued for every
 * PagerDuty channel told about the alert, and sent by the next delivery round.
 */
export function pagerDutyAcknowledge(alertId: string): PagerDutyPayload {
  return { event_action: 'acknowledge', dedup_key: pagerDutyDedupKey(alertId), client: 'production-observer' };
}

export function pagerDutyPayload(event: AlertEvent, severityMap: Partial<Record<Severity, PagerDutySeverity>> = {}): PagerDutyPayload {
  const action = ACTION[event.type];
  const links = event.links.map((l) => ({ href: l.url, text: l.label }));
  const report = event.links.find((l) => l.label === 'Report');
  const common = { dedup_key: pagerDutyDedupKey(event.alertId), client: 'production-observer', ...(report ? { client_url: report.url } : {}) };
  if (action === 'resolve') return { event_action: 'resolve', ...common };
  const details: Record<string, unknown> = Object.fromEntries(eventFacts(event).map((f) => [f.label.toLowerCase(), f.value]));
  Object.assign(details, {
    event: event.type,
    title: event.title,
    explanation: event.explanation,
    rule: event.rule,
    alert: event.alertId,
    openedAt: event.openedAt,
    ...(event.errorClasses.length ? { errorClasses: event.errorClasses.join(', ') } : {}),
    ...(event.finding ? { finding: { kind: event.finding.kind, observed: event.finding.observed, expected: event.finding.expected, unit: event.finding.unit } } : {}),
  });
  const incident = incidentLines(event);
  if (incident.length) details.incident = incident.join('\n');
  return {
    event_action: 'trigger',
    ...common,
    payload: {
      // PagerDuty cuts the summary at 1024 characters; we cut it ourselves so the end is ours.
      summary: event.title.length <= 1024 ? event.title : event.title.slice(0, 1023) + '…',
      source: event.monitor,
      severity: severityMap[event.severity] ?? PAGERDUTY_SEVERITY[event.severity],
      timestamp: event.at,
      component: event.finding?.series.step ?? event.monitor,
      ...(event.tags.length ? { group: event.tags.join(',') } : {}),
      class: event.errorClasses[0] ?? event.rule,
      custom_details: details,
    },
    links,
    images: [],
  };
}

/** PagerDuty's reason for a 400: `{ status, message, errors: [...] }`. */
function reason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e): e is string => typeof e === 'string') : [];
    const parts = [typeof parsed.message === 'string' ? parsed.message : '', ...errors].filter(Boolean);
    if (parts.length) return parts.join('; ').slice(0, 500);
  } catch {
    // Not JSON: say so rather than quote it.
  }
  return 'no reason given';
}

export class PagerDutyChannel implements Channel {
  readonly type = 'pagerduty';
  readonly name: string;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly url: string;
  private readonly routingKey: string;
  private readonly severityMap: Partial<Record<Severity, PagerDutySeverity>>;

  constructor(config: ChannelConfig, private readonly deps: ChannelDeps) {
    this.name = config.name;
    this.url = config.url ?? PAGERDUTY_EVENTS_URL;
    this.routingKey = config.routingKey ?? '';
    this.severityMap = config.severityMap ?? {};
    this.timeoutMs = config.timeoutMs ?? deps.defaultTimeoutMs;
    this.retries = config.retries ?? deps.defaultRetries;
    deps.redactor.add(this.routingKey);
  }

  render(event: AlertEvent): PagerDutyPayload {
    return pagerDutyPayload(event, this.severityMap);
  }

  send(payload: unknown, ctx: SendContext): Promise<void> {
    const redactor = this.deps.redactor;
    const channel = this.name;
    return postJson({
      channel,
      url: this.url,
      headers: {},
      body: { routing_key: this.routingKey, ...(payload as PagerDutyPayload) },
      idempotencyKey: ctx.idempotencyKey,
      timeoutMs: this.timeoutMs,
      signal: ctx.signal,
      redactor,
      onHttpError: (status, body) => {
        if (status === 400) {
          return new ChannelError('ERR_ALERT_CHANNEL_REJECTED', `channel ${channel}: PagerDuty rejected the event (HTTP 400): ${redactor.redact(reason(body))}`, false, 400, true);
        }
        if (status === 429) return new ChannelError('ERR_ALERT_CHANNEL_HTTP', `channel ${channel}: HTTP 429 (PagerDuty rate limit)`, true, 429);
        return null;
      },
    });
  }
}
