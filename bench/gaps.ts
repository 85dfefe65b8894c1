/**
 * Benchmark of the gaps matcher: access-log lines → GitHub REST API operations, racing a bare
 * baseline in the same run. Each side is a child process timed from spawn to exit (what a user pays):
 *
 *   npm run bench:gaps                      (builds, then tsx bench/gaps.ts)
 *   BENCH_LINES=200000 BENCH_ROUNDS=1 tsx bench/gaps.ts   (quick; needs a build)
 *
 * - ours: bench/gaps-child.mjs ours: reads the log in 4 MiB chunks, parses each line with the
 *   access-log sources' combined-format scanner (src/sources/access-log/parse.ts), loads GitHub's
 *   description from @octokit/openapi (read, validated, dereferenced: swagger-parser), compiles the
 *   matcher, matches every line and groups the undocumented ones (at most 1,000 templates).
 * - bare: bench/gaps-child.mjs bare: the same file read the same way, one regex per line.
 * Files: BENCH_LINES (default 1,000,000) combined lines with a realistic mix of GitHub API paths (ids,
 * owners, repos, SHAs, query strings; ~6% undocumented), and a tenth of it to show memory: peak RSS
 * at 100k vs 1M lines stays flat (bounded by routes, not lines). Rounds alternate who goes first;
 * medians are printed. Also printed: the fixed cost (the description's load, measured in the child)
 * and the per-line rate past it ((1M - 100k) lines / (t1M - t100k)). Goal: >= 300,000 lines/s on one core.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const SMALL = Math.max(1, Math.round(LINES / 10));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, 'gaps-child.mjs');
const spec = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
const dir = mkdtempSync(path.join(os.tmpdir(), 'observer-bench-gaps-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A deterministic pseudo-random sequence (the same file every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function writeLog(file: string, lines: number): void {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const owners = ['octocat', 'github', 'microsoft', 'nodejs', 'facebook', 'torvalds', 'rust-lang', 'vercel'];
  const repos = ['hello-world', 'linguist', 'vscode', 'node', 'react', 'linux', 'rust', 'next.js', 'docs'];
  const users = ['octocat', 'monalisa', 'defunkt', 'mojombo', 'hubot'];
  const n = () => 1 + Math.floor(r() * 50_000);
  const sha = () => Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const repo = () => `/repos/${pick(owners)}/${pick(repos)}`;
  // [weight, method, path] — documented GitHub routes, then some that GitHub does not document.
  const mix: Array<[number, string, () => string]> = [
    [14, 'GET', () => `${repo()}/issues/${n()}`],
    [10, 'GET', () => `${repo()}/pulls?state=open&per_page=${pick([30, 50, 100])}`],
    [8, 'GET', () => repo()],
    [7, 'GET', () => '/user'],
    [6, 'GET', () => `/users/${pick(users)}`],
    [6, 'GET', () => `${repo()}/commits/${sha()}`],
    [5, 'GET', () => `${repo()}/issues/${n()}/comments?page=${1 + Math.floor(r() * 5)}`],
    [5, 'POST', () => `${repo()}/issues/${n()}/comments`],
    [4, 'GET', () => `${repo()}/contents/src/${pick(['index.ts', 'lib/a.js', 'README.md'])}`],
    [4, 'GET', () => `${repo()}/actions/runs/${n() * 1000}`],
    [3, 'GET', () => `/orgs/${pick(owners)}/members`],
    [3, 'PATCH', () => `${repo()}/pulls/${n()}`],
    [3, 'GET', () => `/search/issues?q=is:open+repo:${pick(owners)}/${pick(repos)}`],
    [3, 'GET', () => `${repo()}/releases/latest`],
    [3, 'HEAD', () => repo()],
    [2, 'DELETE', () => `${repo()}/issues/comments/${n()}`],
    [2, 'GET', () => '/rate_limit'],
    [2, 'GET', () => `/gists/${sha().slice(0, 32)}`],
    [2, 'PUT', () => `${repo()}/pulls/${n()}/merge`],
    // Undocumented (~6%): internal routes, a typo'd one, a version prefix GitHub does not serve.
    [2, 'GET', () => `/internal/jobs/${n()}/logs`],
    [1, 'GET', () => `/_private/browser/stats?ts=${n()}`],
    [1, 'POST', () => `/hooks/deliveries/${sha().slice(0, 12)}/replay`],
    [1, 'GET', () => `/v4${repo()}/issuez/${n()}`],
  ];
  const total = mix.reduce((a, [w]) => a + w, 0);
  const statuses = [200, 200, 200, 200, 200, 200, 201, 204, 304, 404, 422, 500, 502];
  const fd = openSync(file, 'w');
  let buf = '';
  for (let i = 0; i < lines; i++) {
    let x = r() * total;
    let k = 0;
    while ((x -= mix[k][0]) > 0) k++;
    const [, method, make] = mix[k];
    const sec = String(i % 60).padStart(2, '0');
    const min = String(Math.floor(i / 60) % 60).padStart(2, '0');
    buf += `10.${i & 255}.${(i >> 8) & 255}.7 - - [04/Dec/2026:10:${min}:${sec} +0000] "${method} ${make()} HTTP/1.1" ${pick(statuses)} ${200 + (i % 9000)} "-" "octokit-rest.js/21.0.0 Node.js/20" ${(r() * 0.8).toFixed(3)}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

interface ChildResult {
  wallMs: number;
  out: { lines: number; maxRssMb: number; liveHeapMb: number; cpuMs: number; loadMs?: number; loadCpuMs?: number; matched?: number; undocumented?: number; undocumentedRoutes?: number; operations?: number; malformed?: number };
}

function run(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--expose-gc', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${args[0]} exited ${code}`));
      resolve({ wallMs, out: JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult['out'] });
    });
  });
}

async function main(): Promise<void> {
  const big = path.join(dir, 'access.log');
  const small = path.join(dir, 'access-small.log');
  writeLog(big, LINES);
  writeLog(small, SMALL);
  console.log(`gaps: ${fmt(LINES)} combined lines matched against GitHub's REST description (@octokit/openapi), ${ROUNDS} rounds, sides alternate, each a child process from spawn to exit`);
  const ours: ChildResult[] = [];
  const bare: ChildResult[] = [];
  const oursSmall: ChildResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const o = () => run(['ours', big, spec]).then((r) => ours.push(r));
    const b = () => run(['bare', big]).then((r) => bare.push(r));
    if (round % 2) {
      await b();
      await o();
    } else {
      await o();
      await b();
    }
    oursSmall.push(await run(['ours', small, spec]));
  }
  for (const r of [...ours, ...bare]) if (r.out.lines !== LINES) throw new Error(`a child read ${r.out.lines} lines, expected ${LINES}`);
  const last = ours[ours.length - 1].out;
  if (last.matched! + last.undocumented! + last.malformed! !== LINES) throw new Error('matched + undocumented + malformed != lines');
  const ow = median(ours.map((r) => r.wallMs));
  const bw = median(bare.map((r) => r.wallMs));
  const sw = median(oursSmall.map((r) => r.wallMs));
  const oc = median(ours.map((r) => r.out.cpuMs));
  const bc = median(bare.map((r) => r.out.cpuMs));
  const sc = median(oursSmall.map((r) => r.out.cpuMs));
  const load = median(ours.map((r) => r.out.loadMs!));
  const loadCpu = median(ours.map((r) => r.out.loadCpuMs!));
  const rate = (lines: number, ms: number) => fmt(lines / (ms / 1000)).padStart(9);
  console.log(`  found: ${fmt(last.matched!)} lines on ${last.operations} operations, ${fmt(last.undocumented!)} undocumented in ${last.undocumentedRoutes} templates, ${last.malformed} malformed`);
  console.log(`  ours  wall ${ow.toFixed(0).padStart(6)} ms = ${rate(LINES, ow)} lines/s · cpu ${String(oc).padStart(6)} ms = ${rate(LINES, oc)} lines/s (of it loading the description: ${load} ms wall, ${loadCpu} ms cpu)`);
  console.log(`  bare  wall ${bw.toFixed(0).padStart(6)} ms = ${rate(LINES, bw)} lines/s · cpu ${String(bc).padStart(6)} ms = ${rate(LINES, bc)} lines/s (one regex per line)`);
  console.log(`  ours/bare time: wall ${(ow / bw).toFixed(2)}x · cpu ${(oc / bc).toFixed(2)}x`);
  const perLineCpu = (LINES - SMALL) / ((oc - sc) / 1000);
  console.log(`  per line past the fixed cost: cpu ${fmt(perLineCpu)} lines/s, wall ${fmt((LINES - SMALL) / ((ow - sw) / 1000))} lines/s ((${fmt(LINES)} - ${fmt(SMALL)}) lines / the difference of the two runs)`);
  console.log(`  peak RSS ours: ${median(oursSmall.map((r) => r.out.maxRssMb))} MB at ${fmt(SMALL)} lines, ${median(ours.map((r) => r.out.maxRssMb))} MB at ${fmt(LINES)} lines (bare: ${median(bare.map((r) => r.out.maxRssMb))} MB); live heap after GC: ${median(oursSmall.map((r) => r.out.liveHeapMb))} MB vs ${median(ours.map((r) => r.out.liveHeapMb))} MB`);
  const whole = LINES / (oc / 1000);
  console.log(`  goal >= 300,000 lines/s on one core (cpu), spawn to exit: ${whole >= 300_000 ? 'met' : 'NOT met'} (${fmt(whole)}); per line past the fixed cost: ${perLineCpu >= 300_000 ? 'met' : 'NOT met'} (${fmt(perLineCpu)})`);
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
