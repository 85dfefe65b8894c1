import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';
import { result, sqliteStore, type StoreFixture } from './fixtures.js';
import { harness } from './harness.js';
import type { SlackPayload, WebhookPayload } from '../../src/alerts/index.js';
import { Redactor } from '../../src/runtime/redact.js';

let fx: StoreFixture;
const receivers: Receiver[] = [];

async function receiver(mode: 'ok' | 'fail' | 'hang'): Promise<Receiver> {
  const r = await startReceiver(mode);
  receivers.push(r);
  return r;
}

beforeEach(async () => {
  fx = await sqliteStore(new Redactor());
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await fx.dispose();
});

describe('outbox', () => {
  it('keeps a message while the receiver is down and delivers it exactly once on the next run', async () => {
    const rx = await receiver('fail');
    const h = harness(fx, { channels: [{ name: 'hook', type: 'webhook', url: `${rx.url}/hook`, retries: 2 }], rules: { failureThreshold: 1 } });
    const first = await h.run([result({ status: 'failed' })]);
    expect(first.events.map((e) => e.type)).toEqual(['open']);
    expect(first.report).toMatchObject({ delivered: 0, failed: 1, pending: 1 });
    expect(rx.received.map((r) => r.status)).toEqual([500, 500, 500]); // first try + 2 retries
    const [pending] = await fx.store.pendingDeliveries();
    expect(pending).toMatchObject({ channel: 'hook', event: 'open', attempts: 3, deliveredAt: null, lastError: 'channel hook: HTTP 500' });

    rx.mode = 'ok';
    const second = await h.run([result({ status: 'failed' })]); // same incident: nothing new, the old one goes out
    expect(second.events).toEqual([]);
    expect(second.report).toMatchObject({ delivered: 1, failed: 0, pending: 0 });
    const third = await h.run([result({ status: 'failed' })]);
    expect(third.report).toMatchObject({ delivered: 0, pending: 0 });

    expect(rx.accepted()).toHaveLength(1);
    const keys = new Set(rx.received.map((r) => r.headers['idempotency-key']));
    expect(keys).toEqual(new Set([pending.id]));
    expect((rx.accepted()[0].json as WebhookPayload).id).toBe(pending.id);
    expect(await fx.store.pendingDeliveries()).toEqual([]);
  });

  it('keeps the order of one alert: a failed open holds back its resolved until the open is through', async () => {
    const rx = await receiver('fail');
    const h = harness(fx, { channels: [{ name: 'hook', type: 'webhook', url: rx.url, retries: 0 }], rules: { failureThreshold: 1 } });
    await h.run([result({ status: 'failed' })]);
    const r2 = await h.run([result({ status: 'passed' })]);
    expect(r2.events.map((e) => e.type)).toEqual(['resolved']);
    expect(r2.report).toMatchObject({ delivered: 0, failed: 1, deferred: 1, pending: 2 });
    rx.mode = 'ok';
    expect((await h.manager.deliver()).delivered).toBe(2);
    expect(rx.accepted().map((r) => (r.json as WebhookPayload).event)).toEqual(['open', 'resolved']);
  });

  it('a hanging receiver is cut by the request timeout and the message stays queued', async () => {
    const rx = await receiver('hang');
    const h = harness(fx, { channels: [{ name: 'slow', type: 'webhook', url: rx.url, timeoutMs: 150, retries: 1 }], rules: { failureThreshold: 1 } });
    const { report } = await h.run([result({ status: 'failed' })]);
    expect(report).toMatchObject({ delivered: 0, failed: 1, pending: 1 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/^channel slow: no response within 150 ms \(alert al_[0-9a-f]+, open, attempt 2\)$/);
    expect(rx.received).toHaveLength(2);
    expect((await fx.store.pendingDeliveries())[0].lastError).toBe('channel slow: no response within 150 ms');
  });

  it('the total budget bounds a round even when channels hang with long timeouts; a healthy channel still delivers', async () => {
    const hang1 = await receiver('hang');
    const hang2 = await receiver('hang');
    const ok = await receiver('ok');
    const h = harness(fx, {
      channels: [
        { name: 'a', type: 'webhook', url: hang1.url, timeoutMs: 60_000, retries: 5 },
        { name: 'b', type: 'slack', url: hang2.url, timeoutMs: 60_000, retries: 5 },
        { name: 'c', type: 'webhook', url: ok.url },
      ],
      rules: { failureThreshold: 1 },
    });
    await h.manager.evaluate({ results: [result({ status: 'failed' }), result({ monitor: 'search', status: 'failed' })], findingChanges: [] });
    const report = await h.manager.deliver({ budgetMs: 300 });
    expect(report).toMatchObject({ delivered: 2, failed: 2, deferred: 2, pending: 4 });
    expect(report.errors.every((e) => /^channel (a|b): delivery budget exhausted/.test(e))).toBe(true);
    expect(ok.accepted()).toHaveLength(2);
    expect(hang1.received).toHaveLength(1);
    expect(hang2.received).toHaveLength(1);
  });

  it('abandons a delivery after maxAttempts across rounds but keeps it in the store', async () => {
    const rx = await receiver('fail');
    const h = harness(fx, { channels: [{ name: 'hook', type: 'webhook', url: rx.url, retries: 1 }], rules: { failureThreshold: 1 } }, { maxAttempts: 3 });
    await h.run([result({ status: 'failed' })]);
    const second = await h.manager.deliver();
    expect(second).toMatchObject({ failed: 1, abandoned: 0 });
    expect(rx.received).toHaveLength(3);
    const third = await h.manager.deliver();
    expect(third).toMatchObject({ failed: 0, abandoned: 1, pending: 1 });
    expect(rx.received).toHaveLength(3);
    expect(h.lines.some((l) => l.includes('abandoned after 3 attempts'))).toBe(true);
  });
});

describe('channels', () => {
  it('Slack: { text, blocks } with the status emoji, monitor, cause, explanation and links', async () => {
    const rx = await receiver('ok');
    const h = harness(fx, { channels: [{ name: 'team', type: 'slack', url: `${rx.url}/services/T000/B000/XXXXsecretpath` }], rules: { failureThreshold: 1 }, reportUrl: 'https://status.example.com/reports/' });
    await h.run([{ ...result({ name: 'Checkout <API>', status: 'failed', message: 'status (503) == 200 & retry' }), artifacts: { trace: 'traces/checkout.zip' } }]);
    await h.run([result({ status: 'passed' })]);
    const [open, resolved] = rx.accepted().map((r) => r.json as SlackPayload);
    expect(open.text).toBe(':rotating_light: Alert: Checkout &lt;API&gt; is failing at eu-west: http_status');
    expect(open.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(open.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':rotating_light: Alert: Checkout <API>', emoji: true } });
    const section = open.blocks[1] as { fields: { text: string }[]; text: { text: string } };
    expect(section.text.text).toBe('*Checkout &lt;API&gt; is failing at eu-west: http_status*');
    expect(section.fields.map((f) => f.text)).toEqual(['*Monitor*\nCheckout &lt;API&gt;', '*Cause*\nfailing', '*Severity*\ncritical', '*Status*\nopen', '*Locations*\neu-west']);
    expect(open.blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'eu-west: http_status: status (503) == 200 &amp; retry (1 failed in a row)' } });
    const context = open.blocks[3] as { elements: { text: string }[] };
    expect(context.elements.map((e) => e.text).slice(0, 2)).toEqual(['<https://status.example.com/reports/|Report>', '<https://status.example.com/reports/traces/checkout.zip|Trace (eu-west)>']);
    expect(context.elements[2].text).toMatch(/^alert al_[0-9a-f]{20} · rule failures · opened 2026-11-25T10:01:00.000Z$/);
    expect(resolved.text).toBe(':white_check_mark: Resolved: checkout-api recovered after 1m');
  });

  it('log channel: one line per event through the logger function', async () => {
    const h = harness(fx, { channels: [{ name: 'log', type: 'log' }], rules: { failureThreshold: 1 } });
    const { events } = await h.run([result({ status: 'failed', location: 'us-east' })]);
    expect(h.lines).toEqual([
      `alert open critical checkout-api: checkout-api is failing at us-east: http_status [us-east] (alert ${events[0].alertId}) | us-east: http_status: status (503) == 200 (1 failed in a row)`,
    ]);
  });
});

describe('secrets', () => {
  it('a header token, a token in the URL and a secret inside an error message never reach the body, the log or the store', async () => {
    await fx.dispose();
    fx = await sqliteStore(new Redactor(), { storeRedacts: false });
    const rx = await receiver('ok');
    const redactor = fx.redactor;
    const secret = 's3cr3t-db-password-42';
    const token = 'tok_live_9f8e7d6c5b4a';
    const urlToken = 'qtok-1234567890abcdef';
    redactor.add(secret); // as the config loader does for every ${env:...} value
    const h = harness(fx, {
      channels: [
        { name: 'hook', type: 'webhook', url: `${rx.url}/hook?token=${urlToken}`, headers: { Authorization: `Bearer ${token}` } },
        { name: 'log', type: 'log' },
        // Nothing listens on port 1: the failure is logged, and must not leak the URL's token.
        { name: 'down', type: 'webhook', url: `http://127.0.0.1:1/x?token=${urlToken}`, retries: 0 },
      ],
      rules: { failureThreshold: 1 },
    });
    const message = `connect to postgres://app:${secret}@db failed; header Authorization: Bearer ${token}`;
    const { report } = await h.run([result({ status: 'failed', errorClass: 'connection_refused', message })]);
    expect(report).toMatchObject({ delivered: 2, failed: 1 });

    const [got] = rx.accepted();
    expect(got.headers.authorization).toBe(`Bearer ${token}`); // the token is sent where it belongs...
    expect(got.path).toBe(`/hook?token=${urlToken}`);
    const leaked = (text: string) => [secret, token, urlToken].filter((s) => text.includes(s));
    expect(leaked(got.raw)).toEqual([]); // ...and nowhere else
    expect((got.json as WebhookPayload).explanation).toBe('eu-west: connection_refused: connect to postgres://app:[REDACTED]@db failed; header Authorization: [REDACTED] (1 failed in a row)');
    const logText = h.lines.join('\n');
    expect(h.lines[0]).toContain('connect to postgres://app:[REDACTED]@db failed');
    expect(h.lines.some((l) => l.includes('channel down: ECONNREFUSED'))).toBe(true);
    expect(leaked(logText)).toEqual([]);
    const stored = JSON.stringify([await fx.store.listAlerts(), await fx.store.getStates('alerts', ['checkout-api']), await fx.store.pendingDeliveries()]);
    expect(leaked(stored)).toEqual([]);
    expect(stored).not.toContain('127.0.0.1:1/x');
  });
});
