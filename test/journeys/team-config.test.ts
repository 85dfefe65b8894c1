/**
 * The team's playwright.config.ts is respected under observer: its setup project signs in once and
 * saves storageState, globalSetup runs, `use` options (baseURL, viewport, locale) apply, and the
 * WebKit project gets one line and is skipped. The plain spec gets vitals and steps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/config/diagnostics.js';
import { discoverJourneys } from '../../src/journeys/index.js';
import { ctx, FIXTURES, makeRunner, ROOT } from './helpers.js';

const DIR = path.join(FIXTURES, 'team-config');
const CONFIG = path.join(DIR, 'playwright.config.ts');
let shop: DemoShop;

beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
});
afterEach(async () => {
  await shop.close();
});

describe('team playwright.config', () => {
  it('runs the setup project first, keeps use options and skips the WebKit project with one line', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TEAM_BASE_URL: shop.url, TEAM_PASSWORD: 'demo-password-123' };
    delete env.OBSERVER_BASE_URL;
    const lines: string[] = [];
    const defs = await discoverJourneys({
      rootDir: ROOT,
      journeyFiles: [path.join(DIR, 'tests/account.spec.ts')],
      journeySettings: {},
      env,
      playwrightConfig: CONFIG,
      log: (l) => lines.push(l),
    });
    expect(defs.map((d) => d.title)).toEqual(['Account']);
    const notices = lines.filter((l) => l.includes('skipping Playwright project'));
    expect(notices).toEqual([expect.stringContaining('"safari" of playwright.config.ts: it needs webkit')]);

    const t = makeRunner(shop.url, { baseUrl: undefined, env, playwrightConfig: CONFIG, cwd: DIR, trace: 'off' });
    try {
      const [r] = await t.runner.run(defs, ctx('run-team'));
      expect(r.error).toBeNull();
      expect(r.steps.map((s) => [s.name, s.status])).toEqual([
        ['Open home signed in', 'passed'],
        ['Search', 'passed'],
      ]);
      expect(r.steps[0].vitals?.[0].url).toBe(`${shop.url}/`);
      expect(r.steps[0].vitals?.[0].fcpMs).toBeGreaterThan(0);
    } finally {
      t.cleanup();
    }
  });
});

describe('journeys.playwrightConfig in observer.config', () => {
  it('points at another config file, and a missing one is a configuration error naming the field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'observer-pwconfig-'));
    try {
      writeFileSync(path.join(dir, 'e2e.config.mjs'), 'export default { testDir: "specs" };\n');
      writeFileSync(path.join(dir, 'observer.config.mjs'), 'export default { journeys: { playwrightConfig: "e2e.config.mjs" } };\n');
      const ok = await loadConfig({ cwd: dir, env: {} });
      expect(ok.playwrightConfig).toBe(path.join(dir, 'e2e.config.mjs'));
      expect(ok.journeyFiles).toEqual([]);

      writeFileSync(path.join(dir, 'observer.config.mjs'), 'export default { journeys: { playwrightConfig: "missing.config.ts" } };\n');
      const err = await loadConfig({ cwd: dir, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).diagnostics).toContainEqual(
        expect.objectContaining({ path: 'journeys.playwrightConfig', message: expect.stringContaining('missing.config.ts does not exist') }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
