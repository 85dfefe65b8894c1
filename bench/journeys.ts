/**
 * Journey overhead, measured as a user pays it: whole processes timed from spawn to exit (start-up
 * included), the purchase journey N times (BENCH_JOURNEYS_N, default 10) against the same demo shop:
 *   bare      a plain Playwright script: a browser per lane, a fresh context per journey, steps timed with performance.now()
 *   pw-test   `playwright test` on the same journey files (list reporter, + json for step times)
 *   observer  `observer run` on the same files (the built CLI: discovery, run, store, reports)
 * each with 1 and 2 workers (BENCH_JOURNEYS_WORKERS, default "1,2"), R rounds (BENCH_JOURNEYS_ROUNDS,
 * default 3) interleaved in a rotating order so a noisy neighbour hits every variant alike. Prints
 * per variant the median and the range of wall time and of peak PSS of the whole process tree
 * (Chromium included, /proc/<pid>/smaps_rollup every 100 ms), mean per-step times, and the ratios of
 * medians to bare and to pw-test.
 * Goals: observer wall <= 1.10x bare and below pw-test; peak PSS <= pw-test's.
 *
 *   npm run bench:journeys
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const [baseURL, nText, lanesText] = process.argv.slice(1);
const n = Number(nText);
const lanes = Number(lanesText);
const STEPS = ${JSON.stringify(STEPS)};
const steps = Object.fromEntries(STEPS.map((s) => [s, []]));
let failures = 0;
const step = async (name, body) => {
  const t0 = performance.now();
  await body();
  steps[name].push(performance.now() - t0);
};
let next = 0;
const lane = async () => {
const browser = await chromium.launch({ executablePath: resolveChromium().executablePath, args: [...CHROMIUM_ARGS], headless: true });
while (next < n) {
  next++;
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
};
await Promise.all(Array.from({ length: lanes }, lane));
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
async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<{ wallMs: number; peakPssKb: number; stdout: string; code: number | null }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
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


/** Step times and failures from observer's JSON report (reports/latest.json). */
function observerSteps(file: string): ChildReport {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { results: Array<{ status: string; steps: Array<{ name: string; durationMs: number }> }> };
  const steps: StepTimes = Object.fromEntries(STEPS.map((s) => [s, []]));
  let failures = 0;
  for (const r of report.results) {
    if (r.status === 'failed') failures++;
    for (const s of r.steps) steps[s.name]?.push(s.durationMs);
  }
  return { steps, failures };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_JOURNEYS_N ?? 10);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_JOURNEYS_N: expected a positive integer, got ${process.env.BENCH_JOURNEYS_N}`);
  const rounds = Number(process.env.BENCH_JOURNEYS_ROUNDS ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_JOURNEYS_ROUNDS: expected a positive integer, got ${process.env.BENCH_JOURNEYS_ROUNDS}`);
  const workerCounts = (process.env.BENCH_JOURNEYS_WORKERS ?? '1,2').split(',').map(Number);
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`BENCH_JOURNEYS_WORKERS: expected integers like "1,2", got ${process.env.BENCH_JOURNEYS_WORKERS}`);
  for (const built of ['dist/cli/bin.js', 'dist/journeys/fixtures.js', 'dist/journeys/chromium.js']) {
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

  // N copies of the purchase journey (distinct files and ids, same code) inside the repo, so
  // `production-observer/journey` resolves; each is one test for playwright test and for observer.
  const dir = path.join(ROOT, '.observer', `bench-journeys-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const source = readFileSync(SOURCE, 'utf8');
  for (let i = 1; i <= n; i++) {
    const nn = String(i).padStart(2, '0');
    const file = path.join(dir, `purchase-${nn}.journey.ts`);
    writeFileSync(file, source.replace(`id: 'purchase',`, `id: 'purchase-${nn}',`));
    files.push(file);
  }
  const jsonFile = path.join(dir, 'report.json');
  const pwConfig = (workers: number): string => {
    const file = path.join(dir, `pw-${workers}.config.mjs`);
    writeFileSync(
      file,
      `export default ${JSON.stringify({
        testDir: dir,
        testMatch: '*.journey.ts',
        workers,
        fullyParallel: true,
        reporter: [['list'], ['json', { outputFile: jsonFile }]],
        outputDir: path.join(dir, 'test-results'),
        use: { baseURL, headless: true, launchOptions: { executablePath: resolveChromium().executablePath, args: [...CHROMIUM_ARGS] } },
      })};\n`,
    );
    return file;
  };
  const observerDir = (workers: number, trace = 'on-retry'): string => {
    const d = path.join(dir, `observer-${workers}-${trace}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(
      path.join(d, 'observer.config.mjs'),
      `export default ${JSON.stringify({ outDir: 'reports', store: { path: 'observer.db' }, reporters: ['json'], concurrency: { journeyWorkers: workers }, journeys: { trace } })};\n`,
    );
    return d;
  };

  const env = { ...process.env, OBSERVER_BASE_URL: baseURL, CI: '1' };
  const cli = path.join(ROOT, 'node_modules/@playwright/test/cli.js');
  type Run = () => Promise<Variant>;
  const variants = new Map<string, Variant[]>();
  const plan: Array<[string, Run]> = [];
  for (const w of workerCounts) {
    const pwFile = pwConfig(w);
    const obsDir = observerDir(w);
    plan.push([`bare w${w}`, async () => {
      const m = await measure(process.execPath, ['--input-type=module', '-e', BARE_CHILD, baseURL, String(n), String(w)], env);
      return { name: `bare w${w}`, wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...parseChild(m.stdout) };
    }]);
    plan.push([`pw-test w${w}`, async () => {
      const m = await measure(process.execPath, [cli, 'test', '--config', pwFile], env);
      return { name: `pw-test w${w}`, wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...pwSteps(JSON.parse(readFileSync(jsonFile, 'utf8')) as PwJsonSuite) };
    }]);
    plan.push([`observer w${w}`, async () => {
      rmSync(path.join(obsDir, 'reports'), { recursive: true, force: true });
      const m = await measure(process.execPath, [path.join(ROOT, 'dist/cli/bin.js'), 'run', ...files], env, obsDir);
      return { name: `observer w${w}`, wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...observerSteps(path.join(obsDir, 'reports/latest.json')) };
    }]);
    // The cost of tracing every attempt (`journeys.trace: 'retain-on-failure'`) against the default
    // `on-retry`, which records nothing while journeys pass.
    if (w === workerCounts[0] && process.env.BENCH_JOURNEYS_TRACE !== '0') {
      const traceDir = observerDir(w, 'retain-on-failure');
      plan.push([`observer+trace w${w}`, async () => {
        rmSync(path.join(traceDir, 'reports'), { recursive: true, force: true });
        const m = await measure(process.execPath, [path.join(ROOT, 'dist/cli/bin.js'), 'run', ...files], env, traceDir);
        return { name: `observer+trace w${w}`, wallMs: m.wallMs, peakPssKb: m.peakPssKb, ...observerSteps(path.join(traceDir, 'reports/latest.json')) };
      }]);
    }
  }
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round: every variant runs early and late, next to every other.
      const order = plan.map((_, i) => plan[(i + round) % plan.length]);
      for (const [name, run] of order) {
        process.stderr.write(`round ${round + 1}/${rounds}: ${name} (${n} journeys)...\n`);
        const v = await run();
        variants.set(name, [...(variants.get(name) ?? []), v]);
      }
    }
  } finally {
    shop.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }

  const out: string[] = [];
  out.push(`journeys: purchase flow x${n}, ${rounds} interleaved round(s), Chromium ${resolveChromium().executablePath}, ${os.cpus().length} CPUs (shared machine: read the ranges)`);
  for (const w of workerCounts) {
    const get = (k: string): Variant[] => variants.get(`${k} w${w}`)!;
    const wall = (k: string): number => median(get(k).map((v) => v.wallMs));
    const pss = (k: string): number => median(get(k).map((v) => v.peakPssKb));
    out.push('');
    out.push(`${w} worker(s)   wall median (range) s        peak PSS median (range) MiB   wall vs bare  vs pw-test   PSS vs bare  vs pw-test  failures`);
    for (const k of ['bare', 'pw-test', 'observer', 'observer+trace'].filter((k) => variants.has(`${k} w${w}`))) {
      const ws = get(k).map((v) => v.wallMs / 1000);
      const ps = get(k).map((v) => v.peakPssKb / 1024);
      out.push(
        `${k.padEnd(12)} ${fmt(median(ws), 1).padStart(6)} (${fmt(Math.min(...ws), 1)}–${fmt(Math.max(...ws), 1)})`.padEnd(44) +
          `${fmt(median(ps)).padStart(6)} (${fmt(Math.min(...ps))}–${fmt(Math.max(...ps))})`.padEnd(30) +
          `${fmt(wall(k) / wall('bare'), 2)}x`.padStart(12) + `${fmt(wall(k) / wall('pw-test'), 2)}x`.padStart(12) +
          `${fmt(pss(k) / pss('bare'), 2)}x`.padStart(13) + `${fmt(pss(k) / pss('pw-test'), 2)}x`.padStart(12) +
          String(get(k).reduce((a, v) => a + v.failures, 0)).padStart(10),
      );
    }
    const stepMean = (k: string, s: string): number => mean(get(k).flatMap((v) => v.steps[s]));
    const all = (k: string): number => STEPS.reduce((a, s) => a + stepMean(k, s), 0);
    out.push(`  all steps, mean ms: bare ${fmt(all('bare'))}, pw-test ${fmt(all('pw-test'))}, observer ${fmt(all('observer'))} (${fmt(all('observer') / all('bare'), 3)}x bare)`);
    out.push(
      `  goals: observer wall <= 1.10x bare: ${fmt(wall('observer') / wall('bare'), 2)}x ${wall('observer') / wall('bare') <= 1.1 ? 'met' : 'NOT met'}; ` +
        `below pw-test: ${wall('observer') < wall('pw-test') ? 'met' : 'NOT met'}; peak PSS <= pw-test: ${pss('observer') <= pss('pw-test') ? 'met' : 'NOT met'}`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/journeys: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
