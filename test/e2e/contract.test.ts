/**
 * Contract checks through the real CLI: a broken description is a configuration error (exit 2, each
 * problem as `file: #/pointer: message`, no stack trace); a response off its contract fails the run
 * (exit 1) with the `$.path: message` error in the report.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSandbox, runCli } from './sandbox.js';

describe('observer run with contract checks', () => {
  let server: http.Server;
  let origin: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/items/1' ? { id: 1, price: 2.5 } : { id: 2, price: 'free' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('exits 2 on an invalid description, listing its problems and the check field', async () => {
    const box = makeSandbox('contract-bad-spec');
    try {
      const r = await runCli(['run', '--out', 'out'], { cwd: box.dir, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.split('\n');
      expect(lines).toContain('openapi.yaml: #/info: missing required field "version"');
      expect(lines).toContain('openapi.yaml: #/paths/~1items~1{id}: unknown field "fetch"');
      expect(lines).toContain('checks/items.check.yaml:4: expect.openapi.spec: ../openapi.yaml is not a usable OpenAPI description (2 problems, listed under openapi.yaml); expected an OpenAPI 3.x or Swagger 2.0 document');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      box.cleanup();
    }
  }, 150_000);

  it('fails the run when a response leaves its contract, with the $.path error', async () => {
    const box = makeSandbox('contract-fails');
    try {
      const r = await runCli(['run', '--out', 'out', '--json', '--fail-on-findings', 'none'], { cwd: box.dir, env: { ITEMS: origin }, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(1);
      const report = JSON.parse(readFileSync(path.join(box.dir, 'out', 'latest.json'), 'utf8')) as { results: Array<{ monitor: string; status: string; error: { class: string; message: string } | null }> };
      const byId = Object.fromEntries(report.results.map((x) => [x.monitor, x]));
      expect(byId['item-ok'].status).toBe('passed');
      expect(byId['item-drift'].error).toEqual({ class: 'schema', message: '$.price: must be number (type) (response 200 of GET /items/{id} in openapi.yaml)' });
    } finally {
      box.cleanup();
    }
  }, 150_000);
});
