/**
 * Benchmark of the html dashboard's rendering, racing a bare baseline in the same run.
 *
 *   npm run bench:dashboard        (tsx bench/dashboard.ts)
 *   BENCH_RUNS=500 BENCH_ROUNDS=3 tsx bench/dashboard.ts   (quick)
 *
 * History: BENCH_JOURNEYS (default 6) journeys of 5 steps, each step with web vitals and a network
 * summary (5 slowest requests, 2 hosts), plus as many API checks, BENCH_RUNS (default 2000) runs
 * each at one location: the most a chart keeps. `ours` = renderHtmlReport (board, charts, vitals
 * trends, latest runs; no screenshots to inline); `bare` = JSON.stringify of the same history, the
 * least any report of it costs. Rounds alternate who goes first. Prints the median wall and CPU time
 * of this process for each, ours/bare, and the size of index.html. Goal: ours within 3x bare (CPU).
 */
import { renderHtmlReport } from '../src/reporters/html.js';
import type { MonitorResult, StepResult } from '../src/model/index.js';
import type { ReportContext, RunReport } from '../src/reporters/reporter.js';

const JOURNEYS = Number(process.env.BENCH_JOURNEYS ?? 6);
const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NOW = Date.parse('2026-12-04T10:00:00Z');
const STEPS = ['open home', 'search', 'open product', 'add to cart', 'checkout'];

function step(name: string, at: number, i: number, journey: boolean): StepResult {
  const ms = 200 + ((i * 37) % 400);
  return {
    name,
    status: 'passed',
    startedAt: new Date(at).toISOString(),
    durationMs: ms,
    error: null,
    ...(journey
      ? {
          vitals: [{ url: `http://127.0.0.1:1/${name}`, navigationType: 'navigate', lcpMs: ms * 3, fcpMs: ms * 2, ttfbMs: ms / 4, cls: (i % 10) / 100, inpMs: ms / 3 }],
          network: {
            requests: 12,
            failedRequests: i % 50 === 0 ? 1 : 0,
            bytes: 40_000 + i,
            slowestUrl: `http://127.0.0.1:1/api/${name}`,
            slowestMs: ms,
            slowest: [1, 2, 3, 4, 5].map((k) => ({ url: `http://127.0.0.1:1/static/${name}-${k}.js`, ms: ms / k, status: 200 })),
            hosts: [
              { host: '127.0.0.1:1', requests: 10, failedRequests: 0, bytes: 30_000 },
              { host: 'cdn.localhost:2', requests: 2, failedRequests: 0, bytes: 10_000 + i },
            ],
          },
        }
      : {}),
  };
}

function history(): MonitorResult[] {
  const out: MonitorResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const at = NOW - (RUNS - i) * 60_000;
    for (let m = 0; m < JOURNEYS * 2; m++) {
      const journey = m < JOURNEYS;
      const steps = journey ? STEPS.map((s, k) => step(s, at + k * 1000, i + k, true)) : [step(`GET /api/${m}`, at, i, false)];
      out.push({
        id: `r${i}:m${m}`,
        runId: `r${i}`,
        monitor: `m${m}`,
        name: `${journey ? 'Journey' : 'API'} ${m}`,
        kind: journey ? 'journey' : 'api',
        status: i % 97 === 0 ? 'failed' : 'passed',
        startedAt: new Date(at).toISOString(),
        finishedAt: new Date(at + 5000).toISOString(),
        durationMs: steps.reduce((a, s) => a + s.durationMs, 0),
        attempts: 1,
        error: i % 97 === 0 ? { class: 'timeout', message: 'timed out after 10000 ms' } : null,
        steps,
        location: 'eu-west',
        environment: 'production',
        tags: journey ? ['journey'] : ['api'],
      });
    }
  }
  return out;
}

const h = history();
const last = h.filter((r) => r.runId === `r${RUNS - 1}`);
const report: RunReport = { run: { id: `r${RUNS - 1}`, startedAt: last[0].startedAt, finishedAt: last[0].finishedAt, location: 'eu-west', environment: 'production' }, results: last, findings: [] };
const context: ReportContext = { outDir: '.', history: h, findings: [], deploys: [], window: '48h', generatedAt: new Date(NOW).toISOString() };

async function time(fn: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ours: { wall: number; cpu: number }[] = [];
const bare: { wall: number; cpu: number }[] = [];
let size = 0;
await renderHtmlReport(report, context); // warm-up: uPlot read once per process
for (let r = 0; r < ROUNDS; r++) {
  const runOurs = async () => ours.push(await time(async () => (size = (await renderHtmlReport(report, context)).length)));
  const runBare = async () => bare.push(await time(() => JSON.stringify(h)));
  if (r % 2 === 0) {
    await runOurs();
    await runBare();
  } else {
    await runBare();
    await runOurs();
  }
}
const o = { wall: median(ours.map((x) => x.wall)), cpu: median(ours.map((x) => x.cpu)) };
const b = { wall: median(bare.map((x) => x.wall)), cpu: median(bare.map((x) => x.cpu)) };
console.log(`history: ${h.length} results (${JOURNEYS} journeys x ${STEPS.length} steps with vitals and network, ${JOURNEYS} API checks, ${RUNS} runs each)`);
console.log(`ours (renderHtmlReport): wall ${o.wall.toFixed(0)} ms, cpu ${o.cpu.toFixed(0)} ms; index.html ${(size / 1024 / 1024).toFixed(2)} MiB`);
console.log(`bare (JSON.stringify):   wall ${b.wall.toFixed(0)} ms, cpu ${b.cpu.toFixed(0)} ms`);
console.log(`ours/bare: wall ${(o.wall / b.wall).toFixed(2)}x, cpu ${(o.cpu / b.cpu).toFixed(2)}x (median of ${ROUNDS} rounds)`);
