import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startDemoShop, DEMO_SHOP_VERSION, CATALOG, type DemoShop } from '../../demo/server.js';

let shop: DemoShop;

beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
});
afterEach(async () => {
  await shop.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${shop.url}${path}`, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${shop.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) as Record<string, unknown> };
}

function sessionCookie(setCookie: string | string[] | undefined, name: string): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const found = list.find((c) => c.startsWith(`${name}=`));
  expect(found, `Set-Cookie ${name}`).toBeDefined();
  expect(found).toContain('HttpOnly');
  return (found as string).split(';')[0];
}

describe('demo shop: binding', () => {
  it('listens on 127.0.0.1 with an ephemeral port by default', () => {
    expect(shop.url).toBe(`http://127.0.0.1:${shop.port}`);
    expect(shop.port).toBeGreaterThan(0);
  });
});

describe('demo shop: pages', () => {
  it('home has the hero (LCP image and headline), the search form and featured products', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<img src="/static/hero.svg" width="1200" height="480"');
    expect(res.text).toContain('data-testid="hero-title">Gear for the long way round</h1>');
    expect(res.text).toContain('action="/search"');
    expect(res.text).toContain('aria-label="Search products"');
    expect(res.text.match(/data-testid="featured-product"/g)).toHaveLength(4);
    expect(res.text).toContain('data-testid="cart-count">0<');
  });

  it('search renders the query and fetches results from /api/products on the client', async () => {
    const res = await get('/search?q=%3Cscript%3E');
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="&lt;script&gt;"');
    expect(res.text).not.toContain('value="<script>"');
    expect(res.text).toContain("api('/api/products?q=' + encodeURIComponent(q))");
    expect(res.text).toContain('data-testid="results"');
  });

  it('product page shows details and an Add to cart button; out-of-stock disables it; unknown id is a 404 page', async () => {
    const p1 = await get('/product/1');
    expect(p1.status).toBe(200);
    expect(p1.text).toContain('data-testid="product-name">Trail Running Shoes</h1>');
    expect(p1.text).toContain('€89.90');
    expect(p1.text).toMatch(/<button type="button" data-testid="add-to-cart" data-product-id="1">Add to cart<\/button>/);
    const p5 = await get('/product/5');
    expect(p5.text).toContain('Out of stock');
    expect(p5.text).toMatch(/data-product-id="5" disabled>Add to cart/);
    const missing = await get('/product/999');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.text).toContain('no product with id &quot;999&quot;');
  });

  it('cart, checkout and login pages carry their forms and test ids', async () => {
    const cart = await get('/cart');
    expect(cart.status).toBe(200);
    expect(cart.text).toContain('data-testid="cart-items"');
    expect(cart.text).toContain('href="/checkout" data-testid="checkout-link">Checkout</a>');
    const checkout = await get('/checkout');
    expect(checkout.status).toBe(200);
    for (const field of ['name', 'email', 'address']) expect(checkout.text).toContain(`name="${field}"`);
    expect(checkout.text).toContain('data-testid="place-order">Place order</button>');
    expect(checkout.text).toContain("'Order #' + order.orderId + ' confirmed'");
    const login = await get('/login');
    expect(login.status).toBe(200);
    expect(login.text).toContain('action="/api/login" method="post"');
    expect(login.text).toContain('type="password"');
    expect(login.text).toContain("'Welcome, ' + body.user.username");
  });

  it('serves the SVG images and 404s an unknown path', async () => {
    const hero = await get('/static/hero.svg');
    expect(hero.status).toBe(200);
    expect(hero.headers['content-type']).toBe('image/svg+xml');
    expect(hero.text.startsWith('<svg')).toBe(true);
    const img = await get('/static/product-3.svg');
    expect(img.status).toBe(200);
    expect(img.text).toContain('aria-label="Waterproof Shell Jacket"');
    const nope = await get('/nowhere');
    expect(nope.status).toBe(404);
  });

  it('HEAD answers like GET without a body; a wrong method is a 405 with Allow', async () => {
    const head = await request(`${shop.url}/`, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(await head.body.text()).toBe('');
    const wrong = await request(`${shop.url}/api/health`, { method: 'POST' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET');
    await wrong.body.text();
  });
});

describe('demo shop: JSON API', () => {
  it('/api/health', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { status: string; version: string; uptimeMs: number };
    expect(body.status).toBe('ok');
    expect(body.version).toBe(DEMO_SHOP_VERSION);
    expect(Number.isInteger(body.uptimeMs) && body.uptimeMs >= 0).toBe(true);
  });

  it('/api/products lists everything, filters by q, and keeps the documented types', async () => {
    const all = JSON.parse((await get('/api/products')).text) as { items: Array<Record<string, unknown>>; total: number };
    expect(all.total).toBe(CATALOG.length);
    expect(all.items).toHaveLength(CATALOG.length);
    for (const item of all.items) {
      expect(Object.keys(item)).toEqual(['id', 'name', 'price', 'currency', 'stock']);
      expect(typeof item.price).toBe('number');
      expect(Number.isInteger(item.stock)).toBe(true);
      expect(item.currency).toBe('EUR');
    }
    const trail = JSON.parse((await get('/api/products?q=TRAIL')).text) as { items: Array<{ id: number }>; total: number };
    expect(trail.items.map((i) => i.id)).toEqual([1, 7]);
    expect(trail.total).toBe(2);
    const none = JSON.parse((await get('/api/products?q=zzz')).text) as { items: unknown[]; total: number };
    expect(none).toEqual({ items: [], total: 0 });
  });

  it('/api/products/:id returns one product or a JSON 404', async () => {
    const ok = await get('/api/products/2');
    expect(JSON.parse(ok.text)).toEqual({ id: 2, name: 'Merino Running Socks', price: 14.5, currency: 'EUR', stock: 120 });
    const missing = await get('/api/products/42');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(missing.text)).toEqual({ error: 'no product with id "42"', code: 'PRODUCT_NOT_FOUND' });
  });

  it('echoes x-request-id and logs the handling time under it', async () => {
    const res = await get('/api/products?q=cap', { 'x-request-id': 'check-123' });
    expect(res.headers['x-request-id']).toBe('check-123');
    expect(res.headers['server-timing']).toMatch(/^app;dur=\d+\.\d$/);
    const entry = shop.requestLog.byRequestId('check-123');
    expect(entry).toMatchObject({ method: 'GET', url: '/api/products?q=cap', status: 200, outcome: 'responded' });
    expect(entry?.handlingMs).toBeGreaterThan(0);
    const over = JSON.parse((await get('/__requests?id=check-123')).text) as { requests: Array<{ requestId: string }> };
    expect(over.requests.map((r) => r.requestId)).toEqual(['check-123']);
    // Control routes are not logged.
    expect(shop.requestLog.entries().some((e) => e.url.startsWith('/__'))).toBe(false);
  });
});

describe('demo shop: login', () => {
  it('accepts demo / demo-password-123, sets a session cookie and a token that /api/me accepts', async () => {
    const res = await post('/api/login', { username: 'demo', password: 'demo-password-123' });
    expect(res.status).toBe(200);
    expect(res.json.user).toEqual({ username: 'demo', name: 'Demo User' });
    expect(typeof res.json.token).toBe('string');
    const session = sessionCookie(res.headers['set-cookie'], 'demo_session');
    const byToken = await get('/api/me', { authorization: `Bearer ${String(res.json.token)}` });
    expect(byToken.status).toBe(200);
    const byCookie = await get('/api/me', { cookie: session });
    expect(JSON.parse(byCookie.text)).toEqual({ user: { username: 'demo', name: 'Demo User' } });
    const page = await get('/', { cookie: session });
    expect(page.text).toContain('Signed in as demo');
  });

  it('rejects bad credentials with 401 and missing fields with 400', async () => {
    const bad = await post('/api/login', { username: 'demo', password: 'wrong' });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ error: 'invalid credentials', code: 'INVALID_CREDENTIALS' });
    expect(bad.headers['set-cookie']).toBeUndefined();
    const missing = await post('/api/login', { username: 'demo' });
    expect(missing.status).toBe(400);
    const anon = await get('/api/me');
    expect(anon.status).toBe(401);
  });

  it('takes DEMO_USER / DEMO_PASSWORD from the environment', async () => {
    const other = await startDemoShop({ env: { DEMO_USER: 'alice', DEMO_PASSWORD: 's3cret-pass' } });
    try {
      const post2 = (body: unknown) =>
        request(`${other.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const defaults = await post2({ username: 'demo', password: 'demo-password-123' });
      expect(defaults.statusCode).toBe(401);
      await defaults.body.text();
      const ok = await post2({ username: 'alice', password: 's3cret-pass' });
      expect(ok.statusCode).toBe(200);
      expect(((await ok.body.json()) as { user: { username: string } }).user.username).toBe('alice');
    } finally {
      await other.close();
    }
  });

  it('accepts a urlencoded form post too', async () => {
    const res = await request(`${shop.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=demo&password=demo-password-123',
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });
});

describe('demo shop: cart and checkout', () => {
  it('keeps a cart per session cookie, then checks out with increasing order numbers', async () => {
    const add = await post('/api/cart', { productId: 1, qty: 2 });
    expect(add.status).toBe(200);
    const sid = sessionCookie(add.headers['set-cookie'], 'demo_sid');
    expect(add.json).toMatchObject({ count: 2, total: 179.8, currency: 'EUR' });

    const again = await post('/api/cart', { productId: 2 }, { cookie: sid });
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.json.count).toBe(3);

    const mine = JSON.parse((await get('/api/cart', { cookie: sid })).text) as { items: Array<{ productId: number; qty: number; lineTotal: number }> };
    expect(mine.items.map((l) => [l.productId, l.qty, l.lineTotal])).toEqual([[1, 2, 179.8], [2, 1, 14.5]]);
    const stranger = JSON.parse((await get('/api/cart')).text) as { items: unknown[]; count: number };
    expect(stranger).toMatchObject({ items: [], count: 0 });
    expect((await get('/cart', { cookie: sid })).text).toContain('data-testid="cart-count">3<');

    const order = await post('/api/checkout', { name: 'Ada', email: 'ada@example.test', address: '1 Trail Rd' }, { cookie: sid });
    expect(order.status).toBe(201);
    expect(order.json).toMatchObject({ orderId: 1001, status: 'confirmed', total: 194.3 });
    const empty = await post('/api/checkout', { name: 'Ada', email: 'ada@example.test', address: '1 Trail Rd' }, { cookie: sid });
    expect(empty.status).toBe(409);
    expect(empty.json.code).toBe('CART_EMPTY');

    await post('/api/cart', { productId: 8 }, { cookie: sid });
    const second = await post('/api/checkout', { name: 'Ada', email: 'ada@example.test', address: '1 Trail Rd' }, { cookie: sid });
    expect(second.json.orderId).toBe(1002);
  });

  it('validates cart and checkout input', async () => {
    expect((await post('/api/cart', { productId: 'x' })).status).toBe(400);
    expect((await post('/api/cart', { productId: 1, qty: 0 })).status).toBe(400);
    expect((await post('/api/cart', { productId: 99 })).status).toBe(404);
    const oos = await post('/api/cart', { productId: 5 });
    expect(oos.status).toBe(409);
    expect(oos.json.code).toBe('OUT_OF_STOCK');
    const bad = await post('/api/checkout', { name: '', email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({ name: 'required', address: 'required', email: 'expected an email address' });
    const res = await request(`${shop.url}/api/cart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { code: string }).code).toBe('INVALID_JSON');
  });
});
