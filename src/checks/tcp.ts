/**
 * TCP checks: connect to host:port, optionally write bytes, optionally read until the data matches
 * a regex (an SMTP/SSH banner, Redis `+PONG`). Timings: `dnsMs` (name lookup), `connectMs` (TCP
 * handshake), `firstByteMs` (connected or written → the data matched), `totalMs`. Refused, reset,
 * unresolvable and timed-out targets are classified; a banner that does not match is `assertion`.
 */
import net, { type LookupFunction } from 'node:net';
import type { TcpCheckDefinition } from '../model/monitor.js';
import type { Clock } from '../runtime/clock.js';
import { classifyTransportError } from './errors.js';
import { abortReason, slaVerdict, zeroTimings, type ProbeOutcome } from './probe.js';

/** Data kept while waiting for a banner; more is ignored (a banner is a line, not a download). */
const MAX_BANNER_BYTES = 64 * 1024;

export function probeTcp(def: TcpCheckDefinition, opts: { clock: Clock; lookup?: LookupFunction; signal?: AbortSignal }): Promise<ProbeOutcome> {
  const { clock } = opts;
  const t0 = clock.monotonicMs();
  const origin = `tcp://${def.host.includes(':') ? `[${def.host}]` : def.host}:${def.port}`;
  const pattern = def.expect.banner !== undefined ? new RegExp(def.expect.banner) : undefined;
  return new Promise<ProbeOutcome>((resolve) => {
    let lookupAt: number | undefined;
    let connectAt: number | undefined;
    let sentAt: number | undefined;
    let received = Buffer.alloc(0);
    let done = false;
    const socket = net.connect({ host: def.host, port: def.port, ...(opts.lookup ? { lookup: opts.lookup } : {}) });

    const timings = (endAt: number, matchedAt?: number) => {
      const start = lookupAt ?? t0;
      const from = sentAt ?? connectAt;
      return {
        ...zeroTimings(endAt - t0),
        dnsMs: lookupAt !== undefined ? lookupAt - t0 : 0,
        connectMs: connectAt !== undefined ? connectAt - start : 0,
        sendMs: sentAt !== undefined && connectAt !== undefined ? sentAt - connectAt : 0,
        firstByteMs: matchedAt !== undefined && from !== undefined ? matchedAt - from : 0,
      };
    };
    const finish = (outcome: Omit<ProbeOutcome, 'timings'>, matchedAt?: number) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ ...outcome, timings: timings(clock.monotonicMs(), matchedAt) });
    };
    const fail = (cls: NonNullable<ProbeOutcome['error']>['class'], message: string) => finish({ status: 'failed', error: { class: cls, message } });
    const succeed = (matchedAt?: number) => {
      const t = timings(clock.monotonicMs(), matchedAt);
      finish(slaVerdict(t.totalMs, def.expect), matchedAt);
    };
    const shown = () => JSON.stringify(received.toString('utf8', 0, Math.min(received.length, 200)));

    const timer = setTimeout(() => {
      if (connectAt === undefined) fail('timeout', `timeout: could not connect to ${origin} within ${def.timeoutMs} ms`);
      else if (pattern) fail('timeout', `timeout: no data matching /${def.expect.banner}/ from ${origin} within ${def.timeoutMs} ms (got ${shown()})`);
      else fail('timeout', `timeout: ${origin} did not take the data within ${def.timeoutMs} ms`);
    }, def.timeoutMs);
    const onAbort = () => fail('aborted', `aborted: ${abortReason(opts.signal!)}`);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    socket.once('lookup', () => {
      lookupAt = clock.monotonicMs();
    });
    socket.once('connect', () => {
      connectAt = clock.monotonicMs();
      if (def.send !== undefined) {
        socket.write(def.send, () => {
          sentAt = clock.monotonicMs();
          if (!pattern) succeed();
        });
      } else if (!pattern) succeed();
    });
    socket.on('data', (chunk: Buffer) => {
      if (!pattern || received.length >= MAX_BANNER_BYTES) return;
      received = Buffer.concat([received, chunk]).subarray(0, MAX_BANNER_BYTES);
      if (pattern.test(received.toString('utf8'))) succeed(clock.monotonicMs());
    });
    socket.once('end', () => {
      if (pattern) fail('assertion', `${origin} closed the connection without data matching /${def.expect.banner}/ (got ${shown()})`);
    });
    socket.once('error', (err) => {
      const e = classifyTransportError(err, { origin, phase: connectAt === undefined ? 'connect' : 'body', bodyBytes: received.length });
      fail(e.errorClass, e.message);
    });
    socket.once('close', () => {
      if (pattern) fail('assertion', `${origin} closed the connection without data matching /${def.expect.banner}/ (got ${shown()})`);
      else fail('connection_reset', `connection reset: ${origin} closed the connection before the data was written`);
    });
  });
}
