/**
 * A real SMTP server on 127.0.0.1:0 (smtp-server, from the nodemailer project) for the e-mail
 * channel's tests: STARTTLS with a certificate signed by a CA made for the test, AUTH only over
 * TLS (PLAIN, LOGIN) against one user and password, every accepted mail parsed by mailparser with
 * the session it came on (TLS or not, authenticated user).
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Pem } from '../../demo/certs.js';

export interface ReceivedMail {
  parsed: ParsedMail;
  /** The message as it came over the wire. */
  raw: string;
  envelope: { from: string; to: string[] };
  /** The connection was TLS (STARTTLS upgraded) when the mail came. */
  secure: boolean;
  user: string | undefined;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /** Login attempts with the usernames and whether they passed. */
  logins: Array<{ user: string; ok: boolean }>;
  close(): Promise<void>;
}

export async function startSmtp(opts: { cert: Pem; user: string; password: string; noStartTls?: boolean; port?: number }): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const logins: SmtpReceiver['logins'] = [];
  const pending: Array<Promise<void>> = [];
  const server = new SMTPServer({
    secure: false,
    key: opts.cert.key,
    cert: opts.cert.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    // `noStartTls`: a server without STARTTLS that takes AUTH in clear (a client that requires TLS must not use it).
    ...(opts.noStartTls ? { disabledCommands: ['STARTTLS'] } : {}),
    // Otherwise no AUTH without TLS: a client that skipped STARTTLS cannot log in (nor send: auth is required).
    allowInsecureAuth: opts.noStartTls ?? false,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      const ok = auth.username === opts.user && auth.password === opts.password;
      logins.push({ user: auth.username ?? '', ok });
      if (!ok) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const done = simpleParser(raw).then((parsed) => {
          mails.push({
            parsed,
            raw,
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
            secure: session.secure,
            user: session.user as string | undefined,
          });
        });
        pending.push(done);
        done.then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    logins,
    close: async () => {
      await Promise.allSettled(pending);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
