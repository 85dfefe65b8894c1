/**
 * What paging costs, against a bare baseline in the same run.
 *
 *   npm run bench:alerts          (npm run build && tsx bench/alerts.ts)
 *   BENCH_RUNS=4 BENCH_MAILS=10 tsx bench/alerts.ts     (BENCH_DEBUG=1 prints each run's exit and stderr tail)
 *
 * 1. `observer run` from spawn to exit on one check of the demo shop that fails and passes in turn
 *    (so runs send an open or a resolve, until flap control holds them back after 4 changes):
 *    with PagerDuty and e-mail routed (test fixture
 *    `paging`, against a local Events API imitation and a real SMTP server with STARTTLS and AUTH)
 *    vs the same project without alerts. Runs alternate; medians and the ratio are printed.
 * 2. One mail through the e-mail channel (render, then send as the outbox does) vs a bare
 *    nodemailer sendMail of the same message to the same server; medians and the ratio.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { makeCa, makeCert, makeKey } from '../demo/certs.js';
import { startDemoShop } from '../demo/server.js';
import { EmailChannel, emailPayload } from '../src/alerts/channels/email.js';
import { Redactor } from '../src/runtime/redact.js';
import { startFakePagerDuty } from '../test/alerts/pagerduty-server.js';
import { startSmtp } from '../test/alerts/smtp.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 6);
const MAILS = Number(process.env.BENCH_MAILS ?? 20);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const PASSWORD = 'Bench-Smtp-Pass-42x';

const shop = await startDemoShop({ port: 0 });
const pd = await startFakePagerDuty();
const key = makeKey();
const ca = makeCa('bench CA', 3650, key);
const smtp = await startSmtp({ cert: makeCert({ hosts: ['127.0.0.1'], issuer: ca, key }), user: 'observer@example.com', password: PASSWORD });
const scratch = mkdtempSync(path.join(tmpdir(), 'observer-bench-alerts-'));
try {
  writeFileSync(path.join(scratch, 'ca.pem'), ca.cert);
  const paging = path.join(root, 'test-results', `bench-paging-${process.pid}`);
  const bare = path.join(root, 'test-results', `bench-bare-${process.pid}`);
  cpSync(path.join(root, 'test', 'fixtures', 'e2e', 'paging'), paging, { recursive: true });
  cpSync(path.join(root, 'test', 'fixtures', 'e2e', 'paging', 'checks'), path.join(bare, 'checks'), { recursive: true });
  const env = { ...process.env, OBSERVER_BASE_URL: shop.url, PD_KEY: 'b'.repeat(16) + '0123456789abcdef', PD_URL: pd.url, SMTP_PORT: String(smtp.port), SMTP_PASSWORD: PASSWORD, SMTP_CA_FILE: path.join(scratch, 'ca.pem') };
  const times: Record<'paging' | 'bare', number[]> = { paging: [], bare: [] };
  for (let i = 0; i < RUNS; i++) {
    const url = i % 2 === 0 ? '/api/products/nope' : '/api/products';
    for (const [name, dir] of (i % 2 === 0 ? [['paging', paging], ['bare', bare]] : [['bare', bare], ['paging', paging]]) as Array<['paging' | 'bare', string]>) {
      writeFileSync(path.join(dir, 'checks', 'missing.check.yaml'), `id: missing\nname: Missing product\ntags: [shop]\nrequest: { url: ${url} }\n`);
      const t = performance.now();
      // Asynchronous: the PagerDuty imitation and the SMTP server answer from this process.
      const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'bin.js'), 'run'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (process.env.BENCH_DEBUG) console.log(name, code, stderr.slice(-600));
      times[name].push(performance.now() - t);
    }
  }
  const p = median(times.paging);
  const b = median(times.bare);
  console.log(`observer run, ${RUNS} runs each: with PagerDuty + e-mail ${p.toFixed(0)} ms median, without alerts ${b.toFixed(0)} ms; ratio ${(p / b).toFixed(2)} (PagerDuty requests ${pd.requests.length}, mails ${smtp.mails.length})`);
  rmSync(paging, { recursive: true, force: true });
  rmSync(bare, { recursive: true, force: true });

  const smtpSettings = { host: '127.0.0.1', port: smtp.port, starttls: 'required' as const, user: 'observer@example.com', password: PASSWORD, ca: ca.cert };
  const channel = new EmailChannel({ name: 'mail', type: 'email', smtp: smtpSettings, from: 'observer@example.com', to: ['oncall@example.com'] }, { redactor: new Redactor(), log: () => undefined, defaultTimeoutMs: 5000, defaultRetries: 0 });
  const event = { id: 'x', type: 'open' as const, at: new Date().toISOString(), alertId: 'al_bench', key: 'k', rule: 'failures' as const, monitor: 'm', monitorName: 'M', tags: [], cause: 'failing', severity: 'critical' as const, status: 'open' as const, openedAt: new Date().toISOString(), resolvedAt: null, version: 1, title: 'M is failing', explanation: 'eu-west: status (503) == 200', locations: ['eu-west'], errorClasses: ['http_status'], flaps: 0, settled: false, links: [] };
  const ours: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < MAILS; i++) {
    let t = performance.now();
    await channel.send(channel.render(event), { idempotencyKey: `al_bench.v${i}.open.mail`, signal: new AbortController().signal });
    ours.push(performance.now() - t);
    t = performance.now();
    const m = emailPayload(event);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, requireTLS: true, auth: { user: 'observer@example.com', pass: PASSWORD }, tls: { ca: ca.cert } });
    await transport.sendMail({ from: 'observer@example.com', to: ['oncall@example.com'], subject: m.subject, text: m.text, html: m.html });
    transport.close();
    plain.push(performance.now() - t);
  }
  console.log(`one mail (STARTTLS + AUTH, new connection each), ${MAILS} each: channel ${median(ours).toFixed(1)} ms median, bare nodemailer ${median(plain).toFixed(1)} ms; ratio ${(median(ours) / median(plain)).toFixed(2)}`);
} finally {
  await Promise.all([shop.close(), pd.close(), smtp.close()]);
  rmSync(scratch, { recursive: true, force: true });
}
