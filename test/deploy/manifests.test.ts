/**
 * The kustomizations as kustomize renders them (the real binary), every object validated against
 * the Kubernetes schemas (kubernetes-models: OpenAPI types, enums, required fields, and unknown
 * fields through its interfaces), then the rules a deploy depends on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, asList, asObj, at, bytes, cpuMillis, flag, type Obj } from './k8s.js';
import { kustomizeBuild, objName, schemaErrors, unknownFieldErrors } from './render.js';
import { podContainers } from './image.js';

const K = path.join(ROOT, 'deploy/kubernetes');
const OVERLAYS = ['staging', 'production'];
const rendered: Record<string, Obj[]> = Object.fromEntries(OVERLAYS.map((o) => [o, kustomizeBuild(path.join(K, 'overlays', o))]));
const oneoff = kustomizeBuild(path.join(K, 'oneoff/sharded-run'));

let scratch: string;
let sqlite: Obj[];
let initRendered: Record<string, Obj[]>;

beforeAll(() => {
  // kustomize takes relative paths only: a throwaway overlay inside the repository.
  const cache = path.join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  scratch = mkdtempSync(path.join(cache, 'observer-kustomize-'));
  const dir = path.join(scratch, 'sqlite');
  mkdirSync(dir);
  const rel = (p: string) => path.relative(dir, p);
  writeFileSync(
    path.join(dir, 'kustomization.yaml'),
    `resources:\n  - ${rel(path.join(K, 'overlays/production'))}\ncomponents:\n  - ${rel(path.join(K, 'components/sqlite-volume'))}\n`,
  );
  sqlite = kustomizeBuild(dir);

  // A project made by `observer init`, with the package where npm puts it.
  const project = path.join(scratch, 'project');
  const init = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/bin.js'), 'init', project, '--name', 'shop-monitors'], { encoding: 'utf8' });
  expect(init.status, init.stderr).toBe(0);
  mkdirSync(path.join(project, 'node_modules'));
  symlinkSync(ROOT, path.join(project, 'node_modules/production-observer'));
  initRendered = Object.fromEntries(OVERLAYS.map((o) => [o, kustomizeBuild(path.join(project, 'deploy', o))]));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const sets = (): Array<[string, Obj[]]> => [...OVERLAYS.map((o) => [`overlays/${o}`, rendered[o]] as [string, Obj[]]), ['oneoff/sharded-run', oneoff], ['production + components/sqlite-volume', sqlite]];

describe('every rendered object is valid Kubernetes', () => {
  it('validates against the schemas, with no unknown field', async () => {
    let checked = 0;
    for (const [name, objs] of sets()) {
      const errors = (await Promise.all(objs.map(schemaErrors))).flat();
      expect(errors, name).toEqual([]);
      expect(unknownFieldErrors(objs), name).toEqual([]);
      checked += objs.length;
    }
    expect(checked).toBeGreaterThanOrEqual(16);
  }, 60_000);

  it('the validation rejects what a cluster rejects (a wrong enum, a misspelt field)', async () => {
    const cron = structuredClone(rendered.production.find((o) => o.kind === 'CronJob')) as Obj;
    asObj(cron.spec, 'spec').concurrencyPolicy = 'Never';
    expect((await schemaErrors(cron)).join('\n')).toMatch(/concurrencyPolicy/);
    const deploy = structuredClone(rendered.production.find((o) => o.kind === 'Deployment')) as Obj;
    const c = podContainers(deploy)[0].container;
    asObj(c.securityContext, 'securityContext').readOnlyRoot = true;
    expect(unknownFieldErrors([deploy]).join('\n')).toMatch(/readOnlyRoot/);
  }, 60_000);
});

describe.each(OVERLAYS)('overlays/%s', (env) => {
  const objs = rendered[env];
  const settings = () => {
    const cm = objs.find((o) => o.kind === 'ConfigMap' && String(asObj(o.metadata, 'm').name).startsWith('observer-settings-'));
    return asObj(cm?.data, 'observer-settings data');
  };

  it('selects its own environment, one that the config of `observer init` defines', () => {
    expect(settings().OBSERVER_ENV).toBe(env);
    for (const pc of objs.flatMap(podContainers)) {
      expect(flag(pc.container.args as unknown[], '--env'), pc.workload).toBe('$(OBSERVER_ENV)');
      const from = asList(pc.container.envFrom, 'envFrom');
      expect(from.map((f) => asObj(f.configMapRef ?? f.secretRef, 'ref').name)).toEqual([String(asObj(objs.find((o) => o.kind === 'ConfigMap')?.metadata, 'm').name), 'observer-secrets']);
    }
  });

  it('has the CronJobs, the daemon and its Service, and no one-off Job', () => {
    expect(objs.map(objName).filter((n) => !n.startsWith('ConfigMap/')).sort()).toEqual([
      'CronJob/observer-api-checks',
      'CronJob/observer-journeys',
      'Deployment/observer-daemon',
      'Service/observer-metrics',
    ]);
  });

  it('CronJobs: Forbid, selection by kind, --deadline 30-120 s inside activeDeadlineSeconds inside the period', () => {
    const periods: Record<string, number> = { '*/5 * * * *': 300, '*/15 * * * *': 900 };
    const kinds: Record<string, string> = { 'observer-api-checks': 'api', 'observer-journeys': 'journey' };
    for (const cron of objs.filter((o) => o.kind === 'CronJob')) {
      const name = String(asObj(cron.metadata, 'm').name);
      expect(at(cron, 'spec.concurrencyPolicy')).toBe('Forbid');
      const period = periods[String(at(cron, 'spec.schedule'))];
      expect(period, name).toBeGreaterThan(0);
      const active = Number(at(cron, 'spec.jobTemplate.spec.activeDeadlineSeconds'));
      const args = podContainers(cron)[0].container.args as unknown[];
      const deadlineS = Number(flag(args, '--deadline')) / 1000;
      expect(active - deadlineS, name).toBeGreaterThanOrEqual(30);
      expect(active - deadlineS, name).toBeLessThanOrEqual(120);
      expect(active, name).toBeLessThan(period);
      expect(flag(args, '--kind'), name).toBe(kinds[name]);
      expect(args).not.toContain('--tag');
    }
  });

  it('every pod: non-root, no escalation, read-only root, emptyDirs for /tmp, reports and state, resources set', () => {
    for (const obj of objs) {
      for (const pc of podContainers(obj)) {
        const c = pc.container;
        const podSec = asObj(
          obj.kind === 'CronJob' ? at(obj, 'spec.jobTemplate.spec.template.spec.securityContext') : at(obj, 'spec.template.spec.securityContext'),
          'pod securityContext',
        );
        expect(podSec.runAsNonRoot).toBe(true);
        expect(podSec.runAsUser).toBe(1001);
        expect(at(c, 'securityContext.allowPrivilegeEscalation')).toBe(false);
        expect(at(c, 'securityContext.readOnlyRootFilesystem')).toBe(true);
        expect(at(c, 'securityContext.capabilities.drop')).toEqual(['ALL']);
        expect(c.workingDir).toBe('/monitors');
        const mounts = Object.fromEntries(asList(c.volumeMounts, 'volumeMounts').map((m) => [String(m.mountPath), String(m.name)]));
        for (const p of ['/tmp', '/monitors/reports', '/monitors/.observer']) {
          const volume = pc.volumes.find((v) => v.name === mounts[p]);
          expect(volume?.emptyDir, `${pc.workload} ${p}`).toBeDefined();
        }
        const needsBrowser = pc.workload !== 'CronJob/observer-api-checks';
        if (needsBrowser) expect(at(pc.volumes.find((v) => v.name === mounts['/dev/shm']) ?? {}, 'emptyDir.medium'), pc.workload).toBe('Memory');
        expect(cpuMillis(at(c, 'resources.requests.cpu'))).toBeLessThanOrEqual(cpuMillis(at(c, 'resources.limits.cpu')));
        expect(bytes(at(c, 'resources.requests.memory'))).toBeLessThanOrEqual(bytes(at(c, 'resources.limits.memory')));
      }
    }
  });

  it('the daemon: probes on its metrics port, a grace period above its 30 s shutdown, the store URL required', () => {
    const d = objs.find((o) => o.kind === 'Deployment') as Obj;
    const c = podContainers(d)[0].container;
    for (const p of ['startupProbe', 'livenessProbe', 'readinessProbe']) expect(at(c, `${p}.httpGet.port`), p).toBe('metrics');
    expect(at(c, 'readinessProbe.httpGet.path')).toBe('/readyz');
    expect(Number(at(d, 'spec.template.spec.terminationGracePeriodSeconds'))).toBeGreaterThan(30);
    const db = asList(c.env, 'env').find((e) => e.name === 'OBSERVER_DATABASE_URL');
    const ref = asObj(at(db ?? {}, 'valueFrom.secretKeyRef'), 'OBSERVER_DATABASE_URL secretKeyRef');
    expect(ref).toMatchObject({ name: 'observer-secrets', key: 'OBSERVER_DATABASE_URL' });
    expect(ref.optional).not.toBe(true);
    expect(at(d, 'spec.strategy.type')).toBe('Recreate');
  });
});

describe('oneoff/sharded-run', () => {
  it('is an Indexed Job whose completions, parallelism and --shards agree, outside every overlay', () => {
    const job = oneoff.find((o) => o.kind === 'Job') as Obj;
    const args = podContainers(job)[0].container.args as unknown[];
    expect(at(job, 'spec.completionMode')).toBe('Indexed');
    expect(Number(at(job, 'spec.completions'))).toBe(Number(flag(args, '--shards')));
    expect(Number(at(job, 'spec.parallelism'))).toBe(Number(flag(args, '--shards')));
    expect(Number(at(job, 'spec.activeDeadlineSeconds')) - Number(flag(args, '--deadline')) / 1000).toBeGreaterThanOrEqual(30);
    for (const env of OVERLAYS) expect(rendered[env].some((o) => o.kind === 'Job')).toBe(false);
  });
});

describe('components/sqlite-volume', () => {
  it('runs the daemon alone on a PersistentVolumeClaim at /monitors/.observer, without the PostgreSQL URL', () => {
    expect(sqlite.map(objName).filter((n) => !n.startsWith('ConfigMap/')).sort()).toEqual([
      'Deployment/observer-daemon',
      'PersistentVolumeClaim/observer-state',
      'Service/observer-metrics',
    ]);
    const pc = podContainers(sqlite.find((o) => o.kind === 'Deployment') as Obj)[0];
    const mount = asList(pc.container.volumeMounts, 'mounts').find((m) => m.mountPath === '/monitors/.observer');
    const volume = pc.volumes.find((v) => v.name === mount?.name);
    expect(at(volume ?? {}, 'persistentVolumeClaim.claimName')).toBe('observer-state');
    expect(volume).not.toHaveProperty('emptyDir');
    expect(asList(pc.container.env, 'env').map((e) => e.name)).not.toContain('OBSERVER_DATABASE_URL');
  });
});

describe('the overlays `observer init` writes', () => {
  it('render the package overlays with the team image in place of the base image', () => {
    for (const env of OVERLAYS) {
      const objs = initRendered[env];
      expect(objs.map(objName).sort(), env).toEqual(rendered[env].map(objName).sort());
      for (const pc of objs.flatMap(podContainers)) expect(pc.container.image, pc.workload).toBe('registry.example.com/shop-monitors:1');
    }
  });
});
