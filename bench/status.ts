/**
 * bench:status — uptime for a status page over 90 days of results in SQLite, and the commands
 * that read it. BENCH_MONITORS (default 20) monitors, one run every BENCH_EVERY_MIN minutes
 * (default 10): 259,200 results by default.
 * 1. In process, 3 interleaved rounds: ours (Store.uptimeCounts: 4 windows + 90 daily buckets,
 *    aggregated by SQLite) against the bare way without it (listResults over 90 days, counted in
 *    JavaScript); time and heap growth.
 * 2. Whole commands, spawn to exit: `observer report --status-page` and `observer report --sla`
 *    against `observer report --help` (the CLI's own start-up, same binary, same run).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MonitorResult } from '../src/model/index.js';
import { openStore } from '../src/store/index.js';
import type { Store } from '../src/store/store.js';
import { BAR_DAYS, DAY_MS, dailyCounts, windowCounts } from '../src/status/uptime.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const monitors = Number(process.env.BENCH_MONITORS ?? 20);
const everyMin = Number(process.env.BENCH_EVERY_MIN ?? 10);
const work = path.join(root, 'test-results', 'bench-status');
const cli = path.join(root, 'dist', 'cli', 'bin.js');
const nowMs = Date.now();

function result(m: number, t: number, i: number): MonitorResult {
  const failed = (i * 7 + m) % 97 === 0;
  const at = new Date(t).toISOString();
  return {
    id: `r${m}-${i}`, runId: `run-${i}`, monitor: `m${m}`, name: `Monitor ${m}`, kind: 'api',
    status: failed ? 'failed' : i % 53 === 0 ? 'degraded' : 'passed', startedAt: at, finishedAt: at, durationMs: 80, attempts: 1,
    error: failed ? { class: 'http_status', message: 'status (503) == 200' } : null,
    steps: [], location: 'local', environment: 'local', tags: [], httpStatus: failed ? 503 : 200,
  };
}

async function fill(store: Store): Promise<number> {
  const step = everyMin * 60_000;
  const runs = Math.floor((90 * DAY_MS) / step);
  let n = 0;
  let batch: MonitorResult[] = [];
  for (let i = 0; i < runs; i++) {
    for (let m = 0; m < monitors; m++) batch.push(result(m, nowMs - (runs - i) * step, i));
    if (batch.length >= 2000) {
      await store.saveResults(batch);
      n += batch.length;
      batch = [];
    }
  }
  await store.saveResults(batch);
  return n + batch.length;
}

async function ours(store: Store): Promise<number> {
  const w = await windowCounts(store, nowMs, {});
  const d = await dailyCounts(store, nowMs, BAR_DAYS, {});
  return w.size + d.size;
}

async function bare(store: Store): Promise<number> {
  const rows = await store.listResults({ since: new Date(nowMs - 90 * DAY_MS).toISOString() });
  const counts = new Map<string, number[]>();
  for (const r of rows) {
    const c = counts.get(r.monitor) ?? [0, 0, 0];
    c[r.status === 'passed' ? 0 : r.status === 'degraded' ? 1 : 2]!++;
    counts.set(r.monitor, c);
  }
  return counts.size;
}

async function timed(fn: () => Promise<number>): Promise<{ ms: number; heapMb: number }> {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let peak = heap0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  await fn();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  clearInterval(sampler);
  return { ms: performance.now() - t0, heapMb: (peak - heap0) / 1048576 };
}

function spawnMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`observer ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const store = await openStore({ path: path.join(work, '.observer', 'observer.db') });
  const t0 = performance.now();
  const n = await fill(store);
  console.log(`filled ${n} results (${monitors} monitors, every ${everyMin} min, 90 days) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const a: { ms: number; heapMb: number }[] = [];
  const b: { ms: number; heapMb: number }[] = [];
  for (let round = 0; round < 3; round++) {
    a.push(await timed(() => ours(store)));
    b.push(await timed(() => bare(store)));
  }
  await store.close();
  const ms = (xs: typeof a) => median(xs.map((x) => x.ms));
  const mb = (xs: typeof a) => median(xs.map((x) => x.heapMb));
  console.log(`uptime (4 windows + 90 days), median of 3: ours ${ms(a).toFixed(0)} ms, heap +${mb(a).toFixed(1)} MB; bare listResults + JS ${ms(b).toFixed(0)} ms, heap +${mb(b).toFixed(1)} MB; ratio ours/bare ${(ms(a) / ms(b)).toFixed(2)}`);

  const groups = Array.from({ length: Math.ceil(monitors / 5) }, (_, g) => ({ name: `Group ${g}`, monitors: Array.from({ length: Math.min(5, monitors - g * 5) }, (_, i) => `m${g * 5 + i}`) }));
  writeFileSync(path.join(work, 'observer.config.ts'), `export default { reporters: ['json'], statusPage: { title: 'Bench', slo: 99.5, groups: ${JSON.stringify(groups)} } };\n`);
  const help: number[] = [];
  const page: number[] = [];
  const sla: number[] = [];
  const month = new Date(nowMs - 31 * DAY_MS).toISOString().slice(0, 7);
  for (let round = 0; round < 3; round++) {
    help.push(spawnMs(['report', '--help']));
    page.push(spawnMs(['report', '--status-page', 'public']));
    sla.push(spawnMs(['report', '--sla', month, '--format', 'json']));
  }
  console.log(`whole command, spawn to exit, median of 3: report --help ${median(help).toFixed(0)} ms; --status-page ${median(page).toFixed(0)} ms (${(median(page) / median(help)).toFixed(2)}x); --sla ${month} ${median(sla).toFixed(0)} ms (${(median(sla) / median(help)).toFixed(2)}x)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
