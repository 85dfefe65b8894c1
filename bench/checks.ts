/**
 * Benchmark of the API check runner against a bare undici request loop, in the same run.
 *
 *   npm run bench:checks            (tsx bench/checks.ts)
 *   BENCH_N=2000 BENCH_CONCURRENCY=1,10 BENCH_ACC_N=200 tsx bench/checks.ts   (quick)
 * Knobs: BENCH_N, BENCH_CONCURRENCY, BENCH_ROUND (requests per side per round), BENCH_WARMUP,
 * BENCH_ACC_N, BENCH_ACC_CONCURRENCY.
 *
 * 1. Throughput: BENCH_N checks per side at each concurrency (default 10000 at 1, 10 and 50), JSON
 *    Schema validation and two assertions on. `ours` = ApiCheckRunner.run() from `c` workers; `bare`
 *    = undici.request() + body.text() from `c` workers over an Agent with the same settings. Sides
 *    alternate in rounds (who goes first flips each round). Prints req/s, p50/p99 call latency and
 *    ours/bare (goal >= 0.9).
 * 2. Accuracy: requests to a 50 ms endpoint that records its own handling time per `x-request-id`
 *    (fetched at the end); the two sides run at the same time, one request in flight each by default.
 *    Prints reported time minus server handling time, p50/p90/p99: ours = the
 *    result's timings.totalMs, bare = performance.now() around request() + body.text() (goal: ours
 *    within 0.5 ms of bare at p50 and p99).
 * Also printed: client CPU µs per request for each side (process.cpuUsage over that side's phases),
 * steadier than req/s when other processes load the machine.
 * The target runs in a child process on 127.0.0.1 so it does not share our event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { ApiCheckRunner } from '../src/checks/index.js';
import type { ApiCheckDefinition } from '../src/model/monitor.js';
import { Redactor } from '../src/runtime/redact.js';

const N = int('BENCH_N', 10_000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
/** Requests per side per round: small rounds interleave finely, so load swings hit both sides alike. */
const ROUND = int('BENCH_ROUND', 250);
const ACC_N = int('BENCH_ACC_N', 1_000);
/**
 * Workers per side (both sides run at the same time). 1 by default: measures the instrument; with
 * more, each side's post-processing delays the stamps of its other in-flight requests (contention).
 */
const ACC_CONCURRENCY = int('BENCH_ACC_CONCURRENCY', 1);
const WARMUP = int('BENCH_WARMUP', 1_000);

/** The runner's Agent settings, repeated for the bare loop (see src/checks/runner.ts). */
const AGENT_SETTINGS = { keepAliveTimeout: 4_000, keepAliveMaxTimeout: 600_000, connect: { timeout: 11_000 } };

const SCHEMA = {
  type: 'object',
  required: ['items', 'total'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'price'],
        properties: { id: { type: 'integer' }, name: { type: 'string' }, price: { type: 'number', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } } },
      },
    },
    total: { type: 'integer', minimum: 0 },
  },
};

interface Side {
  name: 'ours' | 'bare';
  /** One request; resolves with the latency the side reports (ms). */
  call(path: string, requestId?: string): Promise<number>;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const target = await startTarget();
  const origin = `http://127.0.0.1:${target.port}`;
  console.log(`bench:checks  target ${origin} (child pid ${target.child.pid})  N=${N} per side per concurrency, rounds of ${ROUND}, node ${process.version}`);
  console.log('note: wall-clock figures on a shared machine are noisy; compare the sides, which run interleaved.\n');
  try {
    const rows: string[][] = [['conc', 'ours req/s', 'bare req/s', 'ours/bare', 'ours p50/p99 ms', 'bare p50/p99 ms', 'cpu µs/req ours/bare']];
    let allOk = true;
    for (const c of CONCURRENCY) {
      const sides = [ours(origin, c), bare(origin)];
      for (const s of sides) await drive(s, '/items', WARMUP, c);
      const lat: Record<string, number[]> = { ours: [], bare: [] };
      const time: Record<string, number> = { ours: 0, bare: 0 };
      const cpu: Record<string, number> = { ours: 0, bare: 0 };
      const rounds = Math.max(1, Math.ceil(N / ROUND));
      const perRound = Math.ceil(N / rounds);
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const s of order) {
          const r = await drive(s, '/items', perRound, c);
          lat[s.name]!.push(...r.latencies);
          time[s.name]! += r.elapsedMs;
          cpu[s.name]! += r.cpuUs;
        }
      }
      for (const s of sides) await s.close();
      const rps = (name: string) => (lat[name]!.length / time[name]!) * 1000;
      const ratio = rps('ours') / rps('bare');
      allOk &&= ratio >= 0.9;
      rows.push([
        String(c),
        rps('ours').toFixed(0),
        rps('bare').toFixed(0),
        `${ratio.toFixed(3)} ${ratio >= 0.9 ? 'ok' : 'BELOW 0.9'}`,
        `${pct(lat.ours!, 50).toFixed(2)} / ${pct(lat.ours!, 99).toFixed(2)}`,
        `${pct(lat.bare!, 50).toFixed(2)} / ${pct(lat.bare!, 99).toFixed(2)}`,
        `${(cpu.ours! / lat.ours!.length).toFixed(0)} / ${(cpu.bare! / lat.bare!.length).toFixed(0)}`,
      ]);
    }
    console.log('throughput (GET /items, schema validation + 2 assertions on for ours; bare reads the body as text)');
    printTable(rows);

    console.log(`\naccuracy (GET /slow, 50 ms server-side; reported minus server handling, n=${ACC_N} per side, both sides at once, ${ACC_CONCURRENCY} in flight each)`);
    const acc = await accuracy(origin);
    printTable([
      ['side', 'p50 ms', 'p90 ms', 'p99 ms', 'samples > 10 ms'],
      ['ours', acc.ours.p50.toFixed(3), acc.ours.p90.toFixed(3), acc.ours.p99.toFixed(3), String(acc.ours.over10)],
      ['bare', acc.bare.p50.toFixed(3), acc.bare.p90.toFixed(3), acc.bare.p99.toFixed(3), String(acc.bare.over10)],
    ]);
    const d50 = acc.ours.p50 - acc.bare.p50;
    const d99 = acc.ours.p99 - acc.bare.p99;
    const accOk = Math.abs(d50) <= 0.5 && Math.abs(d99) <= 0.5;
    console.log(`ours - bare: p50 ${d50.toFixed(3)} ms, p99 ${d99.toFixed(3)} ms  ${accOk ? 'ok (within 0.5 ms)' : 'OUTSIDE 0.5 ms'}`);
    console.log(`\ngoals: throughput ratio >= 0.9 at every concurrency: ${allOk ? 'met' : 'NOT met'}; accuracy within 0.5 ms: ${accOk ? 'met' : 'NOT met'}`);
  } finally {
    target.child.kill('SIGTERM');
  }
}

// --- the two sides -------------------------------------------------------------------------------

function ours(origin: string, concurrency: number): Side {
  const runner = new ApiCheckRunner({ concurrency, perOriginConcurrency: concurrency, redactor: new Redactor() });
  const ctx = { runId: 'bench', location: 'bench', environment: 'bench' };
  const base: ApiCheckDefinition = {
    kind: 'api',
    id: 'bench-items',
    name: 'bench items',
    file: 'bench/checks.ts',
    request: { method: 'GET', url: `${origin}/items`, headers: {} },
    expect: {
      status: [200],
      headers: [{ source: 'header', path: 'content-type', op: 'contains', target: 'json' }],
      body: [{ source: 'json', path: '$.total', op: 'gt', target: 0 }],
      schema: { key: 'bench-items@1', schema: SCHEMA },
    },
    retries: 0,
    timeoutMs: 10_000,
    maxBodyBytes: 10 * 1024 * 1024,
    tags: [],
  };
  const byPath = new Map<string, ApiCheckDefinition>();
  return {
    name: 'ours',
    async call(path, requestId) {
      let check = byPath.get(path);
      if (!check) {
        check = { ...base, request: { ...base.request, url: `${origin}${path}` } };
        byPath.set(path, check);
      }
      if (requestId) check = { ...check, request: { ...check.request, headers: { 'x-request-id': requestId } } };
      const r = await runner.run(check, ctx);
      if (r.status !== 'passed') throw new Error(`ours: ${r.status} ${r.error?.class}: ${r.error?.message}`);
      return r.steps[0]!.timings!.totalMs;
    },
    close: () => runner.close(),
  };
}

function bare(origin: string): Side {
  const agent = new Agent(AGENT_SETTINGS);
  return {
    name: 'bare',
    async call(path, requestId) {
      const t0 = performance.now();
      const res = await request(`${origin}${path}`, { dispatcher: agent, ...(requestId ? { headers: { 'x-request-id': requestId } } : {}) });
      await res.body.text();
      const ms = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`bare: status ${res.statusCode}`);
      return ms;
    },
    close: () => agent.close(),
  };
}

/** `count` calls from `concurrency` workers; call latency measured around each call. */
async function drive(side: Side, path: string, count: number, concurrency: number): Promise<{ latencies: number[]; elapsedMs: number; cpuUs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const s = performance.now();
      await side.call(path);
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { latencies, elapsedMs, cpuUs: cpu.user + cpu.system };
}

interface AccuracyStats {
  p50: number;
  p90: number;
  p99: number;
  /** Samples more than 10 ms over the server's handling time (stalls of the machine, GC). */
  over10: number;
}

async function accuracy(origin: string): Promise<Record<'ours' | 'bare', AccuracyStats>> {
  const sides = [ours(origin, ACC_CONCURRENCY), bare(origin)];
  for (const s of sides) await drive(s, '/items', 50, ACC_CONCURRENCY);
  const reported = new Map<string, number>();
  // Both sides at once, each with its own workers: machine-wide stalls (GC elsewhere, a busy
  // neighbour process) land on both in the same time window, so their tails stay comparable.
  let seq = 0;
  await Promise.all(
    sides.map(async (s) => {
      let left = ACC_N;
      const worker = async (): Promise<void> => {
        while (left > 0) {
          left--;
          const id = `${s.name}-${seq++}`;
          reported.set(id, await s.call('/slow', id));
        }
      };
      await Promise.all(Array.from({ length: ACC_CONCURRENCY }, worker));
    }),
  );
  for (const s of sides) await s.close();
  const res = await request(`${origin}/handling`);
  const handling = (await res.body.json()) as Record<string, number>;
  const diffs: Record<'ours' | 'bare', number[]> = { ours: [], bare: [] };
  for (const [id, ms] of reported) {
    const server = handling[id];
    if (server === undefined) throw new Error(`the target did not record ${id}`);
    diffs[id.startsWith('ours') ? 'ours' : 'bare'].push(ms - server);
  }
  return {
    ours: stats(diffs.ours),
    bare: stats(diffs.bare),
  };
}

// --- plumbing ------------------------------------------------------------------------------------

async function startTarget(): Promise<{ child: ChildProcess; port: number }> {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'targets', 'checks-target.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => child.kill('SIGTERM'));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the target did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the target exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return { child, port };
}

function stats(values: number[]): AccuracyStats {
  return { p50: pct(values, 50), p90: pct(values, 90), p99: pct(values, 99), over10: values.filter((v) => v > 10).length };
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
}

function int(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
