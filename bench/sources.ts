/**
 * Benchmark of the golden-signal sources, racing a bare baseline in the same run.
 *
 *   npm run bench:sources          (tsx bench/sources.ts)
 *   BENCH_LINES=200000 BENCH_ROUNDS=3 tsx bench/sources.ts   (quick)
 *
 * 1. Access logs: BENCH_LINES (default 1,000,000) combined-format lines with a request time, in a
 *    temp file. `ours` = readAccessLogSource() from the start (read, parse, aggregate per route,
 *    percentiles, position stored in a SQLite store); `bare` = the same file read in the same
 *    chunks and split into lines (indexOf + slice), nothing parsed. Rounds alternate who goes first.
 *    Prints lines/s by wall time and by CPU time of this process (one core: the work is one thread;
 *    CPU time is steadier when other processes load the machine), and ours/bare. Goal: >= 500,000
 *    lines/s on one core.
 * 2. Prometheus: a real Prometheus (Debian's, OBSERVER_PROMETHEUS) on a free loopback port scraping
 *    itself; `ours` = readPrometheusSource() with 20 queries (2 services), `bare` = one
 *    undici request of `up`. Prints the median and p90 of each over BENCH_PROM_ROUNDS (default 20).
 *    Goal: ours < 200 ms added to a run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { readAccessLogSource, readPrometheusSource, type PrometheusSourceConfig } from '../src/sources/index.js';
import { SqliteStore } from '../src/store/index.js';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROM_ROUNDS = Number(process.env.BENCH_PROM_ROUNDS ?? 20);
const PROMETHEUS = process.env.OBSERVER_PROMETHEUS ?? '/usr/bin/prometheus';

const dir = mkdtempSync(path.join(os.tmpdir(), 'observer-bench-sources-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function writeLog(file: string): number {
  const routes = ['/api/products', '/api/products/1234', '/api/cart', '/api/checkout', '/', '/static/app.js', '/api/search?q=shoes', '/login'];
  const statuses = [200, 200, 200, 200, 200, 200, 304, 404, 500, 200];
  const fd = openSync(file, 'w');
  let bytes = 0;
  let buf = '';
  for (let i = 0; i < LINES; i++) {
    const sec = String(i % 60).padStart(2, '0');
    const min = String(Math.floor(i / 60) % 60).padStart(2, '0');
    buf += `10.1.${i & 255}.${(i >> 8) & 255} - - [04/Dec/2026:10:${min}:${sec} +0000] "GET ${routes[i % routes.length]} HTTP/1.1" ${statuses[i % statuses.length]} ${512 + (i % 4096)} "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36" ${((i % 997) / 1000).toFixed(3)}\n`;
    if (buf.length > 1 << 20) {
      bytes += writeSync(fd, buf);
      buf = '';
    }
  }
  bytes += writeSync(fd, buf);
  closeSync(fd);
  return bytes;
}

/** The baseline: same file, same 4 MiB chunks, lines split and counted. */
async function bareSplit(file: string): Promise<number> {
  const fh = await open(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let pos = 0;
  let carry = '';
  let lines = 0;
  let sink = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const text = carry + buf.toString('utf8', 0, bytesRead);
      let start = 0;
      for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
        sink += text.slice(start, end).length;
        lines++;
        start = end + 1;
      }
      carry = text.slice(start);
    }
  } finally {
    await fh.close();
  }
  if (sink < 0) console.log(sink);
  return lines;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ wallMs: number; cpuMs: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, value };
}

async function accessLogs(): Promise<void> {
  const file = path.join(dir, 'access.log');
  const bytes = writeLog(file);
  console.log(`access logs: ${fmt(LINES)} combined lines (${(bytes / 1e6).toFixed(0)} MB), ${ROUNDS} rounds, sides alternate`);
  const ours: Array<{ wallMs: number; cpuMs: number }> = [];
  const bare: Array<{ wallMs: number; cpuMs: number }> = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const runOurs = async () => {
      const store = new SqliteStore({ path: ':memory:' });
      await store.migrate();
      const r = await timed(() => readAccessLogSource({ type: 'access-log', service: 'shop', path: file, format: 'combined', maxBytesPerRun: 2 ** 40 }, { store, rootDir: dir, nowMs: Date.now(), monotonicMs: () => performance.now() }));
      await store.close();
      const traffic = r.value.readings.find((x) => x.signal === 'traffic' && x.route === undefined);
      if (traffic?.samples !== LINES) throw new Error(`ours read ${traffic?.samples} lines, expected ${LINES}`);
      if (round > 0) ours.push(r);
    };
    const runBare = async () => {
      const r = await timed(() => bareSplit(file));
      if (r.value !== LINES) throw new Error(`bare split ${r.value} lines`);
      if (round > 0) bare.push(r);
    };
    // Round 0 warms both up and is not counted.
    if (round % 2) {
      await runOurs();
      await runBare();
    } else {
      await runBare();
      await runOurs();
    }
  }
  const row = (name: string, xs: Array<{ wallMs: number; cpuMs: number }>) => {
    const w = median(xs.map((x) => x.wallMs));
    const c = median(xs.map((x) => x.cpuMs));
    console.log(`  ${name.padEnd(5)} wall ${w.toFixed(0).padStart(6)} ms = ${fmt(LINES / (w / 1000)).padStart(11)} lines/s · cpu ${c.toFixed(0).padStart(6)} ms = ${fmt(LINES / (c / 1000)).padStart(11)} lines/s (one core)`);
    return { w, c };
  };
  const o = row('ours', ours);
  const b = row('bare', bare);
  const ok = LINES / (o.c / 1000) >= 500_000;
  console.log(`  ours/bare throughput: wall ${(b.w / o.w).toFixed(2)} · cpu ${(b.c / o.c).toFixed(2)}   goal >= 500,000 lines/s on one core: ${ok ? 'met' : 'NOT met'}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function prometheus(): Promise<void> {
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prom\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
  const child = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
      if (i > 300) throw new Error('prometheus not ready in 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let it scrape itself a few times so the queries have data to compute.
    for (let i = 0; i < 100; i++) {
      const v = await fetch(`${url}/api/v1/query?query=count(prometheus_http_requests_total)`).then((r) => r.json() as Promise<{ data: { result: unknown[] } }>);
      if (v.data.result.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const svc = { selector: 'job="prom"', requestsMetric: 'prometheus_http_requests_total', durationMetric: 'prometheus_http_request_duration_seconds', routeLabel: 'handler', exporter: 'http' as const, memoryLimitBytes: 4e9 };
    // a: 9 service-level + 3 per-route queries; b: 8 service-level (no routes, no connections) = 20.
    const cfg: PrometheusSourceConfig = {
      type: 'prometheus',
      url,
      services: { a: svc, b: { ...svc, queries: { trafficByRoute: false, errors5xxByRoute: false, errors4xxByRoute: false, connections: false } } },
    };
    const ours: number[] = [];
    const bare: number[] = [];
    let queries = 0;
    for (let i = 0; i < PROM_ROUNDS + 1; i++) {
      const t0 = performance.now();
      const r = await readPrometheusSource(cfg, { nowMs: Date.now(), monotonicMs: () => performance.now() });
      const oursMs = performance.now() - t0;
      queries = r.readings.filter((x) => x.route === undefined).length + 3; // + the 3 per-route queries of service a
      const t1 = performance.now();
      const res = await request(`${url}/api/v1/query?query=up`);
      await res.body.text();
      const bareMs = performance.now() - t1;
      if (i > 0) {
        ours.push(oursMs);
        bare.push(bareMs);
      }
    }
    console.log(`prometheus: ${queries} queries per collection (2 services), ${PROM_ROUNDS} collections`);
    console.log(`  ours  median ${median(ours).toFixed(1)} ms · p90 ${p90(ours).toFixed(1)} ms (all queries of one collection)`);
    console.log(`  bare  median ${median(bare).toFixed(1)} ms · p90 ${p90(bare).toFixed(1)} ms (one undici request of "up")`);
    console.log(`  goal < 200 ms added to a run: ${p90(ours) < 200 ? 'met' : 'NOT met'} (p90)`);
  } finally {
    child.kill('SIGTERM');
  }
}

try {
  await accessLogs();
  if (process.env.BENCH_SKIP_PROMETHEUS !== '1') await prometheus();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
