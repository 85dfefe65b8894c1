/**
 * Failing journeys through the real runner: the right step blamed with its location, later steps
 * skipped, artifacts written (the trace opens in Playwright's trace viewer: it is a trace zip), a
 * hang ended at its step deadline, injected latency landing in the right step.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeAttempts } from '../../src/journeys/results.js';
import { ctx, def, fixture, makeRunner, useShopRunner } from './helpers.js';

const env = useShopRunner();

describe('JourneyRunner: failures', () => {
  it('blames the step whose element is missing, skips the rest, and saves screenshot and trace', async () => {
    const file = fixture('element-missing', 'missing.journey.ts');
    const [r] = await env.t.runner.run([def(file, 'Missing button', { id: 'missing' })], ctx('run-missing'));
    expect(r.status).toBe('failed');
    expect(r.attempts).toBe(1);
    // The default trace policy re-ran it traced: said, not counted.
    expect(describeAttempts(r.attemptDetails ?? [])).toBe("attempt 1 failed at 'Buy now', attempt 2 traced re-run, failed at 'Buy now'");
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['Open home', 'passed'],
      ['Buy now', 'failed'],
      ['Pay', 'skipped'],
      ['Confirm', 'skipped'],
    ]);
    const failed = r.steps[1];
    const clickLine = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('Buy the whole shop')) + 1;
    expect(failed.error).toMatchObject({ class: 'element', location: `test/fixtures/journeys/element-missing/missing.journey.ts:${clickLine}` });
    expect(failed.error?.message).toContain('Buy the whole shop');
    expect(r.error).toEqual(failed.error);

    expect(r.artifacts?.screenshot).toBe('artifacts/run-missing/missing/screenshot.png');
    expect(r.artifacts?.trace).toBe('artifacts/run-missing/missing/trace.zip');
    const png = readFileSync(path.join(env.t.outDir, r.artifacts!.screenshot!));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const zip = readFileSync(path.join(env.t.outDir, r.artifacts!.trace!));
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    // A Playwright trace zip holds the action log `trace.trace` (what show-trace opens).
    expect(zip.includes(Buffer.from('trace.trace'))).toBe(true);
  });

  it('ends a hanging page as a timeout at the step where it hung, within the step deadline', async () => {
    env.shop.setFault('/search', { hang: true });
    const [r] = await env.t.runner.run(
      [def(fixture('hang', 'hang.journey.ts'), 'Hanging search', { id: 'hang', timeoutMs: 20_000, stepTimeoutMs: 2_000 })],
      ctx('run-hang'),
    );
    expect(r.status).toBe('failed');
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['Open home', 'passed'],
      ['Search', 'failed'],
      ['Open product', 'skipped'],
    ]);
    const search = r.steps[1];
    expect(search.error?.class).toBe('timeout');
    expect(search.error?.message).toMatch(/timeout of 2000ms exceeded/i);
    expect(search.durationMs).toBeGreaterThanOrEqual(1_900);
    expect(search.durationMs).toBeLessThan(2_000 + 3_000);
    expect(r.error?.class).toBe('timeout');
  });

  it('puts injected API latency into the step that waited for it', async () => {
    env.shop.setFault('/api/products', { latencyMs: 1_500 });
    const [r] = await env.t.runner.run([def(fixture('latency', 'latency.journey.ts'), 'Search latency', { id: 'latency' })], ctx('run-latency'));
    expect(r.status).toBe('passed');
    const [home, search, product] = r.steps;
    expect(search.durationMs).toBeGreaterThanOrEqual(1_500);
    expect(search.network?.slowestUrl).toContain('/api/products');
    expect(search.network?.slowestMs).toBeGreaterThanOrEqual(1_500);
    for (const other of [home, product]) expect(other.network?.slowestUrl ?? '').not.toContain('/api/products');
  });

  it('applies the per-step SLA: a step over its maxMs fails the journey with class sla', async () => {
    env.shop.setFault('/api/products', { latencyMs: 600 });
    const file = fixture('latency', 'latency.journey.ts');
    const [failed] = await env.t.runner.run([def(file, 'Search latency', { id: 'sla-max', steps: { Search: { maxMs: 500 } } })], ctx('run-sla-1'));
    expect(failed.status).toBe('failed');
    expect(failed.steps[1]).toMatchObject({ name: 'Search', status: 'failed', error: { class: 'sla' } });
    expect(failed.error?.message).toMatch(/^step "Search" took \d+ ms, over its maxMs of 500 ms$/);
    expect(existsSync(path.join(env.t.outDir, 'artifacts'))).toBe(false);
  });

  it('retries a failed journey: a transient API error fails attempt 1, attempt 2 passes and is traced', async () => {
    env.shop.setFault('/api/products', { status: 503, count: 1 });
    const [r] = await env.t.runner.run(
      [def(fixture('latency', 'latency.journey.ts'), 'Search latency', { id: 'flaky', retries: 1, stepTimeoutMs: 10_000 })],
      ctx('run-retry'),
    );
    expect(r.status).toBe('passed');
    expect(r.attempts).toBe(2);
    expect(r.attemptDetails?.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'passed'],
    ]);
    expect(r.attemptDetails?.[0].error?.class).toBe('element');
    expect(r.steps.every((s) => s.status === 'passed')).toBe(true);
    expect(r.artifacts?.trace).toBe('artifacts/run-retry/flaky/trace.zip');
    expect(existsSync(path.join(env.t.outDir, r.artifacts!.trace!))).toBe(true);
  });

  it('with trace retain-on-failure keeps the trace of the failing attempt itself, without a re-run', async () => {
    const own = makeRunner(env.shop.url, { trace: 'retain-on-failure' });
    try {
      const [r] = await own.runner.run([def(fixture('element-missing', 'missing.journey.ts'), 'Missing button', { id: 'missing' })], ctx('run-retain'));
      expect(r.status).toBe('failed');
      expect(r.attempts).toBe(1);
      expect(r.artifacts).toEqual({ screenshot: 'artifacts/run-retain/missing/screenshot.png', trace: 'artifacts/run-retain/missing/trace.zip' });
      expect(existsSync(path.join(own.outDir, r.artifacts!.trace!))).toBe(true);
    } finally {
      own.cleanup();
    }
  });
});
