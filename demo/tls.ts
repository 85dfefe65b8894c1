/** A TLS endpoint presenting a given certificate; it greets and closes (for TLS certificate checks). */
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Pem } from './certs.js';

export async function startTlsEndpoint(opts: { pem: Pem; host?: string; port?: number; tls?: tls.TlsOptions }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: opts.pem.key, cert: opts.pem.cert, ...opts.tls }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.end('hello\n');
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
