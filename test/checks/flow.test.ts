/**
 * Multi-step API checks against the demo shop: the shipped example (checks/cart-flow.check.yaml)
 * passes end to end; a failing step skips the rest but the cleanup step runs; captures from a
 * header, a regex and a cookie; secrets captured stay out of results.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { ApiFlowDefinition } from '../../src/model/monitor.js';
import { REPO } from '../config/helpers.js';
import { startFaultServer } from '../helpers/fault-server.js';
import { ctx } from './support.js';

const PASSWORD = 'demo-password-123';
let shop: DemoShop;
let dir: string;
beforeAll(async () => {
  shop = await startDemoShop({ port: 0, env: { DEMO_USER: 'demo', DEMO_PASSWORD: PASSWORD } });
  dir = mkdtempSync(path.join(tmpdir(), 'observer-flow-'));
});
afterAll(async () => {
  await shop?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The flow of a YAML text, loaded the way `observer run` loads it. */
async function flowFrom(yaml: string) {
  writeFileSync(path.join(dir, 'flow.check.yaml'), yaml);
  const config = await loadConfig({ cwd: dir, files: [path.join(dir, 'flow.check.yaml')], env: { OBSERVER_BASE_URL: shop.url, DEMO_PASSWORD: PASSWORD } });
  return { flow: config.checks[0] as ApiFlowDefinition, redactor: config.redactor };
}

const deletes = () => shop.requestLog.entries().filter((e) => e.method === 'DELETE' && e.url.startsWith('/api/carts/'));

describe('api-flow', () => {
  it('the shipped example passes: login → token → cart → add → read → delete, each step timed', async () => {
    const config = await loadConfig({ cwd: REPO, files: [path.join(REPO, 'checks/cart-flow.check.yaml')], env: { OBSERVER_BASE_URL: shop.url, DEMO_PASSWORD: PASSWORD } });
    const flow = config.checks[0] as ApiFlowDefinition;
    expect(flow.kind).toBe('api-flow');
    expect(flow.steps.map((s) => s.name)).toEqual(['sign in', 'create cart', 'add item', 'read cart', 'delete cart']);
    expect(flow.steps[2]!.request.url).toBe(`${shop.url}/api/carts/{{cartId}}/items`);
    expect(flow.steps[3]!.expect.schema?.key).toContain('inline:checks/cart-flow.check.yaml#');
    const before = deletes().length;
    const r = await new ApiCheckRunner({ redactor: config.redactor }).run(flow, ctx);
    expect(r.error).toBeNull();
    expect(r.status).toBe('passed');
    expect(r.kind).toBe('api-flow');
    expect(r.steps.map((s) => [s.name, s.status, s.httpStatus])).toEqual([
      ['sign in', 'passed', 200],
      ['create cart', 'passed', 201],
      ['add item', 'passed', 200],
      ['read cart', 'passed', 200],
      ['delete cart', 'passed', 200],
    ]);
    for (const s of r.steps) expect(s.timings!.totalMs).toBeGreaterThan(0);
    expect(deletes().length - before).toBe(1);
    expect(deletes().at(-1)!.status).toBe(200);
    // The password and the token never appear in the result.
    expect(JSON.stringify(r)).not.toContain(PASSWORD);
  });

  it('fails at the broken step, skips the rest, still runs cleanup', async () => {
    const { flow, redactor } = await flowFrom(`
id: broken-flow
kind: api-flow
steps:
  - name: sign in
    request: { method: POST, url: /api/login, body: { username: demo, password: "\${env:DEMO_PASSWORD}" } }
    capture: { token: { json: $.token } }
  - name: create cart
    request: { method: POST, url: /api/carts, headers: { authorization: "Bearer {{token}}" } }
    expect: { status: 201 }
    capture: { cartId: { json: $.cartId } }
  - name: add unknown product
    request: { method: POST, url: "/api/carts/{{cartId}}/items", headers: { authorization: "Bearer {{token}}" }, body: { productId: 999999 } }
  - name: read cart
    request: { url: "/api/carts/{{cartId}}", headers: { authorization: "Bearer {{token}}" } }
  - name: delete cart
    cleanup: true
    request: { method: DELETE, url: "/api/carts/{{cartId}}", headers: { authorization: "Bearer {{token}}" } }
`);
    const before = deletes().length;
    const r = await new ApiCheckRunner({ redactor }).run(flow, ctx);
    expect(r.status).toBe('failed');
    expect(r.error).toEqual({ class: 'http_status', message: 'step "add unknown product": status 404, expected 2xx' });
    expect(r.httpStatus).toBe(404);
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['sign in', 'passed'],
      ['create cart', 'passed'],
      ['add unknown product', 'failed'],
      ['read cart', 'skipped'],
      ['delete cart', 'passed'],
    ]);
    expect(deletes().length - before).toBe(1);
  });

  it('captures from a header, a regex and a cookie; cookies carry to later steps', async () => {
    const { flow, redactor } = await flowFrom(`
id: capture-flow
kind: api-flow
steps:
  - name: sign in
    request: { method: POST, url: /api/login, body: { username: demo, password: "\${env:DEMO_PASSWORD}" } }
    capture:
      session: { cookie: demo_session }
      who: { regex: '"username":"([a-z]+)"' }
  - name: me by cookie
    request: { url: /api/me }
    expect: { body: [{ path: $.user.username, op: eq, value: demo }] }
  - name: create cart
    request: { method: POST, url: /api/carts, headers: { authorization: "Bearer {{session}}" } }
    expect: { status: 201 }
    capture: { where: { header: Location } }
  - name: follow location
    request: { url: "{{where}}", headers: { authorization: "Bearer {{session}}" } }
    expect: { body: [{ path: $.count, op: eq, value: 0 }] }
`);
    const r = await new ApiCheckRunner({ redactor }).run(flow, ctx);
    expect(r.error).toBeNull();
    expect(r.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
  });

  it('captured credentials and cookies are redacted from every message', async () => {
    const server = await startFaultServer();
    try {
      server.route('/issue', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=cookie-secret-987654; Path=/; HttpOnly' });
        res.end(JSON.stringify({ token: 'tok-visible-123456', user: 'ann' }));
      });
      server.route('/echo', (req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: req.headers.authorization, cookie: req.headers.cookie }));
      });
      const { flow, redactor } = await flowFrom(`
id: secret-flow
kind: api-flow
steps:
  - name: issue
    request: { url: ${server.url('/issue')} }
    capture: { token: { json: $.token }, sid: { cookie: sid } }
  - name: echo
    request: { url: ${server.url('/echo')}, headers: { authorization: "Bearer {{token}}" } }
    expect: { body: [{ source: text, op: eq, value: nothing }] }
`);
      const before = redactor.size;
      const r = await new ApiCheckRunner({ redactor }).run(flow, ctx);
      expect(r.error?.class).toBe('assertion');
      // The run's secrets were its own: the process-wide redactor did not grow with them.
      expect(redactor.size).toBe(before);
      // The echo shows both values were sent (the cookie from the jar), and both are masked.
      expect(server.requests.at(-1)!.headers).toMatchObject({ authorization: 'Bearer tok-visible-123456', cookie: 'sid=cookie-secret-987654' });
      const text = JSON.stringify(r);
      expect(text).toContain('[REDACTED]');
      expect(text).not.toContain('tok-visible-123456');
      expect(text).not.toContain('cookie-secret-987654');
    } finally {
      await server.close();
    }
  });

  it('a step whose capture finds nothing fails as assertion, naming the capture', async () => {
    const { flow, redactor } = await flowFrom(`
id: missing-capture
kind: api-flow
steps:
  - name: health
    request: { url: /api/health }
    capture: { id: { json: $.nothing.here } }
  - name: use it
    request: { url: "/api/products/{{id}}" }
`);
    const r = await new ApiCheckRunner({ redactor }).run(flow, ctx);
    expect(r.error).toEqual({ class: 'assertion', message: 'step "health": capture id: $.nothing.here matched nothing in the response' });
    expect(r.steps[1]!.status).toBe('skipped');
  });
});
