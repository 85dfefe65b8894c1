/** The same state machine and outbox over the real PostgreSQL store (fresh schema per test). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import { dropSchema, freshSchemaName, PG_URL } from '../store/pg-helpers.js';
import type { WebhookPayload } from '../../src/alerts/index.js';
import { startReceiver, type Receiver } from './receiver.js';
import { result, type StoreFixture } from './fixtures.js';
import { harness } from './harness.js';

let fx: StoreFixture;
let rx: Receiver;
let schema: string;

beforeEach(async () => {
  schema = freshSchemaName('obs_alerts');
  const redactor = new Redactor();
  const store = await openStore({ url: PG_URL, schema, spool: false, redactor });
  fx = { store, redactor, dir: '', dispose: () => store.close() };
  rx = await startReceiver('fail');
});
afterEach(async () => {
  await rx.close();
  await fx.dispose();
  await dropSchema(schema);
});

describe('alerts over PostgreSQL', () => {
  it('one alert per incident, kept while the receiver is down, delivered once when it is up, then resolved', async () => {
    const h = harness(fx, { channels: [{ name: 'hook', type: 'webhook', url: rx.url, retries: 1 }] });
    await h.run([result({ status: 'failed' })]);
    const open = await h.run([result({ status: 'failed' })]);
    expect(open.events.map((e) => e.type)).toEqual(['open']);
    expect(open.report).toMatchObject({ delivered: 0, failed: 1, pending: 1 });
    rx.mode = 'ok';
    expect((await h.run([result({ status: 'failed' })])).report).toMatchObject({ delivered: 1, pending: 0 });
    expect((await h.run([result({ status: 'passed' })])).events.map((e) => e.type)).toEqual(['resolved']);
    expect(rx.accepted().map((r) => (r.json as WebhookPayload).event)).toEqual(['open', 'resolved']);
    expect(new Set(rx.received.filter((r) => (r.json as WebhookPayload).event === 'open').map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const alerts = await fx.store.listAlerts();
    expect(alerts.map((a) => [a.status, a.rule])).toEqual([['resolved', 'failures']]);
  });
});
