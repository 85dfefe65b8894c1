/**
 * The e-mail channel against a real SMTP server run by the test (smtp-server): STARTTLS with a
 * certificate of a CA made here, AUTH over TLS, mails parsed back with mailparser. The channel's
 * settings come through the real config loader with the password as `${env:SMTP_PASSWORD}`, and
 * the password is looked for everywhere text leaves the process: logs, delivery reports, the
 * outbox, alert records, the SQLite files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeCert, makeKey, type Pem } from '../../demo/certs.js';
import { AlertManager, type DeliveryReport } from '../../src/alerts/index.js';
import { loadConfig } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { result, TestClock } from './fixtures.js';
import { startSmtp, type SmtpReceiver } from './smtp.js';

const PASSWORD = 'Mail-Pass-9f3kQ2x7';
const USER = 'observer@example.com';

let ca: Pem;
let cert: Pem;
let untrusted: Pem;
beforeAll(() => {
  const key = makeKey();
  ca = makeCa('observer smtp test CA', 3650, key);
  cert = makeCert({ hosts: ['127.0.0.1', 'localhost'], issuer: ca, key });
  untrusted = makeCert({ hosts: ['127.0.0.1'], key });
});

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Setup {
  manager: AlertManager;
  store: Store;
  dir: string;
  lines: string[];
  clock: TestClock;
  run(status: 'passed' | 'failed'): Promise<DeliveryReport>;
}

/** A project whose observer.config.ts has one e-mail channel; loaded by the real loader. */
async function setup(smtp: string, env: Record<string, string> = { SMTP_PASSWORD: PASSWORD }): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'observer-email-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ca.pem'), ca.cert);
  writeFileSync(
    path.join(dir, 'observer.config.ts'),
    `import { readFileSync } from 'node:fs';
export default {
  alerts: {
    reportUrl: 'https://observer.example.com/reports/',
    rules: { failureThreshold: 1 },
    channels: [{
      name: 'mail', type: 'email', retries: 0, timeoutMs: 3000,
      smtp: ${smtp},
      from: 'Observer <observer@example.com>',
      to: ['oncall@example.com', 'sre@example.com'],
      cc: ['lead@example.com'],
    }],
  },
};
`,
  );
  const config = await loadConfig({ cwd: dir, env });
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
    clock,
    run: async (status) => {
      clock.advance(60_000);
      await manager.evaluate({ results: [result({ status, monitor: 'checkout-api', name: 'Checkout API', tags: ['shop', 'payments'], message: 'status (503) == 200' })], findingChanges: [] });
      return manager.deliver({ budgetMs: 10_000 });
    },
  };
}

async function smtpServer(opts: { cert?: Pem; noStartTls?: boolean } = {}): Promise<SmtpReceiver> {
  const rx = await startSmtp({ cert: opts.cert ?? cert, user: USER, password: PASSWORD, ...(opts.noStartTls ? { noStartTls: true } : {}) });
  cleanup.push(() => rx.close());
  return rx;
}

const smtpConfig = (port: number, extra = '') =>
  `{ host: '127.0.0.1', port: ${port}, starttls: 'required', user: '${USER}', password: '\${env:SMTP_PASSWORD}', ca: readFileSync(new URL('./ca.pem', import.meta.url), 'utf8')${extra} }`;

/** Everything the process wrote down: log lines, reports, the outbox, alert records, the database files. */
async function everythingWritten(s: Setup, reports: DeliveryReport[]): Promise<string> {
  const files = readdirSync(s.dir)
    .filter((f) => f.startsWith('observer.db'))
    .map((f) => readFileSync(path.join(s.dir, f)).toString('latin1'));
  return [s.lines.join('\n'), JSON.stringify(reports), JSON.stringify(await s.store.pendingDeliveries()), JSON.stringify(await s.store.listAlerts()), ...files].join('\n');
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('e-mail channel over SMTP', () => {
  it('sends one mail per event over STARTTLS with AUTH: headers, text and HTML from the alert, the resolve in the same thread', async () => {
    const rx = await smtpServer();
    const s = await setup(smtpConfig(rx.port));
    const opened = await s.run('failed');
    expect(opened).toMatchObject({ delivered: 1, failed: 0, pending: 0 });
    const resolved = await s.run('passed');
    expect(resolved).toMatchObject({ delivered: 1, failed: 0, pending: 0 });

    expect(rx.mails).toHaveLength(2);
    expect(rx.logins).toEqual([
      { user: USER, ok: true },
      { user: USER, ok: true },
    ]);
    const [open, done] = rx.mails;
    for (const m of rx.mails) {
      expect(m.secure).toBe(true); // upgraded with STARTTLS before AUTH and DATA
      expect(m.user).toBe(USER);
      expect(m.envelope.from).toBe('observer@example.com');
      expect(m.envelope.to.sort()).toEqual(['lead@example.com', 'oncall@example.com', 'sre@example.com']);
      expect(m.parsed.from?.value).toEqual([{ name: 'Observer', address: 'observer@example.com' }]);
      expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
      expect(m.parsed.references).toBe(`<${(await s.store.listAlerts())[0].id}@production-observer>`);
    }
    const alertId = (await s.store.listAlerts())[0].id;
    expect(open.parsed.subject).toBe('[observer] Alert: Checkout API is failing at eu-west: http_status');
    expect(open.parsed.messageId).toBe(`<${alertId}.v1.open.mail@production-observer>`);
    expect(open.parsed.headers.get('x-observer-delivery')).toBe(`${alertId}.v1.open.mail`);
    expect(open.parsed.inReplyTo).toBeUndefined();
    expect(open.parsed.text).toContain('Monitor: Checkout API');
    expect(open.parsed.text).toContain('Severity: critical');
    expect(open.parsed.text).toContain('Locations: eu-west');
    expect(open.parsed.text).toContain('eu-west: http_status: status (503) == 200 (1 failed in a row)');
    expect(open.parsed.text).toContain('Report: https://observer.example.com/reports/');
    expect(open.parsed.html).toContain('<th align="left">Cause</th><td>failing</td>');
    expect(open.parsed.html).toContain('<a href="https://observer.example.com/reports/">Report</a>');

    expect(done.parsed.subject).toMatch(/^\[observer\] Resolved: Checkout API recovered after 1m/);
    expect(done.parsed.inReplyTo).toBe(`<${alertId}@production-observer>`);
    expect(done.parsed.text).toContain('Status: resolved');

    const written = await everythingWritten(s, [opened, resolved]);
    expect(written).not.toContain(PASSWORD);
    expect(rx.mails.map((m) => m.raw).join('\n')).not.toContain(PASSWORD);
  });

  it('a wrong password is classified as an authentication failure, not retried in the round, and the password appears nowhere', async () => {
    const rx = await smtpServer();
    const wrong = 'Wrong-Pass-7Zx81kqP';
    const s = await setup(smtpConfig(rx.port), { SMTP_PASSWORD: wrong });
    const report = await s.run('failed');
    expect(report).toMatchObject({ delivered: 0, failed: 1, pending: 1 });
    expect(report.errors[0]).toMatch(/^channel mail: SMTP login refused \(535\) \(alert al_[0-9a-f]+, open, attempt 1\)$/);
    expect(rx.logins).toEqual([{ user: USER, ok: false }]);
    expect(rx.mails).toEqual([]);
    const [pending] = await s.store.pendingDeliveries();
    expect(pending.lastError).toBe('channel mail: SMTP login refused (535)');
    expect(await everythingWritten(s, [report])).not.toContain(wrong);
  });

  it('connection refused is a network failure the outbox keeps and retries', async () => {
    const port = await closedPort();
    const s = await setup(smtpConfig(port));
    const report = await s.run('failed');
    expect(report).toMatchObject({ delivered: 0, failed: 1, pending: 1 });
    expect(report.errors[0]).toMatch(/^channel mail: SMTP connection refused \(ECONNREFUSED\)/);
    expect((await s.store.pendingDeliveries())[0]).toMatchObject({ attempts: 1, lastError: 'channel mail: SMTP connection refused (ECONNREFUSED)' });
    // The server comes up on that port: the next round delivers the queued mail.
    const rx = await startSmtp({ cert, user: USER, password: PASSWORD, port });
    cleanup.push(() => rx.close());
    expect(await s.manager.deliver({ budgetMs: 10_000 })).toMatchObject({ delivered: 1, pending: 0 });
    expect(rx.mails.map((m) => m.parsed.subject)).toEqual(['[observer] Alert: Checkout API is failing at eu-west: http_status']);
  });

  it('an untrusted certificate and a server without STARTTLS are TLS failures, nothing is sent in clear', async () => {
    const bad = await smtpServer({ cert: untrusted });
    const s = await setup(smtpConfig(bad.port));
    const r1 = await s.run('failed');
    expect(r1.errors[0]).toMatch(/^channel mail: TLS failed/);
    expect(bad.mails).toEqual([]);
    expect(bad.logins).toEqual([]);

    const plain = await smtpServer({ noStartTls: true });
    const s2 = await setup(smtpConfig(plain.port));
    const r2 = await s2.run('failed');
    expect(r2.errors[0]).toMatch(/^channel mail: TLS failed/);
    expect(plain.mails).toEqual([]);
    expect(plain.logins).toEqual([]);
  });
});
