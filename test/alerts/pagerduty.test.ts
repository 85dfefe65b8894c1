/**
 * The PagerDuty channel against a real HTTP server on 127.0.0.1 answering like the Events API v2
 * (pagerduty-server.ts): one PagerDuty incident per alert (stable dedup_key), closed by the
 * resolve; 400 rejected for good, 429 and 5xx retried through the outbox. The routing key comes
 * through the real config loader as `${env:PD_KEY}` and is looked for everywhere text is written.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertManager, type DeliveryReport } from '../../src/alerts/index.js';
import { pagerDutyPayload } from '../../src/alerts/channels/pagerduty.js';
import { alertsCommand } from '../../src/cli/alerts.js';
import { loadConfig } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { result, TestClock } from './fixtures.js';
import { startFakePagerDuty, type FakePagerDuty } from './pagerduty-server.js';

const PD_KEY = 'e93facc04764012d7bfb002500d5d1a6';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Setup {
  manager: AlertManager;
  store: Store;
  dir: string;
  lines: string[];
  run(status: 'passed' | 'failed', location?: string): Promise<DeliveryReport>;
}

async function setup(pd: FakePagerDuty, channel = ''): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'observer-pd-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, 'observer.config.ts'),
    `export default {
  alerts: {
    reportUrl: 'https://observer.example.com/reports/',
    rules: { failureThreshold: 1 },
    channels: [{ name: 'pd', type: 'pagerduty', routingKey: '\${env:PD_KEY}', url: '${pd.url}', retries: 2${channel} }],
  },
};
`,
  );
  const config = await loadConfig({ cwd: dir, env: { PD_KEY } });
  const store = await openStore({ path: path.join(dir, 'observer.db'), redactor: config.redactor });
  cleanup.push(() => store.close());
  const clock = new TestClock();
  const lines: string[] = [];
  const manager = new AlertManager({ store, config: config.alerts, redactor: config.redactor, clock, log: (l) => lines.push(l), retryBaseMs: 5, retryMaxMs: 20 });
  return {
    manager,
    store,
    dir,
    lines,
    run: async (status, location = 'eu-west') => {
      clock.advance(60_000);
      await manager.evaluate({ results: [result({ status, location, monitor: 'checkout-api', name: 'Checkout API', tags: ['shop', 'payments'] })], findingChanges: [] });
      return manager.deliver({ budgetMs: 10_000 });
    },
  };
}

async function fakePd(): Promise<FakePagerDuty> {
  const pd = await startFakePagerDuty();
  cleanup.push(() => pd.close());
  return pd;
}

/** Log lines, delivery reports, the outbox, alert records and the SQLite files, as one text. */
async function everythingWritten(s: Setup, reports: DeliveryReport[]): Promise<string> {
  const files = readdirSync(s.dir)
    .filter((f) => f.startsWith('observer.db'))
    .map((f) => readFileSync(path.join(s.dir, f)).toString('latin1'));
  return [s.lines.join('\n'), JSON.stringify(reports), JSON.stringify(await s.store.pendingDeliveries()), JSON.stringify(await s.store.listAlerts()), ...files].join('\n');
}

describe('PagerDuty channel (Events API v2)', () => {
  it('one PagerDuty incident per alert: trigger, a trigger for the update with the same dedup_key, resolve closes it', async () => {
    const pd = await fakePd();
    const s = await setup(pd);
    const reports = [await s.run('failed'), await s.run('failed', 'us-east'), await s.run('passed', 'eu-west'), await s.run('passed', 'us-east')];
    expect(reports.map((r) => [r.delivered, r.failed])).toEqual([
      [1, 0],
      [1, 0],
      [0, 0],
      [1, 0],
    ]);
    const alertId = (await s.store.listAlerts())[0].id;
    expect(pd.requests.map((r) => [r.status, r.body.event_action, r.body.dedup_key])).toEqual([
      [202, 'trigger', `production-observer/${alertId}`],
      [202, 'trigger', `production-observer/${alertId}`],
      [202, 'resolve', `production-observer/${alertId}`],
    ]);
    expect(pd.incidents).toEqual([{ routingKey: PD_KEY, dedupKey: `production-observer/${alertId}`, status: 'resolved', triggers: 2, summary: 'Checkout API is failing at eu-west: http_status', severity: 'critical' }]);

    const first = pd.requests[0].body;
    expect(first.routing_key).toBe(PD_KEY); // sent where it belongs...
    expect(first.payload).toMatchObject({
      summary: 'Checkout API is failing at eu-west: http_status',
      source: 'checkout-api',
      severity: 'critical',
      component: 'checkout-api',
      group: 'shop,payments',
      class: 'http_status',
      custom_details: { monitor: 'Checkout API', cause: 'failing', severity: 'critical', locations: 'eu-west', event: 'open', rule: 'failures', alert: alertId },
    });
    expect(first.links).toEqual([{ href: 'https://observer.example.com/reports/', text: 'Report' }]);
    expect(first.images).toEqual([]);
    expect(first.client_url).toBe('https://observer.example.com/reports/');
    expect(pd.requests[1].body.payload?.summary).toBe('Checkout API got worse: failing in 2 locations (eu-west, us-east): http_status');
    expect(pd.requests[2].body).toEqual({ routing_key: PD_KEY, event_action: 'resolve', dedup_key: `production-observer/${alertId}`, client: 'production-observer', client_url: 'https://observer.example.com/reports/' });
    // The delivery id goes along as Idempotency-Key, one per message.
    expect(new Set(pd.requests.map((r) => r.headers['idempotency-key'])).size).toBe(3);

    // ...and nowhere else: the outbox stores the event without it.
    expect(await everythingWritten(s, reports)).not.toContain(PD_KEY);
  });

  it('a 400 is rejected for good: not retried, abandoned with PagerDuty\'s reason (redacted), and the next message still goes', async () => {
    const pd = await fakePd();
    const s = await setup(pd);
    pd.script.push({ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: [`routing_key ${PD_KEY} is not an integration key`] } });
    const r1 = await s.run('failed');
    expect(r1).toMatchObject({ delivered: 0, failed: 1, rejected: 1 });
    expect(pd.requests).toHaveLength(1); // retries: 2, yet no retry of a rejected event
    expect(r1.errors[0]).toMatch(/^channel pd: PagerDuty rejected the event \(HTTP 400\): Event object is invalid; routing_key \[REDACTED\] is not an integration key \(alert al_[0-9a-f]+, open, attempt 1\)$/);

    const r2 = await s.run('passed');
    expect(r2).toMatchObject({ delivered: 1, abandoned: 1, failed: 0 });
    expect(pd.requests.map((r) => [r.status, r.body.event_action])).toEqual([
      [400, 'trigger'],
      [202, 'resolve'],
    ]);
    const r3 = await s.manager.deliver();
    expect(r3).toMatchObject({ delivered: 0, abandoned: 1 });
    expect(pd.requests).toHaveLength(2);
    expect(s.lines.some((l) => l.includes('rejected and abandoned'))).toBe(true);
    expect(await everythingWritten(s, [r1, r2, r3])).not.toContain(PD_KEY);
  });

  it('429 and 5xx are retried with backoff through the outbox; the same event (same dedup_key and Idempotency-Key) goes again', async () => {
    const pd = await fakePd();
    const s = await setup(pd);
    pd.script.push(429, 500);
    const r1 = await s.run('failed');
    expect(r1).toMatchObject({ delivered: 1, failed: 0 });
    expect(pd.requests.map((r) => r.status)).toEqual([429, 500, 202]);
    expect(new Set(pd.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(new Set(pd.requests.map((r) => r.body.dedup_key)).size).toBe(1);

    // Down for a whole round: kept, sent on the next one.
    pd.script.push(503, 503, 503);
    const r2 = await s.run('passed');
    expect(r2).toMatchObject({ delivered: 0, failed: 1, pending: 1 });
    expect(r2.errors[0]).toMatch(/^channel pd: HTTP 503 \(alert al_[0-9a-f]+, resolved, attempt 3\)$/);
    const r3 = await s.manager.deliver();
    expect(r3).toMatchObject({ delivered: 1, pending: 0 });
    expect(pd.incidents.map((i) => i.status)).toEqual(['resolved']);
  });

  it('`observer alerts ack` acknowledges the PagerDuty incident (queued, sent by the next round, with the routing key added at send time)', async () => {
    const pd = await fakePd();
    const s = await setup(pd);
    await s.run('failed');
    const [alert] = await s.store.listAlerts();
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const config = await loadConfig({ cwd: s.dir, env: {}, deliverySecrets: false });
    expect(await alertsCommand(['ack', alert.id], { store: s.store, stdout: out, stderr: out, alerts: config.alerts })).toBe(0);
    expect(Buffer.concat(chunks).toString()).toContain('PagerDuty acknowledge queued for pd');
    expect(JSON.stringify(await s.store.pendingDeliveries())).not.toContain(PD_KEY);
    const report = await s.manager.deliver();
    expect(report).toMatchObject({ delivered: 1 });
    expect(pd.requests.map((r) => r.body.event_action)).toEqual(['trigger', 'acknowledge']);
    expect(pd.requests[1].body.routing_key).toBe(PD_KEY);
    expect(pd.incidents.map((i) => i.status)).toEqual(['acknowledged']);
    // Acknowledged, not escalated; the recovery still resolves it.
    await s.run('passed');
    expect(pd.incidents.map((i) => i.status)).toEqual(['resolved']);
  });

  it('maps our severities to PagerDuty\'s (configurable) and keeps the summary within 1024 characters', async () => {
    const pd = await fakePd();
    const s = await setup(pd, `, severityMap: { critical: 'error' }`);
    await s.run('failed');
    expect(pd.requests[0].body.payload?.severity).toBe('error');
    const long = pagerDutyPayload({
      id: 'x',
      type: 'open',
      at: '2026-11-25T10:00:00.000Z',
      alertId: 'al_1',
      key: 'k',
      rule: 'failures',
      monitor: 'm',
      monitorName: 'M',
      tags: [],
      cause: 'failing',
      severity: 'warning',
      status: 'open',
      openedAt: '2026-11-25T10:00:00.000Z',
      resolvedAt: null,
      version: 1,
      title: 'x'.repeat(3000),
      explanation: '',
      locations: [],
      errorClasses: [],
      flaps: 0,
      settled: false,
      links: [],
    });
    expect(long.payload?.summary).toHaveLength(1024);
    expect(long.payload?.severity).toBe('warning');
    expect(long.payload).not.toHaveProperty('group');
  });
});
