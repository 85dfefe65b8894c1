/**
 * The repository's own observer.config.ts and checks/ (what `npm run demo` runs) load, and every
 * example check holds against the real demo shop when run by the real API check runner.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { loadConfig } from '../../src/config/index.js';
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { diagnosticsOf, expectDiagnostic, REPO } from './helpers.js';

const PASSWORD = 'demo-password-123';
let shop: DemoShop;

beforeAll(async () => {
  shop = await startDemoShop({ port: 0, env: { DEMO_USER: 'demo', DEMO_PASSWORD: PASSWORD } });
});
afterAll(async () => {
  await shop?.close();
});

describe('repository examples', () => {
  it('load with the environment npm run demo sets, and pass against the demo shop', async () => {
    const config = await loadConfig({ cwd: REPO, environment: 'local', env: { OBSERVER_BASE_URL: shop.url, DEMO_USER: 'demo', DEMO_PASSWORD: PASSWORD } });
    expect(config.configFile).toBe(path.join(REPO, 'observer.config.ts'));
    expect(config.warnings).toEqual([]);
    expect(config.checks.map((c) => c.id)).toEqual(['health', 'login', 'product-detail', 'product-detail-not-found', 'products-search']);
    const api = config.checks.filter((c): c is ApiCheckDefinition => c.kind === 'api');
    for (const c of api) expect(c.request.url.startsWith(shop.url + '/api/')).toBe(true);
    const search = api.find((c) => c.id === 'products-search')!;
    expect(search.expect.schema?.key).toMatch(/^checks\/schemas\/product-list\.json#/);

    const runner = new ApiCheckRunner({ redactor: config.redactor, concurrency: 4 });
    try {
      const results = await Promise.all(config.checks.map((c) => runner.run(c, { runId: 'examples', location: config.location, environment: config.environment })));
      for (const r of results) {
        // Functional expectations must hold; only an SLA breach on a busy test machine is tolerated.
        if (r.status === 'failed') expect(r.error?.class, `${r.monitor}: ${r.error?.message}`).toBe('sla');
      }
      expect(results.map((r) => r.httpStatus)).toEqual([200, 200, 200, 404, 200]);
    } finally {
      await runner.close();
    }
  });

  it('without DEMO_PASSWORD the login check is a config error naming the variable', async () => {
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: REPO, env: { OBSERVER_BASE_URL: shop.url } }));
    expect(diagnostics).toHaveLength(1);
    expectDiagnostic(diagnostics, { file: 'checks/login.check.ts', path: 'request.body.password', message: 'environment variable DEMO_PASSWORD is not set' });
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
