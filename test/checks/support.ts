/** Builders shared by the check runner tests. */
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import type { MonitorResult } from '../../src/model/results.js';

export function apiCheck(url: string, overrides: Partial<ApiCheckDefinition> = {}): ApiCheckDefinition {
  const { expect: expectOverrides, request: requestOverrides, ...rest } = overrides;
  return {
    kind: 'api',
    id: 'orders-api',
    name: 'Orders API',
    file: 'checks/orders.check.ts',
    request: { method: 'GET', url, headers: {}, ...requestOverrides },
    expect: { status: [200], headers: [], body: [], ...expectOverrides },
    retries: 0,
    timeoutMs: 5_000,
    maxBodyBytes: 10 * 1024 * 1024,
    tags: ['test'],
    ...rest,
  };
}

export const ctx = { runId: 'run-1', location: 'test-lab', environment: 'test' };

/** The class and message of a result's error (or null), for compact assertions. */
export function errorOf(r: MonitorResult): { class: string; message: string } | null {
  return r.error ? { class: r.error.class, message: r.error.message } : null;
}

/** Wait until `cond()` holds, polling every 5 ms, at most `maxMs`. */
export async function until(cond: () => boolean, maxMs = 5_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
