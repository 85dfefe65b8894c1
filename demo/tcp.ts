/**
 * A line-protocol server for TCP checks: greets with a banner (`+OK demo-shop cache ready`), then
 * answers `PING` with `+PONG` and `QUIT` by closing, like a Redis or SMTP server would. Loopback
 * by default; `close()` ends every socket.
 */
import net from 'node:net';
import { listenTracked, type ListeningServer } from './listen.js';

export type LineServer = ListeningServer;

export async function startLineServer(opts: { host?: string; port?: number; banner?: string } = {}): Promise<LineServer> {
  const banner = opts.banner ?? '+OK demo-shop cache ready';
  const server = net.createServer((socket) => {
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
  return listenTracked(server, opts);
}
