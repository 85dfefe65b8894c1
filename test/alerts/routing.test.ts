/**
 * Routing: which channels an alert goes to, by tag, severity, location and monitor, first match
 * or every match with `continue`, a default; validated with the field path and the known names.
 * Through the real AlertManager and real receivers, and through the config loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAlertsConfig, type AlertsConfigInput, type WebhookPayload } from '../../src/alerts/index.js';
import { route } from '../../src/alerts/routing.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import { finding, result, sqliteStore, T0, type StoreFixture } from './fixtures.js';
import { harness } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';

let fx: StoreFixture;
const receivers: Receiver[] = [];
const dirs: string[] = [];
beforeEach(async () => {
  fx = await sqliteStore(new Redactor());
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await fx.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ROUTING: AlertsConfigInput['routing'] = {
  routes: [
    { match: { tags: ['payments'], severity: ['critical'] }, channels: ['pager'], continue: true },
    { match: { tags: ['payments'] }, channels: ['payments-team'] },
    { match: { locations: ['ap-south'] }, channels: ['apac'] },
    { match: { monitors: ['Search'] }, channels: ['apac'] },
  ],
  default: { channels: ['everyone'] },
};
const NAMES = ['pager', 'payments-team', 'apac', 'everyone'];

function subject(over: Partial<Parameters<typeof route>[1]> = {}): Parameters<typeof route>[1] {
  return { monitor: 'checkout-api', monitorName: 'Checkout API', tags: ['shop'], severity: 'critical', locations: ['eu-west'], ...over };
}

describe('routing', () => {
  it('first match decides; `continue` goes on to the next routes; no match takes the default', () => {
    const config = resolveAlertsConfig({ channels: NAMES.map((name) => ({ name, type: 'log' as const })), routing: ROUTING });
    const r = (over: Partial<Parameters<typeof route>[1]>) => route(config.routing, subject(over)).channels;
    expect(r({ tags: ['payments'], severity: 'critical' })).toEqual(['pager', 'payments-team']);
    expect(r({ tags: ['payments'], severity: 'warning' })).toEqual(['payments-team']);
    // The payments route does not continue: an APAC location of a payments monitor stays with payments.
    expect(r({ tags: ['payments'], severity: 'warning', locations: ['ap-south'] })).toEqual(['payments-team']);
    expect(r({ locations: ['eu-west', 'ap-south'] })).toEqual(['apac']);
    expect(r({ monitor: 'search', monitorName: 'Search' })).toEqual(['apac']);
    expect(r({})).toEqual(['everyone']);
    // Without routing: every channel.
    const plain = resolveAlertsConfig({ channels: NAMES.map((name) => ({ name, type: 'log' as const })) });
    expect(route(plain.routing, subject()).channels).toEqual(NAMES);
  });

  it('delivers each alert to its routes only, and its resolve to every channel it told, even after the severity changed', async () => {
    const rx = new Map<string, Receiver>();
    for (const name of NAMES) {
      const r = await startReceiver('ok');
      receivers.push(r);
      rx.set(name, r);
    }
    const h = harness(fx, {
      channels: NAMES.map((name) => ({ name, type: 'webhook' as const, url: rx.get(name)!.url, retries: 0 })),
      rules: { failureThreshold: 1, findingSeverity: 'warning' },
      routing: ROUTING,
    });
    const got = (name: string) => rx.get(name)!.accepted().map((r) => `${(r.json as WebhookPayload).event} ${(r.json as WebhookPayload).alert.monitor}`);

    // A payments monitor down (critical): pager and the payments team.
    await h.run([result({ status: 'failed', monitor: 'pay-api', tags: ['payments'] })]);
    // A shop monitor down in APAC: apac only; elsewhere: everyone.
    await h.run([result({ status: 'failed', monitor: 'shop-home', tags: ['shop'], location: 'ap-south' })]);
    await h.run([result({ status: 'failed', monitor: 'blog', tags: ['content'] })]);
    expect(got('pager')).toEqual(['open pay-api']);
    expect(got('payments-team')).toEqual(['open pay-api']);
    expect(got('apac')).toEqual(['open shop-home']);
    expect(got('everyone')).toEqual(['open blog']);

    // A payments finding at warning goes to the team; it turns critical: the pager hears of it too;
    // it resolves (at warning, the pager's route would not take it): both hear of the resolve.
    const warn = { ...finding({ monitor: 'pay-api', severity: 'warning', kind: 'regression' }), series: { monitor: 'pay-api', step: 'pay-api', metric: 'durationMs', location: 'eu-west' } };
    h.clock.ms = T0 + 3_600_000;
    await h.run([result({ status: 'passed', monitor: 'pay-api', tags: ['payments'] })], [{ finding: warn, type: 'opened' }]);
    await h.run([result({ status: 'passed', monitor: 'pay-api', tags: ['payments'] })], [{ finding: { ...warn, severity: 'critical' }, type: 'updated' }]);
    await h.run([result({ status: 'passed', monitor: 'pay-api', tags: ['payments'] })], [{ finding: warn, type: 'updated' }]);
    await h.run([result({ status: 'passed', monitor: 'pay-api', tags: ['payments'] })], [{ finding: { ...warn, severity: 'warning', status: 'resolved', resolvedAt: new Date(h.clock.ms).toISOString() }, type: 'resolved' }]);
    const findingEvents = (name: string) =>
      rx
        .get(name)!
        .accepted()
        .map((r) => r.json as WebhookPayload)
        .filter((p) => p.alert.rule.startsWith('finding:'))
        .map((p) => `${p.event} ${p.alert.severity}`);
    expect(findingEvents('payments-team')).toEqual(['open warning', 'update critical', 'resolved warning']);
    expect(findingEvents('pager')).toEqual(['update critical', 'resolved warning']);
    expect(findingEvents('everyone')).toEqual([]);
  });

  it('rejects unknown channel names with the field path and the known names; channel fields per type', () => {
    let err: unknown;
    try {
      resolveAlertsConfig({
        channels: [
          { name: 'pager', type: 'pagerduty' } as never,
          { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/x', routingKey: 'abc' } as never,
        ],
        routing: { routes: [{ match: { tags: ['x'] }, channels: ['pager', 'pagr'], escalate: [{ afterMs: 900_000, channels: ['oncall'] }] }], default: { channels: ['hook'] } },
      });
    } catch (e) {
      err = e;
    }
    expect((err as { diagnostics: Array<{ path: string; message: string }> }).diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual(['alerts.channels[0].routingKey: is required']);
    try {
      resolveAlertsConfig({
        channels: [
          { name: 'pager', type: 'pagerduty', routingKey: 'k' },
          { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/x', routingKey: 'abc' },
        ],
        routing: { routes: [{ match: { tags: ['x'] }, channels: ['pager', 'pagr'], escalate: [{ afterMs: 900_000, channels: ['oncall'] }] }], default: { channels: ['hook'] } },
      });
    } catch (e) {
      err = e;
    }
    expect((err as { diagnostics: Array<{ path: string; message: string }> }).diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'alerts.channels[1].routingKey: a webhook channel takes no routingKey (only pagerduty channels do); it takes headers, url',
      'alerts.routing.routes[0].channels[1]: unknown channel "pagr"; expected one of pager, hook',
      'alerts.routing.routes[0].escalate[0].channels[0]: unknown channel "oncall"; expected one of pager, hook',
    ]);
  });

  it('through the config loader: the file, the field and what was expected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'observer-routing-cfg-'));
    dirs.push(dir);
    writeFileSync(
      path.join(dir, 'observer.config.ts'),
      `export default { alerts: {
        channels: [{ name: 'mail', type: 'email', smtp: { host: 'smtp.example.com', port: 587 }, from: 'observer@example.com', to: ['oncall@example.com'] }],
        routing: { routes: [{ match: { severity: ['urgent'] }, channels: ['mail'] }, { channels: ['pager'] }], default: { channels: [] } },
      } };\n`,
    );
    const err = await loadConfig({ cwd: dir, env: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const diagnostics = (err as ConfigError).diagnostics;
    expect(diagnostics.every((d) => d.file?.endsWith('observer.config.ts'))).toBe(true);
    expect(diagnostics.map((d) => `${d.path} ${d.message}`)).toEqual(['alerts.routing.routes[0].match.severity[0] must be one of info, warning, critical (got "urgent")']);

    writeFileSync(path.join(dir, 'observer.config.ts'), `export default { alerts: { channels: [{ name: 'mail', type: 'email', smtp: { host: 'smtp.example.com' }, from: 'observer@example.com', to: ['oncall@example.com'] }], routing: { routes: [{ channels: ['pager'] }] } } };\n`);
    const err2 = (await loadConfig({ cwd: dir, env: {} }).then(
      () => null,
      (e: unknown) => e,
    )) as ConfigError;
    expect(err2.diagnostics.map((d) => `${d.path} ${d.message}`)).toEqual(['alerts.routing.routes[0].channels[0] unknown channel "pager"; expected one of mail']);
  });
});
