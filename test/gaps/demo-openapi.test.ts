/**
 * demo/openapi.yaml tells the truth about the real demo shop: every API route of demo/shop.ts is
 * documented (and nothing else), and what the shop answers validates against the documented schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaCache } from '../../src/checks/schema.js';
import { OperationMatcher } from '../../src/gaps/match.js';
import { loadOpenApi, type ApiDescription } from '../../src/gaps/openapi.js';
import { createShop } from '../../demo/shop.js';
import { startDemoShop, type DemoShop } from '../../demo/server.js';

describe('demo/openapi.yaml', () => {
  let api: ApiDescription;
  let matcher: OperationMatcher;
  let shop: DemoShop;
  beforeAll(async () => {
    api = await loadOpenApi('demo/openapi.yaml');
    matcher = new OperationMatcher(api);
    shop = await startDemoShop({ env: { DEMO_USER: 'demo', DEMO_PASSWORD: 'demo-password-123' } });
  });
  afterAll(async () => {
    await shop?.close();
  });

  it("documents every API route of the shop, and only those", () => {
    const routes = createShop({ demoUser: 'u', demoPassword: 'p', startedAt: 0 }).routes.filter((r) => r.kind === 'api');
    const sample = (re: RegExp) => re.source.slice(1, -1).replace(/\(\[\^\/\]\+\)/g, '0123456789abcdef'.slice(0, 16)).replace(/\\\//g, '/');
    const seen = new Set<string>();
    for (const r of routes) {
      // Integer ids get an integer, the others a hex cart id.
      const url = sample(r.path).replace(/\/products\/0123456789abcdef/, '/products/7');
      const op = matcher.match(r.method, url);
      expect(op, `${r.method} ${url}`).toBeDefined();
      seen.add(op!.key);
    }
    expect([...seen].sort()).toEqual(api.operations.map((o) => o.key).sort());
  });

  it('describes what the shop answers', async () => {
    const cache = new SchemaCache();
    const login = await fetch(`${shop.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: 'demo-password-123' }) });
    const { token } = (await login.clone().json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const created = await fetch(`${shop.url}/api/carts`, { method: 'POST', headers: auth });
    const { cartId } = (await created.clone().json()) as { cartId: string };
    const calls: Array<[string, string, RequestInit?]> = [
      ['GET', '/api/health'],
      ['GET', '/api/v1/health', { redirect: 'manual' }],
      ['GET', '/api/products?q=mug'],
      ['GET', '/api/products/1'],
      ['GET', '/api/products/999999'],
      ['GET', '/api/cart'],
      ['POST', '/api/cart', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 1, qty: 1 }) }],
      ['POST', '/api/cart', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ productId: 'x' }) }],
      ['POST', '/api/checkout', { headers: { 'content-type': 'application/json' }, body: '{}' }],
      ['POST', '/api/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo', password: 'wrong' }) }],
      ['GET', '/api/me', { headers: auth }],
      ['GET', '/api/me'],
      ['POST', `/api/carts/${cartId}/items`, { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ productId: 1 }) }],
      ['GET', `/api/carts/${cartId}`, { headers: auth }],
      ['DELETE', `/api/carts/${cartId}`, { headers: auth }],
      ['GET', `/api/carts/${cartId}`, { headers: auth }],
    ];
    const answers: Array<[string, Response]> = [['POST /api/login', login], ['POST /api/carts', created]];
    for (const [method, path, init] of calls) answers.push([`${method} ${path}`, await fetch(`${shop.url}${path}`, { method, ...init })]);
    const statuses: string[] = [];
    for (const [call, res] of answers) {
      const [method, path] = call.split(' ');
      const op = matcher.match(method, path);
      expect(op, call).toBeDefined();
      const doc = op!.responses.find((r) => r.status === String(res.status)) ?? op!.responses.find((r) => r.status === 'default');
      expect(doc, `${call} → ${res.status} is documented`).toBeDefined();
      statuses.push(`${call} ${res.status}`);
      const v = cache.validate(`${op!.key} ${doc!.status}`, doc!.schema as object, await res.json());
      expect(v, `${call} → ${res.status}`).toEqual({ ok: true });
    }
    // Not only the happy paths: errors are documented too.
    expect(statuses).toEqual(expect.arrayContaining(['GET /api/products/999999 404', 'POST /api/cart 400', 'POST /api/checkout 400', 'GET /api/me 401', 'GET /api/v1/health 301', `GET /api/carts/${cartId} 404`]));
  });
});
