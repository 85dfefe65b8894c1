/**
 * Where the HTTP phase timestamps come from.
 *
 * - Connection phases (dns, TCP connect, TLS handshake) are taken on the socket itself by a
 *   connector that wraps undici's `buildConnector`: it prepends listeners for the socket's
 *   `lookup`, `connect` and `secureConnect` events, so they run before undici's own handler (which
 *   starts writing the request synchronously on connect) and the stamps are not inflated by it.
 * - Which socket a request went out on, and when it was fully written, come from one table of
 *   `diagnostics_channel` subscribers (undici `lib/core/diagnostics.js`):
 *   `undici:client:sendHeaders` ({ request, headers, socket }) and `undici:request:bodySent`
 *   ({ request }). The other channels (`undici:client:beforeConnect`/`connected`, `undici:request:
 *   headers`/`trailers`/`error`) are not needed: the connector times connects more finely than
 *   beforeConnect→connected, and the dispatch handler already sees headers, body and errors.
 * - Correlation: undici calls the handler's `onRequestStart` and publishes `sendHeaders` in the same
 *   synchronous block of `writeH1`/`writeH2`, with the request's socket. The probe announces itself
 *   in `onRequestStart`; the subscriber takes it only if the socket is one our connector opened, so
 *   requests of other undici users in the process (global fetch, other agents) are never touched.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import type { TLSSocket } from 'node:tls';
import type { TlsInfo } from '../model/results.js';
import type { Clock } from '../runtime/clock.js';
import { certificateInfo } from './tls.js';

/** Stamps of one connection, monotonic ms; a missing stamp means the phase did not happen. */
export interface ConnectionTimes {
  startAt: number;
  /** DNS answer arrived (absent for IP literals). */
  lookupAt?: number;
  /** TCP connected. */
  connectAt?: number;
  /** TLS handshake done (https only). */
  secureAt?: number;
  /** Connection handed to undici (connect or secureConnect callback). */
  readyAt?: number;
  /** Requests sent on this connection so far; the first one pays the connection phases. */
  requests: number;
  /** HTTPS: the peer certificate and session, read once at the handshake. */
  tls?: TlsInfo;
}

/** The connection phases of a fresh connection, in ms. */
export interface ConnectionPhases {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
}

/** What the subscribers report to the exchange that owns a request. */
export interface ExchangeProbe {
  /** The request got its socket; `fresh` is false on a kept-alive connection. */
  onSocket(connection: ConnectionTimes, fresh: boolean): void;
  /** The request (headers and body) was fully written to the socket. */
  onRequestWritten(): void;
}

const connections = new WeakMap<object, ConnectionTimes>();
const probes = new WeakMap<object, ExchangeProbe>();
let announced: ExchangeProbe | null = null;

/**
 * Called from the handler's `onRequestStart`: the next `sendHeaders` on one of our sockets belongs
 * to this probe.
 */
export function announceProbe(probe: ExchangeProbe): void {
  announced = probe;
}

interface SendHeadersMessage {
  request: object;
  socket: object;
}

interface RequestMessage {
  request: object;
}

/** The subscriber table: channel name → handler. */
const SUBSCRIBERS: Record<string, (message: unknown) => void> = {
  'undici:client:sendHeaders': (message) => {
    const { request, socket } = message as SendHeadersMessage;
    const connection = connections.get(socket);
    const probe = announced;
    if (!connection || !probe) return;
    announced = null;
    probes.set(request, probe);
    const fresh = connection.requests === 0;
    connection.requests++;
    probe.onSocket(connection, fresh);
  },
  'undici:request:bodySent': (message) => {
    const { request } = message as RequestMessage;
    const probe = probes.get(request);
    if (!probe) return;
    probes.delete(request);
    probe.onRequestWritten();
  },
};

let subscribers = 0;

/** Subscribe the table (reference counted: one subscription per process however many runners). */
export function subscribeTimings(): () => void {
  if (subscribers++ === 0) {
    for (const [name, fn] of Object.entries(SUBSCRIBERS)) diagnosticsChannel.subscribe(name, fn);
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--subscribers === 0) {
      for (const [name, fn] of Object.entries(SUBSCRIBERS)) diagnosticsChannel.unsubscribe(name, fn);
      announced = null;
    }
  };
}

/**
 * Wrap a connector so every socket it opens carries its phase stamps. undici's `buildConnector`
 * returns the socket synchronously (typed as void); if a connector ever does not, the whole
 * connect time is still measured from the callback and reported as `connectMs`.
 */
export function timedConnector(base: buildConnector.connector, clock: Clock): buildConnector.connector {
  const connect = base as unknown as (options: buildConnector.Options, callback: buildConnector.Callback) => Socket | undefined;
  return (options, callback) => {
    const times: ConnectionTimes = { startAt: clock.monotonicMs(), requests: 0 };
    const socket = connect(options, (...args) => {
      const sock = args[1];
      if (sock) {
        times.readyAt = clock.monotonicMs();
        connections.set(sock, times);
      }
      callback(...args);
    });
    if (socket && typeof socket.prependOnceListener === 'function') {
      socket.prependOnceListener('lookup', () => {
        times.lookupAt = clock.monotonicMs();
      });
      socket.prependOnceListener('connect', () => {
        times.connectAt = clock.monotonicMs();
      });
      socket.prependOnceListener('secureConnect', () => {
        times.secureAt = clock.monotonicMs();
        // Read after the stamp, so the handshake time does not include it.
        times.tls = certificateInfo(socket as TLSSocket, clock.nowMs());
      });
    }
  };
}

/** dns / connect / tls of a fresh connection; never negative. */
export function connectionPhases(t: ConnectionTimes): ConnectionPhases {
  const ready = t.readyAt ?? t.secureAt ?? t.connectAt ?? t.startAt;
  const dnsMs = t.lookupAt !== undefined ? t.lookupAt - t.startAt : 0;
  const tcpEnd = t.connectAt ?? (t.secureAt === undefined ? ready : t.secureAt);
  const connectMs = tcpEnd - (t.lookupAt ?? t.startAt);
  const tlsMs = t.secureAt !== undefined && t.connectAt !== undefined ? t.secureAt - t.connectAt : 0;
  return { dnsMs: nonNegative(dnsMs), connectMs: nonNegative(connectMs), tlsMs: nonNegative(tlsMs) };
}

function nonNegative(x: number): number {
  return x > 0 ? x : 0;
}
