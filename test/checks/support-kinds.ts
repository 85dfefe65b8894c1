/** Builders for the non-HTTP kinds' tests, and small loopback servers they need. */
import type tls from 'node:tls';
import type { CheckCommon, DnsCheckDefinition, HeartbeatDefinition, TcpCheckDefinition, TlsCheckDefinition } from '../../src/model/monitor.js';
import type { Pem } from '../../demo/certs.js';
import { startTlsEndpoint } from '../../demo/tls.js';

const common = (id: string): CheckCommon => ({ id, name: id, file: `checks/${id}.check.yaml`, retries: 0, timeoutMs: 2_000, tags: [] });

export function tcpCheck(port: number, over: Partial<TcpCheckDefinition> = {}): TcpCheckDefinition {
  return { ...common('tcp-probe'), kind: 'tcp', host: '127.0.0.1', port, expect: {}, ...over };
}

export function tlsCheck(port: number, over: Partial<TlsCheckDefinition> = {}): TlsCheckDefinition {
  return { ...common('tls-probe'), kind: 'tls', host: '127.0.0.1', port, servername: 'localhost', certificate: { degradedDays: 14, failedDays: 7 }, minProtocol: 'TLSv1.2', ...over };
}

export function dnsCheck(resolver: string, over: Partial<DnsCheckDefinition> = {}): DnsCheckDefinition {
  return { ...common('dns-probe'), kind: 'dns', query: 'shop.observer.test', recordType: 'A', resolver, expect: { answers: [] }, ...over };
}

export function heartbeatCheck(over: Partial<HeartbeatDefinition> = {}): HeartbeatDefinition {
  return { ...common('nightly-backup'), kind: 'heartbeat', periodMs: 60_000, graceMs: 10_000, token: 'hb-token-0123456789abcdef', ...over };
}

/** A TLS server on 127.0.0.1 presenting `pem` (the demo's endpoint). */
export function startTlsServer(pem: Pem, opts: tls.TlsOptions = {}): Promise<{ port: number; close(): Promise<void> }> {
  return startTlsEndpoint({ pem, tls: opts });
}
