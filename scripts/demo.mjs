#!/usr/bin/env node
// `npm run demo`: everything a fresh clone needs, then one real run against the bundled demo shop.
// 1. installs npm packages when missing and builds the CLI;
// 2. installs Debian's Chromium when journeys need it and none is found (as root), else says how;
// 3. starts the demo shop on 127.0.0.1, runs every example check and journey with `observer run`,
//    writes reports/, prints the summary, stops the shop.
// Options: --runs N (default 1) runs several times to build history for the charts;
//          --incident records a deploy (demo-<time>) and then breaks the search API (latency and 503)
//          on the last run, so the run ends with an incident whose probable cause is that deploy
//          (`observer incidents` prints it; the board in reports/status.md shows it too).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const incident = args.includes('--incident');
// --incident needs a healthy run before the deploy, so the incident starts after it.
const runs = Math.max(incident ? 2 : 1, Number(args[args.indexOf('--runs') + 1]) || 1);
const say = (line) => process.stdout.write(`\x1b[1mdemo:\x1b[0m ${line}\n`);

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

// 3. The demo shop, then the runs.
say('starting the demo shop');
const shop = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let buf = '';
  const timer = setTimeout(() => reject(new Error('the demo shop did not start within 30 s')), 30_000);
  shop.stdout.on('data', (chunk) => {
    buf += chunk;
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  shop.once('exit', (code) => reject(new Error(`the demo shop exited (${code})`)));
});
say(`demo shop at ${url}`);
const stopShop = () => shop.kill('SIGTERM');
process.on('exit', stopShop);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const env = {
  ...process.env,
  OBSERVER_BASE_URL: url,
  DEMO_USER: process.env.DEMO_USER ?? 'demo',
  DEMO_PASSWORD: process.env.DEMO_PASSWORD ?? 'demo-password-123',
};
let code = 0;
for (let i = 1; i <= runs; i++) {
  if (incident && i === runs) {
    const version = `demo-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
    say(`recording deploy ${version}, then injecting 800 ms of latency and 503s into /api/products for the last run`);
    sh(process.execPath, ['dist/cli/bin.js', 'deploy', '--env', 'local', '--version', version, '--description', 'the demo deploy that breaks search'], { env });
    await fetch(`${url}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: '/api/products', latencyMs: 800, status: 503 }) });
  }
  say(`observer run (${i}/${runs})`);
  const r = spawnSync(process.execPath, ['dist/cli/bin.js', 'run', '--env', 'local'], { cwd: root, stdio: 'inherit', env });
  code = r.status ?? 1;
}
if (incident) {
  say('observer incidents');
  spawnSync(process.execPath, ['dist/cli/bin.js', 'incidents', '--env', 'local', '--since', '2h'], { cwd: root, stdio: 'inherit', env });
}
stopShop();
say(`reports written to ${path.join(root, 'reports')}/ (open reports/index.html; status board in reports/status.md)`);
say(code === 0 ? 'every monitor passed' : `the last run exited ${code} (see the lines above)`);
process.exit(incident && code === 1 ? 0 : code);
