/**
 * `observer record`: the codegen recording becomes a journey with one test.step per navigation,
 * relative URLs, hoisted variables; the converted file runs under the JourneyRunner. (Codegen itself
 * needs a display and a person; the conversion of its output is what is tested here.)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingToJourney, RecordingError } from '../../src/journeys/record.js';
import { ctx, def, ROOT, useShopRunner } from './helpers.js';

/** What `playwright codegen --target playwright-test` wrote for a session on the demo shop. */
const CODEGEN = `import { test, expect } from '@playwright/test';

test('test', async ({ page }) => {
  await page.goto('http://127.0.0.1:4173/');
  await page.getByRole('searchbox', { name: 'Search products' }).click();
  await page.getByRole('searchbox', { name: 'Search products' }).fill('trail');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Trail Running Shoes' }).click();
  const cartPromise = page.waitForResponse('**/api/cart');
  await page.getByTestId('add-to-cart').click();
  await cartPromise;
  await page.goto('http://127.0.0.1:4173/cart');
  await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
});
`;

describe('recordingToJourney', () => {
  it('groups the recorded actions into steps at each navigation', () => {
    const out = recordingToJourney(CODEGEN, { name: 'Shop purchase', origin: 'http://127.0.0.1:4173' });
    expect(out).toBe(`import { test, expect } from '@playwright/test';

test("Shop purchase", async ({ page }) => {
  let cartPromise;
  await test.step("Open /", async () => {
    await page.goto('/');
    await page.getByRole('searchbox', { name: 'Search products' }).click();
    await page.getByRole('searchbox', { name: 'Search products' }).fill('trail');
    await page.getByRole('button', { name: 'Search' }).click();
  });
  await test.step("Open 'Trail Running Shoes'", async () => {
    await page.getByRole('link', { name: 'Trail Running Shoes' }).click();
    cartPromise = page.waitForResponse('**/api/cart');
    await page.getByTestId('add-to-cart').click();
    await cartPromise;
  });
  await test.step("Open /cart", async () => {
    await page.goto('/cart');
    await expect(page.getByRole('heading', { name: 'Your cart' })).toBeVisible();
  });
});
`);
  });

  it('rejects a file without a test', () => {
    expect(() => recordingToJourney('const x = 1;\n', { name: 'x' })).toThrow(RecordingError);
  });
});

describe('a converted recording', () => {
  const env = useShopRunner();

  it('runs as a journey with its steps', async () => {
    const dir = path.join(ROOT, 'test-results', `record-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'shop.journey.ts');
    try {
      writeFileSync(file, recordingToJourney(CODEGEN, { name: 'Shop purchase', origin: 'http://127.0.0.1:4173' }));
      const [r] = await env.t.runner.run([def(file, 'Shop purchase', { id: 'recorded' })], ctx('run-recorded'));
      expect(r.error).toBeNull();
      expect(r.steps.map((s) => [s.name, s.status])).toEqual([
        ['Open /', 'passed'],
        ["Open 'Trail Running Shoes'", 'passed'],
        ['Open /cart', 'passed'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
