/**
 * Contract checks (`expect.openapi`): loaded from YAML and `.check.ts` files against a 3.0 description
 * split over two files, run by the real API check runner against a real server on 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { Redactor } from '../../src/runtime/redact.js';
import { diagnosticsOf, expectDiagnostic } from '../config/helpers.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { ctx, errorOf } from '../checks/support.js';

const FIXTURE = path.resolve('test/fixtures/gaps/contract');
const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('contract checks against a real server', () => {
  let server: FaultServer;
  let checks: ApiCheckDefinition[];
  let warnings: Array<{ file: string; path: string; message: string }>;
  beforeAll(async () => {
    server = await startFaultServer();
    server.route('/api/products/1', (_q, res) => json(res, 200, { id: 1, name: 'Mug', price: 9.5, discount: null }));
    server.route('/api/products/2', (_q, res) => json(res, 200, { id: 2, price: '1.20' }));
    server.route('/api/products/3', (_q, res) => json(res, 418, { error: 'teapot' }));
    server.route('/api/products/404', (_q, res) => json(res, 404, { error: 'no such product' }));
    server.route('/api/products', (_q, res) => json(res, 200, [{ id: 1, name: 'Mug', price: 9.5 }]));
    server.route('/api/health', (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    process.env.OBSERVER_TEST_SHOP = server.origin;
    const config = await loadConfig({ cwd: FIXTURE, env: { SHOP: server.origin } });
    checks = config.checks as ApiCheckDefinition[];
    warnings = config.warnings;
  });
  afterAll(async () => {
    delete process.env.OBSERVER_TEST_SHOP;
    await server?.close();
  });

  it('resolves each check to its operation, by operationId, by "METHOD /path" or by its URL', () => {
    const byId = Object.fromEntries(checks.map((c) => [c.id, c.expect.openapi]));
    expect(Object.keys(byId).sort()).toEqual(['drifted-product', 'health', 'list-found-by-url', 'missing-product', 'product-contract', 'product-contract-ts', 'teapot']);
    expect(byId['product-contract']).toMatchObject({ spec: 'api/openapi.yaml', operation: 'GET /api/products/{id}' });
    expect(byId['product-contract']!.responses.map((r) => r.status)).toEqual(['200', '4XX']);
    expect(byId['list-found-by-url']!.operation).toBe('GET /api/products');
    expect(byId['missing-product']!.operation).toBe('GET /api/products/{id}');
    expect(byId['product-contract-ts']!.operation).toBe('GET /api/products/{id}');
    expect(byId.health!.responses).toEqual([{ status: '200' }]);
    // Loaded once, shared by every check: the same schema object, the same compile-cache key.
    expect(byId['product-contract']!.responses[0].schema!.key).toBe(byId['drifted-product']!.responses[0].schema!.key);
    expectDiagnostic(warnings as never, { file: 'checks/more.check.yaml', path: 'checks[4].expect.openapi', message: 'GET /api/health is deprecated in api/openapi.yaml', severity: 'warning' });
  });

  it('validates the body against the schema of the returned status, with $.path errors', async () => {
    const runner = new ApiCheckRunner({ redactor: new Redactor() });
    try {
      const results = Object.fromEntries(await Promise.all(checks.map(async (c) => [c.id, await runner.run(c, ctx)] as const)));
      expect(results['product-contract'].status).toBe('passed');
      expect(results['product-contract-ts'].status).toBe('passed');
      expect(results['list-found-by-url'].status).toBe('passed');
      // 404 is documented by its range (4XX): the problem body is validated against that schema.
      expect(results['missing-product'].status).toBe('passed');
      expect(results.health.status).toBe('passed');
      expect(errorOf(results['drifted-product'])).toEqual({ class: 'schema', message: '$.name: is required (required) (and 1 more schema error) (response 200 of GET /api/products/{id} in api/openapi.yaml)' });
      expect(results['drifted-product'].error?.details).toEqual(['$.name: is required (required)', '$.price: must be number (type)']);
      // 418 is what the check expects, and the operation's 4XX range documents it.
      expect(results.teapot.status).toBe('passed');
    } finally {
      await runner.close();
    }
  });
});

describe('contract checks: undocumented statuses and configuration errors', () => {
  let dir: string;
  let server: FaultServer;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'observer-contract-'));
    server = await startFaultServer();
    server.route('/v1/items/5', (_q, res) => json(res, 503, { busy: true }));
    write(
      'openapi.json',
      JSON.stringify({
        openapi: '3.1.0',
        info: { title: 'items', version: '1' },
        servers: [{ url: '/v1' }],
        paths: { '/items/{id}': { get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { '200': { description: 'ok' }, '404': { description: 'missing' } } } } },
      }),
    );
    write('broken.yaml', 'openapi: 3.0.3\ninfo: { title: x }\npaths: {}\n');
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a status the operation does not document, saying so', async () => {
    write('checks/a.check.yaml', `id: busy\nrequest: { url: '${server.origin}/v1/items/5' }\nexpect: { status: [200, 503], openapi: { spec: ../openapi.json } }\n`);
    const [check] = (await loadConfig({ cwd: dir, env: {} })).checks as ApiCheckDefinition[];
    const runner = new ApiCheckRunner({ redactor: new Redactor() });
    try {
      const r = await runner.run(check, ctx);
      expect(errorOf(r)).toEqual({ class: 'schema', message: 'status 503 is not documented for GET /v1/items/{id} in openapi.json (documented: 200, 404)' });
    } finally {
      await runner.close();
    }
  });

  it('names the check file, the field and what was expected; the description problems under its name', async () => {
    rmSync(path.join(dir, 'checks'), { recursive: true, force: true });
    write(
      'checks/bad.check.yaml',
      [
        "- { id: typo, request: { url: 'http://127.0.0.1:9/v1/items/1' }, expect: { openapi: { spec: ../openapi.json, operation: getItems } } }",
        "- { id: nowhere, request: { url: 'http://127.0.0.1:9/v2/things/1' }, expect: { openapi: { spec: ../openapi.json } } }",
        "- { id: not-an-int, request: { url: 'http://127.0.0.1:9/v1/items/abc' }, expect: { openapi: { spec: ../openapi.json } } }",
        "- { id: missing, request: { url: 'http://127.0.0.1:9/v1/items/1' }, expect: { openapi: { spec: ../nope.yaml } } }",
        "- { id: broken, request: { url: 'http://127.0.0.1:9/v1/items/1' }, expect: { openapi: { spec: ../broken.yaml, operation: x } } }",
        "- { id: shape, request: { url: 'http://127.0.0.1:9/v1/items/1' }, expect: { openapi: { operation: getItem } } }",
      ].join('\n') + '\n',
    );
    const d = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    const f = 'checks/bad.check.yaml';
    expectDiagnostic(d, { file: f, path: 'checks[0].expect.openapi.operation', message: 'no operation "getItems" in openapi.json (did you mean "getItem"?); expected an operationId or "METHOD /path" of the description (1 operation, such as "getItem")', line: 1 });
    expectDiagnostic(d, { file: f, path: 'checks[1].expect.openapi', message: 'no operation of openapi.json matches GET /v2/things/1 (its base paths: /v1); name one with operation', line: 2 });
    expectDiagnostic(d, { file: f, path: 'checks[2].expect.openapi', message: 'no operation of openapi.json matches GET /v1/items/abc', line: 3 });
    expectDiagnostic(d, { file: f, path: 'checks[3].expect.openapi.spec', message: '../nope.yaml is not a usable OpenAPI description (1 problem, listed under nope.yaml)', line: 4 });
    expectDiagnostic(d, { file: 'nope.yaml', path: '', message: 'cannot read the file (ENOENT: no such file)' });
    expectDiagnostic(d, { file: f, path: 'checks[4].expect.openapi.spec', message: '../broken.yaml is not a usable OpenAPI description (1 problem', line: 5 });
    expectDiagnostic(d, { file: 'broken.yaml', path: '#/info', message: 'missing required field "version"' });
    expectDiagnostic(d, { file: f, path: 'checks[5].expect.openapi.spec', message: 'is required', line: 6 });
  });
});
