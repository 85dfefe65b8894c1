/** The Prometheus output is a reporter like the others: metrics.prom in the reports folder. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReporters } from '../../src/reporters/registry.js';
import { scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('prometheus reporter', () => {
  it('writes the run metrics in Prometheus text format, per monitor and location', async () => {
    const { report, context } = scenario(dir);
    const [reporter] = createReporters(['prometheus']);
    const files = await reporter.onEnd!(report, context);
    expect(files).toEqual([path.join(dir, 'metrics.prom')]);
    const text = await readFile(path.join(dir, 'metrics.prom'), 'utf8');
    expect(text).toMatch(/^# HELP observer_/m);
    for (const r of report.results) expect(text).toContain(`monitor="${r.monitor}"`);
  });
});
