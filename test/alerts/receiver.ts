/**
 * A real HTTP receiver on 127.0.0.1:0 for alert deliveries. Modes: `ok` (204), `fail` (500),
 * `hang` (reads the request, never answers). Every request is recorded with its raw body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  json: unknown;
  /** Status answered; null when the request was left hanging. */
  status: number | null;
}

export interface Receiver {
  url: string;
  mode: ReceiverMode;
  received: Received[];
  /** Requests answered 2xx: what a real receiver would have accepted. */
  accepted(): Received[];
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = 'ok'): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const received: Received[] = [];
  const state = { mode };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(raw);
      } catch {
        json = null;
      }
      const entry: Received = { path: req.url ?? '', headers: req.headers, raw, json, status: null };
      received.push(entry);
      if (state.mode === 'hang') return;
      entry.status = state.mode === 'ok' ? 204 : 500;
      res.writeHead(entry.status);
      res.end(state.mode === 'ok' ? undefined : 'boom');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: ReceiverMode) {
      state.mode = m;
    },
    received,
    accepted: () => received.filter((r) => r.status !== null && r.status < 300),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
