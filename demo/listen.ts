/** Listening on loopback with every accepted socket tracked, so `close()` ends them all (demo servers). */
import type net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  port: number;
  close(): Promise<void>;
}

export async function listenTracked(server: net.Server, opts: { host?: string; port?: number }): Promise<ListeningServer> {
  const sockets = new Set<net.Socket>();
  // 'connection' is the raw socket, for TLS servers too: destroying it ends the TLS session over it.
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
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
