/**
 * DNS checks against a real DNS server on loopback (demo/dns.ts, dns-packet over UDP): each record
 * type, assertions on the answers, NXDOMAIN, NODATA, SERVFAIL and a resolver that never answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer } from '../../demo/dns.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import type { Assertion } from '../../src/model/monitor.js';
import { Redactor } from '../../src/runtime/redact.js';
import { ctx, errorOf } from './support.js';
import { dnsCheck } from './support-kinds.js';

let dns: DnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    zone: {
      'shop.observer.test': [
        { type: 'A', data: '127.0.0.1' },
        { type: 'A', data: '127.0.0.2' },
        { type: 'AAAA', data: '::1' },
        { type: 'MX', data: { preference: 20, exchange: 'mx2.observer.test' } },
        { type: 'MX', data: { preference: 10, exchange: 'mx1.observer.test' } },
        { type: 'TXT', data: ['v=spf1 ', '-all'] },
        { type: 'NS', data: 'ns1.observer.test' },
      ],
      'www.observer.test': [{ type: 'CNAME', data: 'shop.observer.test' }],
      'api.observer.test': [{ type: 'A', data: '127.0.0.3' }],
    },
    servfail: ['broken.observer.test'],
    silent: ['silent.observer.test'],
  });
});
afterAll(async () => {
  await dns?.close();
});

const runner = () => new ApiCheckRunner({ redactor: new Redactor(), retryBackoff: { initialMs: 1 } });
const answers = (...a: Array<Omit<Assertion, 'source'>>): { answers: Assertion[] } => ({ answers: a.map((x) => ({ source: 'json', ...x })) });

describe('dns checks', () => {
  it('resolves A records from the given resolver, times the lookup and records the answers', async () => {
    const r = await runner().run(dnsCheck(dns.address, { expect: answers({ path: '$', op: 'contains', target: '127.0.0.1' }, { path: '$', op: 'lengthEq', target: 2 }) }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.kind).toBe('dns');
    expect(r.steps[0]!.answers).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(r.steps[0]!.timings!.dnsMs).toBeGreaterThan(0);
    expect(r.steps[0]!.timings!.totalMs).toBe(r.steps[0]!.timings!.dnsMs);
    expect(dns.queries).toContainEqual({ name: 'shop.observer.test', type: 'A' });
  });

  it.each([
    ['AAAA', ['::1']],
    ['MX', ['10 mx1.observer.test', '20 mx2.observer.test']],
    ['TXT', ['v=spf1 -all']],
    ['NS', ['ns1.observer.test']],
  ] as const)('resolves %s records', async (recordType, expected) => {
    const r = await runner().run(dnsCheck(dns.address, { recordType }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.steps[0]!.answers).toEqual(expected);
  });

  it('resolves a CNAME', async () => {
    const r = await runner().run(dnsCheck(dns.address, { query: 'www.observer.test', recordType: 'CNAME', expect: answers({ path: '$[0]', op: 'eq', target: 'shop.observer.test' }) }), ctx);
    expect(errorOf(r)).toBeNull();
  });

  it('fails as assertion when the answers do not hold, listing them', async () => {
    const r = await runner().run(dnsCheck(dns.address, { expect: answers({ path: '$', op: 'contains', target: '10.0.0.9' }) }), ctx);
    expect(r.error?.class).toBe('assertion');
    expect(r.error?.message).toMatch(/^A shop\.observer\.test @127\.0\.0\.1:\d+: \$: expected .*10\.0\.0\.9.*; answers: 127\.0\.0\.1, 127\.0\.0\.2$/);
  });

  it('classifies NXDOMAIN', async () => {
    const r = await runner().run(dnsCheck(dns.address, { query: 'gone.observer.test' }), ctx);
    expect(r.error?.class).toBe('dns');
    expect(r.error?.message).toMatch(/^dns: A gone\.observer\.test @127\.0\.0\.1:\d+: NXDOMAIN: the name does not exist \(ENOTFOUND\)$/);
  });

  it('classifies NODATA (the name exists, the type does not)', async () => {
    const r = await runner().run(dnsCheck(dns.address, { query: 'api.observer.test', recordType: 'TXT' }), ctx);
    expect(r.error?.class).toBe('dns');
    expect(r.error?.message).toContain('no records of that type (NODATA) (ENODATA)');
  });

  it('classifies SERVFAIL and retries it', async () => {
    const before = dns.queries.filter((q) => q.name === 'broken.observer.test').length;
    const r = await runner().run(dnsCheck(dns.address, { query: 'broken.observer.test', retries: 1 }), ctx);
    expect(r.error?.class).toBe('dns');
    expect(r.error?.message).toContain('SERVFAIL: the resolver failed to answer (ESERVFAIL)');
    expect(r.attempts).toBe(2);
    expect(dns.queries.filter((q) => q.name === 'broken.observer.test').length - before).toBe(2);
  });

  it('classifies a resolver that never answers as timeout', async () => {
    const r = await runner().run(dnsCheck(dns.address, { query: 'silent.observer.test', timeoutMs: 300 }), ctx);
    expect(r.error?.class).toBe('timeout');
    expect(r.error?.message).toMatch(/^timeout: A silent\.observer\.test @127\.0\.0\.1:\d+: no answer within 300 ms$/);
  });

  it('ends as aborted when the run is cancelled mid-lookup', async () => {
    const ac = new AbortController();
    const pending = runner().run(dnsCheck(dns.address, { query: 'silent.observer.test', timeoutMs: 5_000 }), { ...ctx, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('SIGTERM')), 50);
    const r = await pending;
    expect(r.error).toEqual({ class: 'aborted', message: 'aborted: SIGTERM' });
  });
});
