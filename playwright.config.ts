/**
 * Plain Playwright config for the journeys, so `npx playwright test`, UI mode, codegen and the trace
 * viewer work on them unchanged. `observer run` does not read this file: it generates its own config
 * with the same browser (src/journeys/chromium.ts) and its reporter.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, resolveChromium } from './src/journeys/chromium.js';

const chromium = resolveChromium();

export default defineConfig({
  testDir: 'journeys',
  testMatch: '*.journey.ts',
  fullyParallel: true,
  reporter: 'list',
  use: {
    baseURL: process.env.OBSERVER_BASE_URL ?? 'http://127.0.0.1:4173',
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromium.executablePath, args: [...CHROMIUM_ARGS] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
