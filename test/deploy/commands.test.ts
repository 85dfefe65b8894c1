/**
 * Every container of the rendered manifests, run as the cluster would run it: a monitors
 * repository made by the real `observer init` (plus the demo shop's checks, schemas and journeys),
 * laid out as deploy/Dockerfile lays out the image, volumes mounted where the manifests mount
 * them, env built from the rendered ConfigMaps and an operator's Secret, the exact command and
 * args after `$(VAR)` expansion. Against the demo shop on 127.0.0.1; the Pushgateway is a
 * loopback receiver (its URL replaces the overlay's in the ConfigMap, as a cluster would resolve
 * `pushgateway:9091` to its own Service), the store a fresh PostgreSQL schema.
 * Every command must select at least one monitor and exit 0 or 1, never 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { PG_URL, dropSchema, freshSchemaName } from '../store/pg-helpers.js';
import { ROOT, asObj } from './k8s.js';
import { kustomizeBuild } from './render.js';
import { envNamesRead, layOutImage, podContainers, prepareContainer, runToEnd, type Cluster, type ImageRoot } from './image.js';

const RUN_TIMEOUT_MS = 240_000;

let demo: DemoShop;
let pushgateway: Server;
const pushes: string[] = [];
let schema: string;
let scratch: string;
let image: ImageRoot;
let allMonitorIds: string[] = [];

/** Values of the secrets the monitors read, as an operator would put them into observer-secrets. */
const SECRET_VALUES: Record<string, string> = { DEMO_PASSWORD: 'demo-password-123' };
let secretNames: string[] = [];

function cluster(objects: Cluster['objects'], store: 'postgres' | 'sqlite' = 'postgres'): Cluster {
  const port = (pushgateway.address() as AddressInfo).port;
  // The webhook goes to the same loopback receiver (only a failing monitor would post to it).
  const values: Record<string, string> = { ...SECRET_VALUES, OBSERVER_WEBHOOK_URL: `http://127.0.0.1:${port}/hook` };
  const read = Object.fromEntries(secretNames.map((n) => [n, values[n] ?? `value-of-${n}`]));
  return {
    objects,
    // With the SQLite component the operator leaves the store URL out of the Secret (deploy/README.md).
    secrets: { 'observer-secrets': store === 'postgres' ? { ...read, OBSERVER_DATABASE_URL: `${PG_URL}?schema=${schema}` } : read },
    configOverrides: { OBSERVER_PUSHGATEWAY_URL: `http://127.0.0.1:${port}` },
  };
}

/** What a cluster operator does not set but the test must: the demo shop instead of the environment's site. */
const extraEnv = (): Record<string, string> => ({ OBSERVER_BASE_URL: demo.url });

interface Report {
  run: { environment?: string };
  results: Array<{ monitor: string; kind: string; environment: string }>;
}

/** Files of the image's /monitors outside the volumes mounted into it. */
function imageFiles(): string[] {
  const dir = path.join(image.root, image.workdir);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !/^(reports|\.observer)(\/|$)/.test(f))
    .sort();
}

function latest(): Report {
  return JSON.parse(readFileSync(path.join(image.root, image.workdir, 'reports/latest.json'), 'utf8')) as Report;
}

beforeAll(async () => {
  demo = await startDemoShop({ port: 0 });
  pushgateway = createServer((req, res) => {
    pushes.push(`${req.method ?? ''} ${req.url ?? ''}`);
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => pushgateway.listen(0, '127.0.0.1', resolve));
  schema = freshSchemaName('obs_deploy');
  scratch = mkdtempSync(path.join(tmpdir(), 'observer-image-'));
  // Traversable by the pods' user (uid 1001), which the containers run as when the test is root.
  chmodSync(scratch, 0o755);
  const repo = path.join(scratch, 'repo');
  const init = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/bin.js'), 'init', repo, '--name', 'shop-monitors'], { encoding: 'utf8' });
  expect(init.status, init.stderr).toBe(0);
  // The demo shop's own monitors too: TS and YAML checks, a schema folder, two journeys.
  // In subfolders, as teams group them (and the schema paths stay relative to each check).
  // Not the examples that need the demo's extra loopback servers (DNS, TCP, TLS) or the daemon (heartbeats):
  // the pods here reach the shop's HTTP port only. Nor the contract checks: their OpenAPI description
  // ships with the demo (demo/openapi.yaml), outside the checks folder copied here.
  const needsExtras = (file: string): boolean =>
    statSync(file).isFile() && /\$\{env:DEMO_(DNS|TCP_PORT|TLS_PORT|TLS_CA|HEARTBEAT_TOKEN)\}|spec: \.\.\/demo\//.test(readFileSync(file, 'utf8'));
  cpSync(path.join(ROOT, 'checks'), path.join(repo, 'checks/shop'), { recursive: true, filter: (src) => !needsExtras(src) });
  cpSync(path.join(ROOT, 'journeys'), path.join(repo, 'journeys/shop'), { recursive: true });
  image = layOutImage(path.join(scratch, 'image'), repo);
  // The deploy README: every ${env:NAME} of the config and checks goes into observer-secrets.
  secretNames = envNamesRead(repo);
  expect(secretNames).toContain('DEMO_PASSWORD');
}, 60_000);

afterAll(async () => {
  await demo?.close();
  await new Promise((resolve) => pushgateway?.close(resolve));
  if (schema) await dropSchema(schema);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.each(['staging', 'production'])('overlays/%s: the CronJobs', (env) => {
  const objects = kustomizeBuild(path.join(ROOT, 'deploy/kubernetes/overlays', env));
  const cronJobs = objects.filter((o) => o.kind === 'CronJob').flatMap(podContainers);

  it.each(cronJobs.map((pc) => [pc.workload, pc] as const))('%s selects monitors of its kind and exits 0 or 1', async (_name, pc) => {
    const launched = prepareContainer(image, pc, cluster(objects), extraEnv());
    const kind = launched.argv[launched.argv.indexOf('--kind') + 1];
    expect(['api', 'journey']).toContain(kind);
    const before = pushes.length;
    const files = imageFiles();
    const r = await runToEnd(launched, RUN_TIMEOUT_MS);
    // Nothing written into the image outside the mounted volumes (readOnlyRootFilesystem).
    expect(imageFiles()).toEqual(files);
    expect([0, 1], `${launched.argv.join(' ')}\n${r.stderr.slice(-2000)}`).toContain(r.code);
    const report = latest();
    expect(report.results.length).toBeGreaterThan(0);
    for (const res of report.results) {
      expect(res.kind).toBe(kind);
      expect(res.environment).toBe(env);
    }
    // The run's metrics reached the Pushgateway, under the CronJob's own job name.
    const job = launched.argv[launched.argv.indexOf('--pushgateway-job') + 1];
    expect(pushes.slice(before).some((p) => p.startsWith('PUT ') && p.includes(`/job/${job}`)), pushes.slice(before).join('\n')).toBe(true);
  }, RUN_TIMEOUT_MS + 10_000);
});

/** The production overlay with components/sqlite-volume, as deploy/README.md shows it. */
function renderSqliteVariant(): Cluster['objects'] {
  const cache = path.join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'observer-sqlite-'));
  try {
    const rel = (p: string) => path.relative(dir, path.join(ROOT, 'deploy/kubernetes', p));
    writeFileSync(path.join(dir, 'kustomization.yaml'), `resources:\n  - ${rel('overlays/production')}\ncomponents:\n  - ${rel('components/sqlite-volume')}\n`);
    return kustomizeBuild(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([
  ['overlays/production', 'postgres'],
  ['overlays/production + components/sqlite-volume', 'sqlite'],
] as const)('%s: the daemon', (_name, store) => {
  const objects = store === 'postgres' ? kustomizeBuild(path.join(ROOT, 'deploy/kubernetes/overlays/production')) : renderSqliteVariant();
  const [pc] = objects.filter((o) => o.kind === 'Deployment').flatMap(podContainers);

  it('starts, answers its probes, schedules monitors and stops cleanly on SIGTERM', async () => {
    const launched = prepareContainer(image, pc, cluster(objects, store), extraEnv());
    const port = Number(launched.argv[launched.argv.indexOf('--port') + 1]);
    const child = spawn(launched.argv[0], launched.argv.slice(1), {
      cwd: launched.cwd,
      env: launched.env,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(launched.uid !== undefined ? { uid: launched.uid, gid: launched.gid } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const probe = (p: Record<string, unknown>) => String(asObj(asObj(p, 'probe').httpGet, 'httpGet').path);
      let ready = 0;
      for (let i = 0; i < 120 && ready !== 200; i++) {
        await new Promise((r) => setTimeout(r, 500));
        ready = await request(`http://127.0.0.1:${port}${probe(asObj(pc.container.readinessProbe, 'readinessProbe'))}`)
          .then(async (res) => (await res.body.text(), res.statusCode))
          .catch(() => 0);
      }
      expect(ready, stderr.slice(-2000)).toBe(200);
      for (const key of ['startupProbe', 'livenessProbe']) {
        const res = await request(`http://127.0.0.1:${port}${probe(asObj(pc.container[key], key))}`);
        await res.body.text();
        expect(res.statusCode, key).toBe(200);
      }
      const metrics = await request(`http://127.0.0.1:${port}/metrics`);
      expect(await metrics.body.text()).toMatch(/^# (HELP|TYPE) /m);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr.slice(-2000)).toBe(0);
    // SQLite: the store file is on the claim mounted at /monitors/.observer, written by uid 1001.
    const db = path.join(image.root, image.workdir, '.observer/observer.db');
    if (store === 'sqlite') expect(statSync(db).size).toBeGreaterThan(0);
    else expect(existsSync(db)).toBe(false);
  }, 120_000);
});

describe('oneoff/sharded-run', () => {
  const objects = kustomizeBuild(path.join(ROOT, 'deploy/kubernetes/oneoff/sharded-run'));
  const job = objects.find((o) => o.kind === 'Job');
  const [pc] = job ? podContainers(job) : [];
  const completions = Number(asObj(job?.spec, 'Job spec').completions);

  it('its shards together run every monitor exactly once, each shard at least one, exit 0 or 1', async () => {
    const seen: string[] = [];
    for (let index = 0; index < completions; index++) {
      // Kubernetes sets JOB_COMPLETION_INDEX in each pod of an Indexed Job.
      const launched = prepareContainer(image, pc, cluster(objects), { ...extraEnv(), JOB_COMPLETION_INDEX: String(index) });
      const r = await runToEnd(launched, RUN_TIMEOUT_MS);
      expect([0, 1], `shard ${index}: ${r.stderr.slice(-2000)}`).toContain(r.code);
      const ids = latest().results.map((x) => x.monitor);
      expect(ids.length, `shard ${index}`).toBeGreaterThan(0);
      seen.push(...ids);
    }
    allMonitorIds = [...seen].sort();
    expect(new Set(seen).size).toBe(seen.length);
    // Every monitor of the repository: the scaffold's two and the demo shop's.
    expect(allMonitorIds).toEqual(['api-health', 'cart-flow', 'health', 'home', 'legacy-health', 'login', 'login-flow', 'product-detail', 'product-detail-not-found', 'products-search', 'purchase']);
  }, completions * RUN_TIMEOUT_MS);
});
