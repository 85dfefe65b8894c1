/**
 * A real HTTP(S) test server on 127.0.0.1:0 with routes and faults (undici `test/interceptors/
 * retry.js`, Playwright `tests/config/testserver` style). Every request is counted per path, so
 * tests can assert how many attempts reached the server. Close it after each test.
 *
 * Built-in routes (query parameters tune them):
 *   /ok                      200 JSON `{ items: [{ id: 1, price: 10 }, ...], total }`
 *   /status/:code            that status with a small JSON body
 *   /delay/:ms               200 JSON after `ms`
 *   /malformed               200 application/json with a truncated document
 *   /drift                   200 JSON where `items[0].price` is a string (schema drift)
 *   /reset                   accepts the request, then resets the TCP connection (RST)
 *   /close-before-headers    reads the request, then ends the socket without a response
 *   /hang                    never answers (the socket stays open until the server closes)
 *   /slow-body?chunks&every  headers at once, then a chunk every `every` ms (`chunks` of them)
 *   /huge?bytes&announce=1   `bytes` of body, chunked (or with content-length when `announce`)
 *   /flaky?fail=N&key=K      503 for the first N requests with that key, then 200 JSON
 *   /gzip?zeros=N            OK_BODY gzip-encoded (or a JSON string of N zeros, gzip-encoded)
 *   /echo                    200 JSON of the request's method, path and headers
 * Custom routes: `server.route('/path', (req, res) => ...)` (exact path match, checked first).
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface FaultServer {
  /** `http://127.0.0.1:PORT` (or https). */
  origin: string;
  port: number;
  /** Absolute URL for a path. */
  url(path: string): string;
  /** Requests that reached `path` (path without query). */
  hits(path: string): number;
  /** Headers of every request received, in order. */
  readonly requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  /** New TCP connections accepted so far. */
  connections(): number;
  /** Connections open right now (a cancelled request shows up as its connection closing). */
  openConnections(): number;
  route(path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The self-signed test certificate (CN=localhost, SAN IP:127.0.0.1, DNS:localhost). Test-only. */
export function testTlsMaterial(): { key: Buffer; cert: Buffer } {
  const dir = join(here, '..', 'fixtures', 'tls');
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

export const OK_BODY = {
  items: [
    { id: 1, name: 'tea', price: 10 },
    { id: 2, name: 'cake', price: 4.5 },
  ],
  total: 2,
};

export const ITEMS_SCHEMA = {
  type: 'object',
  required: ['items', 'total'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'price'],
        properties: { id: { type: 'integer' }, name: { type: 'string' }, price: { type: 'number' } },
      },
    },
    total: { type: 'integer', minimum: 0 },
  },
} as const;

export async function startFaultServer(opts: { tls?: boolean } = {}): Promise<FaultServer> {
  const hits = new Map<string, number>();
  const flaky = new Map<string, number>();
  const custom = new Map<string, RouteHandler>();
  const sockets = new Set<Socket>();
  const requests: FaultServer['requests'] = [];
  let connections = 0;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push({ path, headers: req.headers });
    const own = custom.get(path);
    if (own) return own(req, res, url);
    const q = (name: string, fallback: number): number => {
      const v = url.searchParams.get(name);
      return v === null ? fallback : Number(v);
    };
    if (path === '/ok') return json(res, 200, OK_BODY);
    if (path.startsWith('/status/')) return json(res, Number(path.slice(8)), { error: 'as requested' });
    if (path.startsWith('/delay/')) {
      const timer = setTimeout(() => json(res, 200, OK_BODY), Number(path.slice(7)));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (path === '/malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"items": [{"id": 1, "price": 10}, ');
    }
    if (path === '/drift') return json(res, 200, { items: [{ id: 1, name: 'tea', price: '10' }], total: 1 });
    if (path === '/reset') return void req.socket.resetAndDestroy();
    if (path === '/close-before-headers') {
      req.resume();
      req.on('end', () => req.socket.end());
      return;
    }
    if (path === '/hang') return void req.resume();
    if (path === '/slow-body') {
      const chunks = q('chunks', 1_000);
      const every = q('every', 200);
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write('x'.repeat(16));
        if (++sent >= chunks) {
          clearInterval(timer);
          res.end();
        }
      }, every);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path === '/huge') {
      const bytes = q('bytes', 20 * 1024 * 1024);
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (url.searchParams.get('announce') === '1') headers['content-length'] = String(bytes);
      res.writeHead(200, headers);
      const chunk = Buffer.alloc(64 * 1024, 120);
      let left = bytes;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      return pump();
    }
    if (path === '/flaky') {
      const key = url.searchParams.get('key') ?? 'default';
      const seen = (flaky.get(key) ?? 0) + 1;
      flaky.set(key, seen);
      return seen <= q('fail', 1) ? json(res, 503, { error: 'warming up' }) : json(res, 200, OK_BODY);
    }
    if (path === '/gzip') {
      // OK_BODY gzipped, or (with `zeros`) a JSON string of that many zeros: small on the wire, big decoded.
      const zeros = url.searchParams.get('zeros');
      const plain = zeros === null ? JSON.stringify(OK_BODY) : JSON.stringify('0'.repeat(Number(zeros)));
      const gz = gzipSync(plain);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length });
      return void res.end(gz);
    }
    if (path === '/echo') return json(res, 200, { method: req.method, path: req.url, headers: req.headers });
    json(res, 404, { error: `no route ${path}` });
  };

  const server = opts.tls ? https.createServer({ ...testTlsMaterial() }, handle) : http.createServer(handle);
  server.keepAliveTimeout = 5_000;
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  if (opts.tls) server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    origin,
    port,
    url: (path) => `${origin}${path}`,
    hits: (path) => hits.get(path) ?? 0,
    requests,
    connections: () => connections,
    openConnections: () => sockets.size,
    route: (path, handler) => void custom.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function unusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * A resolver for the runner's `dnsLookup` option that answers from a fixed table and NXDOMAIN
 * (ENOTFOUND) otherwise, so DNS tests never leave the machine. Answers after `delayMs` so a
 * lookup has a measurable duration.
 */
export function tableLookup(table: Record<string, string>, delayMs = 2): net.LookupFunction {
  return ((hostname: string, options: { all?: boolean } | number | undefined, callback: (...args: unknown[]) => void) => {
    const all = typeof options === 'object' && options !== null && options.all === true;
    setTimeout(() => {
      const address = table[hostname];
      if (!address) {
        const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname, syscall: 'getaddrinfo' });
        return callback(err);
      }
      const family = net.isIPv6(address) ? 6 : 4;
      if (all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    }, delayMs);
  }) as unknown as net.LookupFunction;
}
