/** The pure parts of the journey integration: classification, step mapping, SLA, static steps, Chromium. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyJourneyError, summarizeError } from '../../src/journeys/classify.js';
import { ChromiumNotFoundError, resolveChromium } from '../../src/journeys/chromium.js';
import { applyStepSla } from '../../src/journeys/results.js';
import { journey, settingsFromAnnotations } from '../../src/journeys/settings.js';
import { staticStepTitles } from '../../src/journeys/static-steps.js';
import { buildAttemptSteps, type PlaywrightStepLike } from '../../src/journeys/steps.js';
import type { CollectedJourney } from '../../src/journeys/protocol.js';
import type { StepResult } from '../../src/model/results.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'observer-journey-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('classifyJourneyError', () => {
  it.each([
    ['Test timeout of 30000ms exceeded.', 'timeout'],
    ['Step timeout of 2000ms exceeded.', 'timeout'],
    ['page.goto: Test timeout of 20000ms exceeded.', 'timeout'],
    ['page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/', 'connection_refused'],
    ['page.goto: net::ERR_NAME_NOT_RESOLVED at http://nope.invalid/', 'dns'],
    ['page.goto: net::ERR_ABORTED at chrome://crash', 'navigation'],
    ['page.goto: Timeout 5000ms exceeded.', 'timeout'],
    ['locator.click: Target page, context or browser has been closed', 'browser_crash'],
    ['Error: Worker process exited unexpectedly (code=7, signal=null)', 'journey_error'],
    ["expect(locator).toHaveText(expected) failed\n\nLocator: getByTestId('x')", 'element'],
    ['TimeoutError: locator.click: Timeout 1000ms exceeded.', 'element'],
    ['TypeError: Cannot read properties of undefined', 'journey_error'],
  ])('%s → %s', (message, cls) => {
    expect(classifyJourneyError(message)).toBe(cls);
  });

  it('summarizes a multi-line expect failure into one line with the awaited locator', () => {
    const msg = "\u001b[31mTimeoutError: locator.click: Timeout 1000ms exceeded.\u001b[39m\nCall log:\n  - waiting for getByRole('button', { name: 'Buy' })\n\n   7 |   await x;";
    expect(summarizeError(msg)).toBe("locator.click: Timeout 1000ms exceeded.; waiting for getByRole('button', { name: 'Buy' })");
  });
});

const step = (title: string, extra: Partial<PlaywrightStepLike> = {}): PlaywrightStepLike => ({
  title,
  category: 'test.step',
  startTime: new Date(1_000),
  duration: 100,
  location: { file: '/p/journeys/a.journey.ts', line: 10 },
  steps: [],
  ...extra,
});

describe('buildAttemptSteps', () => {
  const collected: CollectedJourney = {
    version: 1,
    consoleErrors: [],
    steps: [
      { index: 0, title: 'One', parent: null, startedAtMs: 5_000, durationMs: 42.123, vitals: [], network: { requests: 3, failedRequests: 1, bytes: 10 }, consoleErrors: ['console.error: x'] },
      { index: 1, title: 'Two', parent: null, startedAtMs: 6_000, durationMs: 7, vitals: [], network: { requests: 0, failedRequests: 0, bytes: 0 }, consoleErrors: [] },
    ],
  };

  it('takes the fixture durations and data, and lists unrun steps as skipped after a failure', () => {
    const out = buildAttemptSteps({
      steps: [
        step('One', { steps: [{ ...step('pw api'), category: 'pw:api' }] }),
        step('Two', { error: { message: 'expect(locator).toBeVisible() failed', location: { file: '/p/journeys/a.journey.ts', line: 14 } } }),
      ],
      outcome: 'failed',
      errors: [{ message: 'expect(locator).toBeVisible() failed' }],
      collected,
      rootDir: '/p',
      staticTitles: ['One', 'Two', 'Three'],
      endedAtMs: 9_000,
    });
    expect(out.steps.map((s) => [s.name, s.status, s.durationMs])).toEqual([
      ['One', 'passed', 42.12],
      ['Two', 'failed', 7],
      ['Three', 'skipped', 0],
    ]);
    expect(out.steps[0]).toMatchObject({ startedAt: new Date(5_000).toISOString(), network: { requests: 3, failedRequests: 1 }, consoleErrors: ['console.error: x'] });
    expect(out.error).toEqual({ class: 'element', message: 'expect(locator).toBeVisible() failed', location: 'journeys/a.journey.ts:14' });
  });

  it('blames the running step for a test timeout when the fixture never saw it settle', () => {
    const out = buildAttemptSteps({
      steps: [step('One'), step('Two')],
      outcome: 'timedOut',
      errors: [{ message: 'Test timeout of 5000ms exceeded.' }],
      collected: { ...collected, steps: [collected.steps[0], { ...collected.steps[1], durationMs: undefined }] },
      rootDir: '/p',
      endedAtMs: 9_000,
    });
    expect(out.steps[1]).toMatchObject({ status: 'failed', error: { class: 'timeout', location: 'journeys/a.journey.ts:10' } });
    expect(out.error?.class).toBe('timeout');
  });

  it('falls back to Playwright durations without fixture data (plain specs)', () => {
    const out = buildAttemptSteps({ steps: [step('One', { duration: 123 })], outcome: 'passed', errors: [], rootDir: '/p', endedAtMs: 0 });
    expect(out).toEqual({
      steps: [{ name: 'One', status: 'passed', startedAt: new Date(1_000).toISOString(), durationMs: 123, error: null, location: 'journeys/a.journey.ts:10' }],
      error: null,
    });
  });
});

describe('applyStepSla', () => {
  const s = (name: string, durationMs: number): StepResult => ({ name, status: 'passed', startedAt: 'x', durationMs, error: null });
  it('degrades over degradedMs and fails over maxMs, leaving other steps alone', () => {
    const out = applyStepSla([s('A', 900), s('B', 1300), s('C', 2500), s('D', 5000)], {
      B: { maxMs: 2000, degradedMs: 1200 },
      C: { maxMs: 2000, degradedMs: 1200 },
      A: { maxMs: 2000, degradedMs: 1200 },
    });
    expect(out.map((x) => x.status)).toEqual(['passed', 'degraded', 'failed', 'passed']);
    expect(out[2].error).toEqual({ class: 'sla', message: 'step "C" took 2500 ms, over its maxMs of 2000 ms' });
  });
});

describe('journey() settings', () => {
  it('round-trips through the test annotation and turns tags into Playwright tags', () => {
    const details = journey({ tags: ['smoke', '@checkout'], steps: { Pay: { maxMs: 10 } } });
    expect(details.tag).toEqual(['@smoke', '@checkout']);
    expect(settingsFromAnnotations([details.annotation])).toEqual({ raw: { tags: ['smoke', '@checkout'], steps: { Pay: { maxMs: 10 } } } });
    expect(settingsFromAnnotations([])).toBeUndefined();
  });
});

describe('staticStepTitles', () => {
  it('lists top-level literal step titles per test in source order', () => {
    const file = path.join(tmp, 'x.journey.ts');
    writeFileSync(
      file,
      `import { test } from '@playwright/test';
test('A', { tag: '@x' }, async ({ page }: { page: unknown }) => {
  await test.step('One', async () => { await test.step('inner', async () => {}); });
  await test.step(\`Two\`, async () => {});
  await test.step(\`dynamic \${1}\`, async () => {});
});
test.describe('d', () => { test('B', async () => { await test.step('Z', () => {}); }); });
`,
    );
    expect(staticStepTitles(file)).toEqual(new Map([['A', ['One', 'Two']], ['B', ['Z']]]));
    expect(staticStepTitles(path.join(tmp, 'missing.ts'))).toEqual(new Map());
  });
});

describe('resolveChromium', () => {
  it('prefers OBSERVER_CHROMIUM and fails with one actionable line when it points nowhere', () => {
    expect(resolveChromium({ OBSERVER_CHROMIUM: '/usr/bin/chromium' })).toEqual({ executablePath: '/usr/bin/chromium', source: 'OBSERVER_CHROMIUM' });
    expect(resolveChromium({})).toEqual({ executablePath: '/usr/bin/chromium', source: 'system' });
    let err: unknown;
    try {
      resolveChromium({ OBSERVER_CHROMIUM: path.join(tmp, 'no-chromium') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChromiumNotFoundError);
    expect((err as Error).message).toMatch(/apt-get install chromium.*OBSERVER_CHROMIUM/);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });
});
