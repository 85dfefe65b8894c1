/** A TLS endpoint presenting a given certificate; it greets and closes (for TLS certificate checks). */
import tls from 'node:tls';
import type { Pem } from './certs.js';
import { listenTracked, type ListeningServer } from './listen.js';

export async function startTlsEndpoint(opts: { pem: Pem; host?: string; port?: number; tls?: tls.TlsOptions }): Promise<ListeningServer> {
  const server = tls.createServer({ key: opts.pem.key, cert: opts.pem.cert, ...opts.tls }, (socket) => {
    socket.on('error', () => undefined);
    socket.end('hello\n');
  });
  server.on('tlsClientError', () => undefined);
  return listenTracked(server, opts);
}
