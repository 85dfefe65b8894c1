/**
 * JSON Schema of the `alerts` section of observer.config.ts (owned by src/alerts, embedded by
 * src/config). Strict: unknown keys are rejected. Defaults are NOT in the schema: they are applied
 * in one place, resolveAlertsConfig (config.ts), documented here in each `description`.
 * A resolved config validates against this schema too (resolving twice is harmless).
 */
import { CHANNEL_TYPES, channelRegistry } from './channels/registry.js';
import { SEVERITIES } from '../model/index.js';

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const channelNames = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'Names of channels in alerts.channels.' } as const;
const pagerDutySeverity = { type: 'string', enum: ['critical', 'error', 'warning', 'info'] } as const;

/** Re-notify (the route's channels again) or notify other channels when an alert stays open and unacknowledged. */
const escalate = {
  type: 'array',
  description: 'Steps, each fired once per alert: `afterMs` after the first page while it is open and not acknowledged (`observer alerts ack`).',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['afterMs'],
    properties: {
      afterMs: { type: 'integer', minimum: 60000, description: 'Time since the first page (at least one minute).' },
      channels: { ...channelNames, description: 'Where the escalation goes (default: the route\'s channels again).' },
    },
  },
} as const;

const match = {
  type: 'object',
  additionalProperties: false,
  description: 'Every matcher given must match (any value of a list); no matcher: every alert.',
  properties: {
    monitors: { ...stringList, description: 'Monitor ids or names.' },
    tags: { ...stringList, description: 'Any of these tags.' },
    severity: { type: 'array', items: { type: 'string', enum: SEVERITIES }, description: `Any of ${SEVERITIES.join(', ')}.` },
    locations: { ...stringList, description: 'Any of these locations is affected.' },
  },
} as const;

export const alertsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Alert channels, rules, mutes and maintenance windows.',
  properties: {
    channels: {
      type: 'array',
      description: 'Where alerts go (default: none: alerts are evaluated only when a channel exists).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'Unique channel name (letters, digits, _ . -).' },
          type: { type: 'string', enum: CHANNEL_TYPES, description: `One of ${CHANNEL_TYPES.join(', ')}.` },
          url: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'Webhook URL (http or https). Treated as a secret.' },
          headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra request headers; use ${env:NAME} for secrets.' },
          timeoutMs: { type: 'integer', minimum: 1, maximum: 120000, description: 'Per-request timeout (default 5000).' },
          retries: { type: 'integer', minimum: 0, maximum: 10, description: 'Retries per delivery round with exponential backoff (default 2).' },
          routingKey: { type: 'string', minLength: 1, description: 'pagerduty: the Events API v2 integration key; use ${env:NAME}. A secret.' },
          severityMap: {
            type: 'object',
            additionalProperties: false,
            description: 'pagerduty: our severity to PagerDuty\'s (default the same name).',
            properties: { info: pagerDutySeverity, warning: pagerDutySeverity, critical: pagerDutySeverity },
          },
          smtp: {
            type: 'object',
            additionalProperties: false,
            required: ['host'],
            description: 'email: the SMTP server.',
            properties: {
              host: { type: 'string', minLength: 1 },
              port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Default 587 (465 with secure).' },
              secure: { type: 'boolean', description: 'TLS from the first byte (SMTPS, port 465). Default false.' },
              starttls: { type: 'string', enum: ['required', 'if-offered', 'never'], description: 'Upgrade with STARTTLS (default if-offered).' },
              user: { type: 'string', minLength: 1 },
              password: { type: 'string', description: 'Use ${env:NAME}. A secret.' },
              ca: { type: 'string', minLength: 1, description: 'PEM of a CA (or self-signed certificate) to trust.' },
              rejectUnauthorized: { type: 'boolean', description: 'Verify the server certificate (default true).' },
            },
          },
          from: { type: 'string', minLength: 3, description: 'email: the sender, e.g. "Observer <observer@example.com>".' },
          to: { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 }, description: 'email: recipients.' },
          cc: { type: 'array', items: { type: 'string', minLength: 3 }, description: 'email: copy recipients.' },
          subjectPrefix: { type: 'string', description: 'email: before every subject (default "[observer]").' },
        },
        allOf: CHANNEL_TYPES.filter((t) => channelRegistry[t].required.length).map((t) => ({
          if: { type: 'object', properties: { type: { type: 'string', const: t } }, required: ['type'] },
          then: { type: 'object', properties: Object.fromEntries(channelRegistry[t].required.map((f) => [f, true])), required: [...channelRegistry[t].required] },
        })),
      },
    },
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        failureThreshold: { type: 'integer', minimum: 1, maximum: 1000, description: 'Failed runs in a row (at one location) that open an alert (default 2).' },
        successThreshold: { type: 'integer', minimum: 1, maximum: 1000, description: 'Passing runs in a row that resolve it (default 1).' },
        minLocations: { type: 'integer', minimum: 1, maximum: 1000, description: 'Open an alert when the latest run fails in at least this many locations (default: off).' },
        findingSeverity: { type: 'string', enum: ['warning', 'critical'], description: 'Anomaly findings at or above this severity open an alert (default critical).' },
        sendOnResolved: { type: 'boolean', description: 'Send a recovery message (default true).' },
        reminderIntervalMs: { type: 'integer', minimum: 60000, description: 'Re-send an open alert this often (default: never).' },
        staleLocationMs: {
          type: 'integer',
          minimum: 60000,
          description: 'A location without a result for this long stops counting: it neither fails nor holds an alert open (default 86400000, one day).',
        },
        flapping: {
          type: 'object',
          additionalProperties: false,
          properties: {
            windowRuns: { type: 'integer', minimum: 2, maximum: 1000, description: 'Runs looked at (default 10).' },
            maxTransitions: { type: 'integer', minimum: 1, maximum: 1000, description: 'Pass/fail changes within the window that mark a monitor flapping (default 4).' },
          },
        },
      },
    },
    mute: {
      type: 'object',
      additionalProperties: false,
      properties: {
        monitors: { ...stringList, description: 'Monitor ids (or names) that never notify.' },
        tags: { ...stringList, description: 'Monitors with any of these tags never notify.' },
      },
    },
    maintenance: {
      type: 'array',
      description: 'Windows without notifications (resolutions of alerts already sent still go out).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end'],
        properties: {
          start: { type: 'string', minLength: 1, description: 'ISO 8601 instant, e.g. 2026-11-25T22:00:00Z.' },
          end: { type: 'string', minLength: 1, description: 'ISO 8601 instant after start.' },
          monitors: { ...stringList, description: 'Only these monitors (default: all, unless tags is set).' },
          tags: { ...stringList, description: 'Only monitors with any of these tags.' },
          reason: { type: 'string' },
        },
      },
    },
    reportUrl: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'Where the published reports live; messages link to it.' },
    routing: {
      type: 'object',
      additionalProperties: false,
      description: 'Which channels an alert goes to (default: every channel). Routes are tried in order; the first that matches decides unless it sets `continue`.',
      properties: {
        routes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['channels'],
            properties: {
              match,
              channels: channelNames,
              continue: { type: 'boolean', description: 'Also try the routes after this one (default false).' },
              escalate,
            },
          },
        },
        default: {
          type: 'object',
          additionalProperties: false,
          required: ['channels'],
          description: 'Where an alert no route matches goes (default: every channel).',
          properties: { channels: { ...channelNames, minItems: 0, description: 'Channel names; [] sends alerts no route takes nowhere.' }, escalate },
        },
      },
    },
  },
} as const;
