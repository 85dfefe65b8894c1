/**
 * Journey overhead benchmark: the purchase journey N times (BENCH_JOURNEYS_N, default 10), in the
 * same run, three ways against the same demo shop, one worker / one browser each:
 *   bare      a plain Playwright script: one browser, a fresh context per journey, steps timed with performance.now()
 *   pw-test   `playwright test` on the same journey files with the list reporter (+ json for step times)
 *   ours      the JourneyRunner (fixtures, reporter, default trace policy `on-retry`)
 *   ours+trace the JourneyRunner with trace `retain-on-failure` (set BENCH_JOURNEYS_TRACE=0 to skip)
 * Prints wall time per journey, peak PSS of each variant's whole process tree (Chromium included,
 * sampled from /proc/<pid>/smaps_rollup), mean per-step times, and ratios to the bare script.
 * Goals: ours <= 1.10x bare wall time, peak memory <= playwright test's, per-step times within 5% of bare.
 *
 *   npm run build && tsx bench/journeys.ts
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, resolveChromium } from '../src/journeys/chromium.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'journeys/purchase.journey.ts');
const STEPS = ['Open home', 'Search', 'Open product', 'Add to cart', 'Checkout'];

type StepTimes = Record<string, number[]>;
interface ChildReport {
  steps: StepTimes;
  failures: number;
}

// ---------------------------------------------------------------- children
// Both children are plain JavaScript on the built package (dist/), run by plain node: no tsx or
// esbuild service in a measured process tree, as in production.

/** The bare baseline: one browser, a fresh context per journey, each step timed with performance.now(). */
const BARE_CHILD = `
import { chromium, expect } from '@playwright/test';
import { CHROMIUM_ARGS, resolveChromium } from '${ROOT}/dist/journeys/chromium.js';
const [baseURL, nText] = process.argv.slice(1);
const n = Number(nText);
const STEPS = ${JSON.stringify(STEPS)};
const steps = Object.fromEntries(STEPS.map((s) => [s, []]));
let failures = 0;
const browser = await chromium.launch({ executablePath: resolveChromium().executablePath, args: [...CHROMIUM_ARGS], headless: true });
const step = async (name, body) => {
  const t0 = performance.now();
  await body();
  steps[name].push(performance.now() - t0);
};
for (let i = 0; i < n; i++) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  try {
    await step('Open home', async () => {
      await page.goto('/');
      await expect(page.getByRole('searchbox', { name: 'Search products' })).toBeVisible();
    });
    await step('Search', async () => {
      await page.getByRole('searchbox', { name: 'Search products' }).fill('trail');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect(page.getByTestId('result-count')).toHaveText('2 results');
    });
    await step('Open product', async () => {
      await page.getByRole('link', { name: 'Trail Running Shoes' }).click();
      await expect(page.getByRole('button', { name: 'Add to cart' })).toBeVisible();
    });
    await step('Add to cart', async () => {
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await expect(page.getByTestId('cart-status')).toHaveText('Added to cart');
      await expect(page.getByTestId('cart-count')).toHaveText('1');
    });
    await step('Checkout', async () => {
      await page.getByRole('link', { name: 'Cart' }).click();
      await expect(page.getByTestId('cart-items')).toHaveAttribute('data-state', 'loaded');
      await page.getByRole('link', { name: 'Checkout' }).click();
      await page.getByLabel('Name').fill('Ada Lovelace');
      await page.getByLabel('Email').fill('ada@example.test');
      await page.getByLabel('Address').fill('1 Trail Road');
      await page.getByRole('button', { name: 'Place order' }).click();
      await expect(page.getByTestId('order-confirmation')).toHaveText(/^Order #\\d+ confirmed$/);
    });
  } catch (err) {
    failures++;
    process.stderr.write('bare: ' + String(err.message).split('\\n')[0] + '\\n');
  }
  await context.close();
}
await browser.close();
process.stdout.write(JSON.stringify({ steps, failures }) + '\\n');
`;

/** Our runner on the same journey files, one worker. */
const OURS_CHILD = `
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JourneyRunner } from '${ROOT}/dist/journeys/index.js';
import { Redactor } from '${ROOT}/dist/runtime/redact.js';
const [baseURL, trace, ...files] = process.argv.slice(1);
const STEPS = ${JSON.stringify(STEPS)};
const outDir = path.join(os.tmpdir(), 'observer-bench-out-' + process.pid);
const runner = new JourneyRunner({ workers: 1, outDir, redactor: new Redactor(), baseUrl: baseURL, trace, rootDir: '${ROOT}', cwd: '${ROOT}' });
const defs = files.map((file, i) => ({
  kind: 'journey', id: 'purchase-' + (i + 1), name: 'Purchase flow', title: 'Purchase flow', file,
  retries: 0, timeoutMs: 60000, stepTimeoutMs: 15000, steps: {}, tags: [],
}));
const results = await runner.run(defs, { runId: 'bench-' + process.pid, location: 'bench', environment: 'bench' });
rmSync(outDir, { recursive: true, force: true });
const steps = Object.fromEntries(STEPS.map((s) => [s, []]));
let failures = 0;
for (const r of results) {
  if (r.status === 'failed') {
    failures++;
    process.stderr.write('ours: ' + (r.error && r.error.message) + '\\n');
    continue;
  }
  for (const s of r.steps) if (steps[s.name]) steps[s.name].push(s.durationMs);
}
process.stdout.write(JSON.stringify({ steps, failures }) + '\\n');
`;

// ---------------------------------------------------------------- parent: orchestration
interface Variant {
  name: string;
  wallMs: number;
  peakPssKb: number;
  steps: StepTimes;
  failures: number;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // process ended while scanning
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Run a command, sample its process tree's PSS every 100 ms, return wall time, peak and stdout. */
async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ wallMs: number; peakPssKb: number; stdout: string; code: number | null }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  let peak = 0;
  const sample = (): void => {
    if (!child.pid) return;
    const total = descendants(child.pid).reduce((sum, pid) => sum + pssKb(pid), 0);
    if (total > peak) peak = total;
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearInterval(timer);
  return { wallMs: performance.now() - t0, peakPssKb: peak, stdout, code };
}

function parseChild(stdout: string): ChildReport {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{"steps"'));
  if (!line) throw new Error(`child printed no report:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as ChildReport;
}

interface PwJsonStep {
  title: string;
  duration: number;
  category?: string;
}
interface PwJsonSuite {
  suites?: PwJsonSuite[];
  specs?: Array<{ tests: Array<{ results: Array<{ status: string; steps?: PwJsonStep[] }> }> }>;
}

function pwSteps(json: PwJsonSuite): ChildReport {
  const steps: StepTimes = Object.fromEntries(STEPS.map((s) => [s, []]));
  let failures = 0;
  const walk = (suite: PwJsonSuite): void => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests)
        for (const r of t.results) {
          if (r.status !== 'passed') failures++;
          for (const s of r.steps ?? []) steps[s.title]?.push(s.duration);
        }
    for (const s of suite.suites ?? []) walk(s);
  };
  walk(json);
  return { steps, failures };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_JOURNEYS_N ?? 10);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_JOURNEYS_N: expected a positive integer, got ${process.env.BENCH_JOURNEYS_N}`);
  for (const built of ['dist/journeys/fixtures.js', 'dist/journeys/index.js', 'dist/runtime/redact.js']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (the benchmark measures the built package)`);
  }
  const shop = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const baseURL = await new Promise<string>((resolve, reject) => {
    shop.stdout.on('data', (d: Buffer) => {
      const m = /http:\/\/[\d.]+:\d+/.exec(d.toString());
      if (m) resolve(m[0]);
    });
    shop.once('exit', () => reject(new Error('demo shop exited')));
  });

  // N copies of the purchase journey (distinct files, same code) inside the repo, so
  // `production-observer/journey` resolves; each is one test for playwright test and for us.
  const dir = path.join(ROOT, '.observer', `bench-journeys-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 1; i <= n; i++) {
    const file = path.join(dir, `purchase-${String(i).padStart(2, '0')}.journey.ts`);
    cpSync(SOURCE, file);
    files.push(file);
  }
  const configFile = path.join(dir, 'playwright.config.mjs');
  const jsonFile = path.join(dir, 'report.json');
  writeFileSync(
    configFile,
    `export default ${JSON.stringify({
      testDir: dir,
      testMatch: '*.journey.ts',
      workers: 1,
      reporter: [['list'], ['json', { outputFile: jsonFile }]],
      outputDir: path.join(dir, 'test-results'),
      use: { baseURL, headless: true, launchOptions: { executablePath: resolveChromium().executablePath, args: [...CHROMIUM_ARGS] } },
    })};\n`,
  );

  const env = { ...process.env, OBSERVER_BASE_URL: baseURL };
  const variants: Variant[] = [];
  const bareArgs = ['--input-type=module', '-e', BARE_CHILD, baseURL, String(n)];
  const oursArgs = (trace: string): string[] => ['--input-type=module', '-e', OURS_CHILD, baseURL, trace, ...files];
  try {
    const runs: Array<[string, () => Promise<Variant>]> = [
      ['bare', async () => {
        const m = await measure(process.execPath, bareArgs, env);
        return { name: 'bare', wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...parseChild(m.stdout) };
      }],
      ['pw-test', async () => {
        const cli = path.join(ROOT, 'node_modules/@playwright/test/cli.js');
        const m = await measure(process.execPath, [cli, 'test', '--config', configFile], env);
        return { name: 'pw-test', wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...pwSteps(JSON.parse(readFileSync(jsonFile, 'utf8')) as PwJsonSuite) };
      }],
      ['ours', async () => {
        const m = await measure(process.execPath, oursArgs('on-retry'), env);
        return { name: 'ours', wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...parseChild(m.stdout) };
      }],
    ];
    if (process.env.BENCH_JOURNEYS_TRACE !== '0') {
      runs.push(['ours+trace', async () => {
        const m = await measure(process.execPath, oursArgs('retain-on-failure'), env);
        return { name: 'ours+trace', wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...parseChild(m.stdout) };
      }]);
    }
    for (const [name, run] of runs) {
      process.stderr.write(`running ${name} (${n} journeys)...\n`);
      variants.push(await run());
    }
  } finally {
    shop.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }

  const base = variants.find((v) => v.name === 'bare')!;
  const pw = variants.find((v) => v.name === 'pw-test')!;
  const out: string[] = [];
  out.push(`journeys: purchase flow x${n}, 1 worker, Chromium ${resolveChromium().executablePath}, ${os.cpus().length} CPUs (shared: figures are noisy)`);
  out.push('');
  out.push('variant      wall total  per journey  vs bare   peak PSS   vs pw-test  failures');
  for (const v of variants) {
    out.push(
      `${v.name.padEnd(12)} ${fmt(v.wallMs).padStart(8)} ms ${fmt(v.wallMs / n).padStart(8)} ms ${fmt(v.wallMs / base.wallMs, 2).padStart(7)}x ${fmt(v.peakPssKb / 1024).padStart(6)} MiB ${fmt(v.peakPssKb / pw.peakPssKb, 2).padStart(9)}x ${String(v.failures).padStart(8)}`,
    );
  }
  out.push('');
  out.push(`mean step time (ms)   ${variants.map((v) => v.name.padStart(11)).join('')}   ${variants.filter((v) => v !== base).map((v) => `${v.name} / bare`.padStart(19)).join('')}`);
  for (const s of STEPS) {
    const b = mean(base.steps[s]);
    const cells = variants.map((v) => fmt(mean(v.steps[s]), 1).padStart(11)).join('');
    const ratios = variants.filter((v) => v !== base).map((v) => `${fmt(mean(v.steps[s]) / b, 3)}x`.padStart(19)).join('');
    out.push(`${s.padEnd(20)}  ${cells}   ${ratios}`);
  }
  const sum = (v: Variant): number => STEPS.reduce((a, s) => a + mean(v.steps[s]), 0);
  out.push(`${'all steps'.padEnd(20)}  ${variants.map((v) => fmt(sum(v), 1).padStart(11)).join('')}   ${variants.filter((v) => v !== base).map((v) => `${fmt(sum(v) / sum(base), 3)}x`.padStart(19)).join('')}`);
  out.push('');
  const o = variants.find((v) => v.name === 'ours')!;
  out.push(`goals: ours wall <= 1.10x bare: ${fmt(o.wallMs / base.wallMs, 2)}x ${o.wallMs / base.wallMs <= 1.1 ? 'met' : 'NOT met'}; ` +
    `peak PSS <= pw-test: ${fmt(o.peakPssKb / pw.peakPssKb, 2)}x ${o.peakPssKb <= pw.peakPssKb ? 'met' : 'NOT met'}; ` +
    `steps within 5% of bare: ${fmt(sum(o) / sum(base), 3)}x ${Math.abs(sum(o) / sum(base) - 1) <= 0.05 ? 'met' : 'NOT met'}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/journeys: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
