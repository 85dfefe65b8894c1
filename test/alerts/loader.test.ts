/** The alerts section through the real config loader: interpolated secrets, strict schema, then resolveAlertsConfig. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(alerts: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'observer-alerts-cfg-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'observer.config.ts'), `export default { alerts: ${alerts} };\n`);
  return dir;
}

describe('alerts config through the config loader', () => {
  it('accepts a full section; ${env:} header secrets are resolved and registered with the redactor', async () => {
    const dir = project(`{
      channels: [
        { name: 'ops', type: 'webhook', url: 'https://hooks.example.com/observer', headers: { Authorization: 'Bearer \${env:HOOK_TOKEN}' }, timeoutMs: 3000, retries: 1 },
        { name: 'team', type: 'slack', url: '\${env:SLACK_URL}' },
        { name: 'log', type: 'log' },
      ],
      rules: { failureThreshold: 3, minLocations: 2, findingSeverity: 'warning', flapping: { windowRuns: 12, maxTransitions: 5 } },
      mute: { tags: ['beta'] },
      maintenance: [{ start: '2026-11-25T22:00:00Z', end: '2026-11-25T23:00:00Z', reason: 'db upgrade' }],
    }`);
    const config = await loadConfig({ cwd: dir, env: { HOOK_TOKEN: 'tok-abcdef123456', SLACK_URL: 'https://hooks.slack.com/services/T1/B2/sekret' } });
    const alerts = config.alerts;
    expect(alerts.channels.map((c) => [c.name, c.type, c.timeoutMs, c.retries])).toEqual([
      ['ops', 'webhook', 3000, 1],
      ['team', 'slack', 5000, 2],
      ['log', 'log', 5000, 2],
    ]);
    expect(alerts.channels[0].headers?.Authorization).toBe('Bearer tok-abcdef123456');
    expect(alerts.rules).toMatchObject({ failureThreshold: 3, successThreshold: 1, minLocations: 2, findingSeverity: 'warning', flapping: { windowRuns: 12, maxTransitions: 5 } });
    expect(config.redactor.redact('token tok-abcdef123456 url https://hooks.slack.com/services/T1/B2/sekret')).toBe('token [REDACTED] url [REDACTED]');
  });

  it('rejects unknown keys and a webhook without url with the field path (exit-2 diagnostics)', async () => {
    const dir = project(`{ channels: [{ name: 'ops', type: 'webhook' }], rules: { failureTreshold: 3 } }`);
    const err = await loadConfig({ cwd: dir, env: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).diagnostics.map((d) => `${d.path ?? ''} ${d.message}`).join('\n');
    expect(text.split('\n')).toEqual(['alerts.channels[0].url is required', 'alerts.rules unknown field "failureTreshold" (did you mean "failureThreshold"?)']);
  });
});
