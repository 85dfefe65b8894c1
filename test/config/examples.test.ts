/**
 * The repository's own observer.config.ts and checks/ (what `npm run demo` runs) load, and every
 * example check holds against the real demo shop when run by the real API check runner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoExtras, type DemoExtras } from '../../demo/extras.js';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { diagnosticsOf, expectDiagnostic, REPO } from './helpers.js';

const PASSWORD = 'demo-password-123';
let shop: DemoShop;
let extras: DemoExtras;
let tmp: string;
/** What `npm run demo` exports for the DNS, TCP, TLS and heartbeat examples. */
let extraEnv: Record<string, string>;

beforeAll(async () => {
  shop = await startDemoShop({ port: 0, env: { DEMO_USER: 'demo', DEMO_PASSWORD: PASSWORD } });
  tmp = mkdtempSync(path.join(tmpdir(), 'observer-examples-'));
  extras = await startDemoExtras({ caFile: path.join(tmp, 'ca.pem') });
  extraEnv = {
    DEMO_DNS: extras.dns.address,
    DEMO_TCP_PORT: String(extras.tcp.port),
    DEMO_TLS_PORT: String(extras.tls.port),
    DEMO_TLS_CA: path.join(tmp, 'ca.pem'),
    DEMO_HEARTBEAT_TOKEN: 'demo-heartbeat-token-0123456789',
  };
});
afterAll(async () => {
  await shop?.close();
  await extras?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('repository examples', () => {
  it('load with the environment npm run demo sets, and pass against the demo shop', async () => {
    const config = await loadConfig({ cwd: REPO, environment: 'local', env: { OBSERVER_BASE_URL: shop.url, DEMO_USER: 'demo', DEMO_PASSWORD: PASSWORD, ...extraEnv } });
    expect(config.configFile).toBe(path.join(REPO, 'observer.config.ts'));
    expect(config.warnings).toEqual([]);
    // One example of every kind.
    expect(config.checks.map((c) => `${c.kind}:${c.id}`)).toEqual([
      'tcp:cache-tcp',
      'api-flow:cart-flow',
      'api:health',
      'api:legacy-health',
      'api:login',
      'heartbeat:nightly-backup',
      'api:product-contract',
      'api:search-contract',
      'api:product-detail',
      'api:product-detail-not-found',
      'api:products-search',
      'dns:shop-dns',
      'tls:shop-tls',
    ]);
    // The DNS, TCP and TLS examples target only the demo's loopback servers.
    for (const c of config.checks) {
      if (c.kind === 'tcp' || c.kind === 'tls') expect(c.host).toBe('127.0.0.1');
      if (c.kind === 'dns') expect(c.resolver).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    const api = config.checks.filter((c): c is ApiCheckDefinition => c.kind === 'api');
    for (const c of api) expect(c.request.url.startsWith(shop.url + '/api/')).toBe(true);
    const search = api.find((c) => c.id === 'products-search')!;
    expect(search.expect.schema?.key).toMatch(/^checks\/schemas\/product-list\.json#/);

    const runner = new ApiCheckRunner({ redactor: config.redactor, concurrency: 4 });
    try {
      // Heartbeats need the daemon's receiver (test/checks/heartbeat.test.ts runs that one).
      const probed = config.checks.filter((c) => c.kind !== 'heartbeat');
      const results = await Promise.all(probed.map((c) => runner.run(c, { runId: 'examples', location: config.location, environment: config.environment })));
      for (const r of results) {
        // Functional expectations must hold; only an SLA breach on a busy test machine is tolerated.
        if (r.status === 'failed') expect(r.error?.class, `${r.monitor}: ${r.error?.message}`).toBe('sla');
      }
      expect(results.filter((r) => r.kind === 'api').map((r) => r.httpStatus)).toEqual([200, 200, 200, 200, 200, 200, 404, 200]);
      // The contract checks were validated against demo/openapi.yaml, not merely answered.
      const contract = api.find((c) => c.id === 'product-contract')!;
      expect(contract.expect.openapi).toMatchObject({ spec: 'demo/openapi.yaml', operation: 'GET /api/products/{id}' });
      expect(api.find((c) => c.id === 'search-contract')!.expect.openapi?.operation).toBe('GET /api/products');
    } finally {
      await runner.close();
    }
  });

  it('without DEMO_PASSWORD the login check is a config error naming the variable', async () => {
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: REPO, env: { OBSERVER_BASE_URL: shop.url, ...extraEnv } }));
    expect(diagnostics).toHaveLength(2);
    expectDiagnostic(diagnostics, { file: 'checks/login.check.ts', path: 'request.body.password', message: 'environment variable DEMO_PASSWORD is not set' });
    expectDiagnostic(diagnostics, { file: 'checks/cart-flow.check.yaml', path: 'steps[0].request.body.password', message: 'environment variable DEMO_PASSWORD is not set' });
  });

  it('a wrong password fails the login check, and the secret never appears in its result', async () => {
    const wrong = 'not-the-password-42';
    const config = await loadConfig({ cwd: REPO, files: ['checks/login.check.ts'], env: { OBSERVER_BASE_URL: shop.url, DEMO_PASSWORD: wrong } });
    const runner = new ApiCheckRunner({ redactor: config.redactor });
    try {
      const result = await runner.run(config.checks[0], { runId: 'examples', location: 'local', environment: 'local' });
      expect(result.status).toBe('failed');
      expect(result.httpStatus).toBe(401);
      expect(result.error?.class).toBe('http_status');
      expect(JSON.stringify(result)).not.toContain(wrong);
    } finally {
      await runner.close();
    }
  });
});
