/**
 * bench:live — the live dashboard against the same store, on this machine:
 * 1. whole commands from spawn to exit: `observer report` (the baseline: reads the store and renders
 *    the same board to disk) vs `observer serve` started, the first `/` answered, SIGTERM, exit;
 * 2. `/` again (cached per version) vs the first `/`;
 * 3. update fan-out: BENCH_CLIENTS event streams open (default 100), a run is written to the store by
 *    another process's means (the Store API), time until every stream has its `update` (poll
 *    interval 1 s: the figure is dominated by it; the render is timed separately).
 * The store holds BENCH_MONITORS (default 30) API monitors x BENCH_RUNS (default 288: every 5 min
 * for 24 h).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.js';
import { apiResult, run } from '../test/store/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const monitors = Number(process.env.BENCH_MONITORS ?? 30);
const runs = Number(process.env.BENCH_RUNS ?? 288);
const clients = Number(process.env.BENCH_CLIENTS ?? 100);
const work = path.join(root, 'test-results', 'bench-live');
const cli = path.join(root, 'dist', 'cli', 'bin.js');
const now = Date.now();

async function seed(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, 'observer.config.mjs'), `export default { reporters: ['json', 'markdown', 'html'], dashboard: { maxClients: ${clients + 5} } };\n`);
  const store = await openStore({ path: path.join(work, '.observer', 'observer.db') });
  await store.migrate();
  for (let i = 0; i < runs; i++) {
    const at = now - (runs - i) * 300_000;
    const id = `r${String(i).padStart(4, '0')}`;
    await store.saveRun(run(id, { atMs: at, finishedAt: new Date(at + 1000).toISOString(), environment: 'local' }));
    await store.saveResults(Array.from({ length: monitors }, (_, m) => apiResult(id, `api-${m}`, at + m, { environment: 'local', durationMs: 80 + ((i * 7 + m * 13) % 40) })));
  }
  await store.close();
}

function timeCommand(args: string[], untilListening?: (port: number) => Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\d+)/.exec(out);
      if (m && untilListening) {
        const cb = untilListening;
        untilListening = undefined;
        cb(Number(m[1])).then(() => child.kill('SIGTERM'), reject);
      }
    });
    child.once('exit', (code) => (code === 0 || code === 1 ? resolve(performance.now() - t0) : reject(new Error(`exit ${code}`))));
  });
}

function openStream(url: string, onUpdate: () => void): Promise<http.ClientRequest> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (c: string) => {
        buf += c;
        if (buf.includes('event: hello')) resolve(req);
        if (buf.includes('event: update')) {
          buf = '';
          onUpdate();
        }
      });
    });
    req.on('error', () => undefined);
  });
}

async function main(): Promise<void> {
  await seed();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const report: number[] = [];
  const serve: number[] = [];
  for (let i = 0; i < 3; i++) {
    report.push(await timeCommand(['report']));
    serve.push(await timeCommand(['serve', '--port', '0', '--host', '127.0.0.1', '--write-interval', '0'], async (port) => void (await (await fetch(`http://127.0.0.1:${port}/`)).text())));
  }
  let first = 0;
  let cached = 0;
  let fanout = 0;
  await timeCommand(['serve', '--port', '0', '--host', '127.0.0.1', '--write-interval', '0', '--poll-interval', '1'], async (port) => {
    const base = `http://127.0.0.1:${port}`;
    let t = performance.now();
    await (await fetch(`${base}/`)).text();
    first = performance.now() - t;
    t = performance.now();
    await (await fetch(`${base}/`)).text();
    cached = performance.now() - t;
    let got = 0;
    let allGot: () => void = () => undefined;
    const all = new Promise<void>((r) => (allGot = r));
    const streams = await Promise.all(Array.from({ length: clients }, () => openStream(`${base}/events`, () => ++got === clients && allGot())));
    const store = await openStore({ path: path.join(work, '.observer', 'observer.db') });
    t = performance.now();
    await store.saveRun(run('r9999', { atMs: Date.now(), finishedAt: new Date().toISOString(), environment: 'local' }));
    await store.saveResults([apiResult('r9999', 'api-0', Date.now(), { environment: 'local', status: 'failed' })]);
    await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
    fanout = performance.now() - t;
    await store.close();
    for (const s of streams) s.destroy();
  });
  const r = median(report);
  const s = median(serve);
  console.log(`store: ${monitors} monitors x ${runs} runs = ${monitors * runs} results`);
  console.log(`observer report (baseline), spawn to exit, median of 3: ${r.toFixed(0)} ms`);
  console.log(`observer serve, spawn to first / to exit, median of 3: ${s.toFixed(0)} ms (${(s / r).toFixed(2)}x the baseline)`);
  console.log(`GET / first (render): ${first.toFixed(0)} ms; again (cached): ${cached.toFixed(1)} ms`);
  console.log(`a result written -> ${clients} streams have their update: ${fanout.toFixed(0)} ms (poll interval 1000 ms)`);
}

await main();
