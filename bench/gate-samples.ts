/**
 * Collects real measured distributions for the deploy gate's statistical trials
 * (test/gate/trials.test.ts): starts the demo shop on 127.0.0.1, runs every example check and
 * journey `--runs` times with the real CLI (one `observer run` process per run, as a CronJob
 * would), and writes each step's duration, TTFB and LCP samples to test/fixtures/gate/measured.json.
 *
 *   npm run build && tsx bench/gate-samples.ts --runs 40
 *
 * With `--backend-ms N` it runs the test/fixtures/e2e/gate-shop checks instead, with the shop's
 * API answering in N ms (an injected latency standing for a real backend, so server time dominates
 * the step as on a production site), and writes measured-backend.json.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoShop } from '../demo/server.js';
import { stepSamples } from '../src/gate/samples.js';
import type { MonitorResult } from '../src/model/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Math.max(2, Number(args[args.indexOf('--runs') + 1]) || 40);
const backendMs = args.includes('--backend-ms') ? Number(args[args.indexOf('--backend-ms') + 1]) : undefined;
const out = path.join(root, 'test', 'fixtures', 'gate', backendMs ? 'measured-backend.json' : 'measured.json');

const dir = path.join(root, 'test-results', `gate-samples-${process.pid}`);
mkdirSync(dir, { recursive: true });
if (backendMs) cpSync(path.join(root, 'test', 'fixtures', 'e2e', 'gate-shop'), dir, { recursive: true });
else for (const f of ['observer.config.ts', 'checks', 'journeys']) cpSync(path.join(root, f), path.join(dir, f), { recursive: true });

const shop = await startDemoShop({ port: 0 });
if (backendMs) shop.setFault('/api/*', { latencyMs: backendMs });
const results: MonitorResult[] = [];
try {
  for (let i = 0; i < runs; i++) {
    // Asynchronous: the shop answers from this process's event loop.
    const r = await promisify(execFile)(process.execPath, [path.join(root, 'dist', 'cli', 'bin.js'), 'run', '--json', ...(backendMs ? [] : ['--env', 'local'])], {
      cwd: dir,
      env: { ...process.env, OBSERVER_BASE_URL: shop.url, DEMO_USER: 'demo', DEMO_PASSWORD: 'demo-password-123', CI: '1', NO_COLOR: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    }).catch((err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? '', stderr: `exit ${err.code}: ${err.stderr ?? ''}` }));
    if (!r.stdout.trim()) throw new Error(`observer run printed no report: ${r.stderr.slice(-2000)}`);
    const report = JSON.parse(r.stdout) as { results: MonitorResult[] };
    results.push(...report.results);
    process.stderr.write(`run ${i + 1}/${runs}: ${report.results.map((x) => `${x.monitor}=${x.status}`).join(' ')}\n`);
  }
} finally {
  await shop.close();
  rmSync(dir, { recursive: true, force: true });
}

const samples: Record<string, Record<string, number[]>> = {};
for (const s of stepSamples(results)) {
  const key = `${s.monitor} / ${s.step}`;
  const bucket = (samples[key] ??= {});
  for (const [metric, value] of Object.entries(s.values)) {
    if (metric === 'errorRate' || value === undefined) continue;
    (bucket[metric] ??= []).push(Math.round(value * 1000) / 1000);
  }
}
writeFileSync(out, JSON.stringify({ source: `bench/gate-samples.ts against the demo shop, one observer run process per run${backendMs ? `, API answering in ${backendMs} ms` : ''}`, runs, samples }, null, 1) + '\n');
process.stderr.write(`wrote ${path.relative(root, out)} (${Object.keys(samples).length} steps)\n`);
