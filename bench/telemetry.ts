/**
 * bench:telemetry — what the operator telemetry costs, each side against a baseline in the same run.
 *
 *   npm run bench:telemetry          (BENCH_ROUNDS=7 BENCH_CHECKS=50 BENCH_MONITORS=200)
 *
 * 1. Logs: `observer run` over BENCH_CHECKS API checks against a local HTTP server (a child process
 *    on 127.0.0.1), with `--log-format json` (every stderr line through the JSON guard, one
 *    structured line per monitor) against the default pretty output. Whole command, spawn to exit;
 *    the sides alternate, who goes first flips each round. Prints the medians and json/pretty.
 * 2. Metrics: the daemon's registry after one API result per monitor for BENCH_MONITORS monitors,
 *    rendered as /metrics text: with the HTTP phase histograms (as now) against the same results
 *    without timings (what the registry held before them). Prints render time (median of 50), bytes
 *    and lines, and the ratios.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObserverMetrics } from '../src/metrics/registry.js';
import type { MonitorResult } from '../src/model/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const checks = Number(process.env.BENCH_CHECKS ?? 50);
const monitors = Number(process.env.BENCH_MONITORS ?? 200);
const work = path.join(root, 'test-results', 'bench-telemetry');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startTarget(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', "require('http').createServer((q,r)=>{q.resume();r.end('ok')}).listen(0,'127.0.0.1',function(){console.log('http://127.0.0.1:'+this.address().port)})"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (c: Buffer) => resolve(c.toString().trim()));
    setTimeout(() => reject(new Error('target did not start')), 10_000);
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

function runOnce(args: string[], baseUrl: string): Promise<{ ms: number; code: number | null; stderrBytes: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'bin.js'), 'run', ...args], { cwd: work, env: { ...process.env, OBSERVER_BASE_URL: baseUrl, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrBytes = 0;
  child.stderr!.on('data', (c: Buffer) => (stderrBytes += c.length));
  return new Promise((resolve) => child.once('close', (code) => resolve({ ms: performance.now() - started, code, stderrBytes })));
}

async function logs(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'checks'), { recursive: true });
  for (let i = 0; i < checks; i++) writeFileSync(path.join(work, 'checks', `c${i}.check.yaml`), `id: c${i}\nrequest: { url: /ok/${i} }\n`);
  const target = await startTarget();
  const times: Record<'pretty' | 'json', number[]> = { pretty: [], json: [] };
  try {
    await runOnce([], target.url); // warm-up: the store's migrations, the module cache
    for (let r = 0; r < rounds; r++) {
      const order: Array<'pretty' | 'json'> = r % 2 ? ['json', 'pretty'] : ['pretty', 'json'];
      for (const side of order) {
        const res = await runOnce(side === 'json' ? ['--log-format', 'json'] : [], target.url);
        if (res.code !== 0) throw new Error(`observer run (${side}) exited ${res.code}`);
        times[side].push(res.ms);
      }
    }
  } finally {
    target.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const p = median(times.pretty);
  const j = median(times.json);
  console.log(`logs: observer run, ${checks} checks, ${rounds} rounds: pretty ${p.toFixed(0)} ms, json ${j.toFixed(0)} ms (median, spawn to exit); json/pretty ${(j / p).toFixed(3)}`);
}

function result(i: number, withTimings: boolean): MonitorResult {
  const at = '2026-12-04T08:00:00.000Z';
  return {
    id: `r:${i}`, runId: 'r', monitor: `api-${i}`, name: `API ${i}`, kind: 'api', status: 'passed', startedAt: at, finishedAt: at, durationMs: 40, attempts: 1, error: null, location: 'eu', environment: 'production', tags: [],
    steps: [{ name: `API ${i}`, status: 'passed', startedAt: at, durationMs: 40, error: null, ...(withTimings ? { timings: { dnsMs: 1, connectMs: 2, tlsMs: 5, sendMs: 0.2, firstByteMs: 25, downloadMs: 3, totalMs: 36, reusedConnection: false } } : {}) }],
  };
}

async function metrics(): Promise<void> {
  const measure = async (withTimings: boolean) => {
    const m = new ObserverMetrics({ processMetrics: false, labels: { environment: 'production', location: 'eu' } });
    const ids = Array.from({ length: monitors }, (_, i) => ({ id: `api-${i}`, kind: 'api' }));
    m.knowMonitors(ids, 'eu');
    for (let i = 0; i < monitors; i++) m.recordResult(result(i, withTimings));
    const times: number[] = [];
    let text = '';
    for (let k = 0; k < 50; k++) {
      const t = performance.now();
      text = await m.registry.metrics();
      times.push(performance.now() - t);
    }
    return { ms: median(times), bytes: Buffer.byteLength(text), lines: text.split('\n').filter((l) => l && !l.startsWith('#')).length };
  };
  const before = await measure(false);
  const now = await measure(true);
  console.log(
    `metrics: ${monitors} monitors, one API result each: without phases ${before.ms.toFixed(2)} ms, ${(before.bytes / 1024).toFixed(0)} KiB, ${before.lines} samples; ` +
      `with phases ${now.ms.toFixed(2)} ms, ${(now.bytes / 1024).toFixed(0)} KiB, ${now.lines} samples; render ${(now.ms / before.ms).toFixed(2)}x, size ${(now.bytes / before.bytes).toFixed(2)}x`,
  );
}

await logs();
await metrics();
