/**
 * TLS certificate checks: handshake with host:port (SNI `servername`), then judge what was seen:
 * the chain against the system's CAs (plus a given `ca`), the name against the certificate's
 * subjectAltName, the protocol against `minProtocol`, and the days left before expiry against the
 * degraded/failed thresholds. Any of those is a `tls` failure whose message gives the reason.
 * `certificateInfo` also serves HTTPS API checks, which report the certificate of their target.
 */
import net, { type LookupFunction } from 'node:net';
import tls, { type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { CertificateThresholds, TlsCheckDefinition } from '../model/monitor.js';
import type { MonitorError, Status, TlsInfo } from '../model/results.js';
import type { Clock } from '../runtime/clock.js';
import { classifyTransportError } from './errors.js';
import { abortReason, zeroTimings, type ProbeOutcome } from './probe.js';

const DAY_MS = 86_400_000;
export const DEFAULT_CERTIFICATE_THRESHOLDS: CertificateThresholds = { degradedDays: 14, failedDays: 7 };

/** OpenSSL/Node verification codes → the reason a person reads. */
const REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed certificate no trusted CA vouches for',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the chain does not lead to a trusted CA (is an intermediate certificate missing?)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer certificate could not be found',
  CERT_REVOKED: 'the certificate was revoked',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not valid for this host name',
};

/** What a TLS socket presents, as the results model stores it. */
export function certificateInfo(socket: TLSSocket, nowMs: number): TlsInfo | undefined {
  const cert = socket.getPeerCertificate(false) as DetailedPeerCertificate | Record<string, never>;
  if (!cert || !('valid_to' in cert) || !cert.valid_to) return undefined;
  const validTo = Date.parse(cert.valid_to);
  const validFrom = Date.parse(cert.valid_from);
  const cipher = socket.getCipher();
  const protocol = socket.getProtocol();
  const altNames = (cert.subjectaltname ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^(DNS|IP Address):/, ''))
    .filter(Boolean);
  const error = socket.authorizationError as unknown;
  return {
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    validFrom: Number.isFinite(validFrom) ? new Date(validFrom).toISOString() : cert.valid_from,
    validTo: Number.isFinite(validTo) ? new Date(validTo).toISOString() : cert.valid_to,
    daysToExpiry: Number.isFinite(validTo) ? Math.floor((validTo - nowMs) / DAY_MS) : 0,
    ...(protocol ? { protocol } : {}),
    ...(cipher?.name ? { cipher: cipher.name } : {}),
    authorized: socket.authorized,
    ...(!socket.authorized && error ? { authorizationError: error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error) } : {}),
    ...(altNames.length ? { altNames } : {}),
  };
}

/** The verdict on a certificate: untrusted / wrong name / expired → failed; near expiry → degraded or failed. */
export function judgeCertificate(
  info: TlsInfo,
  on: { /** `host:port`, for messages. */ target: string; /** The name the certificate must match. */ name: string; thresholds: CertificateThresholds; minProtocol?: string },
): { status: Status; error: MonitorError | null } {
  const { target, thresholds, minProtocol } = on;
  const until = info.validTo.slice(0, 10);
  if (!info.authorized) {
    const code = info.authorizationError ?? 'UNKNOWN';
    let reason = REASONS[code] ?? `the certificate was rejected (${code})`;
    if (code === 'CERT_HAS_EXPIRED') reason += ` on ${until} (${-info.daysToExpiry} days ago)`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') reason = `the certificate is not valid for ${on.name} (valid for ${info.altNames?.join(', ') || info.subject})`;
    if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT') reason += ` (subject ${info.subject})`;
    return { status: 'failed', error: { class: 'tls', message: `tls: ${target}: ${reason} [${code}]` } };
  }
  if (minProtocol && info.protocol && protocolRank(info.protocol) < protocolRank(minProtocol)) {
    return { status: 'failed', error: { class: 'tls', message: `tls: ${target}: negotiated ${info.protocol}, below the minimum ${minProtocol} (minProtocol)` } };
  }
  const days = info.daysToExpiry;
  if (days < thresholds.failedDays) {
    return { status: 'failed', error: { class: 'tls', message: `tls: ${target}: the certificate expires in ${days} days (on ${until}); fails under ${thresholds.failedDays} days (failedDays)` } };
  }
  if (days < thresholds.degradedDays) {
    return { status: 'degraded', error: { class: 'tls', message: `tls: ${target}: the certificate expires in ${days} days (on ${until}); degraded under ${thresholds.degradedDays} days (degradedDays)` } };
  }
  return { status: 'passed', error: null };
}

export function probeTls(def: TlsCheckDefinition, opts: { clock: Clock; lookup?: LookupFunction; signal?: AbortSignal }): Promise<ProbeOutcome> {
  const { clock } = opts;
  const target = `${def.host.includes(':') ? `[${def.host}]` : def.host}:${def.port}`;
  const t0 = clock.monotonicMs();
  return new Promise<ProbeOutcome>((resolve) => {
    let lookupAt: number | undefined;
    let connectAt: number | undefined;
    let done = false;
    const ca = def.ca !== undefined ? [...tls.rootCertificates, def.ca] : undefined;
    const socket = tls.connect({
      host: def.host,
      port: def.port,
      // SNI takes names only; an IP target is matched against the certificate's IP entries.
      ...(net.isIP(def.servername) ? {} : { servername: def.servername }),
      ...(ca ? { ca } : {}),
      // Verify ourselves, so an untrusted certificate is still read and explained.
      rejectUnauthorized: false,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(def.servername, cert),
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
    const timings = (endAt: number) => {
      const start = lookupAt ?? t0;
      return {
        ...zeroTimings(endAt - t0),
        dnsMs: lookupAt !== undefined ? lookupAt - t0 : 0,
        connectMs: connectAt !== undefined ? connectAt - start : 0,
        tlsMs: connectAt !== undefined ? endAt - connectAt : 0,
      };
    };
    const finish = (outcome: Omit<ProbeOutcome, 'timings'>) => {
      if (done) return;
      done = true;
      const endAt = clock.monotonicMs();
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ ...outcome, timings: timings(endAt) });
    };
    const timer = setTimeout(() => {
      const what = connectAt === undefined ? 'could not connect' : 'the TLS handshake did not finish';
      finish({ status: 'failed', error: { class: 'timeout', message: `timeout: ${target}: ${what} within ${def.timeoutMs} ms` } });
    }, def.timeoutMs);
    const onAbort = () => finish({ status: 'failed', error: { class: 'aborted', message: `aborted: ${abortReason(opts.signal!)}` } });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('lookup', () => {
      lookupAt = clock.monotonicMs();
    });
    socket.once('connect', () => {
      connectAt = clock.monotonicMs();
    });
    socket.once('secureConnect', () => {
      const info = certificateInfo(socket, clock.nowMs());
      if (!info) return finish({ status: 'failed', error: { class: 'tls', message: `tls: ${target}: the server presented no certificate` } });
      finish({ ...judgeCertificate(info, { target, name: def.servername, thresholds: def.certificate, minProtocol: def.minProtocol }), detail: { tls: info } });
    });
    socket.once('error', (err) => {
      const e = classifyTransportError(err, { origin: `tls://${target}`, phase: 'connect', bodyBytes: 0 });
      // A handshake the server ends (unsupported protocol, no shared cipher) is a TLS failure.
      const cls = connectAt !== undefined && e.errorClass === 'connection_reset' ? 'tls' : e.errorClass;
      finish({ status: 'failed', error: { class: cls, message: cls === 'tls' && e.errorClass !== 'tls' ? `tls: ${target}: the handshake failed (${e.message})` : e.message } });
    });
    socket.once('close', () => finish({ status: 'failed', error: { class: 'tls', message: `tls: ${target}: the connection closed during the handshake` } }));
  });
}

function protocolRank(p: string): number {
  const m = /TLSv1(?:\.(\d))?/.exec(p);
  return m ? Number(m[1] ?? 0) : p.startsWith('SSL') ? -1 : 0;
}

function dn(x: unknown): string {
  if (!x || typeof x !== 'object') return '';
  return Object.entries(x as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}
