/** The shop's client-side flows in real Chromium: what journeys will drive. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { startDemoShop, type DemoShop } from '../../demo/server.js';

let browser: Browser;
let shop: DemoShop;
let context: BrowserContext;
let page: Page;
/** Client-side rendering on a busy machine: poll generously (vitest's default is 1 s). */
const POLL = { timeout: 15_000, interval: 50 };

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
  context = await browser.newContext();
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
});
afterEach(async () => {
  await context?.close();
  await shop.close();
});

describe('demo shop in Chromium', () => {
  it('home: the LCP element is the hero image or headline', async () => {
    await page.goto(shop.url);
    const lcp = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          new PerformanceObserver((list) => {
            const entries = list.getEntries() as Array<PerformanceEntry & { element?: Element | null }>;
            const last = entries[entries.length - 1];
            const el = last?.element;
            resolve(el ? `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `#${el.getAttribute('data-testid')}` : ''}:${el.getAttribute('src') ?? ''}` : 'none');
          }).observe({ type: 'largest-contentful-paint', buffered: true });
        }),
    );
    expect(['img:/static/hero.svg', 'h1#hero-title:']).toContain(lcp);
  });

  it('search -> product -> add to cart -> cart -> checkout -> confirmation', async () => {
    await page.goto(shop.url);
    await page.getByRole('searchbox', { name: 'Search products' }).fill('trail');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByTestId('result-count').textContent(), POLL).toBe('2 results');
    expect(await page.getByTestId('result-item').count()).toBe(2);
    await page.getByRole('link', { name: 'Trail Running Shoes' }).click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.getByTestId('cart-status').textContent(), POLL).toBe('Added to cart');
    expect(await page.getByTestId('cart-count').textContent()).toBe('1');
    await page.getByRole('link', { name: 'Cart' }).click();
    await expect.poll(() => page.getByTestId('cart-items').getAttribute('data-state'), POLL).toBe('loaded');
    expect(await page.getByTestId('cart-item').textContent()).toContain('1 × Trail Running Shoes');
    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.test');
    await page.getByLabel('Address').fill('1 Trail Road');
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect.poll(() => page.getByTestId('order-confirmation').textContent(), POLL).toBe('Order #1001 confirmed');
    expect(await page.getByTestId('cart-count').textContent()).toBe('0');
  });

  it('login: good credentials greet the user and set the cookie; bad ones show an error', async () => {
    await page.goto(`${shop.url}/login`);
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), POLL).toBe('Invalid username or password');
    await page.getByLabel('Password').fill('demo-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('welcome').textContent(), POLL).toBe('Welcome, demo');
    const cookies = await context.cookies(shop.url);
    expect(cookies.find((c) => c.name === 'demo_session')?.httpOnly).toBe(true);
    await page.goto(shop.url);
    expect(await page.getByTestId('account').textContent()).toBe('Signed in as demo');
  });

  it('API faults surface in the browser: 503 and schema drift show the search error', async () => {
    shop.setFault('/api/products', { status: 503, count: 1 });
    await page.goto(`${shop.url}/search?q=cap`);
    await expect.poll(() => page.getByTestId('search-error').textContent(), POLL).toBe('Search is unavailable: injected fault: HTTP 503');
    shop.setFault('/api/products', { schemaDrift: true, count: 1 });
    await page.goto(`${shop.url}/search?q=cap`);
    await expect.poll(() => page.getByTestId('results').getAttribute('data-state'), POLL).toBe('error');
    expect(await page.getByTestId('search-error').textContent()).toBe('Search is unavailable: unexpected search response');
    await page.goto(`${shop.url}/search?q=cap`);
    await expect.poll(() => page.getByTestId('result-count').textContent(), POLL).toBe('1 result');
  });
});
