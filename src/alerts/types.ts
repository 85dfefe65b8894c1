/**
 * What the alert state machine emits: channel-neutral events. Channels render them (webhook JSON,
 * Slack blocks, a log line); the rendered payload is stored in the outbox so a retry resends the
 * same bytes.
 */
import type { Finding, Severity } from '../model/index.js';

export type { FindingChange } from '../model/findings.js';

/**
 * - `open`: a new incident (first message about it).
 * - `update`: the incident got worse (more locations, higher severity, a new error class) or it
 *   stopped flapping and is still failing.
 * - `resolved`: the incident is over (successThreshold passing runs, or the finding resolved).
 * - `reminder`: still open after `reminderIntervalMs`.
 * - `escalation`: still open and not acknowledged (`observer alerts ack`) a route's `escalate.afterMs`
 *   after the first page; it goes to the step's channels (or the route's again).
 */
export const ALERT_EVENT_TYPES = ['open', 'update', 'resolved', 'reminder', 'escalation'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** Which rule opened an incident: consecutive failures, failing locations, or an anomaly finding kind. */
export type AlertRule = 'failures' | 'locations' | `finding:${string}`;

export interface AlertLink {
  label: string;
  url: string;
}

export interface AlertEvent {
  /** Deterministic outbox id stem: alert id + event + version (channels append their name). */
  id: string;
  type: AlertEventType;
  /** ISO instant the event was decided (injected clock). */
  at: string;
  alertId: string;
  /** Dedup key: `monitor|cause`. */
  key: string;
  rule: AlertRule;
  monitor: string;
  /** Human name of the monitor (its id when unknown). */
  monitorName: string;
  /** The monitor's tags (routing matches them; PagerDuty's `group`). */
  tags: string[];
  /** Stable cause: `failing` for a down monitor, `finding:<kind>:<step>:<metric>:<location>` for findings. */
  cause: string;
  severity: Severity;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  /** Messages sent about this alert so far, this one included (1 for the first `open`). */
  version: number;
  /** One line: what happened. */
  title: string;
  /** Numbers a person can act on: error messages per location, the finding's explanation. */
  explanation: string;
  /** Locations currently affected. */
  locations: string[];
  /** Error classes seen during the incident (down incidents). */
  errorClasses: string[];
  /** State changes held back while the monitor was flapping. */
  flaps: number;
  /** True when this message ends a flapping episode (it carries the settled state). */
  settled: boolean;
  links: AlertLink[];
  /** For finding alerts: the finding's numbers. */
  finding?: Pick<Finding, 'id' | 'kind' | 'observed' | 'expected' | 'unit' | 'magnitude' | 'series'>;
  /** The incident (src/incidents) this alert is part of, when the store's recent runs group it into one. */
  incident?: AlertIncidentRef;
}

/** What an alert says about the incident it belongs to: one page per incident, naming everything it covers. */
export interface AlertIncidentRef {
  /** The incident's id (as `observer incidents` shows it). */
  id: string;
  startedAt: string;
  /** Every monitor the incident groups, this one included. */
  monitors: string[];
  /** The monitors other than this alert's. */
  otherMonitors: string[];
  locations: string[];
  /** The probable cause's evidence, or the plain "no change explains this". */
  probableCause: string;
  /** The probable cause itself (kind and ref), null when no change explains it. */
  probable: { kind: string; ref: string; score: number } | null;
  /** What the grouping rests on (same error, same endpoint, ...). */
  evidence: string[];
  hints: string[];
}
