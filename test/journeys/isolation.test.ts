/**
 * One journey's crash is that journey's classified failure; the others keep their results. Abort
 * records unfinished journeys as `aborted`; a worker stuck in synchronous code is stopped by the
 * runner's watchdog as a `timeout` at the step it was in, and the rest still run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import type { MonitorResult } from '../../src/model/results.js';
import { ctx, def, fixture, makeRunner, type TestRunner } from './helpers.js';

let shop: DemoShop;
let t: TestRunner;

beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
});
afterEach(async () => {
  t?.cleanup();
  await shop.close();
});

const byId = (results: MonitorResult[]) => new Map(results.map((r) => [r.monitor, r]));

describe('JourneyRunner: isolation', () => {
  it('classifies a renderer crash and a worker exit per journey while a healthy journey passes', async () => {
    t = makeRunner(shop.url, { workers: 2 });
    const results = await t.runner.run(
      [
        def(fixture('crash', 'page-crash.journey.ts'), 'Renderer crash', { id: 'page-crash' }),
        def(fixture('crash', 'worker-exit.journey.ts'), 'Worker exit', { id: 'worker-exit' }),
        def(fixture('crash', 'healthy.journey.ts'), 'Healthy', { id: 'healthy' }),
      ],
      ctx('run-crash'),
    );
    expect(results).toHaveLength(3);
    const r = byId(results);
    expect(r.get('healthy')?.status).toBe('passed');
    expect(r.get('healthy')?.steps.map((s) => s.status)).toEqual(['passed', 'passed']);

    const crash = r.get('page-crash')!;
    expect(crash.status).toBe('failed');
    expect(crash.error?.class).toBe('browser_crash');
    expect(crash.steps.map((s) => [s.name, s.status])).toEqual([
      ['Open home', 'passed'],
      ['Crash the tab', 'failed'],
      ['Never reached', 'skipped'],
    ]);

    const exit = r.get('worker-exit')!;
    expect(exit.status).toBe('failed');
    expect(exit.error?.class).toBe('journey_error');
    expect(exit.steps.find((s) => s.name === 'Exit the worker')?.status).toBe('failed');
  });

  it('stops a worker stuck in synchronous code at the journey deadline and still runs the others', async () => {
    t = makeRunner(shop.url, { workers: 1, graceMs: 2_000 });
    const results = await t.runner.run(
      [
        def(fixture('busy-loop', 'busy.journey.ts'), 'Busy loop', { id: 'busy', timeoutMs: 4_000, stepTimeoutMs: 4_000 }),
        def(fixture('crash', 'healthy.journey.ts'), 'Healthy', { id: 'healthy' }),
      ],
      ctx('run-busy'),
    );
    const r = byId(results);
    const busy = r.get('busy')!;
    expect(busy.status).toBe('failed');
    expect(busy.error?.class).toBe('timeout');
    expect(busy.steps.map((s) => [s.name, s.status])).toEqual([
      ['Open home', 'passed'],
      ['Spin', 'failed'],
      ['After spin', 'skipped'],
    ]);
    expect(busy.steps[1].error?.location).toMatch(/busy\.journey\.ts:\d+$/);
    expect(r.get('healthy')?.status).toBe('passed');
  });

  it('records unfinished journeys as aborted when the run is aborted, keeping finished ones', async () => {
    shop.setFault('/search', { hang: true });
    t = makeRunner(shop.url, { workers: 1, graceMs: 2_000 });
    const controller = new AbortController();
    const seen: MonitorResult[] = [];
    const run = t.runner.run(
      [
        def(fixture('crash', 'healthy.journey.ts'), 'Healthy', { id: 'healthy' }),
        def(fixture('hang', 'hang.journey.ts'), 'Hanging search', { id: 'hang', timeoutMs: 120_000, stepTimeoutMs: 120_000 }),
      ],
      {
        ...ctx('run-abort'),
        signal: controller.signal,
        onResult: (x) => {
          seen.push(x);
          // The healthy journey is done; the hanging one is now running in the only worker.
          if (x.monitor === 'healthy') setTimeout(() => controller.abort(), 3_000);
        },
      },
    );
    const results = await run;
    const r = byId(results);
    expect(r.get('healthy')?.status).toBe('passed');
    const hang = r.get('hang')!;
    expect(hang.status).toBe('failed');
    expect(hang.error?.class).toBe('aborted');
    expect(seen.map((x) => x.monitor).sort()).toEqual(['hang', 'healthy']);
  });
});
