/**
 * Where people get paged, end to end: the real CLI (dist/) runs a failing check of the demo shop;
 * its route sends the alert to a local PagerDuty imitation and a real SMTP server (STARTTLS, AUTH).
 * The routing key and the SMTP password are `${env:...}` and are looked for in the CLI's output,
 * every report file and the store's files.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeCert, makeKey } from '../../demo/certs.js';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { startFakePagerDuty, type FakePagerDuty } from '../alerts/pagerduty-server.js';
import { startSmtp, type SmtpReceiver } from '../alerts/smtp.js';
import { makeSandbox, runCli } from './sandbox.js';

const PD_KEY = '4b1f0e9c2d7a48e5b6c3a1f09e8d7c6b';
const SMTP_PASSWORD = 'Smtp-Pass-e2e-71xQ';

let shop: DemoShop;
let pd: FakePagerDuty;
let smtp: SmtpReceiver;
let caFile: string;
const sandboxes: Array<{ cleanup(): void }> = [];

beforeAll(async () => {
  shop = await startDemoShop({ port: 0 });
  pd = await startFakePagerDuty();
  const key = makeKey();
  const ca = makeCa('observer e2e smtp CA', 3650, key);
  smtp = await startSmtp({ cert: makeCert({ hosts: ['127.0.0.1'], issuer: ca, key }), user: 'observer@example.com', password: SMTP_PASSWORD });
  const s = makeSandbox('paging');
  sandboxes.push(s);
  caFile = path.join(s.dir, '..', `${path.basename(s.dir)}-ca.pem`);
  writeFileSync(caFile, ca.cert);
});
afterAll(async () => {
  await Promise.all([shop.close(), pd.close(), smtp.close()]);
  for (const s of sandboxes) s.cleanup();
  rmSync(caFile, { force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('observer run pages through PagerDuty and e-mail', () => {
  it('a failing shop check opens one PagerDuty incident and sends one mail; the resolve closes both; no secret is written anywhere', async () => {
    const s = makeSandbox('paging');
    sandboxes.push(s);
    const env = { OBSERVER_BASE_URL: shop.url, PD_KEY, PD_URL: pd.url, SMTP_PORT: String(smtp.port), SMTP_PASSWORD, SMTP_CA_FILE: caFile };
    const failing = await runCli(['run'], { cwd: s.dir, env });
    expect(failing.code).toBe(1);
    expect(failing.stderr).not.toMatch(/\n\s+at /);
    expect(pd.requests.map((r) => [r.status, r.body.event_action, r.body.payload?.summary])).toEqual([[202, 'trigger', 'Missing product is failing at local: http_status']]);
    expect(smtp.mails.map((m) => [m.secure, m.user, m.parsed.subject])).toEqual([[true, 'observer@example.com', '[observer] Alert: Missing product is failing at local: http_status']]);

    const list = await runCli(['alerts', '--json'], { cwd: s.dir, env: { OBSERVER_BASE_URL: shop.url } }); // reading needs no delivery secret
    expect(list.code).toBe(0);
    const [alert] = JSON.parse(list.stdout) as Array<{ id: string; monitor: string; status: string; details: { channels: string[] } }>;
    expect([alert.monitor, alert.status, alert.details.channels]).toEqual(['missing', 'open', ['pager', 'mail']]);

    // The shop "fixes" the product: the check is pointed at one that exists.
    writeFileSync(path.join(s.dir, 'checks', 'missing.check.yaml'), 'id: missing\nname: Missing product\ntags: [shop]\nrequest: { url: /api/products }\n');
    const passing = await runCli(['run'], { cwd: s.dir, env });
    expect(passing.code).toBe(0);
    expect(pd.incidents.map((i) => [i.status, i.triggers])).toEqual([['resolved', 1]]);
    expect(smtp.mails.map((m) => m.parsed.subject?.replace(/ after .*/, ''))).toEqual(['[observer] Alert: Missing product is failing at local: http_status', '[observer] Resolved: Missing product recovered']);

    const written = [failing.stdout, failing.stderr, passing.stdout, passing.stderr, list.stdout, list.stderr, ...filesUnder(s.dir).map((f) => readFileSync(f).toString('latin1'))].join('\n');
    expect(written).toContain('Missing product'); // the files were read
    expect(written).not.toContain(PD_KEY);
    expect(written).not.toContain(SMTP_PASSWORD);
  });
});
