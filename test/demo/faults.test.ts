import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { request, errors } from 'undici';
import { startDemoShop, FaultSpecError, type DemoShop } from '../../demo/server.js';

let shop: DemoShop;

beforeEach(async () => {
  shop = await startDemoShop();
});
afterEach(async () => {
  await shop.close();
});

async function getText(path: string, init: { headers?: Record<string, string>; headersTimeout?: number } = {}) {
  const res = await request(`${shop.url}${path}`, init);
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const res = await request(`${shop.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

/** Send a raw GET on a fresh TCP connection; resolve with what the socket saw. */
function rawGet(path: string): Promise<{ data: string; errorCode?: string }> {
  return new Promise((resolve) => {
    const socket = connect(shop.port, '127.0.0.1');
    let data = '';
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ data, errorCode: err.code }));
    socket.on('end', () => resolve({ data }));
  });
}

describe('fault injection, observed by a raw client', () => {
  it('latency: the answer comes after at least latencyMs, and the server logs it', async () => {
    shop.setFault('/api/products', { latencyMs: 300 });
    const t0 = performance.now();
    const res = await getText('/api/products?q=cap', { headers: { 'x-request-id': 'slow-1' } });
    const clientMs = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ total: 1 });
    // Node's timers start from the event loop's cached clock, which may lag a few ms behind the
    // request's arrival: allow that, while staying far above an unfaulted answer (~1 ms).
    expect(clientMs).toBeGreaterThanOrEqual(250);
    const entry = shop.requestLog.byRequestId('slow-1');
    expect(entry?.faultEndpoint).toBe('/api/products');
    expect(entry?.handlingMs).toBeGreaterThanOrEqual(250);
    // Other endpoints are untouched.
    const other = shop.requestLog.entries().length;
    await getText('/api/products/1', { headers: { 'x-request-id': 'fast-1' } });
    expect(shop.requestLog.entries()).toHaveLength(other + 1);
    expect(shop.requestLog.byRequestId('fast-1')?.faultEndpoint).toBeUndefined();
  });

  it('status: API answers that status with a JSON error, pages with an HTML error page', async () => {
    shop.setFault('/api/health', { status: 503 });
    shop.setFault('/search', { status: 500 });
    const api = await getText('/api/health');
    expect(api.status).toBe(503);
    expect(JSON.parse(api.text)).toEqual({ error: 'injected fault: HTTP 503', code: 'INJECTED_FAULT' });
    const page = await getText('/search?q=x');
    expect(page.status).toBe(500);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('Error 500');
  });

  it('malformedJson: a 200 application/json body that does not parse', async () => {
    shop.setFault('/api/products/:id', { malformedJson: true });
    const res = await getText('/api/products/1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
    expect(res.text.startsWith('{"id":1')).toBe(true);
  });

  it('schemaDrift: price becomes a string and stock goes missing; pages lose their data-testids', async () => {
    shop.setFault('/api/products', { schemaDrift: true });
    shop.setFault('/', { schemaDrift: true });
    const body = JSON.parse((await getText('/api/products?q=socks')).text) as { items: Array<Record<string, unknown>> };
    expect(body.items[0]).toEqual({ id: '2', name: 'Merino Running Socks', price: '14.5', currency: 'EUR' });
    expect(body).not.toHaveProperty('total');
    const page = await getText('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Gear for the long way round');
    expect(page.text).not.toContain('data-testid=');
    // The fault on "/" matches only the home page.
    expect((await getText('/login')).text).toContain('data-testid="login-form"');
  });

  it('reset: the TCP connection is reset (ECONNRESET), undici sees ECONNRESET, the log says reset', async () => {
    shop.setFault('/api/cart', { reset: true });
    const raw = await rawGet('/api/cart');
    expect(raw.data).toBe('');
    expect(raw.errorCode).toBe('ECONNRESET');
    const err = await request(`${shop.url}/api/cart`, { headers: { 'x-request-id': 'rst-1' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(shop.requestLog.byRequestId('rst-1')?.outcome).toBe('reset');
  });

  it('hang: no answer until the client gives up; the log shows it pending, then hang', async () => {
    shop.setFault('/api/health', { hang: true });
    const err = await getText('/api/health', { headers: { 'x-request-id': 'hang-1' }, headersTimeout: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errors.HeadersTimeoutError);
    // undici destroys its socket on the timeout; wait (bounded) for the server to see the close.
    for (let i = 0; i < 100 && shop.requestLog.byRequestId('hang-1')?.outcome === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(shop.requestLog.byRequestId('hang-1')?.outcome).toBe('hang');
    expect(shop.requestLog.byRequestId('hang-1')?.status).toBeUndefined();
  });

  it('count: the fault applies to the next N matching requests only, then disappears', async () => {
    shop.setFault('/api/products', { status: 502, count: 2 });
    expect(shop.faults()).toEqual([{ endpoint: '/api/products', status: 502, count: 2, remaining: 2 }]);
    expect((await getText('/api/products')).status).toBe(502);
    expect(shop.faults()[0].remaining).toBe(1);
    // A non-matching request does not consume a use.
    expect((await getText('/api/products/1')).status).toBe(200);
    expect((await getText('/api/products')).status).toBe(502);
    expect(shop.faults()).toEqual([]);
    expect((await getText('/api/products')).status).toBe(200);
  });

  it('method-qualified endpoints and trailing wildcards', async () => {
    shop.setFault('POST /api/cart', { status: 500 });
    shop.setFault('/static/*', { status: 404 });
    expect((await getText('/api/cart')).status).toBe(200);
    const post = await request(`${shop.url}/api/cart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"productId":1}' });
    expect(post.statusCode).toBe(500);
    await post.body.text();
    expect((await getText('/static/hero.svg')).status).toBe(404);
    expect((await getText('/static/product-1.svg')).status).toBe(404);
    shop.clearFaults();
    expect((await getText('/static/hero.svg')).status).toBe(200);
  });

  it('rejects invalid faults in process with FaultSpecError naming the field', () => {
    expect(() => shop.setFault('/api/x', { status: 42 })).toThrow(/status: expected an integer HTTP status in \[200, 599\], got 42/);
    expect(() => shop.setFault('api/x', { status: 500 })).toThrow(FaultSpecError);
    expect(() => shop.setFault('/api/x', {})).toThrow(/no fault given/);
    expect(() => shop.setFault('/api/x', { reset: true, hang: true })).toThrow(/reset and hang conflict/);
    expect(() => shop.setFault('/api/x', { latencyMs: 5, count: 0 })).toThrow(/count: expected a positive integer/);
    expect(shop.faults()).toEqual([]);
  });
});

describe('fault control over HTTP (/__faults)', () => {
  it('POST sets, GET lists, DELETE clears one or all', async () => {
    const set = await control('POST', '/__faults', { endpoint: '/api/products', latencyMs: 10, count: 3 });
    expect(set.status).toBe(201);
    await control('POST', '/__faults', { endpoint: '/checkout', status: 503 });
    const listed = await control('GET', '/__faults');
    expect(listed.json.faults).toEqual([
      { endpoint: '/api/products', latencyMs: 10, count: 3, remaining: 3 },
      { endpoint: '/checkout', status: 503 },
    ]);
    expect((await getText('/checkout')).status).toBe(503);
    const one = await control('DELETE', '/__faults?endpoint=/checkout');
    expect(one.json.faults).toEqual([{ endpoint: '/api/products', latencyMs: 10, count: 3, remaining: 3 }]);
    expect((await getText('/checkout')).status).toBe(200);
    const all = await control('DELETE', '/__faults');
    expect(all.json.faults).toEqual([]);
  });

  it('answers 400 with the field at fault for invalid bodies, even without a JSON content type', async () => {
    const unknown = await control('POST', '/__faults', { endpoint: '/api/health', latency: 100 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('fault for /api/health.latency: unknown key (expected one of endpoint, latencyMs, status, malformedJson, schemaDrift, reset, hang, count)');
    expect(unknown.json.code).toBe('ERR_DEMO_FAULT_SPEC');
    const noEndpoint = await control('POST', '/__faults', { status: 500 });
    expect(noEndpoint.status).toBe(400);
    expect(String(noEndpoint.json.error)).toMatch(/^endpoint: expected a string/);
    const form = await request(`${shop.url}/__faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ endpoint: '/api/health', hang: 'yes' }),
    });
    expect(form.statusCode).toBe(400);
    expect(((await form.body.json()) as { error: string }).error).toMatch(/hang: expected a boolean, got "yes"/);
  });

  it('/__requests lists the log and can be cleared', async () => {
    await getText('/api/health', { headers: { 'x-request-id': 'a' } });
    const listed = await control('GET', '/__requests');
    expect((listed.json.requests as Array<{ requestId: string }>).map((r) => r.requestId)).toEqual(['a']);
    expect((await control('GET', '/__requests?id=zzz')).status).toBe(404);
    await control('DELETE', '/__requests');
    expect(shop.requestLog.entries()).toEqual([]);
  });
});

describe('close()', () => {
  it('terminates a hung request in flight and a pending latency fault, and resolves', async () => {
    const other = await startDemoShop();
    other.setFault('/api/health', { hang: true });
    other.setFault('/api/products', { latencyMs: 600_000 });
    const hung = request(`${other.url}/api/health`, { headers: { 'x-request-id': 'h' } }).then(
      () => 'answered',
      (e: unknown) => e,
    );
    const slow = request(`${other.url}/api/products`, { headers: { 'x-request-id': 's' } }).then(
      () => 'answered',
      (e: unknown) => e,
    );
    for (let i = 0; i < 200 && other.requestLog.entries().length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(other.requestLog.byRequestId('h')?.outcome).toBe('pending');
    expect(other.requestLog.byRequestId('s')?.outcome).toBe('pending');
    await other.close();
    expect(await hung).toBeInstanceOf(errors.SocketError);
    expect(await slow).toBeInstanceOf(errors.SocketError);
    expect(other.requestLog.byRequestId('h')?.outcome).toBe('hang');
    // Idempotent, and the port no longer answers.
    await other.close();
    const after = await request(`${other.url}/api/health`).then(() => 'answered', (e: unknown) => (e as NodeJS.ErrnoException).code);
    expect(after).toBe('ECONNREFUSED');
  });
});
