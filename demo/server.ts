/**
 * The bundled demo shop: a small, realistic web shop (pages + JSON API) on plain node:http, with fault
 * injection per endpoint and a request log, so every observer feature can be shown and tested against
 * something real. Binds 127.0.0.1 by default; `close()` tears down every socket, hung ones included.
 *
 *   const shop = await startDemoShop();            // ephemeral port
 *   shop.setFault('/api/products', { latencyMs: 800, count: 3 });
 *   await shop.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { AccessLogWriter } from './access-log.js';
import { CATALOG } from './catalog.js';
import { FaultRegistry, FaultSpecError, driftHtml, driftJson, truncateBody, type Fault, type FaultEntry } from './faults.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { HttpError, parseCookies, readFields, type Ctx, type Reply, type Route } from './http.js';
import { createShop } from './shop.js';
import { routeTemplate, ShopMetrics } from './metrics.js';

export { FaultSpecError, type Fault, type FaultEntry } from './faults.js';
export { RequestLog, type RequestLogEntry, type RequestOutcome } from './request-log.js';
export { DEMO_SHOP_VERSION } from './shop.js';

export interface DemoShopOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; 127.0.0.1 unless you mean to expose the shop. */
  host?: string;
  /** Where DEMO_USER / DEMO_PASSWORD are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Append every answered request to this file in nginx's combined format with the request time (access-log.ts). */
  accessLog?: string;
}

export interface DemoShop {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4173`. */
  url: string;
  port: number;
  /** Set or replace the fault of an endpoint pattern (`/api/products`, `POST /api/cart`, `/product/:id`, `/static/*`). */
  setFault(endpoint: string, fault: Fault): void;
  /** Remove every fault. */
  clearFaults(): void;
  /** Faults currently set. */
  faults(): FaultEntry[];
  /** One entry per request with its server-side handling time. */
  requestLog: RequestLog;
  /** Stop listening and destroy every connection (hung requests included); resolves when closed. */
  close(): Promise<void>;
}

function baseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** Start the demo shop. Resolves once it listens. */
export async function startDemoShop(opts: DemoShopOptions = {}): Promise<DemoShop> {
  const host = opts.host ?? '127.0.0.1';
  const env = opts.env ?? process.env;
  const shop = createShop({
    demoUser: env.DEMO_USER || 'demo',
    demoPassword: env.DEMO_PASSWORD || 'demo-password-123',
    startedAt: performance.now(),
  });
  const routes = shop.routes;
  const faults = new FaultRegistry();
  const log = new RequestLog();
  const accessLog = opts.accessLog ? new AccessLogWriter(opts.accessLog) : undefined;
  const metrics = new ShopMetrics();
  const closing = new AbortController();
  /** Settles the log entry of every request still in flight (close() runs them). */
  const inflight = new Set<() => void>();

  function send(res: ServerResponse, reply: Reply, fault: FaultEntry | undefined, extraHeaders: Record<string, string | string[]>): void {
    let body: string;
    let type: string;
    if (reply.kind === 'json') {
      body = JSON.stringify(fault?.schemaDrift ? driftJson(reply.body) : reply.body);
      type = 'application/json; charset=utf-8';
    } else if (reply.kind === 'html') {
      body = fault?.schemaDrift ? driftHtml(reply.body) : reply.body;
      type = 'text/html; charset=utf-8';
    } else {
      body = reply.body;
      type = 'image/svg+xml';
    }
    if (fault?.malformedJson) body = truncateBody(body);
    const headers: Record<string, string | string[] | number> = {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': reply.kind === 'svg' ? 'public, max-age=3600' : 'no-store',
      ...extraHeaders,
      ...('headers' in reply ? reply.headers : {}),
    };
    res.writeHead(reply.status, headers);
    res.end(body);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const reply = (status: number, body: unknown) => send(res, { kind: 'json', status, body }, undefined, {});
    try {
      if (url.pathname === '/__faults') {
        if (req.method === 'GET') return reply(200, { faults: faults.list() });
        if (req.method === 'DELETE') {
          const endpoint = url.searchParams.get('endpoint');
          if (endpoint) faults.delete(endpoint);
          else faults.clear();
          return reply(200, { faults: faults.list() });
        }
        if (req.method === 'POST') {
          const body = await readFields(req, true);
          if (typeof body.endpoint !== 'string') throw new FaultSpecError('endpoint: expected a string such as "/api/products"');
          const { endpoint, ...fault } = body;
          faults.set(endpoint, fault as Fault);
          return reply(201, { faults: faults.list() });
        }
        return reply(405, { error: `${req.method} not allowed on /__faults (GET, POST, DELETE)`, code: 'METHOD_NOT_ALLOWED' });
      }
      if (url.pathname === '/__requests') {
        if (req.method === 'GET') {
          const id = url.searchParams.get('id');
          if (id === null) return reply(200, { requests: log.entries() });
          const entry = log.byRequestId(id);
          return entry ? reply(200, { requests: [entry] }) : reply(404, { error: `no request with x-request-id "${id}"`, code: 'NOT_FOUND' });
        }
        if (req.method === 'DELETE') {
          log.clear();
          return reply(200, { requests: [] });
        }
        return reply(405, { error: `${req.method} not allowed on /__requests (GET, DELETE)`, code: 'METHOD_NOT_ALLOWED' });
      }
      return reply(404, { error: `no control route ${url.pathname} (try /__faults, /__requests)`, code: 'NOT_FOUND' });
    } catch (err) {
      if (err instanceof FaultSpecError) return reply(400, { error: err.message, code: err.code });
      if (err instanceof HttpError) return reply(err.status, { error: err.message, code: err.code });
      throw err;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://shop.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/__')) return handleControl(req, res, url);
    if (url.pathname === '/metrics' && method === 'GET') {
      const m = await metrics.text();
      res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' });
      res.end(m.body);
      return;
    }

    const header = req.headers['x-request-id'];
    const entry: RequestLogEntry = log.open(method, url.pathname + url.search, Array.isArray(header) ? header[0] : header);
    let done = false;
    const finish = (outcome: RequestLogEntry['outcome']) => {
      if (done) return;
      done = true;
      entry.outcome = outcome;
      entry.handlingMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (accessLog && outcome === 'responded') {
        accessLog.write({
          remote: req.socket.remoteAddress ?? '-',
          atMs: entry.receivedAt,
          method,
          target: url.pathname + url.search,
          status: res.statusCode,
          bytes: Number(res.getHeader('content-length')) || 0,
          userAgent: String(req.headers['user-agent'] ?? ''),
          requestTimeMs: entry.handlingMs,
        });
      }
    };
    let intended: 'reset' | 'hang' | undefined;
    const settle = () => {
      inflight.delete(settle);
      finish(res.writableFinished ? 'responded' : (intended ?? 'aborted'));
    };
    inflight.add(settle);
    res.on('close', settle);

    const fault = faults.take(method, url.pathname);
    if (fault) entry.faultEndpoint = fault.endpoint;
    if (fault?.latencyMs) {
      try {
        await delay(fault.latencyMs, undefined, { signal: closing.signal });
      } catch {
        return; // the shop is closing; close() destroys the socket
      }
    }
    if (fault?.reset) {
      intended = 'reset';
      finish('reset');
      const socket: Socket = req.socket;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    if (fault?.hang) {
      intended = 'hang';
      return; // never answered; close() or the client ends it
    }

    const ctx: Ctx = {
      req,
      url,
      method,
      params: {},
      cookies: parseCookies(req.headers.cookie),
      setCookies: [],
    };
    const lookup = method === 'HEAD' ? 'GET' : method;
    const matches = routes.filter((r) => {
      const m = r.path.exec(url.pathname);
      return m !== null;
    });
    const chosen = matches.find((r) => r.method === lookup);
    const kind: Route['kind'] = chosen?.kind ?? (url.pathname.startsWith('/api/') ? 'api' : 'page');
    let reply: Reply;
    const extra: Record<string, string | string[]> = { 'x-request-id': entry.requestId };
    try {
      if (!chosen) {
        if (matches.length > 0) {
          extra.allow = [...new Set(matches.map((r) => r.method))].join(', ');
          throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${url.pathname} (allowed: ${extra.allow})`);
        }
        throw new HttpError(404, 'NOT_FOUND', `no page or endpoint at ${url.pathname}`);
      }
      const m = chosen.path.exec(url.pathname) as RegExpExecArray;
      chosen.keys.forEach((k, i) => (ctx.params[k] = decodeURIComponent(m[i + 1])));
      reply = await chosen.handle(ctx);
      if (fault?.status !== undefined) {
        reply = shop.errorReply(kind, ctx, new HttpError(fault.status, 'INJECTED_FAULT', `injected fault: HTTP ${fault.status}`));
      }
    } catch (err) {
      const httpErr = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', err instanceof Error ? err.message : String(err));
      reply = shop.errorReply(kind, ctx, httpErr);
    }
    if (ctx.setCookies.length > 0) extra['set-cookie'] = ctx.setCookies;
    extra['server-timing'] = `app;dur=${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)}`;
    if (res.destroyed) return;
    entry.status = reply.status;
    send(res, reply, fault, extra);
    metrics.observe(method, routeTemplate(url.pathname, chosen ? chosen.path.exec(url.pathname) : null, chosen?.keys ?? []), reply.status, Number(process.hrtime.bigint() - t0) / 1e9);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the shop itself: answer 500 if we still can, never crash the process.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`demo shop error: ${err instanceof Error ? err.message : String(err)}`);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('demo shop: server has no TCP address');
  const port = address.port;

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl(host, port),
    port,
    setFault: (endpoint, fault) => faults.set(endpoint, fault),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    requestLog: log,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        for (const settle of [...inflight]) settle();
      }).then(() => accessLog?.close());
      return closed;
    },
  };
}

/** The catalogue, for tests and journeys that want to pick a product. */
export { CATALOG };
