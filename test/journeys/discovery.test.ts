/**
 * Discovery lists journeys through Playwright without running them, reads `journey()` settings,
 * applies observer.config.ts overrides and rejects wrong settings as configuration errors. A plain
 * `@playwright/test` spec is a journey too, with step timings from the reporter.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/diagnostics.js';
import { discoverJourneys } from '../../src/journeys/index.js';
import { ROOT, ctx, fixture, useShopRunner } from './helpers.js';

describe('discoverJourneys', () => {
  it('builds definitions from journey() settings, Playwright tags and config overrides', async () => {
    const defs = await discoverJourneys({
      rootDir: ROOT,
      journeyFiles: ['test/fixtures/journeys/passing/shop.journey.ts', fixture('plain', 'plain.spec.ts')],
      journeySettings: { 'plain.plain-spec': { retries: 2, timeoutMs: 20_000 } },
      defaults: { journeyTimeoutMs: 45_000, stepTimeoutMs: 10_000 },
    });
    const byId = new Map(defs.map((d) => [d.id, d]));
    expect([...byId.keys()].sort()).toEqual(['browse', 'plain.plain-spec']);
    expect(byId.get('browse')).toMatchObject({
      kind: 'journey',
      name: 'Browse',
      title: 'Browse',
      file: fixture('passing', 'shop.journey.ts'),
      retries: 0,
      timeoutMs: 45_000,
      stepTimeoutMs: 10_000,
      steps: { Search: { maxMs: 60_000 } },
      tags: ['smoke'],
    });
    expect(byId.get('plain.plain-spec')).toMatchObject({ name: 'Plain spec', retries: 2, timeoutMs: 20_000, stepTimeoutMs: 10_000, steps: {} });
  });

  it('rejects wrong settings with the file, the field and what was expected', async () => {
    const err = await discoverJourneys({ rootDir: ROOT, journeyFiles: [fixture('invalid-settings', 'bad.journey.ts')], journeySettings: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const diags = (err as ConfigError).diagnostics;
    expect(diags.length).toBeGreaterThanOrEqual(2);
    for (const d of diags) expect(d.file).toBe('test/fixtures/journeys/invalid-settings/bad.journey.ts');
    const text = diags.map((d) => `${d.path}: ${d.message}`).join('\n');
    expect(text).toMatch(/test "Bad settings"\.journey\(\)\.retries: .*(>=|minimum|at least)/i);
    expect(text).toMatch(/colour/);
  });

  it('reports a journey file that does not load as a configuration error', async () => {
    const err = await discoverJourneys({ rootDir: ROOT, journeyFiles: [fixture('passing', 'no-such.journey.ts')], journeySettings: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
  });
});

describe('plain @playwright/test spec as a journey', () => {
  const env = useShopRunner();

  it('runs with step timings from the reporter', async () => {
    const [d] = await discoverJourneys({ rootDir: ROOT, journeyFiles: [fixture('plain', 'plain.spec.ts')], journeySettings: {} });
    const [r] = await env.t.runner.run([d], ctx('run-plain'));
    expect(r.status).toBe('passed');
    expect(r.steps.map((s) => s.name)).toEqual(['Open home', 'Open cart']);
    for (const s of r.steps) {
      expect(s.status).toBe('passed');
      expect(s.durationMs).toBeGreaterThan(0);
      expect(s.location).toMatch(/^test\/fixtures\/journeys\/plain\/plain\.spec\.ts:\d+$/);
    }
  });
});
