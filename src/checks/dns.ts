/**
 * DNS checks: resolve a name (A, AAAA, CNAME, MX, TXT, NS) with the system's resolvers or a given
 * one (`host` or `host:port`), time the lookup and assert on the answers. NXDOMAIN, SERVFAIL,
 * REFUSED and no-data answers are `dns` failures that say which; a resolver that does not answer
 * is `timeout`. Answers are strings: `1.2.3.4`, `10 mail.example.com` (MX), TXT chunks joined.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsCheckDefinition, DnsRecordType } from '../model/monitor.js';
import type { MonitorError } from '../model/results.js';
import type { Clock } from '../runtime/clock.js';
import { checkAssertion, type ResponseView } from './assertions.js';
import { abortReason, slaVerdict, zeroTimings, type ProbeOutcome } from './probe.js';

const QUERY: Record<DnsRecordType, (r: Resolver, name: string) => Promise<string[]>> = {
  A: (r, n) => r.resolve4(n),
  AAAA: (r, n) => r.resolve6(n),
  CNAME: (r, n) => r.resolveCname(n),
  NS: (r, n) => r.resolveNs(n),
  MX: async (r, n) => (await r.resolveMx(n)).sort((a, b) => a.priority - b.priority).map((m) => `${m.priority} ${m.exchange}`),
  TXT: async (r, n) => (await r.resolveTxt(n)).map((chunks) => chunks.join('')),
};

/** c-ares codes → what a person reads. */
const RCODES: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN: the name does not exist',
  ESERVFAIL: 'SERVFAIL: the resolver failed to answer',
  EREFUSED: 'REFUSED: the resolver refused the query',
  ENODATA: 'no records of that type (NODATA)',
  EFORMERR: 'FORMERR: the resolver rejected the query as malformed',
  ENOTIMP: 'NOTIMP: the resolver does not implement this query',
  EBADRESP: 'the resolver sent a malformed answer',
  ECONNREFUSED: 'the resolver refused the connection',
};

export async function probeDns(def: DnsCheckDefinition, opts: { clock: Clock; signal?: AbortSignal }): Promise<ProbeOutcome> {
  const { clock } = opts;
  // One try per attempt: retries are the check's, with its backoff; the timeout bounds the lookup.
  const resolver = new Resolver({ timeout: def.timeoutMs, tries: 1 });
  if (def.resolver) resolver.setServers([def.resolver]);
  const where = `${def.recordType} ${def.query}${def.resolver ? ` @${def.resolver}` : ''}`;
  const t0 = clock.monotonicMs();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<MonitorError>((resolve) => {
    if (!opts.signal) return;
    onAbort = () => {
      resolver.cancel();
      resolve({ class: 'aborted', message: `aborted: ${abortReason(opts.signal!)}` });
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const got = await Promise.race([QUERY[def.recordType](resolver, def.query), aborted]);
    const totalMs = clock.monotonicMs() - t0;
    const timings = { ...zeroTimings(totalMs), dnsMs: totalMs };
    if (!Array.isArray(got)) return { status: 'failed', error: got, timings };
    const answers = got;
    const failures: string[] = [];
    const view = answersView(answers, totalMs);
    for (const a of def.expect.answers) {
      const f = checkAssertion(a, view);
      if (f) failures.push(f);
    }
    if (failures.length) {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed assertion${failures.length > 2 ? 's' : ''})` : '';
      return { status: 'failed', error: { class: 'assertion', message: `${where}: ${failures[0]}${more}; answers: ${answers.join(', ') || 'none'}` }, timings, detail: { answers } };
    }
    return { ...slaVerdict(totalMs, def.expect), timings, detail: { answers } };
  } catch (err) {
    const totalMs = clock.monotonicMs() - t0;
    const timings = { ...zeroTimings(totalMs), dnsMs: totalMs };
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ETIMEOUT') return { status: 'failed', error: { class: 'timeout', message: `timeout: ${where}: no answer within ${def.timeoutMs} ms` }, timings };
    if (code === 'ECANCELLED') return { status: 'failed', error: { class: 'aborted', message: `aborted: ${where}` }, timings };
    if (code === 'ECONNREFUSED') return { status: 'failed', error: { class: 'connection_refused', message: `connection refused: ${where}: ${RCODES[code]}` }, timings };
    const reason = RCODES[code] ?? `${(err as Error).message.split('\n')[0]}`;
    return { status: 'failed', error: { class: 'dns', message: `dns: ${where}: ${reason}${code && !RCODES[code] ? '' : ` (${code})`}` }, timings };
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Assertions see the answers as the JSON body (`$`, `$[0]`) and as text (one per line). */
function answersView(answers: string[], totalMs: number): ResponseView {
  return { status: 0, headers: {}, text: () => answers.join('\n'), json: () => answers, responseTimeMs: totalMs };
}
