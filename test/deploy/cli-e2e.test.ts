/**
 * The deployment files driving the real `observer` CLI (from source, through tsx) against the demo
 * shop: the CronJob, Job and Deployment argument lists as written in the manifests, the checks from
 * the ConfigMap mounted like the kubelet mounts it, a real HTTP receiver standing in for the
 * Pushgateway, and the GitHub Actions step script with `npx` resolving to the same CLI.
 * Only loopback: the Pushgateway URL and the daemon's bind address are rewritten to 127.0.0.1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { XMLParser } from 'fast-xml-parser';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { K8S_DIR, ROOT, asList, asObj, at, container, loadManifests, loadYamlDocs, mountConfigMap, type Manifest } from './k8s.js';

const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const BIN = path.join(ROOT, 'src/cli/bin.ts');
const CLI_TIMEOUT_MS = 90_000;

const manifests = loadManifests();
const byName = (kind: string, name: string): Manifest => {
  const m = manifests.find((x) => x.kind === kind && x.name === name);
  if (!m) throw new Error(`no ${kind}/${name} in deploy/kubernetes`);
  return m;
};

let shop: DemoShop;
let gateway: Server;
let gatewayUrl: string;
const pushes: Array<{ method: string; url: string; body: string }> = [];
let work: string;

beforeAll(async () => {
  shop = await startDemoShop();
  gateway = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await shop?.close();
  gateway?.closeAllConnections();
  await new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
});
beforeEach(() => {
  shop.clearFaults();
  pushes.length = 0;
  if (work) rmSync(work, { recursive: true, force: true });
  work = mkdtempSync(path.join(tmpdir(), 'observer-deploy-e2e-'));
  mountConfigMap(work, asObj(loadYamlDocs(path.join(K8S_DIR, 'configmap-checks.yaml'))[0].data, 'data'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A clean environment: nothing OBSERVER_* leaks in from the test runner. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, OBSERVER_BASE_URL: shop.url, ...extra };
}

/** The pod's env as written in the manifest (plain `value`s only; the Secret is not needed here). */
function podEnv(m: Manifest): Record<string, string> {
  return Object.fromEntries(asList(container(m).env, 'env').map((e) => [String(e.name), String(e.value)]));
}

/**
 * Run a command to completion without blocking this process (the demo shop and the Pushgateway
 * receiver live in it and must keep answering). Killed after CLI_TIMEOUT_MS.
 */
function exec(file: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function runCli(args: string[], env: Record<string, string>) {
  return exec(process.execPath, ['--import', TSX_LOADER, BIN, ...args], env);
}

/** Manifest args with the Pushgateway pointed at the local receiver. */
function argsOf(m: Manifest): string[] {
  return (container(m).args as unknown[]).map(String).map((a) => (a === 'http://pushgateway:9091' ? gatewayUrl : a));
}

interface LatestReport {
  run: { location: string; environment: string };
  results: Array<{ monitor: string; status: string; location: string }>;
}
const latest = (): LatestReport => JSON.parse(readFileSync(path.join(work, 'reports/latest.json'), 'utf8')) as LatestReport;

describe('CronJobs with the real CLI', () => {
  it('api-checks: runs the ConfigMap check, exits 0, pushes to the Pushgateway under its location', async () => {
    const m = byName('CronJob', 'observer-api-checks');
    const location = podEnv(m).OBSERVER_LOCATION;
    const r = await runCli(argsOf(m), baseEnv(podEnv(m)));
    expect(r.code, r.stderr).toBe(0);
    const report = latest();
    expect(report.run).toMatchObject({ location, environment: 'production' });
    expect(report.results.map((x) => [x.monitor, x.location])).toEqual([['api-health', location]]);
    // Degraded (over degradedResponseTimeMs on a busy machine) still exits 0; only timing separates them.
    expect(['passed', 'degraded']).toContain(report.results[0].status);
    const put = pushes.find((p) => p.url.startsWith('/metrics/job/'));
    expect(put?.method).toBe('PUT');
    expect(put?.url).toContain(`/location/${location}`);
    expect(put?.body).toContain('api-health');
  }, 120_000);

  it('api-checks: a failing monitor exits 1, which the podFailurePolicy treats as final', async () => {
    const m = byName('CronJob', 'observer-api-checks');
    shop.setFault('/api/health', { status: 503 });
    const r = await runCli(argsOf(m), baseEnv(podEnv(m)));
    expect(r.code).toBe(1);
    expect(latest().results.map((x) => x.status)).toEqual(['failed']);
    const rules = asList(at(m.doc, 'spec.jobTemplate.spec.podFailurePolicy.rules'), 'rules');
    expect(at(asObj(rules.find((x) => x.action === 'FailJob'), 'FailJob'), 'onExitCodes.values')).toContain(r.code);
  }, 120_000);

  it('journeys: every flag is accepted and the API check is not selected (no journey in the ConfigMap: exit 2, never a green run measuring nothing)', async () => {
    const m = byName('CronJob', 'observer-journeys');
    const r = await runCli(argsOf(m), baseEnv(podEnv(m)));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('no monitor matches --tag journey');
    expect(r.stderr).not.toMatch(/unknown option|unexpected argument/i);
  }, 120_000);
});

describe('sharded Indexed Job with the real CLI', () => {
  it('the shards together run every monitor exactly once', async () => {
    const m = byName('Job', 'observer-sharded-run');
    const completions = Number(at(m.doc, 'spec.completions'));
    const ran: string[] = [];
    for (let index = 0; index < completions; index++) {
      rmSync(path.join(work, 'reports'), { recursive: true, force: true });
      const r = await runCli(argsOf(m), baseEnv({ ...podEnv(m), JOB_COMPLETION_INDEX: String(index) }));
      expect(r.code, `shard ${index}: ${r.stderr}`).toBe(0);
      ran.push(...latest().results.map((x) => x.monitor));
    }
    expect(ran).toEqual(['api-health']);
  }, 300_000);
});

describe('daemon Deployment with the real CLI', () => {
  it('starts with the manifest args, answers the probes, and exits 0 on SIGTERM', async () => {
    const m = byName('Deployment', 'observer-daemon');
    const args = argsOf(m);
    // Loopback and a free port in tests; the manifest's values are checked in kubernetes.test.ts.
    args[args.indexOf('--host') + 1] = '127.0.0.1';
    args[args.indexOf('--port') + 1] = '0';
    const child = spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...args], { cwd: work, env: baseEnv(podEnv(m)), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`daemon did not start: ${out}`)), CLI_TIMEOUT_MS);
        const onData = (chunk: Buffer) => {
          out += chunk.toString();
          const hit = /metrics on :(\d+)\//.exec(out);
          if (hit) {
            clearTimeout(timer);
            resolve(Number(hit[1]));
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`daemon exited early (${code}): ${out}`)));
      });
      // The ConfigMap's check has no schedule: alive, but not ready (a daemon with nothing to run).
      for (const [probe, status] of [['livenessProbe', 200], ['readinessProbe', 503]] as const) {
        const res = await request(`http://127.0.0.1:${port}${String(at(container(m), `${probe}.httpGet.path`))}`);
        expect(res.statusCode, probe).toBe(status);
        await res.body.text();
      }
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});

describe('GitHub Actions step with the real CLI', () => {
  const wf = loadYamlDocs(path.join(ROOT, 'deploy/ci/github-actions.yml'))[0];
  const steps = asList(at(wf, 'jobs.observe.steps'), 'steps');
  const script = String(steps.find((s) => typeof s.run === 'string' && s.run.includes('npx observer run'))?.run);

  async function runStep() {
    // `npx observer ...` resolves to the CLI under test.
    writeFileSync(path.join(work, 'npx'), `#!/bin/sh\n[ "$1" = observer ] || exit 127\nshift\nexec "${process.execPath}" --import "${TSX_LOADER}" "${BIN}" "$@"\n`);
    chmodSync(path.join(work, 'npx'), 0o755);
    writeFileSync(path.join(work, 'step.sh'), script);
    const summary = path.join(work, 'step-summary.md');
    writeFileSync(summary, '');
    const r = await exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', 'step.sh'], baseEnv({ PATH: `${work}:${process.env.PATH ?? ''}`, GITHUB_STEP_SUMMARY: summary, OBSERVER_LOCATION: 'github-actions' }));
    return { code: r.code, stdout: r.stdout, summary: readFileSync(summary, 'utf8') };
  }

  function junitFailures(): number {
    const file = path.join(work, 'reports/junit.xml');
    expect(existsSync(file)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8')) as { testsuites: { failures?: string; tests?: string } };
    return Number(doc.testsuites.failures ?? 0);
  }

  it('passes with the board once in the step summary and a junit.xml to upload', async () => {
    const r = await runStep();
    expect(r.code).toBe(0);
    expect(r.summary.split('Production health').length - 1).toBe(1);
    expect(junitFailures()).toBe(0);
  }, 120_000);

  it('fails the step with exit 1 and an error annotation when a monitor fails', async () => {
    shop.setFault('/api/health', { status: 503 });
    const r = await runStep();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error title=Synthetic checks failed::');
    expect(r.summary.split('Production health').length - 1).toBe(1);
    expect(junitFailures()).toBe(1);
  }, 120_000);
});
