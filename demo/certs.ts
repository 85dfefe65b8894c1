/**
 * Certificates made on the spot (node-forge): a CA, leaf certificates it signs, and self-signed
 * ones, with the validity window and names asked for. The demo's HTTPS server and the TLS tests
 * (expired, self-signed, wrong host, about to expire) use them; nothing is written to disk unless
 * the caller does.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

const DAY_MS = 86_400_000;

export interface Pem {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface CertOptions {
  /** Common name; default the first host. */
  commonName?: string;
  /** DNS names and IP addresses the certificate is valid for. */
  hosts: string[];
  /** Validity start, relative to now in days (negative: in the past); default -1. */
  notBeforeDays?: number;
  /** Validity end, relative to now in days; default 365. */
  notAfterDays?: number;
  /** Signed by this CA; absent: self-signed. */
  issuer?: Pem;
  /** The certificate's private key (PEM) to reuse; default a new RSA 2048 key (slow on a busy machine). */
  key?: string;
}

/** A new RSA private key (PKCS#8 PEM), to share between certificates with `key`. */
export function makeKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
}

/** A CA certificate (self-signed, `cA: true`). */
export function makeCa(name = 'production-observer demo CA', days = 3650, key?: string): Pem {
  return build({ commonName: name, hosts: [], notAfterDays: days, ...(key ? { key } : {}) }, true);
}

/** A server certificate for `hosts`, signed by `issuer` or self-signed. */
export function makeCert(opts: CertOptions): Pem {
  return build(opts, false);
}

function build(opts: CertOptions, isCa: boolean): Pem {
  // Node's key generation is native (forge's is pure JavaScript and takes seconds).
  const privatePem = opts.key ?? makeKey();
  const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  const keys = { publicKey: forge.pki.publicKeyFromPem(publicPem), privateKey: forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey };
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  const now = Date.now();
  cert.validity.notBefore = new Date(now + (opts.notBeforeDays ?? -1) * DAY_MS);
  cert.validity.notAfter = new Date(now + (opts.notAfterDays ?? 365) * DAY_MS);
  const subject = [{ name: 'commonName', value: opts.commonName ?? opts.hosts[0] ?? 'localhost' }];
  cert.setSubject(subject);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: isCa, critical: isCa },
    isCa ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ];
  if (!isCa) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true });
    extensions.push({
      name: 'subjectAltName',
      altNames: opts.hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    });
  }
  let signer = keys.privateKey;
  if (opts.issuer && !isCa) {
    const ca = forge.pki.certificateFromPem(opts.issuer.cert);
    cert.setIssuer(ca.subject.attributes);
    signer = forge.pki.privateKeyFromPem(opts.issuer.key) as forge.pki.rsa.PrivateKey;
  } else cert.setIssuer(subject);
  cert.setExtensions(extensions);
  cert.sign(signer, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privatePem };
}
