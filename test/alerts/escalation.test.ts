/**
 * Escalation of alerts nobody acknowledged: a real SQLite store, a clock the test moves, real
 * receivers. Steps fire once each, survive a restart (state in the store), stop on `observer
 * alerts ack`, and two runners sharing the store escalate a step once.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertManager, resolveAlertsConfig, type AlertsConfigInput, type WebhookPayload } from '../../src/alerts/index.js';
import { alertsCommand } from '../../src/cli/alerts.js';
import { Redactor } from '../../src/runtime/redact.js';
import { analyzeAndAlert } from '../../src/run/pipeline.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, freshSchemaName, PG_URL } from '../store/pg-helpers.js';
import { result, sqliteStore, TestClock, type StoreFixture } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

const MIN = 60_000;
let fx: StoreFixture;
let primary: Receiver;
let secondary: Receiver;
const extraStores: Store[] = [];
const cleanupSchemas: string[] = [];

beforeEach(async () => {
  fx = await sqliteStore(new Redactor());
  primary = await startReceiver('ok');
  secondary = await startReceiver('ok');
});
afterEach(async () => {
  await Promise.all([primary.close(), secondary.close()]);
  for (const s of extraStores.splice(0)) await s.close();
  for (const schema of cleanupSchemas.splice(0)) await dropSchema(schema);
  await fx.dispose();
});

function config(): AlertsConfigInput {
  return {
    channels: [
      { name: 'primary', type: 'webhook', url: primary.url, retries: 0 },
      { name: 'secondary', type: 'webhook', url: secondary.url, retries: 0 },
    ],
    rules: { failureThreshold: 1 },
    routing: {
      default: {
        channels: ['primary'],
        escalate: [
          { afterMs: 15 * MIN, channels: ['secondary'] },
          { afterMs: 30 * MIN }, // re-notify the route's channels
        ],
      },
    },
  };
}

function manager(store: Store, clock: TestClock): AlertManager {
  return new AlertManager({ store, config: resolveAlertsConfig(config()), redactor: fx.redactor, clock, log: () => undefined, retryBaseMs: 5, retryMaxMs: 20 });
}

const events = (rx: Receiver) => rx.accepted().map((r) => (r.json as WebhookPayload).event);

async function ack(store: Store, id: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = await alertsCommand(['ack', id, '--by', 'alice'], { store, stdout: out, stderr: out });
  expect(code).toBe(0);
  return Buffer.concat(chunks).toString('utf8');
}

describe('escalation', () => {
  it('fires each step once when due, to its channels; survives a restart; the resolve reaches every channel told', async () => {
    const clock = new TestClock();
    const m = manager(fx.store, clock);
    await m.evaluate({ results: [result({ status: 'failed' })], findingChanges: [] });
    await m.deliver();
    expect(events(primary)).toEqual(['open']);

    clock.advance(14 * MIN);
    expect(await m.escalate()).toEqual([]);
    clock.advance(1 * MIN);
    const fired = await m.escalate();
    expect(fired.map((e) => e.type)).toEqual(['escalation']);
    expect(fired[0].title).toBe('checkout-api is still failing at eu-west after 15m, not acknowledged: http_status');
    await m.deliver();
    expect(events(secondary)).toEqual(['escalation']);
    expect(events(primary)).toEqual(['open']);
    expect(await m.escalate()).toEqual([]); // once

    // A restarted runner reads what was fired from the store.
    const restarted = manager(fx.store, clock);
    clock.advance(10 * MIN);
    expect(await restarted.escalate()).toEqual([]);
    clock.advance(5 * MIN); // 30 minutes: the re-notification of the route's channels
    expect((await restarted.escalate()).map((e) => e.type)).toEqual(['escalation']);
    await restarted.deliver();
    expect(events(primary)).toEqual(['open', 'escalation']);

    const record = (await fx.store.listAlerts())[0];
    expect(record.details).toMatchObject({ channels: ['primary', 'secondary'], escalated: ['900000>secondary', '1800000>primary'] });

    clock.advance(MIN);
    await restarted.evaluate({ results: [result({ status: 'passed' })], findingChanges: [] });
    await restarted.deliver();
    expect(events(primary)).toEqual(['open', 'escalation', 'resolved']);
    expect(events(secondary)).toEqual(['escalation', 'resolved']);
  });

  it('an alert acknowledged with `observer alerts ack` does not escalate', async () => {
    const clock = new TestClock();
    const m = manager(fx.store, clock);
    await m.evaluate({ results: [result({ status: 'failed' })], findingChanges: [] });
    clock.advance(10 * MIN);
    const [alert] = await fx.store.listAlerts({ status: 'open' });
    expect(await ack(fx.store, alert.id)).toContain(`alert ${alert.id} (checkout-api, failures) acknowledged as true positive by alice`);
    clock.advance(60 * MIN);
    expect(await m.escalate()).toEqual([]);
    await m.deliver();
    expect(events(secondary)).toEqual([]);
    expect(events(primary)).toEqual(['open']);
  });

  it('two runners sharing a PostgreSQL store escalate a step once (state read and written under the store lock)', async () => {
    // Two connections of one process to one SQLite file would block each other's event loop (the
    // driver is synchronous); PostgreSQL's advisory lock is what a fleet of runners shares.
    const clock = new TestClock();
    const schema = freshSchemaName('obs_escalate');
    const first = await openStore({ url: PG_URL, schema, spool: false, redactor: fx.redactor });
    const second = await openStore({ url: PG_URL, schema, spool: false, redactor: fx.redactor });
    extraStores.push(first, second);
    cleanupSchemas.push(schema);
    const a = manager(first, clock);
    const b = manager(second, clock);
    await a.evaluate({ results: [result({ status: 'failed' })], findingChanges: [] });
    clock.advance(16 * MIN);
    const [ea, eb] = await Promise.all([a.escalate(), b.escalate()]);
    expect(ea.length + eb.length).toBe(1);
    await Promise.all([a.deliver(), b.deliver()]);
    expect(events(secondary)).toEqual(['escalation']);
  });

  it('`observer run` escalates after each run (the pipeline stage), with no result of the monitor in it', async () => {
    const clock = new TestClock();
    const m = manager(fx.store, clock);
    await m.evaluate({ results: [result({ status: 'failed' })], findingChanges: [] });
    clock.advance(20 * MIN);
    const problems: string[] = [];
    await analyzeAndAlert(
      {
        store: fx.store,
        anomaly: {} as never,
        alerts: m,
        definitions: new Map(),
        guard: async (what, fn) => {
          try {
            await fn();
          } catch (err) {
            problems.push(`${what}: ${(err as Error).message}`);
          }
        },
      },
      [result({ status: 'passed', monitor: 'other-api' })],
      5_000,
    );
    expect(problems.filter((p) => p.startsWith('alerts'))).toEqual([]);
    expect(events(secondary)).toEqual(['escalation']);
  });
});
