/**
 * The HTTP server of `observer daemon` and `observer serve`: one small route table.
 *
 * Built-in routes: /metrics (Prometheus text), /healthz (alive), /readyz (scheduling), and
 * POST /heartbeat/<id> for push monitors (when a heartbeat book is given). Other modules add
 * theirs (`/`, `/events` from src/live; `/status`, `/badge/...` later) as `Route` entries:
 *
 *   routes.add({ path: '/status', auth: 'token', handle: (req, res) => ... });
 *   routes.add({ path: '/badge/', prefix: true, handle: (req, res, url) => ... });
 *
 * A route answers GET and HEAD unless it lists its methods. `auth: 'token'` routes need the
 * server's token (when one is set) as `authorization: Bearer <token>` or `?token=<token>`,
 * compared in constant time; without a token set they are open. /metrics, /healthz and /readyz are
 * open (probes and scrapers keep working); heartbeats check their own per-monitor tokens.
 * Nothing here logs a request line, so a `?token=` never reaches a log.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObserverMetrics } from '../metrics/registry.js';
import type { HeartbeatBook } from '../checks/heartbeat.js';

export interface HealthSource {
  readonly ready: boolean;
  readonly monitorCount: number;
  /** /readyz's text when ready; default `ready: N monitor(s) scheduled`. */
  readyText?(): string;
}

export interface Route {
  /** An exact path (`/metrics`), or with `prefix: true` every path starting with it (`/badge/`). */
  path: string;
  prefix?: boolean;
  /** Methods answered; default GET and HEAD. Others get 405 with an `allow` header. */
  methods?: readonly string[];
  /** `token`: needs the server's token when one is set. Default `open`. */
  auth?: 'open' | 'token';
  /** One line for the 404 page's list of routes; default the path. */
  hint?: string;
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void | Promise<void>;
}

/** Routes by path: exact matches first, then the longest matching prefix. */
export class RouteTable {
  private readonly routes: Route[] = [];

  add(route: Route): this {
    if (!route.path.startsWith('/')) throw new Error(`route path must start with "/": ${route.path}`);
    if (this.routes.some((r) => r.path === route.path && !!r.prefix === !!route.prefix)) throw new Error(`route ${route.path} is already registered`);
    this.routes.push(route);
    return this;
  }

  match(pathname: string): Route | undefined {
    const exact = this.routes.find((r) => !r.prefix && r.path === pathname);
    if (exact) return exact;
    return this.routes.filter((r) => r.prefix && pathname.startsWith(r.path)).sort((a, b) => b.path.length - a.path.length)[0];
  }

  /** The paths, for the 404 answer. */
  hints(): string[] {
    return this.routes.map((r) => r.hint ?? (r.prefix ? `${r.path}...` : r.path));
  }
}

export interface HttpServer {
  port: number;
  /** Runs the close hooks (e.g. ending event streams), then closes every connection. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  port: number;
  host: string;
  routes: RouteTable;
  /** Token of `auth: 'token'` routes; unset or empty leaves them open. */
  token?: string;
  /** Called before the server closes (in order), e.g. to end server-sent event streams cleanly. */
  onClose?: Array<() => void | Promise<void>>;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const tokenDigest = opts.token ? digest(opts.token) : undefined;
  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://observer');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request\n');
      return;
    }
    const route = opts.routes.match(url.pathname);
    if (!route) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: try ${opts.routes.hints().join(', ')}\n`);
      return;
    }
    const methods = route.methods ?? ['GET', 'HEAD'];
    if (!methods.includes(req.method ?? 'GET')) {
      req.resume();
      res.writeHead(405, { allow: methods.join(', '), 'content-type': 'text/plain' }).end(`method not allowed: ${methods.join(', ')}\n`);
      return;
    }
    if (route.auth === 'token' && tokenDigest && !tokenMatches(tokenDigest, presentedToken(req, url))) {
      req.resume();
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="observer"', 'cache-control': 'no-store' })
        .end('missing or wrong token: send authorization: Bearer <token> or add ?token=<token>\n');
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res, url))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${route.path}: ${(err as Error).message.split('\n')[0]}\n`);
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const hook of opts.onClose ?? []) await hook();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The token a request presents: `authorization: Bearer <token>`, else `?token=`. */
export function presentedToken(req: http.IncomingMessage, url: URL): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return bearer ?? url.searchParams.get('token') ?? undefined;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time: both sides are hashed to the same length first, so neither length nor prefix leaks. */
function tokenMatches(expected: Buffer, presented: string | undefined): boolean {
  return timingSafeEqual(expected, digest(presented ?? '')) && presented !== undefined;
}

/** The daemon's built-in routes: /metrics, /healthz, /readyz and (with a book) POST /heartbeat/<id>. */
export function builtinRoutes(opts: { metrics: ObserverMetrics; health: HealthSource; heartbeats?: HeartbeatBook }): RouteTable {
  const routes = new RouteTable();
  routes.add({
    path: '/metrics',
    handle: async (_req, res) => {
      try {
        const text = await opts.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${(err as Error).message}\n`);
      }
    },
  });
  routes.add({ path: '/healthz', handle: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n') });
  routes.add({
    path: '/readyz',
    handle: (_req, res) => {
      const ready = opts.health.ready;
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? (opts.health.readyText?.() ?? `ready: ${opts.health.monitorCount} monitor(s) scheduled\n`) : 'not ready\n');
    },
  });
  const book = opts.heartbeats;
  if (book) routes.add({ path: '/heartbeat/', prefix: true, methods: ['POST'], hint: 'POST /heartbeat/<id>', handle: (req, res, url) => receiveHeartbeat(book, req, res, url) });
  return routes;
}

/** /metrics, /healthz, /readyz and heartbeats only (kept for callers that need nothing else). */
export async function startMetricsServer(opts: { port: number; host: string; metrics: ObserverMetrics; health: HealthSource; heartbeats?: HeartbeatBook }): Promise<HttpServer> {
  return startHttpServer({ port: opts.port, host: opts.host, routes: builtinRoutes(opts) });
}

const MAX_PING_BODY = 1024;

/**
 * `POST /heartbeat/<id>[?status=fail][&message=...]` with the monitor's token as `?token=` or
 * `authorization: Bearer <token>`. A text body (first line, bounded) is the message when none is given.
 */
function receiveHeartbeat(book: HeartbeatBook, req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const text = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };
  const id = decodeURIComponent(url.pathname.slice('/heartbeat/'.length));
  const status = url.searchParams.get('status') ?? 'ok';
  if (status !== 'ok' && status !== 'fail') {
    req.resume();
    return text(400, `status must be ok or fail (got ${JSON.stringify(status.slice(0, 20))})\n`);
  }
  const token = presentedToken(req, url);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    if (size < MAX_PING_BODY) chunks.push(c.subarray(0, MAX_PING_BODY - size));
    size += c.length;
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const message = url.searchParams.get('message') ?? (Buffer.concat(chunks).toString('utf8') || undefined);
    const answer = book.receive(id, token ?? undefined, status === 'ok', message);
    if (answer === 'accepted') return text(200, 'ok\n');
    if (answer === 'unknown') return text(404, 'no heartbeat monitor with this id\n');
    return text(401, 'missing or wrong token (?token= or authorization: Bearer)\n');
  });
}
