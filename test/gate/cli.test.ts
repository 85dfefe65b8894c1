/**
 * `observer gate` end to end: the real CLI against the demo shop on 127.0.0.1 with real runs.
 * The shop's search backend answers in ~400 ms (an injected latency standing for a real backend);
 * a noise-only deploy must pass, a deploy that makes that one step 30% slower must fail and name it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { makeSandbox, runCli } from '../e2e/sandbox.js';

let shop: DemoShop;
let dir: string;
let cleanup: () => void;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'observer-gate-'));
const SEARCH_MS = 400;

beforeAll(async () => {
  shop = await startDemoShop({ port: 0 });
  shop.setFault('/api/products', { latencyMs: SEARCH_MS });
  ({ dir, cleanup } = makeSandbox('gate-shop'));
});
afterAll(async () => {
  await shop.close();
  cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

interface GateJson {
  deploy: { version: string };
  canary: { results: number; ranNow: number };
  judgement: { verdict: string; score: number; regressions: Array<{ monitor: string; step: string; metric: string; relativeChange: number }>; comparisons: number };
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { OBSERVER_BASE_URL: shop.url, ...env }, timeoutMs: 120_000 });

describe('observer gate', () => {
  it('exits 2 with a clear message on bad usage', async () => {
    const none = await cli(['gate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--deploy: required');
    const unknown = await cli(['gate', '--deploy', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no deploy "nope" recorded');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const window = await cli(['gate', '--deploy', 'x', '--baseline', 'yesterday']);
    expect(window.code).toBe(2);
    expect(window.stderr).toContain('--baseline: expected a duration');
  });

  it('passes a noise-only deploy and fails a 30% slowdown of one step, naming it', async () => {
    for (let i = 0; i < 10; i++) expect((await cli(['run'])).code).toBe(0);

    // Noise only: nothing changes but time.
    expect((await cli(['deploy', '--version', 'v2'])).code).toBe(0);
    const summary = path.join(tmp, 'summary.md');
    const noise = await cli(['gate', '--deploy', 'v2', '--runs', '8', '--json'], { GITHUB_STEP_SUMMARY: summary });
    if (noise.code !== 0) console.log(noise.stdout);
    const pass = JSON.parse(noise.stdout) as GateJson;
    expect(pass.judgement.regressions).toEqual([]);
    expect(pass.judgement.verdict).toBe('pass');
    expect(noise.code).toBe(0);
    expect(pass.canary.ranNow).toBe(8);
    expect(pass.judgement.comparisons).toBeGreaterThanOrEqual(6);
    expect(readFileSync(summary, 'utf8')).toContain('Deploy gate: v2 — PASS');

    // v3 makes the search backend 30% slower; the other steps are unchanged.
    expect((await cli(['deploy', '--version', 'v3'])).code).toBe(0);
    shop.setFault('/api/products', { latencyMs: Math.round(SEARCH_MS * 1.3) });
    const slow = await cli(['gate', '--deploy', 'v3', '--runs', '8']);
    if (slow.code !== 1) console.log(slow.stdout, slow.stderr);
    expect(slow.code).toBe(1);
    expect(slow.stdout).toContain('Deploy gate: v3 — FAIL');
    expect(slow.stdout).toMatch(/\| search \| [^|]+ \| duration \|/);
    const json = await cli(['gate', '--deploy', 'v3', '--json']); // enough results now: no runs
    const fail = JSON.parse(json.stdout) as GateJson;
    expect(json.code).toBe(1);
    expect(fail.canary.ranNow).toBe(0);
    expect(fail.judgement.verdict).toBe('fail');
    expect(new Set(fail.judgement.regressions.map((r) => r.monitor))).toEqual(new Set(['search']));
    const duration = fail.judgement.regressions.find((r) => r.metric === 'durationMs')!;
    expect(duration.relativeChange).toBeGreaterThan(0.15);

    // Gating v2 again judges only the results between v2 and v3.
    const again = await cli(['gate', '--deploy', 'v2', '--json']);
    expect((JSON.parse(again.stdout) as GateJson).canary.results).toBe(8 * 3);
    expect(again.code).toBe(0);
  }, 300_000);
});
