/**
 * Redirects and broken HTTP against a real loopback server: a chain followed with every hop
 * recorded, method rewriting on 303, credentials kept from other origins, loops and too many hops
 * classified `redirect`, redirects not followed when turned off, and garbage instead of HTTP
 * classified `protocol`.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { apiCheck, ctx, errorOf } from './support.js';

let server: FaultServer;
let other: FaultServer;
beforeAll(async () => {
  server = await startFaultServer();
  other = await startFaultServer();
  const redirect = (status: number, to: string) => (_req: unknown, res: import('node:http').ServerResponse) => void res.writeHead(status, { location: to }).end();
  server.route('/old', redirect(301, '/moved'));
  server.route('/moved', redirect(302, '/final'));
  server.route('/final', (req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method })));
  server.route('/loop-a', redirect(302, '/loop-b'));
  server.route('/loop-b', redirect(302, '/loop-a'));
  server.route('/see-other', redirect(303, '/final'));
  server.route('/to-other', redirect(307, `${other.origin}/final`));
  other.route('/final', (req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: req.headers.authorization ?? null })));
  for (let i = 0; i < 12; i++) server.route(`/hop/${i}`, redirect(302, `/hop/${i + 1}`));
  server.route('/hop/12', (_req, res) => void res.writeHead(200).end('{}'));
});
afterAll(async () => {
  await server.close();
  await other.close();
});

const runner = () => new ApiCheckRunner({ redactor: new Redactor() });

describe('redirects', () => {
  it('follows a GET through 301 and 302, recording each hop, and judges the final response', async () => {
    const r = await runner().run(apiCheck(server.url('/old'), { expect: { status: [200], headers: [], body: [{ source: 'json', path: '$.method', op: 'eq', target: 'GET' }] } }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.httpStatus).toBe(200);
    const hops = r.steps[0]!.redirects!;
    expect(hops.map((h) => [h.url, h.status])).toEqual([
      [server.url('/old'), 301],
      [server.url('/moved'), 302],
    ]);
    for (const h of hops) expect(h.durationMs).toBeGreaterThan(0);
    expect(r.steps[0]!.timings!.totalMs).toBeGreaterThanOrEqual(hops[0]!.durationMs + hops[1]!.durationMs);
    expect(server.hits('/final')).toBeGreaterThanOrEqual(1);
  });

  it('continues a 303 after POST as GET', async () => {
    const r = await runner().run(apiCheck(server.url('/see-other'), { request: { method: 'POST', url: server.url('/see-other'), headers: { 'content-type': 'application/json' }, body: '{}' }, redirects: { follow: true, max: 10 }, expect: { status: [200], headers: [], body: [{ source: 'json', path: '$.method', op: 'eq', target: 'GET' }] } }), ctx);
    expect(errorOf(r)).toBeNull();
  });

  it('does not follow other methods by default, nor anything when turned off', async () => {
    const post = await runner().run(apiCheck(server.url('/old'), { request: { method: 'POST', url: server.url('/old'), headers: {} }, expect: { status: [301], headers: [], body: [] } }), ctx);
    expect(errorOf(post)).toBeNull();
    const off = await runner().run(apiCheck(server.url('/old'), { redirects: { follow: false, max: 10 }, expect: { status: [301], headers: [], body: [] } }), ctx);
    expect(errorOf(off)).toBeNull();
    expect(off.steps[0]!.redirects).toBeUndefined();
  });

  it('classifies a loop as redirect, showing the cycle', async () => {
    const r = await runner().run(apiCheck(server.url('/loop-a')), ctx);
    expect(r.error).toEqual({ class: 'redirect', message: 'redirect loop: /loop-a → /loop-b → /loop-a' });
    expect(r.steps[0]!.redirects).toHaveLength(2);
  });

  it('classifies more hops than maxRedirects as redirect', async () => {
    const r = await runner().run(apiCheck(server.url('/hop/0')), ctx);
    expect(r.error).toEqual({ class: 'redirect', message: 'redirect: more than 10 redirects (maxRedirects), last to /hop/11' });
    const ok = await runner().run(apiCheck(server.url('/hop/0'), { redirects: { follow: true, max: 12 } }), ctx);
    expect(errorOf(ok)).toBeNull();
    expect(ok.steps[0]!.redirects).toHaveLength(12);
  });

  it('does not send the authorization header to another origin', async () => {
    const r = await runner().run(apiCheck(server.url('/to-other'), { request: { method: 'GET', url: server.url('/to-other'), headers: { authorization: 'Bearer s3cret-token-value' } }, expect: { status: [200], headers: [], body: [{ source: 'json', path: '$.auth', op: 'eq', target: null }] } }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.steps[0]!.redirects!.map((h) => h.status)).toEqual([307]);
  });
});

describe('broken HTTP', () => {
  it('classifies a response that is not HTTP as protocol, not connection_reset', async () => {
    const garbage = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\nthis is not http\r\n\r\n'));
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    try {
      const port = (garbage.address() as AddressInfo).port;
      const r = await runner().run(apiCheck(`http://127.0.0.1:${port}/`), ctx);
      expect(r.error?.class).toBe('protocol');
      expect(r.error?.message).toMatch(/^protocol: invalid HTTP response from http:\/\/127\.0\.0\.1:\d+ \(/);
    } finally {
      await new Promise((r) => garbage.close(r));
    }
  });
});
