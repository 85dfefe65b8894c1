#!/usr/bin/env node
// `npm run demo`: everything a fresh clone needs, then one real run against the bundled demo shop.
// 1. installs npm packages when missing and builds the CLI;
// 2. installs Debian's Chromium when journeys need it and none is found (as root), else says how;
// 3. installs Debian's prometheus when missing (as root), like Chromium;
// 4. starts the demo shop on 127.0.0.1 and a Prometheus scraping the shop's /metrics, runs every
//    example check and journey with `observer run` (the board shows the shop's golden signals from
//    that Prometheus), writes reports/, prints the summary, stops both.
// Options: --runs N (default 1) runs several times to build history for the charts;
//          --incident records a deploy (demo-<time>) and then breaks the search API (latency and 503)
//          on the last run, so the run ends with an incident whose probable cause is that deploy
//          (`observer incidents` prints it; the board in reports/status.md shows it too).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const incident = args.includes('--incident');
// --incident needs a healthy run before the deploy, so the incident starts after it.
const runs = Math.max(incident ? 2 : 1, Number(args[args.indexOf('--runs') + 1]) || 1);
const say = (line) => process.stdout.write(`\x1b[1mdemo:\x1b[0m ${line}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`demo: \`${cmd} ${argv.join(' ')}\` failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}

// 1. npm packages and the build.
if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  say('installing npm packages (npm ci)');
  sh('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
}
say('building the observer CLI');
sh('npm', ['run', '--silent', 'build']);

// 2. A browser for the journeys.
const chromium = [process.env.OBSERVER_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromium) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say("installing Debian's chromium for the journeys (apt-get install chromium)");
    sh('apt-get', ['update', '-qq']);
    sh('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    say('no Chromium found: install one (`sudo apt-get install chromium`) or set OBSERVER_CHROMIUM; journeys will fail until then');
  }
}

// 3. Prometheus for the shop's own golden signals (Debian's package, installed like Chromium).
const prometheusBin = [process.env.OBSERVER_PROMETHEUS, '/usr/bin/prometheus'].find((p) => p && existsSync(p));
let prometheusPath = prometheusBin;
if (!prometheusPath) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say("installing Debian's prometheus for the shop's golden signals (apt-get install prometheus)");
    sh('apt-get', ['update', '-qq']);
    sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    prometheusPath = '/usr/bin/prometheus';
  } else {
    say('no Prometheus found: install one (`sudo apt-get install prometheus`) or set OBSERVER_PROMETHEUS; the board will show no system signals');
  }
}

// 4. The demo shop (with its DNS, TCP and TLS servers on loopback), Prometheus scraping it, then the runs.
say('starting the demo shop (with its DNS, TCP and TLS servers on loopback)');
const caFile = path.join(root, '.observer', 'demo-ca.pem');
const shop = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--port', '0', '--extras', '--ca-file', caFile], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const extras = {};
const url = await new Promise((resolve, reject) => {
  let buf = '';
  const timer = setTimeout(() => reject(new Error('the demo shop did not start within 30 s')), 30_000);
  shop.stdout.on('data', (chunk) => {
    buf += chunk;
    extras.dns ??= /demo dns on (\S+)/.exec(buf)?.[1];
    extras.tcp ??= /demo tcp on port (\d+)/.exec(buf)?.[1];
    extras.tls ??= /demo tls on port (\d+)/.exec(buf)?.[1];
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  shop.once('exit', (code) => reject(new Error(`the demo shop exited (${code})`)));
});
say(`demo shop at ${url}`);
let prometheus;
const stopShop = () => {
  shop.kill('SIGTERM');
  prometheus?.kill('SIGTERM');
};
process.on('exit', stopShop);

let prometheusUrl;
if (prometheusPath) {
  const port = await freePort();
  const dir = path.join(root, '.observer', 'demo-prometheus');
  mkdirSync(dir, { recursive: true });
  const shopTarget = new URL(url).host;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `# Written by scripts/demo.mjs: scrape the demo shop's /metrics every second.\nglobal:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['${shopTarget}']\n`,
  );
  prometheus = spawn(prometheusPath, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { cwd: root, stdio: 'ignore' });
  prometheusUrl = `http://127.0.0.1:${port}`;
  // Bounded wait until it is ready and has scraped the shop once.
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`${prometheusUrl}/api/v1/query?query=up%7Bjob%3D%22shop%22%7D`)
      .then((r) => r.json())
      .then((j) => j?.data?.result?.[0]?.value?.[1] === '1', () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`prometheus at ${prometheusUrl} scraping the shop's /metrics every second`);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const env = {
  ...process.env,
  OBSERVER_BASE_URL: url,
  DEMO_USER: process.env.DEMO_USER ?? 'demo',
  DEMO_PASSWORD: process.env.DEMO_PASSWORD ?? 'demo-password-123',
  ...(prometheusUrl ? { DEMO_PROMETHEUS_URL: prometheusUrl } : {}),
  DEMO_DNS: extras.dns,
  DEMO_TCP_PORT: extras.tcp,
  DEMO_TLS_PORT: extras.tls,
  DEMO_TLS_CA: caFile,
  DEMO_HEARTBEAT_TOKEN: process.env.DEMO_HEARTBEAT_TOKEN ?? randomBytes(16).toString('hex'),
};

// Heartbeats are received by the daemon: a short daemon session takes one ping from a "job" and
// evaluates the heartbeat monitors (their results go to the store like any other).
const heartbeatFiles = readdirSync(path.join(root, 'checks'))
  .filter((f) => /\.check\.ya?ml$/.test(f) && /^kind:\s*heartbeat\s*$/m.test(readFileSync(path.join(root, 'checks', f), 'utf8')))
  .map((f) => `checks/${f}`);
if (heartbeatFiles.length) {
  say(`observer daemon for the heartbeat monitor(s): ${heartbeatFiles.join(', ')}`);
  const daemon = spawn(process.execPath, ['dist/cli/bin.js', 'daemon', '--env', 'local', '--port', '0', '--host', '127.0.0.1', '--tag', 'heartbeat'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => {
    let buf = '';
    const timer = setTimeout(() => resolve(undefined), 30_000);
    daemon.stdout.on('data', (chunk) => {
      buf += chunk;
      const m = /listening on (\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    daemon.once('exit', () => resolve(undefined));
  });
  if (port) {
    const res = await fetch(`http://127.0.0.1:${port}/heartbeat/nightly-backup?token=${env.DEMO_HEARTBEAT_TOKEN}`, { method: 'POST' }).catch((err) => ({ status: err.message }));
    say(`the backup job pinged POST /heartbeat/nightly-backup: ${res.status}`);
    await new Promise((r) => setTimeout(r, 2_500)); // at least one evaluation (every 2 s)
  }
  daemon.kill('SIGTERM');
  await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', r)));
}
let code = 0;
for (let i = 1; i <= runs; i++) {
  if (incident && i === runs) {
    const version = `demo-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
    say(`recording deploy ${version}, then injecting 800 ms of latency and 503s into /api/products for the last run`);
    sh(process.execPath, ['dist/cli/bin.js', 'deploy', '--env', 'local', '--version', version, '--description', 'the demo deploy that breaks search'], { env });
    await fetch(`${url}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: '/api/products', latencyMs: 800, status: 503 }) });
  }
  say(`observer run (${i}/${runs})`);
  // The one-shot run leaves the heartbeats to the daemon session above.
  const r = spawnSync(process.execPath, ['dist/cli/bin.js', 'run', '--env', 'local'], { cwd: root, stdio: 'inherit', env });
  code = r.status ?? 1;
}
// The daemon session's heartbeat results are in the store before the runs, so the last run's board lists
// them; rewriting the reports with `observer report` would drop what only a run has (the system's golden signals).
if (incident) {
  say('observer incidents');
  spawnSync(process.execPath, ['dist/cli/bin.js', 'incidents', '--env', 'local', '--since', '2h'], { cwd: root, stdio: 'inherit', env });
}
stopShop();
say(`reports written to ${path.join(root, 'reports')}/ (open reports/index.html; status board in reports/status.md)`);
say('live dashboard from the same store: node dist/cli/bin.js serve --host 127.0.0.1, then open http://127.0.0.1:9464/ (it updates as runs land)');
say(code === 0 ? 'every monitor passed' : `the last run exited ${code} (see the lines above)`);
process.exit(incident && code === 1 ? 0 : code);
