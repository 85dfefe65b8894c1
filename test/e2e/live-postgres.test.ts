/**
 * `observer serve` over PostgreSQL (a fresh schema, dropped after): CronJob-style `observer run`
 * processes write the store; serve notices their results by itself and pushes an `update` event on
 * its stream; the page it then serves shows the new state.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, dropSchema, freshSchemaName, PG_URL } from '../store/pg-helpers.js';
import { makeSandbox, runCli, spawnCli, waitForOutput } from './sandbox.js';

const TOKEN = 'fleet-dashboard-token-91c2e7';

let target: { url: string; status: { health: number }; close(): Promise<void> };
beforeAll(async () => {
  const status = { health: 200 };
  const server = http.createServer((req, res) => res.writeHead(req.url?.startsWith('/health') ? status.health : 200, { 'content-type': 'application/json' }).end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  target = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    status,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
});
afterAll(async () => target?.close());

/** Reads an event stream until `pattern` shows up (bounded). */
function streamUntil(url: string, pattern: RegExp, onOpen: () => Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let opened = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(buf)}`));
    }, 60_000);
    const req = http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        if (!opened && /event: hello\n/.test(buf)) {
          opened = true;
          onOpen().catch((err: unknown) => {
            clearTimeout(timer);
            req.destroy();
            reject(err as Error);
          });
        }
        if (opened && pattern.test(buf)) {
          clearTimeout(timer);
          req.destroy();
          resolve(buf);
        }
      });
    });
    req.on('error', () => undefined);
  });
}

describe('observer serve on PostgreSQL', () => {
  it('pushes an update when a CronJob-style run writes the store, and serves the new state', { timeout: 180_000 }, async () => {
    const schema = freshSchemaName('obs_live');
    const db = new URL(PG_URL);
    db.searchParams.set('schema', schema);
    const box = makeSandbox('live');
    const env = { OBSERVER_BASE_URL: target.url, DASHBOARD_TOKEN: TOKEN, OBSERVER_DATABASE_URL: db.href };
    try {
      target.status.health = 200;
      expect((await runCli(['run'], { cwd: box.dir, env, timeoutMs: 60_000 })).code).toBe(0);
      const { child, done } = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--poll-interval', '1'], { cwd: box.dir, env, timeoutMs: 120_000 });
      try {
        const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
        const base = `http://127.0.0.1:${port}`;
        const before = await (await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
        expect(before).toContain('id="overall-status">healthy<');
        const frames = await streamUntil(`${base}/events?token=${TOKEN}`, /event: update\ndata: \{"version":"[0-9a-f]{8}-\d+"\}\n\n/, async () => {
          target.status.health = 503;
          expect((await runCli(['run'], { cwd: box.dir, env, timeoutMs: 60_000 })).code).toBe(1);
        });
        expect(frames.startsWith('retry: 5000\n\nevent: hello\n')).toBe(true);
        const after = await (await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
        expect(after).toContain('id="overall-status">down<');
        expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.results`))[0].n).toBe(4);
        child.kill('SIGTERM');
        const r = await done;
        expect(r.code).toBe(0);
        expect(r.stderr).not.toContain(TOKEN);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      target.status.health = 200;
      box.cleanup();
      await dropSchema(schema);
    }
  });
});
