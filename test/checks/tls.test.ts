/**
 * TLS certificate checks against local TLS servers presenting certificates this test makes:
 * trusted, expired, self-signed, for another host, about to expire; and the certificate of an
 * HTTPS API check.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeCert, makeKey, type Pem } from '../../demo/certs.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import { apiCheck, ctx, errorOf } from './support.js';
import { startTlsServer, tlsCheck } from './support-kinds.js';

let key: string;
let ca: Pem;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(() => {
  key = makeKey();
  ca = makeCa('observer test CA', 3650, key);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(pem: Pem): Promise<number> {
  const s = await startTlsServer(pem);
  servers.push(s);
  return s.port;
}

const runner = () => new ApiCheckRunner({ redactor: new Redactor() });

describe('tls checks', () => {
  it('passes a trusted certificate for the host and reports it: days left, protocol, cipher, names', async () => {
    const port = await serve(makeCert({ hosts: ['localhost', '127.0.0.1'], issuer: ca, key, notAfterDays: 90 }));
    const r = await runner().run(tlsCheck(port, { ca: ca.cert }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.status).toBe('passed');
    expect(r.kind).toBe('tls');
    const info = r.steps[0]!.tls!;
    expect(info.authorized).toBe(true);
    expect(info.daysToExpiry).toBeGreaterThanOrEqual(89);
    expect(info.daysToExpiry).toBeLessThanOrEqual(90);
    expect(info.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(info.cipher).toBeTruthy();
    expect(info.altNames).toEqual(['localhost', '127.0.0.1']);
    expect(info.issuer).toContain('observer test CA');
    const t = r.steps[0]!.timings!;
    expect(t.tlsMs).toBeGreaterThan(0);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.connectMs + t.tlsMs);
  });

  it('fails an expired certificate as tls, saying when it expired', async () => {
    const port = await serve(makeCert({ hosts: ['localhost'], issuer: ca, key, notBeforeDays: -40, notAfterDays: -3 }));
    const r = await runner().run(tlsCheck(port, { ca: ca.cert }), ctx);
    expect(r.status).toBe('failed');
    expect(r.error?.class).toBe('tls');
    expect(r.error?.message).toMatch(/^tls: 127\.0\.0\.1:\d+: the certificate has expired on \d{4}-\d\d-\d\d \([34] days ago\) \[CERT_HAS_EXPIRED\]$/);
    expect(r.steps[0]!.tls!.daysToExpiry).toBeLessThan(0);
  });

  it('fails a self-signed certificate as tls', async () => {
    const port = await serve(makeCert({ hosts: ['localhost'], key }));
    const r = await runner().run(tlsCheck(port), ctx);
    expect(r.error?.class).toBe('tls');
    expect(r.error?.message).toMatch(/the certificate is self-signed \(subject CN=localhost\) \[DEPTH_ZERO_SELF_SIGNED_CERT\]$/);
  });

  it('fails a certificate issued by an unknown CA (the system CAs do not vouch for it)', async () => {
    const port = await serve(makeCert({ hosts: ['localhost'], issuer: ca, key }));
    const r = await runner().run(tlsCheck(port), ctx);
    expect(r.error?.class).toBe('tls');
    expect(r.error?.message).toContain('[UNABLE_TO_VERIFY_LEAF_SIGNATURE]');
  });

  it('fails a certificate for another host, listing the names it is valid for', async () => {
    const port = await serve(makeCert({ hosts: ['shop.example.org', 'www.example.org'], issuer: ca, key }));
    const r = await runner().run(tlsCheck(port, { ca: ca.cert }), ctx);
    expect(r.error?.class).toBe('tls');
    expect(r.error?.message).toMatch(/the certificate is not valid for localhost \(valid for shop\.example\.org, www\.example\.org\) \[ERR_TLS_CERT_ALTNAME_INVALID\]$/);
  });

  it('degrades under degradedDays and fails under failedDays', async () => {
    const port10 = await serve(makeCert({ hosts: ['localhost'], issuer: ca, key, notAfterDays: 10.5 }));
    const port5 = await serve(makeCert({ hosts: ['localhost'], issuer: ca, key, notAfterDays: 5.5 }));
    const degraded = await runner().run(tlsCheck(port10, { ca: ca.cert }), ctx);
    expect(degraded.status).toBe('degraded');
    expect(degraded.error?.message).toMatch(/the certificate expires in 10 days \(on \d{4}-\d\d-\d\d\); degraded under 14 days \(degradedDays\)$/);
    const failed = await runner().run(tlsCheck(port5, { ca: ca.cert }), ctx);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ class: 'tls' });
    expect(failed.error?.message).toMatch(/expires in 5 days .*; fails under 7 days \(failedDays\)$/);
    const lenient = await runner().run(tlsCheck(port5, { ca: ca.cert, certificate: { degradedDays: 5, failedDays: 2 } }), ctx);
    expect(lenient.status).toBe('passed');
  });

  it('fails a server below minProtocol', async () => {
    const s = await startTlsServer(makeCert({ hosts: ['localhost'], issuer: ca, key }), { maxVersion: 'TLSv1.2' });
    servers.push(s);
    const r = await runner().run(tlsCheck(s.port, { ca: ca.cert, minProtocol: 'TLSv1.3' }), ctx);
    expect(r.error?.class).toBe('tls');
    expect(r.error?.message).toMatch(/negotiated TLSv1\.2, below the minimum TLSv1\.3 \(minProtocol\)$/);
  });

  it('classifies a refused port as connection_refused, not tls', async () => {
    const s = await startTlsServer(makeCert({ hosts: ['localhost'], key }));
    const port = s.port;
    await s.close();
    const r = await runner().run(tlsCheck(port), ctx);
    expect(r.error?.class).toBe('connection_refused');
  });
});

describe('HTTPS API checks report and judge their certificate', () => {
  it('records the certificate on the step and degrades when it is about to expire', async () => {
    const pem = makeCert({ hosts: ['localhost', '127.0.0.1'], issuer: ca, key, notAfterDays: 12.5 });
    const server = https.createServer({ key: pem.key, cert: pem.cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
    const port = (server.address() as AddressInfo).port;
    const run = new ApiCheckRunner({ redactor: new Redactor(), tls: { ca: ca.cert } });
    try {
      const r = await run.run(apiCheck(`https://127.0.0.1:${port}/`), ctx);
      expect(r.status).toBe('degraded');
      expect(r.error?.class).toBe('tls');
      expect(r.error?.message).toMatch(/^tls: 127\.0\.0\.1:\d+: the certificate expires in 12 days/);
      expect(r.steps[0]!.tls).toMatchObject({ authorized: true, daysToExpiry: 12 });
      const lenient = await run.run(apiCheck(`https://127.0.0.1:${port}/`, { certificate: { degradedDays: 10, failedDays: 5 } }), ctx);
      expect(lenient.status).toBe('passed');
    } finally {
      await run.close();
    }
  });
});
