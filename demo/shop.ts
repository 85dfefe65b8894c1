/**
 * The shop itself: catalogue, per-session carts, sign-in and orders, as a table of routes. State lives
 * in the instance (one per DemoShop), never in module globals.
 */
import { randomBytes } from 'node:crypto';
import { HERO_SVG, findProduct, productSvg, searchProducts, toJson } from './catalog.js';
import { HttpError, cookie, readFields, route, sameSecret, type Ctx, type Reply, type Route } from './http.js';
import * as pages from './pages.js';

/** Reported by `/api/health`. */
export const DEMO_SHOP_VERSION = '1.4.2';

const SESSION_COOKIE = 'demo_sid';
const AUTH_COOKIE = 'demo_session';

export interface ShopOptions {
  demoUser: string;
  demoPassword: string;
  /** performance.now() at start, for `uptimeMs`. */
  startedAt: number;
}

export interface Shop {
  routes: Route[];
  /** The answer for a failure: an HTML error page for pages, a JSON error otherwise. */
  errorReply(kind: Route['kind'], ctx: Ctx, err: HttpError): Reply;
}

export function createShop(opts: ShopOptions): Shop {
  const { demoUser, demoPassword, startedAt } = opts;
  /** session id -> productId -> qty */
  const carts = new Map<string, Map<number, number>>();
  /** auth token -> username */
  const tokens = new Map<string, string>();
  /** API carts (POST /api/carts): cart id -> owner and lines. Bounded: the oldest go first. */
  const apiCarts = new Map<string, { owner: string; lines: Map<number, number> }>();
  const MAX_API_CARTS = 1000;
  let nextOrderId = 1001;

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

  function signedIn(ctx: Ctx): string {
    const user = userOf(ctx);
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first (Bearer token or session cookie)');
    return user;
  }

  function apiCartOf(ctx: Ctx): { owner: string; lines: Map<number, number> } {
    const user = signedIn(ctx);
    const cart = apiCarts.get(ctx.params.id ?? '');
    if (!cart || cart.owner !== user) throw new HttpError(404, 'CART_NOT_FOUND', `no cart "${ctx.params.id}"`);
    return cart;
  }

  function addLine(lines: Map<number, number>, body: Record<string, unknown>): void {
    const productId = Number(body.productId);
    const qty = body.qty === undefined ? 1 : Number(body.qty);
    if (!Number.isInteger(productId)) throw new HttpError(400, 'INVALID_PRODUCT_ID', 'productId: expected an integer');
    if (!Number.isInteger(qty) || qty < 1 || qty > 99) throw new HttpError(400, 'INVALID_QTY', 'qty: expected an integer in [1, 99]');
    const p = findProduct(productId);
    if (!p) throw new HttpError(404, 'PRODUCT_NOT_FOUND', `no product with id "${productId}"`);
    const wanted = (lines.get(productId) ?? 0) + qty;
    if (wanted > p.stock) throw new HttpError(409, 'OUT_OF_STOCK', `only ${p.stock} of "${p.name}" in stock`);
    lines.set(productId, wanted);
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
    // Carts as API resources, for token-authenticated clients (the multi-step check example).
    route('POST', '/api/carts', 'api', (ctx) => {
      const owner = signedIn(ctx);
      const id = randomBytes(8).toString('hex');
      if (apiCarts.size >= MAX_API_CARTS) apiCarts.delete(apiCarts.keys().next().value as string);
      apiCarts.set(id, { owner, lines: new Map() });
      return { kind: 'json', status: 201, body: { cartId: id, ...cartJson(new Map()) }, headers: { location: `/api/carts/${id}` } };
    }),
    route('GET', '/api/carts/:id', 'api', (ctx) => json({ cartId: ctx.params.id, ...cartJson(apiCartOf(ctx).lines) })),
    route('POST', '/api/carts/:id/items', 'api', async (ctx) => {
      const cart = apiCartOf(ctx);
      addLine(cart.lines, await readFields(ctx.req));
      return json({ cartId: ctx.params.id, ...cartJson(cart.lines) });
    }),
    route('DELETE', '/api/carts/:id', 'api', (ctx) => {
      apiCartOf(ctx);
      apiCarts.delete(ctx.params.id!);
      return json({ cartId: ctx.params.id, deleted: true });
    }),
    // An old API path, moved for good: for redirect checks.
    route('GET', '/api/v1/health', 'api', () => ({ kind: 'json', status: 301, body: { location: '/api/health' }, headers: { location: '/api/health' } })),
    route('GET', '/api/me', 'api', (ctx) => {
      const user = userOf(ctx);
      if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'sign in first (Bearer token or session cookie)');
      return json({ user: { username: user, name: 'Demo User' } });
    }),
  ];

  function errorReply(kind: Route['kind'], ctx: Ctx, err: HttpError): Reply {
    if (kind === 'page') return html(pages.errorPage(pageCtx(ctx), err.status, err.message), err.status);
    return json({ error: err.message, code: err.code, ...err.extra }, err.status);
  }

  return { routes, errorReply };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
