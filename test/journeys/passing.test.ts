/** A passing journey through the real runner: every step timed, vitals and network present. */
import { describe, expect, it } from 'vitest';
import type { MonitorResult } from '../../src/model/results.js';
import { ctx, def, fixture, useShopRunner } from './helpers.js';

const env = useShopRunner();

describe('JourneyRunner: passing journey', () => {
  it('times every step, nests children and records vitals and network per step', async () => {
    const streamed: MonitorResult[] = [];
    const [r] = await env.t.runner.run([def(fixture('passing', 'shop.journey.ts'), 'Browse', { id: 'browse', steps: { Search: { maxMs: 60_000 } } })], {
      ...ctx('run-pass'),
      onResult: (x) => streamed.push(x),
    });
    expect(streamed).toHaveLength(1);
    expect(r).toMatchObject({ id: 'run-pass:browse', monitor: 'browse', kind: 'journey', status: 'passed', error: null, attempts: 1 });
    expect(r.steps.map((s) => s.name)).toEqual(['Open home', 'Search', 'Open product']);
    for (const s of r.steps) {
      expect(s.status).toBe('passed');
      expect(s.durationMs).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(s.startedAt))).toBe(false);
      expect(s.location).toMatch(/^test\/fixtures\/journeys\/passing\/shop\.journey\.ts:\d+$/);
      expect(s.network?.requests).toBeGreaterThan(0);
    }
    const [home, search, product] = r.steps;
    expect(home.vitals?.[0]).toMatchObject({ url: `${env.shop.url}/` });
    expect(home.vitals?.[0].ttfbMs).toBeGreaterThan(0);
    expect(home.vitals?.[0].fcpMs).toBeGreaterThan(0);
    expect(home.vitals?.[0].domContentLoadedMs).toBeGreaterThan(0);
    expect(home.vitals?.[0].loadMs).toBeGreaterThan(0);
    expect(typeof home.vitals?.[0].cls).toBe('number');
    expect(home.network?.bytes).toBeGreaterThan(0);
    // Search fetches results through the JSON API from client JS.
    // The search page's navigation is the step's own; the home page may be listed before it when typing
    // into its search box reported an interaction (INP) during this step.
    expect(search.vitals?.map((v) => v.url)).toContain(`${env.shop.url}/search?q=trail`);
    for (const v of search.vitals ?? []) if (v.url === `${env.shop.url}/`) expect(v.inpMs).toBeGreaterThanOrEqual(0);
    // The API calls and documents each step made, without query strings (what `observer gaps` reads).
    expect(search.network?.calls).toContainEqual({ method: 'GET', url: `${env.shop.url}/api/products`, count: 1, status: 200 });
    expect(search.network?.calls?.every((c) => !c.url.includes('?'))).toBe(true);
    expect(home.network?.calls?.map((c) => c.url)).not.toContain(`${env.shop.url}/static/hero.svg`);
    expect(product.steps?.map((s) => s.name)).toEqual(['Click result']);
    expect(product.steps?.[0].durationMs).toBeLessThanOrEqual(product.durationMs);
    expect(product.vitals?.[0].url).toBe(`${env.shop.url}/product/1`);
    expect(r.artifacts).toBeUndefined();
  });
});
