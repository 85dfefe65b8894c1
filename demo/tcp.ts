/**
 * A line-protocol server for TCP checks: greets with a banner (`+OK demo-shop cache ready`), then
 * answers `PING` with `+PONG` and `QUIT` by closing, like a Redis or SMTP server would. Loopback
 * by default; `close()` ends every socket.
 */
import net, { type AddressInfo } from 'node:net';

export interface LineServer {
  port: number;
  close(): Promise<void>;
}

export async function startLineServer(opts: { host?: string; port?: number; banner?: string } = {}): Promise<LineServer> {
  const sockets = new Set<net.Socket>();
  const banner = opts.banner ?? '+OK demo-shop cache ready';
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    socket.write(`${banner}\r\n`);
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered = (buffered + chunk).slice(-4096);
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim().toUpperCase();
        buffered = buffered.slice(nl + 1);
        if (line === 'PING') socket.write('+PONG\r\n');
        else if (line === 'QUIT') socket.end('+OK bye\r\n');
        else if (line) socket.write(`-ERR unknown command '${line.slice(0, 32)}'\r\n`);
      }
    });
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
