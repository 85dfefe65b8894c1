/**
 * `production-observer/playwright`: a Playwright config for a project's journeys, so
 * `npx playwright test` (and UI mode, codegen, the trace viewer) run them as `observer run` does:
 *
 * ```ts
 * // playwright.config.ts
 * import { defineObserverConfig } from 'production-observer/playwright';
 * export default defineObserverConfig({ use: { baseURL: 'https://staging.example.com' } });
 * ```
 *
 * It sets the journeys' test pattern (`journeys/**\/*.journey.ts`), the monitoring Chromium
 * (`OBSERVER_CHROMIUM`, else Debian's `/usr/bin/chromium`, else Playwright's download) with its flags,
 * and a trace and screenshot on failure. What you pass is merged on top (`use` and `launchOptions`
 * key by key). `observer run` reads the same file and layers its own settings over it
 * (src/journeys/layer-config.ts).
 */
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { CHROMIUM_ARGS, resolveChromium } from './chromium.js';

export { CHROMIUM_ARGS } from './chromium.js';

/** Where journeys live and how they are named, relative to the config file. */
export const JOURNEY_TEST_DIR = 'journeys';
export const JOURNEY_TEST_MATCH = '**/*.journey.ts';

function executablePath(): string | undefined {
  try {
    return resolveChromium().executablePath;
  } catch {
    // No Chromium found: leave it to Playwright, whose own error says how to install one.
    return undefined;
  }
}

export function defineObserverConfig(config: PlaywrightTestConfig = {}): PlaywrightTestConfig {
  const exe = executablePath();
  const launchOptions = config.use?.launchOptions ?? {};
  return defineConfig({
    testDir: JOURNEY_TEST_DIR,
    testMatch: JOURNEY_TEST_MATCH,
    fullyParallel: true,
    reporter: 'list',
    ...config,
    use: {
      baseURL: process.env.OBSERVER_BASE_URL ?? 'http://127.0.0.1:4173',
      browserName: 'chromium',
      headless: true,
      trace: 'retain-on-failure',
      screenshot: 'only-on-failure',
      ...config.use,
      launchOptions: {
        ...(exe ? { executablePath: exe } : {}),
        ...launchOptions,
        args: [...new Set([...CHROMIUM_ARGS, ...(launchOptions.args ?? [])])],
      },
    },
  });
}
