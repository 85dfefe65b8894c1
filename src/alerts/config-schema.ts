/**
 * JSON Schema of the `alerts` section of observer.config.ts (owned by src/alerts, embedded by
 * src/config). Strict: unknown keys are rejected. Defaults are NOT in the schema: they are applied
 * in one place, resolveAlertsConfig (config.ts), documented here in each `description`.
 * A resolved config validates against this schema too (resolving twice is harmless).
 */
import { CHANNEL_TYPES, URL_CHANNEL_TYPES } from './channels/registry.js';

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

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
        },
        allOf: [
          {
            if: { type: 'object', properties: { type: { type: 'string', enum: URL_CHANNEL_TYPES } }, required: ['type'] },
            then: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
          },
        ],
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
  },
} as const;
