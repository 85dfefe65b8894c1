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
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CATALOG, HERO_SVG, findProduct, productSvg, searchProducts, toJson } from './catalog.js';
import { FaultRegistry, FaultSpecError, driftHtml, driftJson, truncateBody, type Fault, type FaultEntry } from './faults.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import * as pages from './pages.js';

export { FaultSpecError, type Fault, type FaultEntry } from './faults.js';
export { RequestLog, type RequestLogEntry, type RequestOutcome } from './request-log.js';

/** Reported by `/api/health`. */
export const DEMO_SHOP_VERSION = '1.4.2';

export interface DemoShopOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; 127.0.0.1 unless you mean to expose the shop. */
  host?: string;
  /** Where DEMO_USER / DEMO_PASSWORD are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
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

/** A failure a route answers with: its status and a stable code. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string | string[]> }
  | { kind: 'html'; status: number; body: string; headers?: Record<string, string | string[]> }
  | { kind: 'svg'; status: number; body: string };

interface Ctx {
  req: IncomingMessage;
  url: URL;
  method: string;
  params: Record<string, string>;
  cookies: Record<string, string>;
  /** Cookies to set on the response. */
  setCookies: string[];
}

interface Route {
  /** GET routes also answer HEAD. */
  method: 'GET' | 'POST';
  path: RegExp;
  keys: string[];
  /** Pages answer errors in HTML, the API in JSON. */
  kind: 'page' | 'api' | 'static';
  handle(ctx: Ctx): Promise<Reply> | Reply;
}

const MAX_BODY_BYTES = 64 * 1024;
const SESSION_COOKIE = 'demo_sid';
const AUTH_COOKIE = 'demo_session';

function route(method: Route['method'], pattern: string, kind: Route['kind'], handle: Route['handle']): Route {
  const keys: string[] = [];
  const source = pattern.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { method, path: new RegExp(`^${source}$`), keys, kind, handle };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

function cookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON or urlencoded body (forms posted without JS) as a flat record. */
async function readFields(req: IncomingMessage, jsonOnly = false): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!jsonOnly && type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'INVALID_BODY', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function baseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** Start the demo shop. Resolves once it listens. */
export async function startDemoShop(opts: DemoShopOptions = {}): Promise<DemoShop> {
  const host = opts.host ?? '127.0.0.1';
  const env = opts.env ?? process.env;
  const demoUser = env.DEMO_USER || 'demo';
  const demoPassword = env.DEMO_PASSWORD || 'demo-password-123';
  const startedAt = performance.now();
  const faults = new FaultRegistry();
  const log = new RequestLog();
  const closing = new AbortController();
  /** session id -> productId -> qty */
  const carts = new Map<string, Map<number, number>>();
  /** auth token -> username */
  const tokens = new Map<string, string>();
  let nextOrderId = 1001;
  /** Settles the log entry of every request still in flight (close() runs them). */
  const inflight = new Set<() => void>();

  function cartOf(ctx: Ctx, create: boolean): Map<number, number> | undefined {
    let sid = ctx.cookies[SESSION_COOKIE];
    if (sid && carts.has(sid)) return carts.get(sid);
    if (!create) return undefined;
    if (!sid || !/^[a-f0-9]{32}$/.test(sid)) {
      sid = randomBytes(16).toString('hex');
      ctx.setCookies.push(cookie(SESSION_COOKIE, sid));
    }
    const cart = new Map<number, number>();
    carts.set(sid, cart);
    return cart;
  }

  function cartJson(cart: Map<number, number> | undefined) {
    const items = [...(cart ?? new Map<number, number>())].map(([productId, qty]) => {
      const p = findProduct(productId);
      if (!p) throw new HttpError(500, 'CART_CORRUPT', `cart holds unknown product ${productId}`);
      return { productId, name: p.name, price: p.price, currency: p.currency, qty, lineTotal: round2(p.price * qty) };
    });
    return {
      items,
      count: items.reduce((n, l) => n + l.qty, 0),
      total: round2(items.reduce((n, l) => n + l.lineTotal, 0)),
      currency: 'EUR',
    };
  }

  function userOf(ctx: Ctx): string | undefined {
    const auth = ctx.req.headers.authorization;
    const bearer = auth && /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const token = bearer || ctx.cookies[AUTH_COOKIE];
    return token ? tokens.get(token) : undefined;
  }

  function pageCtx(ctx: Ctx): pages.PageContext {
    return { cartCount: cartJson(cartOf(ctx, false)).count, user: userOf(ctx) };
  }

  const html = (body: string, status = 200): Reply => ({ kind: 'html', status, body });
  const json = (body: unknown, status = 200): Reply => ({ kind: 'json', status, body });

  const routes: Route[] = [
    route('GET', '/', 'page', (ctx) => html(pages.homePage(pageCtx(ctx)))),
    route('GET', '/search', 'page', (ctx) => html(pages.searchPage(pageCtx(ctx), ctx.url.searchParams.get('q') ?? ''))),
    route('GET', '/product/:id', 'page', (ctx) => {
      const p = findProduct(Number(ctx.params.id));
      if (!p) throw new HttpError(404, 'PRODUCT_NOT_FOUND', `no product with id "${ctx.params.id}"`);
      return html(pages.productPage(pageCtx(ctx), p));
    }),
    route('GET', '/cart', 'page', (ctx) => html(pages.cartPage(pageCtx(ctx)))),
    route('GET', '/checkout', 'page', (ctx) => html(pages.checkoutPage(pageCtx(ctx)))),
    route('GET', '/login', 'page', (ctx) => html(pages.loginPage(pageCtx(ctx)))),
    route('GET', '/static/hero.svg', 'static', () => ({ kind: 'svg', status: 200, body: HERO_SVG })),
    route('GET', '/static/product-:id.svg', 'static', (ctx) => {
      const p = findProduct(Number(ctx.params.id));
      if (!p) throw new HttpError(404, 'NOT_FOUND', `no image for product "${ctx.params.id}"`);
      return { kind: 'svg', status: 200, body: productSvg(p) };
    }),

    route('GET', '/api/health', 'api', () =>
      json({ status: 'ok', version: DEMO_SHOP_VERSION, uptimeMs: Math.round(performance.now() - startedAt) }),
    ),
    route('GET', '/api/products', 'api', (ctx) => {
      const items = searchProducts(ctx.url.searchParams.get('q') ?? '').map(toJson);
      return json({ items, total: items.length });
    }),
    route('GET', '/api/products/:id', 'api', (ctx) => {
      const p = findProduct(Number(ctx.params.id));
      if (!p) throw new HttpError(404, 'PRODUCT_NOT_FOUND', `no product with id "${ctx.params.id}"`);
      return json(toJson(p));
    }),
    route('GET', '/api/cart', 'api', (ctx) => json(cartJson(cartOf(ctx, false)))),
    route('POST', '/api/cart', 'api', async (ctx) => {
      const body = await readFields(ctx.req);
      const productId = Number(body.productId);
      const qty = body.qty === undefined ? 1 : Number(body.qty);
      if (!Number.isInteger(productId)) throw new HttpError(400, 'INVALID_PRODUCT_ID', 'productId: expected an integer');
      if (!Number.isInteger(qty) || qty < 1 || qty > 99) throw new HttpError(400, 'INVALID_QTY', 'qty: expected an integer in [1, 99]');
      const p = findProduct(productId);
      if (!p) throw new HttpError(404, 'PRODUCT_NOT_FOUND', `no product with id "${productId}"`);
      const cart = cartOf(ctx, true) as Map<number, number>;
      const wanted = (cart.get(productId) ?? 0) + qty;
      if (wanted > p.stock) throw new HttpError(409, 'OUT_OF_STOCK', `only ${p.stock} of "${p.name}" in stock`);
      cart.set(productId, wanted);
      return json(cartJson(cart));
    }),
    route('POST', '/api/checkout', 'api', async (ctx) => {
      const body = await readFields(ctx.req);
      const fields: Record<string, string> = {};
      for (const key of ['name', 'email', 'address'] as const) {
        const v = body[key];
        if (typeof v !== 'string' || v.trim() === '') fields[key] = 'required';
      }
      if (!fields.email && !/^[^@\s]+@[^@\s]+$/.test(String(body.email))) fields.email = 'expected an email address';
      if (Object.keys(fields).length > 0) {
        throw new HttpError(400, 'INVALID_ORDER', `invalid order: ${Object.keys(fields).join(', ')}`, { fields });
      }
      const cart = cartOf(ctx, false);
      const summary = cartJson(cart);
      if (!cart || summary.count === 0) throw new HttpError(409, 'CART_EMPTY', 'cart is empty');
      cart.clear();
      const orderId = nextOrderId++;
      return json({ orderId, status: 'confirmed', total: summary.total, currency: summary.currency, items: summary.items }, 201);
    }),
    route('POST', '/api/login', 'api', async (ctx) => {
      const body = await readFields(ctx.req);
      const { username, password } = body;
      if (typeof username !== 'string' || typeof password !== 'string') {
        throw new HttpError(400, 'INVALID_LOGIN', 'username and password: expected strings');
      }
      if (!sameSecret(username, demoUser) || !sameSecret(password, demoPassword)) {
        throw new HttpError(401, 'INVALID_CREDENTIALS', 'invalid credentials');
      }
      const token = randomBytes(24).toString('hex');
      tokens.set(token, username);
      ctx.setCookies.push(cookie(AUTH_COOKIE, token));
      return json({ token, user: { username, name: 'Demo User' } });
    }),
    route('GET', '/api/me', 'api', (ctx) => {
      const user = userOf(ctx);
      if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first (Bearer token or session cookie)');
      return json({ user: { username: user, name: 'Demo User' } });
    }),
  ];

  function errorReply(kind: Route['kind'], ctx: Ctx | undefined, err: HttpError): Reply {
    if (kind === 'page' && ctx) return html(pages.errorPage(pageCtx(ctx), err.status, err.message), err.status);
    return json({ error: err.message, code: err.code, ...err.extra }, err.status);
  }

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

    const header = req.headers['x-request-id'];
    const entry: RequestLogEntry = log.open(method, url.pathname + url.search, Array.isArray(header) ? header[0] : header);
    let done = false;
    const finish = (outcome: RequestLogEntry['outcome']) => {
      if (done) return;
      done = true;
      entry.outcome = outcome;
      entry.handlingMs = Number(process.hrtime.bigint() - t0) / 1e6;
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
        reply = errorReply(kind, ctx, new HttpError(fault.status, 'INJECTED_FAULT', `injected fault: HTTP ${fault.status}`));
      }
    } catch (err) {
      const httpErr = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', err instanceof Error ? err.message : String(err));
      reply = errorReply(kind, ctx, httpErr);
    }
    if (ctx.setCookies.length > 0) extra['set-cookie'] = ctx.setCookies;
    extra['server-timing'] = `app;dur=${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)}`;
    if (res.destroyed) return;
    entry.status = reply.status;
    send(res, reply, fault, extra);
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
      });
      return closed;
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The catalogue, for tests and journeys that want to pick a product. */
export { CATALOG };
