/**
 * The demo's servers beside the shop, for the DNS, TCP and TLS examples: a DNS server for the
 * `demo.test` zone, a line-protocol cache server with a banner, and a TLS endpoint whose
 * certificate is signed by a CA made at start (its PEM is handed out so checks can trust it).
 * Loopback only by default; every port is free-picked unless given.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeCa, makeCert, makeKey } from './certs.js';
import { startDnsServer, type DnsServer } from './dns.js';
import { startLineServer, type LineServer } from './tcp.js';
import { startTlsEndpoint } from './tls.js';

export interface DemoExtras {
  dns: DnsServer;
  tcp: LineServer;
  tls: { port: number };
  /** PEM of the CA that signed the TLS endpoint's certificate. */
  caPem: string;
  close(): Promise<void>;
}

export async function startDemoExtras(opts: { host?: string; caFile?: string } = {}): Promise<DemoExtras> {
  const host = opts.host ?? '127.0.0.1';
  const key = makeKey();
  const ca = makeCa('production-observer demo CA', 3650, key);
  const leaf = makeCert({ hosts: ['localhost', '127.0.0.1', 'shop.demo.test'], issuer: ca, key, notAfterDays: 90 });
  if (opts.caFile) {
    await fs.mkdir(path.dirname(opts.caFile), { recursive: true });
    await fs.writeFile(opts.caFile, ca.cert);
  }
  const dns = await startDnsServer({
    host,
    zone: {
      'shop.demo.test': [
        { type: 'A', data: '127.0.0.1' },
        { type: 'AAAA', data: '::1' },
        { type: 'MX', data: { preference: 10, exchange: 'mail.demo.test' } },
        { type: 'TXT', data: 'v=spf1 -all' },
      ],
      'www.demo.test': [{ type: 'CNAME', data: 'shop.demo.test' }],
      'demo.test': [{ type: 'NS', data: 'ns1.demo.test' }],
    },
  });
  const tcp = await startLineServer({ host });
  const tls = await startTlsEndpoint({ host, pem: leaf });
  return {
    dns,
    tcp,
    tls: { port: tls.port },
    caPem: ca.cert,
    close: async () => {
      await Promise.all([dns.close(), tcp.close(), tls.close()]);
    },
  };
}
