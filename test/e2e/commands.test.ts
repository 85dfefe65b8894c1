/**
 * The commands around a run, end to end on the built CLI: locations in one store, deploy markers,
 * `observer report` from the store, and alerts delivered to a real webhook receiver after the
 * failure threshold — once, with the secret kept out of everything written.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { makeSandbox, runCli } from './sandbox.js';
import { startReceiver } from '../alerts/receiver.js';
import { PG_URL, admin, dropSchema, freshSchemaName } from '../store/pg-helpers.js';

let shop: DemoShop;
const boxes: Array<{ cleanup(): void }> = [];
beforeAll(async () => {
  shop = await startDemoShop({ port: 0 });
});
afterAll(async () => {
  await shop.close();
  for (const b of boxes) b.cleanup();
});
function sandbox(name: string): string {
  const b = makeSandbox(name);
  boxes.push(b);
  return b.dir;
}

describe('report, deploy and locations', () => {
  it('keeps results per location in one store and writes the board from the store', async () => {
    const dir = sandbox('api-mixed');
    const env = { OBSERVER_BASE_URL: shop.url };
    expect((await runCli(['run', '--location', 'eu-west'], { cwd: dir, env })).code).toBe(1);
    expect((await runCli(['run', '--location', 'us-east'], { cwd: dir, env })).code).toBe(1);
    const deploy = await runCli(['deploy', '--version', 'v9.8.7', '--description', 'search rewrite'], { cwd: dir, env });
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain('v9.8.7');
    const report = await runCli(['report', '--since', '1h', '--out', 'board'], { cwd: dir, env });
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const md = readFileSync(path.join(dir, 'board', 'status.md'), 'utf8');
    expect(md).toContain('v9.8.7');
    expect(md).toContain('eu-west');
    expect(md).toContain('us-east');
    const latest = JSON.parse(readFileSync(path.join(dir, 'board', 'latest.json'), 'utf8')) as { run: { location: string } };
    expect(latest.run.location).toBe('us-east');
    expect((await runCli(['report', '--since', 'yesterday'], { cwd: dir, env })).code).toBe(2);
  });
});

describe('alerts', () => {
  it('opens one alert after two failing runs, delivers it to the webhook once, and lists it', async () => {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const token = 'hook-token-7f1e2d3c4b5a';
    const env = {
      OBSERVER_BASE_URL: shop.url,
      HOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
      HOOK_TOKEN: token,
    };
    try {
      const dir = sandbox('alerting');
      expect((await runCli(['run'], { cwd: dir, env })).code).toBe(1);
      expect(received).toHaveLength(0); // one failure is below the threshold of 2
      expect((await runCli(['run'], { cwd: dir, env })).code).toBe(1);
      expect((await runCli(['run'], { cwd: dir, env })).code).toBe(1);
      expect(received).toHaveLength(1); // the third failure is the same incident
      const alert = JSON.parse(received[0].body) as Record<string, unknown>;
      expect(JSON.stringify(alert)).toContain('missing');
      expect(received[0].headers.authorization).toBe(`Bearer ${token}`);
      const list = await runCli(['alerts', '--json'], { cwd: dir, env });
      expect(list.code).toBe(0);
      const alerts = JSON.parse(list.stdout) as Array<{ monitor: string; status: string }>;
      expect(alerts.map((a) => [a.monitor, a.status])).toEqual([['missing', 'open']]);
      for (const f of ['latest.json', 'status.md', 'index.html', 'junit.xml']) {
        expect(readFileSync(path.join(dir, 'reports', f), 'utf8')).not.toContain(token);
      }
      expect(list.stdout + list.stderr).not.toContain(token);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});

describe('redaction never corrupts identifiers', () => {
  it('ordinary-word secrets (database password, env values) leave ids, channel names and payload fields intact', async () => {
    const receiver = await startReceiver('ok');
    const schema = freshSchemaName('obs_redact');
    const db = new URL(PG_URL);
    db.username = 'postgres';
    db.password = 'observer';
    db.searchParams.set('schema', schema);
    const env = {
      OBSERVER_BASE_URL: shop.url,
      OBSERVER_DATABASE_URL: db.href,
      HOOK_URL: receiver.url,
      HOOK_TOKEN: 'hook',
      TEAM: 'alert',
      STAGE: 'production',
    };
    try {
      const dir = sandbox('common-word-secrets');
      const run = await runCli(['run'], { cwd: dir, env });
      expect(run.stderr).not.toContain('unconfigured channel');
      expect(run.code).toBe(1);
      const results = await admin<{ monitor: string; doc: { name: string } }>(`SELECT monitor, doc FROM ${schema}.results`);
      expect(results.map((r) => [r.monitor, r.doc.name])).toEqual([['observer-api', 'observer API in production']]);
      const deliveries = await admin<{ channel: string; delivered: boolean }>(`SELECT channel, delivered_at IS NOT NULL AS delivered FROM ${schema}.deliveries ORDER BY channel`);
      expect(deliveries).toEqual([
        { channel: 'observer-oncall', delivered: true },
        { channel: 'ops', delivered: true },
      ]);
      expect(receiver.accepted().map((r) => r.path).sort()).toEqual(['/oncall?team=alert', '/ops']);
      for (const r of receiver.accepted()) {
        const body = r.json as { schema: string; monitor?: string };
        expect(body.schema).toBe('production-observer/alert@1');
        expect(r.raw).toContain('observer-api');
        expect(r.raw).not.toContain('[REDACTED]-api');
      }
      // The password itself is still kept out of everything written (by its place in the URL).
      expect(run.stdout + run.stderr).not.toContain(':observer@');
      const list = await runCli(['alerts', '--json'], { cwd: dir, env });
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as Array<{ monitor: string }>).map((a) => a.monitor)).toEqual(['observer-api']);
    } finally {
      await receiver.close();
      await dropSchema(schema);
    }
  });
});

describe('reading alerts needs no delivery secrets', () => {
  it('alerts, alerts ack and alerts stats work with the channel ${env:...} unset, and an empty list says why', async () => {
    const dir = sandbox('alerting');
    // No HOOK_URL / HOOK_TOKEN: nothing here delivers.
    const env = { OBSERVER_BASE_URL: shop.url };
    const list = await runCli(['alerts'], { cwd: dir, env });
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('why: nothing crossed the alert rules (2 consecutive failure(s)');
    expect((await runCli(['alerts', 'stats'], { cwd: dir, env })).code).toBe(0);
    const ack = await runCli(['alerts', 'ack', 'al_nope'], { cwd: dir, env });
    expect(ack.stderr).not.toContain('HOOK_URL');
    // Without any channel configured the list says so, and counts the open findings.
    const plain = sandbox('api-mixed');
    const none = await runCli(['alerts'], { cwd: plain, env });
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/why: no alert channel is configured .*; 0 open finding\(s\) in the store/);
  });
});
