/**
 * Which Chromium the journeys drive, decided in one place for both `playwright.config.ts` and the
 * JourneyRunner: `OBSERVER_CHROMIUM`, else `/usr/bin/chromium`, else Playwright's own download.
 * Kept free of Playwright imports at module load so a config file can import it cheaply.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';

/** Launch flags for a monitoring browser: no sandbox (containers), no background chatter that adds noise to timings. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export type ChromiumSource = 'OBSERVER_CHROMIUM' | 'system' | 'playwright';

export interface ResolvedChromium {
  /** Absolute path of the executable. */
  executablePath: string;
  /** Where it came from, for the run header. */
  source: ChromiumSource;
}

/** No usable Chromium: the message is the one line a person needs to fix it. */
export class ChromiumNotFoundError extends Error {
  readonly code = 'E_CHROMIUM_NOT_FOUND';
  constructor(detail: string) {
    super(
      `no Chromium found (${detail}): install one with \`apt-get install chromium\` (or \`npx playwright install chromium\`), or set OBSERVER_CHROMIUM to its executable`,
    );
    this.name = 'ChromiumNotFoundError';
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Playwright's downloaded Chromium, when `npx playwright install chromium` was run. */
function playwrightChromium(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const { chromium } = require('playwright-core') as { chromium: { executablePath(): string } };
    const file = chromium.executablePath();
    return file && isExecutable(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolve the Chromium executable. An `OBSERVER_CHROMIUM` that points nowhere is an error (never a
 * silent fallback to another browser); otherwise the first of system and Playwright's that exists.
 */
export function resolveChromium(env: NodeJS.ProcessEnv = process.env): ResolvedChromium {
  const explicit = env.OBSERVER_CHROMIUM?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new ChromiumNotFoundError(`OBSERVER_CHROMIUM=${explicit} is not an executable file`);
    return { executablePath: explicit, source: 'OBSERVER_CHROMIUM' };
  }
  if (isExecutable(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, source: 'system' };
  const bundled = playwrightChromium();
  if (bundled) return { executablePath: bundled, source: 'playwright' };
  throw new ChromiumNotFoundError(`OBSERVER_CHROMIUM is not set, ${SYSTEM_CHROMIUM} does not exist and Playwright's browser is not installed`);
}
