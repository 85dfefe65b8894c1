/**
 * Journey ids and titles (issue 12, item 6): derived ids are capped at 128, artifact folders have
 * short stable names, an artifact that could not be saved is reported, and a newline in a test
 * title does not stop the journey from running.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { capId, MAX_ID_LENGTH } from '../../src/journeys/discover.js';
import { artifactDirName, describeAttempts, saveArtifacts } from '../../src/journeys/results.js';
import { testListLines } from '../../src/journeys/runner.js';
import { ctx, def, fixture, useShopRunner } from './helpers.js';

describe('ids and folder names', () => {
  it('caps a long derived id at 128, stable and distinct', () => {
    const long = `shop.${'a-very-long-title-'.repeat(20)}`;
    const id = capId(long);
    expect(id.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
    expect(capId(long)).toBe(id);
    expect(capId(`${long}x`)).not.toBe(id);
    expect(capId('shop.browse')).toBe('shop.browse');
  });

  it('derives a short stable folder name from any id', () => {
    const name = artifactDirName('x'.repeat(300));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(artifactDirName('x'.repeat(300))).toBe(name);
    expect(artifactDirName(`${'x'.repeat(299)}y`)).not.toBe(name);
    expect(artifactDirName('../etc')).toBe('__etc');
    expect(artifactDirName('browse')).toBe('browse');
  });

  it('reports an artifact that could not be saved', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'observer-artifacts-'));
    try {
      const png = path.join(out, 'shot.png');
      writeFileSync(png, 'png');
      const a = saveArtifacts({ screenshot: png, trace: path.join(out, 'missing-trace.zip') }, out, 'run-1', 'j');
      expect(a?.screenshot).toBe('artifacts/run-1/j/screenshot.png');
      expect(a?.trace).toBeUndefined();
      expect(a?.errors).toEqual([expect.stringMatching(/^trace: ENOENT/)]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('selects a file instead of a test-list line for a title a line cannot carry', () => {
    expect(testListLines([{ file: 'a.spec.ts', title: 'One' }, { file: 'b.spec.ts', title: 'Two\nlines' }])).toEqual(['a.spec.ts › One', 'b.spec.ts']);
  });

  it('says what happened to each attempt', () => {
    expect(
      describeAttempts([
        { attempt: 1, status: 'failed', startedAt: '', durationMs: 1, error: null, failedStep: 'Search' },
        { attempt: 2, status: 'failed', startedAt: '', durationMs: 1, error: null, failedStep: 'Search', traced: true, diagnostic: true },
      ]),
    ).toBe("attempt 1 failed at 'Search', attempt 2 traced re-run, failed at 'Search'");
  });
});

describe('a newline in a test title', () => {
  const env = useShopRunner();

  it('still runs the journey, and only that test of its file', async () => {
    const title = 'Checkout\nwith a newline in its title';
    const [r] = await env.t.runner.run([def(fixture('newline-title', 'newline.spec.ts'), title, { id: 'newline' })], ctx('run-newline'));
    expect(r.error).toBeNull();
    expect(r.status).toBe('passed');
    expect(r.steps.map((s) => s.name)).toEqual(['Open home']);
  });
});
