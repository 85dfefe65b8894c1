/**
 * The content every human-facing channel shows (Slack, e-mail, PagerDuty's details), from the
 * channel-neutral AlertEvent that messages.ts builds: the label of an event, the facts (monitor,
 * cause, severity, status, locations) and the incident lines. One place, so channels say the same.
 */
import type { AlertEvent, AlertEventType } from '../types.js';

export const EVENT_LABEL: Record<AlertEventType, string> = {
  open: 'Alert',
  update: 'Alert update',
  reminder: 'Still failing',
  resolved: 'Resolved',
  escalation: 'Escalated, not acknowledged',
};

export interface Fact {
  label: string;
  value: string;
}

/** Monitor, cause, severity, status (with flaps held back) and, when any, locations. */
export function eventFacts(event: AlertEvent): Fact[] {
  const facts: Fact[] = [
    { label: 'Monitor', value: event.monitorName },
    { label: 'Cause', value: event.cause },
    { label: 'Severity', value: event.severity },
    { label: 'Status', value: `${event.status}${event.flaps ? ` (${event.flaps} flaps held back)` : ''}` },
  ];
  if (event.locations.length) facts.push({ label: 'Locations', value: event.locations.join(', ') });
  return facts;
}

/** The incident the alert is part of, as two lines (empty when none). */
export function incidentLines(event: AlertEvent): string[] {
  const inc = event.incident;
  if (!inc) return [];
  const also = inc.otherMonitors.length ? ` · also affected: ${inc.otherMonitors.join(', ')}` : '';
  return [`Incident ${inc.id}${also}`, `Probable cause: ${inc.probableCause}`];
}

/** The closing line: alert id, rule, when it opened. */
export function footerLine(event: AlertEvent): string {
  return `alert ${event.alertId} · rule ${event.rule} · opened ${event.openedAt}`;
}
