/**
 * Production usage from real log files against the demo shop's real description (demo/openapi.yaml,
 * servers `/api`): per-operation counts, status classes, parameter values, failing values, first/last
 * seen, undocumented templates, requests outside the API's base path, malformed lines sampled, and
 * credential-like values never kept. JSON lines as well as the combined format.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OperationMatcher } from '../../src/gaps/match.js';
import { loadOpenApi } from '../../src/gaps/openapi.js';
import { commonValues, p99Ms, readUsage } from '../../src/gaps/usage.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gaps-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readUsage', () => {
  it('counts per operation, keeps values and 5xx signatures, leaves pages out, samples bad lines', async () => {
    const api = await loadOpenApi(path.resolve('demo/openapi.yaml'));
    const matcher = new OperationMatcher(api);
    const combined = path.join(dir, 'access.log');
    const at = (s: number, req: string, status: number, rt = 0.05) => `127.0.0.1 - - [04/Dec/2026:09:00:${String(s).padStart(2, '0')} +0000] "${req} HTTP/1.1" ${status} 10 "-" "ua" ${rt}`;
    writeFileSync(
      combined,
      [
        at(0, 'GET /', 200),
        at(1, 'GET /static/hero.svg', 200),
        at(2, 'GET /api/products/3', 200),
        at(3, 'GET /api/products/3', 200),
        at(4, 'GET /api/products/8', 503, 1.2),
        at(5, 'GET /api/products?q=mug&token=abcdef123456', 200),
        at(6, 'GET /api/me', 401),
        at(7, 'GET /api/v2/recommendations/42?key=s3cret', 404),
        'garbage line',
        '',
      ].join('\n'),
    );
    const jsonl = path.join(dir, 'edge.jsonl');
    writeFileSync(jsonl, [JSON.stringify({ time: '2026-12-04T09:00:09Z', method: 'GET', path: '/api/products/3', status: 200, duration: 40 }), '{not json'].join('\n') + '\n');

    const u = await readUsage(
      [
        { file: combined, format: 'combined' },
        { file: jsonl, format: 'json', requestTimeUnit: 'ms' },
      ],
      { lookup: matcher, basePaths: api.basePaths },
    );
    expect(u).toMatchObject({ requests: 7, outsideApi: 2, malformed: 2, outsideWindow: 0 });
    expect(u.malformedSamples).toEqual(['access.log:9: garbage line', 'edge.jsonl:2: {not json']);
    expect(u.firstAtMs).toBe(Date.parse('2026-12-04T09:00:02Z'));
    expect(u.lastAtMs).toBe(Date.parse('2026-12-04T09:00:09Z'));

    const product = u.operations.get('GET /api/products/{id}')!;
    expect(product.requests).toBe(4);
    expect(product.statusClasses).toEqual({ '2xx': 3, '3xx': 0, '4xx': 0, '5xx': 1 });
    expect(commonValues(product, 'id')).toEqual([['3', 3], ['8', 1]]);
    expect([...product.failingValues]).toEqual([['id=8', 1]]);
    expect([...product.signatures.values()]).toEqual([{ status: 503, count: 1, firstSeenMs: Date.parse('2026-12-04T09:00:04Z'), lastSeenMs: Date.parse('2026-12-04T09:00:04Z') }]);
    expect(p99Ms(product)).toBeGreaterThan(1180);
    expect(p99Ms(product)).toBeLessThan(1220);

    const search = u.operations.get('GET /api/products')!;
    expect(commonValues(search, 'q')).toEqual([['mug', 1]]);
    expect(search.values.has('token')).toBe(false);
    expect(u.operations.get('GET /api/me')?.statusClasses['4xx']).toBe(1);

    expect([...u.undocumented.keys()]).toEqual(['GET /api/v2/recommendations/{id}']);
    expect(u.undocumented.get('GET /api/v2/recommendations/{id}')?.example).toBe('/api/v2/recommendations/42?key=…');
  });

  it('skips requests older than the window', async () => {
    const api = await loadOpenApi(path.resolve('demo/openapi.yaml'));
    const file = path.join(dir, 'window.log');
    writeFileSync(file, ['01/Nov/2026:09:00:00', '04/Dec/2026:09:00:00'].map((t) => `1.2.3.4 - - [${t} +0000] "GET /api/health HTTP/1.1" 200 5 "-" "ua"`).join('\n') + '\n');
    const u = await readUsage([{ file, format: 'combined' }], { lookup: new OperationMatcher(api), sinceMs: Date.parse('2026-11-27T09:00:00Z') });
    expect(u).toMatchObject({ requests: 1, outsideWindow: 1 });
    expect(p99Ms(u.operations.get('GET /api/health')!)).toBeNull();
  });
});
