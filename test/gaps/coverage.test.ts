/**
 * Coverage from the repository's own checks (loaded by the real config loader) against the demo's
 * real description: levels per operation, flow steps with `{{capture}}` placeholders, checks that
 * did not run, journeys' network calls.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { collectCoverage } from '../../src/gaps/coverage.js';
import { OperationMatcher } from '../../src/gaps/match.js';
import { loadOpenApi } from '../../src/gaps/openapi.js';
import type { MonitorResult } from '../../src/model/index.js';

const at = '2026-12-04T09:00:00.000Z';
function result(monitor: string, opts: Partial<MonitorResult> = {}): MonitorResult {
  return { id: `r:${monitor}`, runId: 'r', monitor, name: monitor, kind: 'api', status: 'passed', startedAt: at, finishedAt: at, durationMs: 5, attempts: 1, error: null, steps: [], location: 'local', environment: 'local', tags: [], ...opts };
}

describe('collectCoverage', () => {
  it('levels per operation from the checks that ran and the journeys’ calls', async () => {
    const root = path.resolve('.');
    const config = await loadConfig({ cwd: root, env: { ...process.env, OBSERVER_BASE_URL: 'http://127.0.0.1:4173', DEMO_HEARTBEAT_TOKEN: 'x'.repeat(16), DEMO_TLS_CA: path.join(root, 'test', 'fixtures', 'tls', 'cert.pem'), DEMO_TCP_PORT: '1', DEMO_TLS_PORT: '1', DEMO_DNS: '127.0.0.1:53', DEMO_USER: 'demo', DEMO_PASSWORD: 'demo-password-123' } });
    const api = await loadOpenApi(path.join(root, 'demo', 'openapi.yaml'));
    const ran = ['cart-flow', 'health', 'legacy-health'];
    const results = [
      ...ran.map((id) => result(id, id === 'legacy-health' ? { status: 'failed', httpStatus: 503 } : { httpStatus: 200 })),
      result('purchase', {
        kind: 'journey',
        steps: [{ name: 'Checkout', status: 'passed', startedAt: at, durationMs: 5, error: null, network: { requests: 2, failedRequests: 0, bytes: 0, calls: [{ method: 'POST', url: 'http://127.0.0.1:4173/api/checkout', count: 2, status: 201 }] } }],
      }),
    ];
    const cov = collectCoverage(config.checks, results, new OperationMatcher(api), root);
    const level = (key: string) => cov.operations.get(key)?.level ?? 'none';
    expect(level('GET /api/carts/{cartId}')).toBe('asserted');
    expect(cov.operations.get('GET /api/carts/{cartId}')?.checks.map((c) => [c.monitor, c.step])).toEqual([['cart-flow', 'read cart']]);
    expect(level('DELETE /api/carts/{cartId}')).not.toBe('none');
    expect(level('GET /api/health')).toBe('asserted');
    expect(cov.operations.get('GET /api/v1/health')?.checks[0]).toMatchObject({ monitor: 'legacy-health', runs: 1, failures: 1, statusesSeen: [503] });
    expect(level('POST /api/checkout')).toBe('journey');
    expect(cov.operations.get('POST /api/checkout')?.journeys).toEqual([{ monitor: 'purchase', name: 'purchase', step: 'Checkout', calls: 2, statuses: [201] }]);
    // Checks with no result in the window cover nothing.
    expect(level('GET /api/products/{id}')).toBe('none');
    expect(cov.notRun).toContain('product-detail');
    expect(cov.unmatched).toEqual([]);
    expect(cov).toMatchObject({ ranChecks: 3, ranJourneys: 1 });
  });
});
