/**
 * A plain `@playwright/test` spec (codegen style, no import from production-observer) gets what a
 * journey gets: per-step vitals, network, console errors, a screenshot and a trace on failure, and
 * the failed step blamed with file:line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, def, fixture, makeRunner, useShopRunner } from './helpers.js';

const env = useShopRunner();

describe('plain @playwright/test specs', () => {
  it('collect vitals, network and console errors per step and keep screenshot and trace of a failure', async () => {
    const file = fixture('plain-failing', 'codegen.spec.ts');
    const t = makeRunner(env.shop.url, { trace: 'retain-on-failure' });
    try {
      const [r] = await t.runner.run([def(file, 'Codegen search', { id: 'codegen' })], ctx('run-codegen'));
      expect(r.status).toBe('failed');
      expect(r.steps.map((s) => [s.name, s.status])).toEqual([
        ['Open home', 'passed'],
        ['Search', 'failed'],
        ['Open product', 'skipped'],
      ]);
      const [home, search] = r.steps;
      expect(home.vitals?.[0]).toMatchObject({ url: `${env.shop.url}/` });
      expect(home.vitals?.[0].ttfbMs).toBeGreaterThan(0);
      expect(home.vitals?.[0].fcpMs).toBeGreaterThan(0);
      expect(home.network?.requests).toBeGreaterThan(0);
      expect(search.consoleErrors).toContain('console.error: plain spec console error');
      const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('no-such-element')) + 1;
      expect(search.error?.location).toBe(`test/fixtures/journeys/plain-failing/codegen.spec.ts:${line}`);
      const png = readFileSync(path.join(t.outDir, r.artifacts!.screenshot!));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const zip = readFileSync(path.join(t.outDir, r.artifacts!.trace!));
      expect(zip.includes(Buffer.from('trace.trace'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});
