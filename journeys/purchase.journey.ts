/**
 * The demo shop's main revenue path: home → search → product → add to cart → checkout.
 * Run it with `observer run journeys/purchase.journey.ts` or plain `npx playwright test`.
 */
import { expect, journey, test } from 'production-observer/journey';

test(
  'Purchase flow',
  journey({
    id: 'purchase',
    tags: ['checkout', 'smoke'],
    schedule: '*/5 * * * *',
    timeoutMs: 60_000,
    stepTimeoutMs: 15_000,
    steps: {
      'Open home': { maxMs: 3000, degradedMs: 1500 },
      Search: { maxMs: 3000, degradedMs: 1500 },
      Checkout: { maxMs: 4000, degradedMs: 2000 },
    },
  }),
  async ({ page }) => {
    await test.step('Open home', async () => {
      await page.goto('/');
      await expect(page.getByRole('searchbox', { name: 'Search products' })).toBeVisible();
    });

    await test.step('Search', async () => {
      await page.getByRole('searchbox', { name: 'Search products' }).fill('trail');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByTestId('result-count')).toHaveText('2 results');
    });

    await test.step('Open product', async () => {
      await page.getByRole('link', { name: 'Trail Running Shoes' }).click();
      await expect(page.getByRole('button', { name: 'Add to cart' })).toBeVisible();
    });

    await test.step('Add to cart', async () => {
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await expect(page.getByTestId('cart-status')).toHaveText('Added to cart');
      await expect(page.getByTestId('cart-count')).toHaveText('1');
    });

    await test.step('Checkout', async () => {
      await page.getByRole('link', { name: 'Cart' }).click();
      await expect(page.getByTestId('cart-items')).toHaveAttribute('data-state', 'loaded');
      await page.getByRole('link', { name: 'Checkout' }).click();
      await page.getByLabel('Name').fill('Ada Lovelace');
      await page.getByLabel('Email').fill('ada@example.test');
      await page.getByLabel('Address').fill('1 Trail Road');
      await page.getByRole('button', { name: 'Place order' }).click();
      await expect(page.getByTestId('order-confirmation')).toHaveText(/^Order #\d+ confirmed$/);
    });
  },
);
