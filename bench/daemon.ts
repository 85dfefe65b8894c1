/**
 * bench:daemon — the daemon under load on this machine: 200 API monitors every 10 s and 5 journeys
 * every minute against the demo shop, for a bounded time (BENCH_SECONDS, default 180).
 * Prints schedule lateness p50/p99 (goal < 1 s at p99), overlaps (goal 0), results written vs
 * expected (goal equal) and the daemon's memory at start and end (goal: growth < 10%).
 * The baseline in the same run is the cron schedule itself: the ticks it should have fired.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 180);
const apiMonitors = Number(process.env.BENCH_API_MONITORS ?? 200);
const journeyMonitors = Number(process.env.BENCH_JOURNEYS ?? 5);
const work = path.join(root, 'test-results', 'bench-daemon');

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, 'checks'), { recursive: true });
  mkdirSync(path.join(work, 'journeys'), { recursive: true });
  const endpoints = ['/api/health', '/api/products?q=lamp', '/api/products/1', '/api/products?q=chair'];
  for (let i = 0; i < apiMonitors; i++) {
    writeFileSync(
      path.join(work, 'checks', `m${i}.check.yaml`),
      `id: api-${i}\nname: API ${i}\nrequest: { url: "${endpoints[i % endpoints.length]}" }\nschedule: "*/10 * * * * *"\ntimeoutMs: 5000\n`,
    );
  }
  for (let i = 0; i < journeyMonitors; i++) {
    const src = readFileSync(path.join(root, 'journeys', 'purchase.journey.ts'), 'utf8');
    const copy = src
      .replace(/(test\(\s*['"`])([^'"`]+)/, `$1$2 #${i}`)
      .replace(/id: 'purchase'/, `id: 'purchase-${i}'`)
      .replace(/schedule: '[^']*'/, `schedule: '0 * * * * *'`);
    if (!copy.includes(`purchase-${i}`) || !copy.includes(`'0 * * * * *'`)) throw new Error('journeys/purchase.journey.ts changed shape: update bench/daemon.ts');
    writeFileSync(path.join(work, 'journeys', `purchase-${i}.journey.ts`), copy);
  }
  writeFileSync(
    path.join(work, 'observer.config.ts'),
    `import { defineConfig } from 'production-observer';\n` +
      `export default defineConfig({\n` +
      `  concurrency: { checks: 50, perOrigin: 50, journeyWorkers: 2 },\n` +
      `  daemon: { jitterMs: 2000, shutdownTimeoutMs: 60000 },\n` +
      `});\n`,
  );

  const shop = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const shopUrl = await new Promise<string>((resolve, reject) => {
    let buf = '';
    shop.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    setTimeout(() => reject(new Error('demo shop did not start')), 30_000);
  });

  const daemon = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'bin.js'), 'daemon', '--port', '0', '--host', '127.0.0.1', '--log-format', 'json'], {
    cwd: work,
    env: { ...process.env, OBSERVER_BASE_URL: shopUrl, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  daemon.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    daemon.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /listening on (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    daemon.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${stderr.slice(-2000)}`)));
  });
  const startedAt = Date.now();
  console.log(`daemon up on :${port}; ${apiMonitors} API monitors every 10 s, ${journeyMonitors} journeys every minute, for ${seconds} s`);

  // Memory after warm-up (first full minute of ticks), then at the end.
  const samples: Array<{ t: number; rss: number }> = [];
  const sampler = setInterval(() => samples.push({ t: Date.now() - startedAt, rss: rssOf(daemon.pid!) }), 5_000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(sampler);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  daemon.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => daemon.once('exit', resolve));
  shop.kill('SIGTERM');

  const statsLine = stderr.split('\n').find((l) => l.includes('"daemonStats"'));
  const stats = statsLine ? (JSON.parse(statsLine) as { daemonStats: { latenessP50Ms: number; latenessP99Ms: number; started: number; finished: number; skippedOverlap: number } }).daemonStats : null;
  const db = new Database(path.join(work, '.observer', 'observer.db'), { readonly: true });
  const written = (db.prepare('select count(*) as n from results').get() as { n: number }).n;
  const byKind = db.prepare('select kind, status, count(*) as n from results group by kind, status').all() as Array<{ kind: string; status: string; n: number }>;
  db.close();

  const expectedApi = apiMonitors * Math.floor(seconds / 10);
  const expectedJourneys = journeyMonitors * Math.floor(seconds / 60);
  const warm = samples.filter((s) => s.t >= 60_000);
  const memStart = (warm[0] ?? samples[0])?.rss ?? NaN;
  const memEnd = samples.at(-1)?.rss ?? NaN;
  const overlaps = Number(/observer_skipped_ticks_total\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);

  console.log(`exit code after SIGTERM: ${code}`);
  console.log(`schedule lateness: p50 ${stats?.latenessP50Ms} ms, p99 ${stats?.latenessP99Ms} ms (goal p99 < 1000 ms), over ${stats?.started} started runs`);
  console.log(`overlaps (skipped ticks): ${stats?.skippedOverlap ?? overlaps} (goal 0)`);
  console.log(`results written ${written} vs ticks fired ${stats?.started ?? '?'} (goal equal); by kind and status ${JSON.stringify(byKind)}`);
  console.log(`cron baseline for ${seconds} s: ~${expectedApi} API + ~${expectedJourneys} journey runs (boundary ticks may add or drop one per monitor)`);
  console.log(`daemon RSS after warm-up ${(memStart / 2 ** 20).toFixed(1)} MiB, at end ${(memEnd / 2 ** 20).toFixed(1)} MiB, growth ${(((memEnd - memStart) / memStart) * 100).toFixed(1)}% (goal < 10%)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
