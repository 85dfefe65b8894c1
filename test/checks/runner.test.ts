import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiCheckRunner, type ApiCheckRunnerOptions } from '../../src/checks/index.js';
import { SchemaCache } from '../../src/checks/schema.js';
import { Redactor } from '../../src/runtime/redact.js';
import { ITEMS_SCHEMA, startFaultServer, tableLookup, testTlsMaterial, unusedPort, type FaultServer } from '../helpers/fault-server.js';
import { apiCheck, ctx, errorOf, until } from './support.js';

let server: FaultServer;
let runners: ApiCheckRunner[] = [];

const idle = () => new Promise<void>((resolve) => setImmediate(resolve));

function runner(opts: Partial<ApiCheckRunnerOptions> = {}): ApiCheckRunner {
  const r = new ApiCheckRunner({ redactor: new Redactor(), retryBackoff: { initialMs: 10, maxMs: 40 }, ...opts });
  runners.push(r);
  return r;
}

beforeEach(async () => {
  server = await startFaultServer();
});

afterEach(async () => {
  await Promise.all(runners.map((r) => r.close()));
  runners = [];
  await server.close();
});

describe('ApiCheckRunner: passing checks and timings', () => {
  it('passes a healthy endpoint with schema and assertions, one step named after the check', async () => {
    const schemas = new SchemaCache();
    const r = await runner({ schemaCache: schemas }).run(
      apiCheck(server.url('/ok'), {
        expect: {
          status: [200],
          headers: [{ source: 'header', path: 'content-type', op: 'contains', target: 'json' }],
          body: [
            { source: 'json', path: '$.total', op: 'eq', target: 2 },
            { source: 'json', path: '$.items[*].price', op: 'gt', target: 0 },
            { source: 'json', path: "$['items'][1].name", op: 'eq', target: 'cake' },
          ],
          schema: { key: 'items@1', schema: ITEMS_SCHEMA },
        },
      }),
      ctx,
    );
    expect(errorOf(r)).toBeNull();
    expect(r.status).toBe('passed');
    expect(r.id).toBe('run-1:orders-api');
    expect(r.kind).toBe('api');
    expect(r.httpStatus).toBe(200);
    expect(r.attempts).toBe(1);
    expect(r.attemptDetails).toHaveLength(1);
    expect(r.steps).toHaveLength(1);
    const step = r.steps[0]!;
    expect(step.name).toBe('Orders API');
    const t = step.timings!;
    expect(t.reusedConnection).toBe(false);
    expect(t.dnsMs).toBe(0); // an IP literal needs no lookup
    expect(t.tlsMs).toBe(0);
    for (const v of [t.connectMs, t.sendMs, t.firstByteMs, t.downloadMs, t.totalMs]) expect(v).toBeGreaterThanOrEqual(0);
    expect(t.totalMs).toBeGreaterThan(0);
    expect(t.connectMs + t.sendMs + t.firstByteMs + t.downloadMs).toBeLessThanOrEqual(t.totalMs + 0.001);
    expect(schemas.compilations).toBe(1);
  });

  it('reports a kept-alive connection as reused with zero dns/connect/tls', async () => {
    const run = runner();
    const first = await run.run(apiCheck(server.url('/ok')), ctx);
    await idle(); // undici frees the connection for the next request on setImmediate
    const second = await run.run(apiCheck(server.url('/ok')), ctx);
    expect(first.steps[0]!.timings!.reusedConnection).toBe(false);
    const t = second.steps[0]!.timings!;
    expect(t).toMatchObject({ reusedConnection: true, dnsMs: 0, connectMs: 0, tlsMs: 0 });
    expect(t.totalMs).toBeGreaterThan(0);
    expect(server.connections()).toBe(1);
  });

  it('times the dns phase through the injected resolver', async () => {
    const r = await runner({ dnsLookup: tableLookup({ 'api.test.internal': '127.0.0.1' }, 15) }).run(
      apiCheck(`http://api.test.internal:${server.port}/ok`),
      ctx,
    );
    expect(errorOf(r)).toBeNull();
    const t = r.steps[0]!.timings!;
    expect(t.dnsMs).toBeGreaterThanOrEqual(14);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.dnsMs);
  });

  it('compiles a schema once for many checks sharing its key', async () => {
    const schemas = new SchemaCache();
    const run = runner({ schemaCache: schemas });
    const check = apiCheck(server.url('/ok'), { expect: { status: [200], headers: [], body: [], schema: { key: 'items@1', schema: ITEMS_SCHEMA } } });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => run.run(check, ctx)));
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
    expect(schemas.compilations).toBe(1);
  });
});

describe('ApiCheckRunner: classification', () => {
  it('http_status: status 503, expected 200', async () => {
    const r = await runner().run(apiCheck(server.url('/status/503')), ctx);
    expect(r.status).toBe('failed');
    expect(r.httpStatus).toBe(503);
    expect(errorOf(r)).toEqual({ class: 'http_status', message: `status 503, expected 200 (GET ${server.origin}/status/503)` });
  });

  it('invalid_json on a truncated JSON document', async () => {
    const r = await runner().run(apiCheck(server.url('/malformed')), ctx);
    expect(r.error?.class).toBe('invalid_json');
    expect(r.error?.message).toMatch(/^invalid JSON: .+ \(application\/json, 35 B\)$/);
  });

  it('schema: names the instance path, the rule and the keyword', async () => {
    const r = await runner().run(
      apiCheck(server.url('/drift'), { expect: { status: [200], headers: [], body: [], schema: { key: 'items@drift', schema: ITEMS_SCHEMA } } }),
      ctx,
    );
    expect(errorOf(r)).toEqual({ class: 'schema', message: '$.items[0].price: must be number (type)' });
  });

  it('assertion: explains the failing path, expectation and actual value', async () => {
    const r = await runner().run(
      apiCheck(server.url('/ok'), {
        expect: {
          status: [200],
          headers: [],
          body: [
            { source: 'json', path: '$.total', op: 'gt', target: 5 },
            { source: 'json', path: '$.items[0].price', op: 'lt', target: 1 },
          ],
        },
      }),
      ctx,
    );
    expect(errorOf(r)).toEqual({ class: 'assertion', message: '$.total: expected > 5, got 2 (and 1 more failed assertion)' });
  });

  it('connection_refused on a port nobody listens on', async () => {
    const port = await unusedPort();
    const r = await runner().run(apiCheck(`http://127.0.0.1:${port}/ok`), ctx);
    expect(r.status).toBe('failed');
    expect(r.error?.class).toBe('connection_refused');
    expect(r.error?.message).toBe(`connection refused: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(r.httpStatus).toBeUndefined();
    expect(r.steps[0]!.timings!.reusedConnection).toBe(false);
  });

  it('dns: a name the resolver does not know', async () => {
    const r = await runner({ dnsLookup: tableLookup({}) }).run(apiCheck(`http://orders.example.invalid:${server.port}/ok`), ctx);
    expect(r.error?.class).toBe('dns');
    expect(r.error?.message).toBe('dns: orders.example.invalid could not be resolved (getaddrinfo ENOTFOUND orders.example.invalid)');
  });

  it('connection_reset when the server resets the connection', async () => {
    const r = await runner().run(apiCheck(server.url('/reset')), ctx);
    expect(r.error?.class).toBe('connection_reset');
    expect(r.error?.message).toContain(`connection reset: ${server.origin} closed the connection before the response headers`);
    expect(server.hits('/reset')).toBe(1);
  });

  it('connection_reset when the server closes before the headers', async () => {
    const r = await runner().run(apiCheck(server.url('/close-before-headers')), ctx);
    expect(r.error?.class).toBe('connection_reset');
    expect(r.error?.message).toContain('before the response headers');
  });

  it('timeout: a hanging target ends at the deadline and the message names the phase', async () => {
    const r = await runner().run(apiCheck(server.url('/hang'), { timeoutMs: 300 }), ctx);
    expect(errorOf(r)).toEqual({ class: 'timeout', message: 'timeout: no response headers after 300 ms' });
    await until(() => server.openConnections() === 0);
    const t = r.steps[0]!.timings!;
    // The deadline is armed just before the request is dispatched (where totalMs starts) and libuv
    // timers have 1 ms granularity: a few ms short of 300, never far (it ended AT the deadline).
    expect(t.totalMs).toBeGreaterThanOrEqual(295);
    expect(t.totalMs).toBeLessThan(1_000);
    expect(t.firstByteMs).toBeGreaterThan(0); // the wait for headers is where the time went
  });

  it('timeout in the body phase reports the bytes received', async () => {
    const r = await runner().run(apiCheck(server.url('/slow-body?chunks=1000&every=50'), { timeoutMs: 400 }), ctx);
    expect(r.error?.class).toBe('timeout');
    expect(r.error?.message).toMatch(/^timeout: response body incomplete \(\d+ bytes received\) after 400 ms$/);
    expect(r.httpStatus).toBe(200);
  });

  it('phase deadlines: headers and body limits name their phase', async () => {
    const headers = await runner({ headersTimeoutMs: 150 }).run(apiCheck(server.url('/hang'), { timeoutMs: 5_000 }), ctx);
    expect(errorOf(headers)).toEqual({ class: 'timeout', message: 'timeout: no response headers after 150 ms' });
    const body = await runner({ bodyTimeoutMs: 150 }).run(apiCheck(server.url('/slow-body?chunks=1000&every=40'), { timeoutMs: 5_000 }), ctx);
    expect(body.error?.class).toBe('timeout');
    expect(body.error?.message).toMatch(/^timeout: response body incomplete \(\d+ bytes received\) after 150 ms$/);
    // A phase limit longer than the total never fires first.
    const total = await runner({ headersTimeoutMs: 5_000 }).run(apiCheck(server.url('/hang'), { timeoutMs: 200 }), ctx);
    expect(errorOf(total)).toEqual({ class: 'timeout', message: 'timeout: no response headers after 200 ms' });
  });

  it('timeout while connecting uses the connect deadline', async () => {
    // A resolver that never answers keeps the exchange in the connect phase.
    const never = ((_h: string, _o: unknown, _cb: unknown) => undefined) as unknown as NonNullable<ApiCheckRunnerOptions['dnsLookup']>;
    const r = await runner({ dnsLookup: never, connectTimeoutMs: 200 }).run(apiCheck(`http://stuck.test.internal:${server.port}/ok`, { timeoutMs: 5_000 }), ctx);
    expect(errorOf(r)).toEqual({ class: 'timeout', message: `timeout: no connection to http://stuck.test.internal:${server.port} after 200 ms` });
  });

  it('body_too_large while streaming: stops reading at the limit', async () => {
    const r = await runner().run(apiCheck(server.url('/huge?bytes=8388608'), { maxBodyBytes: 1024 * 1024, expect: { status: [200], headers: [], body: [] } }), ctx);
    expect(r.error?.class).toBe('body_too_large');
    expect(r.error?.message).toMatch(/^body too large: over the 1 MiB limit \(maxBodyBytes\), stopped after [\d.]+ MiB$/);
  });

  it('body_too_large from content-length without reading the body', async () => {
    const r = await runner().run(apiCheck(server.url('/huge?bytes=3145728&announce=1'), { maxBodyBytes: 1024 * 1024 }), ctx);
    expect(errorOf(r)).toEqual({ class: 'body_too_large', message: 'body too large: content-length 3 MiB over the 1 MiB limit (maxBodyBytes)' });
  });

  it('a HEAD response announcing a large body is not over the limit', async () => {
    const url = server.url('/huge?bytes=3145728&announce=1');
    const r = await runner().run(apiCheck(url, { request: { method: 'HEAD', url, headers: {} }, maxBodyBytes: 1024 * 1024 }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.httpStatus).toBe(200);
  });

  it('decodes a gzip body for assertions, and bounds it by maxBodyBytes once decoded', async () => {
    const run = runner();
    const ok = await run.run(
      apiCheck(server.url('/gzip'), {
        request: { method: 'GET', url: server.url('/gzip'), headers: { 'accept-encoding': 'gzip' } },
        expect: { status: [200], headers: [], body: [{ source: 'json', path: '$.items[1].name', op: 'eq', target: 'cake' }] },
      }),
      ctx,
    );
    expect(errorOf(ok)).toBeNull();
    const bomb = await run.run(apiCheck(server.url('/gzip?zeros=2000000'), { maxBodyBytes: 1024 * 1024 }), ctx);
    expect(errorOf(bomb)).toEqual({ class: 'body_too_large', message: 'body too large: over the 1 MiB limit (maxBodyBytes) once decoded (gzip)' });
  });

  it('sla: over maxResponseTimeMs fails, over degradedResponseTimeMs degrades', async () => {
    const run = runner();
    const failed = await run.run(apiCheck(server.url('/delay/150'), { expect: { status: [200], headers: [], body: [], maxResponseTimeMs: 50 } }), ctx);
    expect(failed.status).toBe('failed');
    expect(failed.error?.class).toBe('sla');
    expect(failed.error?.message).toMatch(/^response time \d+ ms over the 50 ms limit \(maxResponseTimeMs\)$/);

    const degraded = await run.run(
      apiCheck(server.url('/delay/150'), { expect: { status: [200], headers: [], body: [], maxResponseTimeMs: 10_000, degradedResponseTimeMs: 50 } }),
      ctx,
    );
    expect(degraded.status).toBe('degraded');
    expect(degraded.steps[0]!.status).toBe('degraded');
    expect(degraded.error?.class).toBe('sla');
    expect(degraded.error?.message).toMatch(/over the 50 ms degraded threshold/);

    const fast = await run.run(apiCheck(server.url('/ok'), { expect: { status: [200], headers: [], body: [], maxResponseTimeMs: 10_000, degradedResponseTimeMs: 5_000 } }), ctx);
    expect(fast.status).toBe('passed');
  });

  it('never throws: an unusable URL is an internal failure result', async () => {
    const r = await runner().run(apiCheck('not a url'), ctx);
    expect(r.status).toBe('failed');
    expect(r.error?.class).toBe('internal');
    expect(r.error?.message).toContain('invalid URL');
  });
});

describe('ApiCheckRunner: TLS', () => {
  let tlsServer: FaultServer;
  beforeEach(async () => {
    tlsServer = await startFaultServer({ tls: true });
  });
  afterEach(async () => {
    await tlsServer.close();
  });

  it('tls: a self-signed certificate is not trusted', async () => {
    const r = await runner().run(apiCheck(tlsServer.url('/ok')), ctx);
    expect(r.error?.class).toBe('tls');
    expect(r.error?.message).toBe(`tls: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT) from ${tlsServer.origin}`);
    expect(tlsServer.hits('/ok')).toBe(0);
  });

  it('measures the handshake when the CA is trusted, and not on reuse', async () => {
    const run = runner({ tls: { ca: testTlsMaterial().cert } });
    const first = await run.run(apiCheck(tlsServer.url('/ok')), ctx);
    expect(errorOf(first)).toBeNull();
    const t = first.steps[0]!.timings!;
    expect(t.tlsMs).toBeGreaterThan(0);
    expect(t.connectMs).toBeGreaterThanOrEqual(0);
    expect(t.reusedConnection).toBe(false);
    await idle();
    const second = await run.run(apiCheck(tlsServer.url('/ok')), ctx);
    expect(second.steps[0]!.timings).toMatchObject({ reusedConnection: true, dnsMs: 0, connectMs: 0, tlsMs: 0 });
  });
});

describe('ApiCheckRunner: retries', () => {
  it('retries 5xx with backoff and records every attempt; the last one decides', async () => {
    const r = await runner().run(apiCheck(server.url('/flaky?fail=2&key=a'), { retries: 3 }), ctx);
    expect(r.status).toBe('passed');
    expect(r.attempts).toBe(3);
    expect(server.hits('/flaky')).toBe(3);
    expect(r.attemptDetails!.map((a) => [a.attempt, a.status, a.httpStatus])).toEqual([
      [1, 'failed', 503],
      [2, 'failed', 503],
      [3, 'passed', 200],
    ]);
    expect(r.attemptDetails![0]!.error?.message).toMatch(/^status 503, expected 200 \(GET http:\/\/127\.0\.0\.1:\d+\/flaky\?/);
    expect(r.error).toBeNull();
  });

  it('gives up after the configured retries and keeps the last failure', async () => {
    const r = await runner().run(apiCheck(server.url('/status/502'), { retries: 2 }), ctx);
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(3);
    expect(server.hits('/status/502')).toBe(3);
    expect(errorOf(r)?.message).toMatch(/^status 502, expected 200 \(GET /);
  });

  it('retries network errors', async () => {
    const r = await runner().run(apiCheck(server.url('/reset'), { retries: 1 }), ctx);
    expect(r.attempts).toBe(2);
    expect(server.hits('/reset')).toBe(2);
    expect(r.attemptDetails!.every((a) => a.error?.class === 'connection_reset')).toBe(true);
  });

  it('does not retry 4xx, schema or assertion failures', async () => {
    const run = runner();
    const notFound = await run.run(apiCheck(server.url('/status/404'), { retries: 3 }), ctx);
    expect(notFound.attempts).toBe(1);
    expect(server.hits('/status/404')).toBe(1);
    const drift = await run.run(
      apiCheck(server.url('/drift'), { retries: 3, expect: { status: [200], headers: [], body: [], schema: { key: 'items@retry', schema: ITEMS_SCHEMA } } }),
      ctx,
    );
    expect(drift.attempts).toBe(1);
    expect(server.hits('/drift')).toBe(1);
  });
});

describe('ApiCheckRunner: secrets', () => {
  it('redacts secret header values from every message and never stores request headers', async () => {
    const secret = 'sk_live_0123456789abcdef';
    const r = await runner().run(
      apiCheck(server.url('/echo'), {
        request: { method: 'GET', url: server.url('/echo'), headers: { Authorization: `Bearer ${secret}`, 'X-Api-Key': 'key-9876543210' } },
        expect: {
          status: [200],
          headers: [],
          body: [
            { source: 'json', path: '$.headers.authorization', op: 'eq', target: 'nope' },
            { source: 'json', path: "$.headers['x-api-key']", op: 'eq', target: 'nope' },
          ],
        },
      }),
      ctx,
    );
    // The target did get the credentials.
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${secret}`);
    expect(r.error?.class).toBe('assertion');
    expect(r.error?.message).toBe('$.headers.authorization: expected "nope", got "[REDACTED]" (and 1 more failed assertion)');
    const stored = JSON.stringify(r);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain('key-9876543210');
    expect(stored).not.toContain('Bearer');
  });
});

describe('ApiCheckRunner: secrets never leak in pieces', () => {
  const token = 'S3cr3tTok9f-Zq8x7w6v5u4t';

  it('a secret straddling the 80-character cut of a shown value leaves no prefix behind', async () => {
    // The target echoes the credential 72 characters into a string: the 80-character cut of the
    // shown value falls inside the token.
    server.route('/echo-auth', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ note: `${'p'.repeat(64)}${String(req.headers.authorization)}` }));
    });
    const r = await runner().run(
      apiCheck(server.url('/echo-auth'), {
        request: { method: 'GET', url: server.url('/echo-auth'), headers: { Authorization: `Bearer ${token}` } },
        expect: { status: [200], headers: [], body: [{ source: 'json', path: '$.note', op: 'eq', target: 'nope' }] },
      }),
      ctx,
    );
    expect(r.error?.class).toBe('assertion');
    expect(r.error?.message).toContain('…');
    expect(JSON.stringify(r)).not.toMatch(/S3cr3/);
  });

  it('invalid JSON: the message names the problem without quoting the body', async () => {
    server.route('/leaky-json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('S3cr3tTok9f plain text');
    });
    const r = await runner().run(apiCheck(server.url('/leaky-json')), ctx);
    expect(r.error?.class).toBe('invalid_json');
    expect(r.error?.message).toMatch(/^invalid JSON: Unexpected token 'S' in JSON \(application\/json, 22 B\)/);
    expect(JSON.stringify(r)).not.toContain('S3cr3t');
  });

  it('a secret with characters JSON escapes is redacted in its escaped form too', async () => {
    const quoted = 'pa"ss\\word-Zq7xK';
    const r = await runner().run(
      apiCheck(server.url('/echo'), {
        request: { method: 'GET', url: server.url('/echo'), headers: { 'X-Api-Key': quoted } },
        expect: { status: [200], headers: [], body: [{ source: 'json', path: "$.headers['x-api-key']", op: 'eq', target: 'nope' }] },
      }),
      ctx,
    );
    expect(r.error?.message).toBe(`$.headers['x-api-key']: expected "nope", got "[REDACTED]"`);
    expect(JSON.stringify(r)).not.toContain('Zq7xK');
  });
});

describe('ApiCheckRunner: hostile responses are the target\'s fault', () => {
  it('a 100,000-deep JSON body is invalid_json, never internal', async () => {
    server.route('/deep', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('['.repeat(100_000) + ']'.repeat(100_000));
    });
    const r = await runner().run(apiCheck(server.url('/deep'), { expect: { status: [200], headers: [], body: [{ source: 'json', path: '$', op: 'eq', target: [] }] } }), ctx);
    expect(r.error?.class).toBe('invalid_json');
    expect(r.error?.message).toMatch(/^JSON nested deeper than 1000 levels/);
  });

  it('5,000 response headers are a protocol failure, never internal', async () => {
    server.route('/many-headers', (req, _res) => {
      const lines = ['HTTP/1.1 200 OK', 'content-length: 2'];
      for (let i = 0; i < 5_000; i++) lines.push(`x-h${i}: ${'v'.repeat(20)}`);
      req.socket.end(lines.join('\r\n') + '\r\n\r\nok');
    });
    const r = await runner().run(apiCheck(server.url('/many-headers')), ctx);
    expect(r.error?.class).toBe('protocol');
    expect(r.error?.message).toContain(server.origin);
  });
});

describe('ApiCheckRunner: every error kept, messages name the request', () => {
  it('keeps every schema error (bounded) and names the URL of a wrong status', async () => {
    server.route('/two-bad', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [{ id: 'x', price: 'free' }], total: 1 }));
    });
    const schema = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'number' }, price: { type: 'number' } } } } } };
    const r = await runner({ schemaCache: new SchemaCache() }).run(apiCheck(server.url('/two-bad'), { expect: { status: [200], headers: [], body: [], schema: { key: 'two@1', schema } } }), ctx);
    expect(r.error?.class).toBe('schema');
    expect(r.error?.message).toContain('(and 1 more schema error)');
    expect(r.error?.details).toHaveLength(2);
    expect(r.error?.details?.join('\n')).toMatch(/\$\.items\[0\]\.id.*\n.*\$\.items\[0\]\.price/);
    const missing = await runner().run(apiCheck(server.url('/status/404?q=1')), ctx);
    expect(missing.error?.message).toBe(`status 404, expected 200 (GET ${server.origin}/status/404?q=1)`);
  });
});

describe('ApiCheckRunner: cancellation and concurrency', () => {
  it('an abort mid-request cancels it and returns an aborted result', async () => {
    const controller = new AbortController();
    const pending = runner().run(apiCheck(server.url('/hang'), { timeoutMs: 30_000, retries: 3 }), { ...ctx, signal: controller.signal });
    await until(() => server.hits('/hang') === 1);
    controller.abort(new Error('received SIGTERM'));
    const r = await pending;
    expect(errorOf(r)).toEqual({ class: 'aborted', message: 'aborted: received SIGTERM' });
    expect(r.attempts).toBe(1);
    expect(r.steps[0]!.timings!.totalMs).toBeGreaterThan(0);
    // Cancelled on the wire: the target sees its connection close.
    await until(() => server.openConnections() === 0);
  });

  it('an abort while waiting for a slot ends queued checks too', async () => {
    const controller = new AbortController();
    const run = runner({ concurrency: 1 });
    const signal = controller.signal;
    const first = run.run(apiCheck(server.url('/hang'), { timeoutMs: 30_000 }), { ...ctx, signal });
    const second = run.run(apiCheck(server.url('/ok'), { id: 'second' }), { ...ctx, signal });
    await until(() => server.hits('/hang') === 1);
    controller.abort(new Error('deadline of 1000 ms reached'));
    const [a, b] = await Promise.all([first, second]);
    expect(a.error?.class).toBe('aborted');
    expect(b.error?.class).toBe('aborted');
    expect(b.id).toBe('run-1:second');
    expect(server.hits('/ok')).toBe(0);
  });

  it('close() cancels in-flight checks as aborted', async () => {
    const run = runner();
    const pending = run.run(apiCheck(server.url('/hang'), { timeoutMs: 30_000 }), ctx);
    await until(() => server.hits('/hang') === 1);
    await run.close();
    const r = await pending;
    expect(errorOf(r)).toEqual({ class: 'aborted', message: 'aborted: the check runner was closed' });
  });

  it('bounds concurrency per origin and globally', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = (name: string) =>
      server.route(name, (_req, res) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{}');
        }, 30);
      });
    slow('/slow');
    const run = runner({ concurrency: 4, perOriginConcurrency: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run.run(apiCheck(server.url('/slow'), { id: `c${i}` }), ctx)));
    expect(results.every((r) => r.status === 'passed')).toBe(true);
    expect(peak).toBe(2);

    // Two origins (the same server by IP and by name): the global limit of 3 is the bound.
    peak = 0;
    const both = runner({ concurrency: 3, perOriginConcurrency: 3, dnsLookup: tableLookup({ 'alias.test.internal': '127.0.0.1' }, 0) });
    const urls = [server.url('/slow'), `http://alias.test.internal:${server.port}/slow`];
    await Promise.all(Array.from({ length: 10 }, (_, i) => both.run(apiCheck(urls[i % 2]!, { id: `d${i}` }), ctx)));
    expect(peak).toBe(3);
  });

  it('serves many checks at once over a pooled agent', async () => {
    const run = runner({ concurrency: 8, perOriginConcurrency: 8 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => run.run(apiCheck(server.url('/ok'), { id: `m${i}` }), ctx)));
    expect(results.filter((r) => r.status === 'passed')).toHaveLength(40);
    // Exactly the first request of each connection paid for it; every other one reused one.
    const fresh = results.filter((r) => !r.steps[0]!.timings!.reusedConnection);
    expect(fresh).toHaveLength(server.connections());
    expect(server.connections()).toBeLessThan(40);
    for (const r of results.filter((x) => x.steps[0]!.timings!.reusedConnection)) {
      expect(r.steps[0]!.timings).toMatchObject({ dnsMs: 0, connectMs: 0, tlsMs: 0 });
    }
  });
});
