/**
 * `npx playwright test` on a project made from the README's quick start: the package installed in
 * node_modules (linked here), `playwright.config.ts` from `production-observer/playwright`, a
 * journey file. Its tests are found, run in the monitoring Chromium, and a failure cites the
 * user's file, not the package's sources.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { ROOT } from './helpers.js';

const JOURNEY = `import { expect, test } from 'production-observer/journey';

test('Home', async ({ page }) => {
  await test.step('Open home', async () => {
    await page.goto('/');
    await expect(page.getByRole('searchbox', { name: 'Search products' })).toBeVisible();
  });
});

test('Broken', async ({ page }) => {
  await test.step('Open home', async () => {
    await page.goto('/');
  });
  await test.step('Buy', async () => {
    await page.getByRole('button', { name: 'No such button' }).click({ timeout: 500 });
  });
});
`;

let shop: DemoShop;
let dir: string;

beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
  dir = mkdtempSync(path.join(os.tmpdir(), 'observer-quickstart-'));
  mkdirSync(path.join(dir, 'node_modules/@playwright'), { recursive: true });
  symlinkSync(ROOT, path.join(dir, 'node_modules/production-observer'));
  symlinkSync(path.join(ROOT, 'node_modules/@playwright/test'), path.join(dir, 'node_modules/@playwright/test'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop-monitoring', private: true, type: 'module' }));
  writeFileSync(
    path.join(dir, 'playwright.config.ts'),
    `import { defineObserverConfig } from 'production-observer/playwright';\nexport default defineObserverConfig();\n`,
  );
  mkdirSync(path.join(dir, 'journeys'));
  writeFileSync(path.join(dir, 'journeys/shop.journey.ts'), JOURNEY);
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shop.close();
});

describe('quick start under npx playwright test', () => {
  it('finds the journeys, runs them in the monitoring Chromium and blames the user file', async () => {
    const cli = path.join(ROOT, 'node_modules/@playwright/test/cli.js');
    const child = spawn(process.execPath, [cli, 'test', '--reporter=line', '--workers=1'], {
      cwd: dir,
      env: { ...process.env, OBSERVER_BASE_URL: shop.url, CI: '1', FORCE_COLOR: '0', PLAYWRIGHT_NO_COPY_PROMPT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    expect(out).not.toContain('No tests found');
    expect(out).toMatch(/1 failed/);
    expect(out).toMatch(/1 passed/);
    const buyLine = JOURNEY.split('\n').findIndex((l) => l.includes('No such button')) + 1;
    expect(out).toContain(`journeys/shop.journey.ts:${buyLine}`);
    // The stack shows the user's file; the package's own frames are not in it.
    expect(out).not.toMatch(/dist\/journeys\/fixtures\.js|src\/journeys\/fixtures\.ts/);
    expect(code).toBe(1);
  });
});
