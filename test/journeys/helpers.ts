/** Shared setup of the journey tests: fixture journeys by behaviour, definitions, a runner. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import type { JourneyDefinition } from '../../src/model/monitor.js';
import { Redactor } from '../../src/runtime/redact.js';
import { JourneyRunner, type JourneyRunnerOptions } from '../../src/journeys/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/journeys');
export const CHROMIUM = '/usr/bin/chromium';

export function fixture(behaviour: string, file: string): string {
  return path.join(FIXTURES, behaviour, file);
}

/** A definition as discovery would build it, with test-sized deadlines. */
export function def(file: string, title: string, overrides: Partial<JourneyDefinition> = {}): JourneyDefinition {
  return {
    kind: 'journey',
    id: overrides.id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    name: title,
    file,
    title,
    retries: 0,
    timeoutMs: 30_000,
    stepTimeoutMs: 15_000,
    steps: {},
    tags: [],
    ...overrides,
  };
}

export interface TestRunner {
  runner: JourneyRunner;
  outDir: string;
  redactor: Redactor;
  cleanup(): void;
}

export function makeRunner(baseUrl: string, opts: Partial<JourneyRunnerOptions> = {}): TestRunner {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'observer-journey-test-'));
  const redactor = opts.redactor ?? new Redactor();
  const runner = new JourneyRunner({
    workers: 2,
    outDir,
    redactor,
    baseUrl,
    chromiumPath: CHROMIUM,
    rootDir: ROOT,
    cwd: ROOT,
    ...opts,
  });
  return {
    runner,
    outDir,
    redactor,
    cleanup: () => {
      if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export const ctx = (runId: string) => ({ runId, location: 'test', environment: 'test' });

/**
 * A demo shop on 127.0.0.1 and a runner pointed at it, fresh for every test of the calling file
 * or describe block (registers its own beforeEach/afterEach): read `env.shop` and `env.t`.
 */
export function useShopRunner(): { shop: DemoShop; t: TestRunner } {
  const env = {} as { shop: DemoShop; t: TestRunner };
  beforeEach(async () => {
    env.shop = await startDemoShop({ env: {} });
    env.t = makeRunner(env.shop.url);
  });
  afterEach(async () => {
    env.t.cleanup();
    await env.shop.close();
  });
  return env;
}
