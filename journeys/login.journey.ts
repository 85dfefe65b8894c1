/**
 * Sign in to the demo shop. Credentials come from the environment (DEMO_USER / DEMO_PASSWORD);
 * register them as secrets (`${env:DEMO_PASSWORD}` in observer.config.ts) so they are redacted
 * from step names, errors and logs.
 */
import { expect, journey, test } from 'production-observer/journey';

const user = process.env.DEMO_USER ?? 'demo';
const password = process.env.DEMO_PASSWORD ?? 'demo-password-123';

test(
  'Login',
  journey({ id: 'login-flow', tags: ['auth', 'smoke'], steps: { 'Sign in': { maxMs: 3000, degradedMs: 1500 } } }),
  async ({ page }) => {
    await test.step('Open login', async () => {
      await page.goto('/login');
      await expect(page.getByLabel('Username')).toBeVisible();
    });

    await test.step('Sign in', async () => {
      await page.getByLabel('Username').fill(user);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('welcome')).toHaveText(`Welcome, ${user}`);
    });

    await test.step('Signed in on home', async () => {
      await page.goto('/');
      await expect(page.getByTestId('account')).toHaveText(`Signed in as ${user}`);
    });
  },
);
