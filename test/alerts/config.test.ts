import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AlertManager, AlertsConfigError, alertsConfigSchema, resolveAlertsConfig, CHANNEL_TYPES } from '../../src/alerts/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import type { Store } from '../../src/store/store.js';

function diagnostics(section: unknown): string[] {
  try {
    resolveAlertsConfig(section);
  } catch (err) {
    if (err instanceof AlertsConfigError) return err.diagnostics.map((d) => `${d.path}: ${d.message}`);
    throw err;
  }
  return [];
}

describe('alerts config', () => {
  it('applies every default in one place', () => {
    expect(resolveAlertsConfig(undefined)).toEqual({
      channels: [],
      rules: { failureThreshold: 2, successThreshold: 1, findingSeverity: 'critical', sendOnResolved: true, staleLocationMs: 86_400_000, flapping: { windowRuns: 10, maxTransitions: 4 } },
      mute: { monitors: [], tags: [] },
      maintenance: [],
      routing: { routes: [], default: { channels: [], escalate: [] } },
    });
    expect(resolveAlertsConfig({ channels: [{ name: 'ops', type: 'webhook', url: 'https://hooks.example.com/x' }] }).channels).toEqual([
      { name: 'ops', type: 'webhook', url: 'https://hooks.example.com/x', headers: {}, timeoutMs: 5000, retries: 2 },
    ]);
  });

  it('a resolved config validates against the strict schema again (resolving twice is harmless)', () => {
    const input = {
      channels: [{ name: 'team', type: 'slack' as const, url: 'https://hooks.slack.com/services/T/B/X', headers: { 'x-a': 'b' } }],
      rules: { minLocations: 2, reminderIntervalMs: 3_600_000, flapping: { windowRuns: 8 } },
      mute: { tags: ['beta'] },
      maintenance: [{ start: '2026-11-25T22:00:00Z', end: '2026-11-25T23:00:00Z', monitors: ['checkout-api'], reason: 'db upgrade' }],
      reportUrl: 'https://status.example.com/',
    };
    const once = resolveAlertsConfig(input);
    expect(resolveAlertsConfig(once)).toEqual(once);
    const validate = new Ajv({ strict: true, allErrors: true }).compile(alertsConfigSchema);
    expect(validate(once)).toBe(true);
    expect(validate({ ...once, extra: 1 })).toBe(false);
  });

  it('lists every problem with its field path: unknown keys, enums, required url, duplicates, windows, flapping', () => {
    expect(
      diagnostics({
        channels: [
          { name: 'a', type: 'pager' },
          { name: 'b', type: 'webhook' },
          { name: 'c', type: 'log', retry: 3 },
        ],
        rules: { failureThreshold: 0, findingSeverity: 'info' },
        colour: 'red',
      }),
    ).toEqual([
      'alerts: unknown key "colour"',
      'alerts.channels[0].type: expected one of webhook, slack, pagerduty, email, log',
      'alerts.channels[1].url: is required',
      'alerts.channels[2]: unknown key "retry"',
      'alerts.rules.failureThreshold: must be >= 1',
      'alerts.rules.findingSeverity: expected one of warning, critical',
    ]);
    expect(
      diagnostics({
        channels: [
          { name: 'a', type: 'log' },
          { name: 'a', type: 'log', url: 'https://x.example.com' },
        ],
        maintenance: [
          { start: '2026-11-25T23:00:00Z', end: '2026-11-25T22:00:00Z' },
          { start: 'tonight', end: '2026-11-25T22:00:00Z' },
        ],
        rules: { flapping: { windowRuns: 4, maxTransitions: 4 } },
      }),
    ).toEqual([
      'alerts.channels[1].name: duplicate channel name "a"',
      'alerts.channels[1].url: a log channel takes no url (only webhook, slack, pagerduty channels do)',
      'alerts.maintenance[0].end: must be after start (2026-11-25T23:00:00Z)',
      'alerts.maintenance[1].start: expected an ISO 8601 instant, got "tonight"',
      'alerts.rules.flapping.maxTransitions: must be below windowRuns (4): a window of N runs has at most N-1 changes',
    ]);
  });

  it('the schema type enum and the manager both come from the channel registry', () => {
    expect(CHANNEL_TYPES).toEqual(['webhook', 'slack', 'pagerduty', 'email', 'log']);
    const config = resolveAlertsConfig({ channels: [{ name: 'l', type: 'log' }] });
    const bad = { ...config, channels: [{ ...config.channels[0], type: 'pager' as never }] };
    expect(() => new AlertManager({ store: {} as Store, config: bad, redactor: new Redactor() })).toThrow('alerts.channels[0].type: unknown channel type "pager"; expected one of webhook, slack, pagerduty, email, log');
    expect(new AlertManager({ store: {} as Store, config, redactor: new Redactor() }).channelNames).toEqual(['l']);
  });
});
