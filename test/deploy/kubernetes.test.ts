import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Ajv } from 'ajv';
import { checkSchema } from '../../src/config/schemas.js';
import { parseShard, inShard } from '../../src/run/shard.js';
import { K8S_DIR, ROOT, asList, asObj, at, bytes, container, cpuMillis, flag, loadManifests, loadYamlDocs, manifestFiles, podSpec, type Manifest, type Obj } from './k8s.js';

const manifests = loadManifests();
const kustomization = loadYamlDocs(path.join(K8S_DIR, 'kustomization.yaml'))[0];

function one(kind: string, name: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return found[0];
}

const workloads = manifests.filter((m) => ['CronJob', 'Deployment', 'Job'].includes(m.kind));
const cronJobs = [
  { name: 'observer-api-checks', schedule: '*/5 * * * *', periodS: 300, tag: 'api' },
  { name: 'observer-journeys', schedule: '*/15 * * * *', periodS: 900, tag: 'journey' },
];

describe('kustomization', () => {
  it('lists exactly the manifests in the folder, and no namespace', () => {
    expect([...(kustomization.resources as string[])].sort()).toEqual(manifestFiles());
    expect(kustomization).not.toHaveProperty('namespace');
    for (const m of manifests) expect(asObj(m.doc.metadata, m.file)).not.toHaveProperty('namespace');
  });

  it('pins the one image every workload uses', () => {
    const images = asList(kustomization.images, 'images');
    expect(images).toHaveLength(1);
    const image = `${String(images[0].name)}:${String(images[0].newTag)}`;
    expect(workloads.length).toBe(4);
    for (const m of workloads) expect(container(m).image, m.file).toBe(image);
  });

  it('has the expected set of resources', () => {
    expect(manifests.map((m) => `${m.kind}/${m.name}`).sort()).toEqual([
      'ConfigMap/observer-checks',
      'CronJob/observer-api-checks',
      'CronJob/observer-journeys',
      'Deployment/observer-daemon',
      'Job/observer-sharded-run',
      'Secret/observer-secrets',
      'Service/observer-metrics',
    ]);
  });
});

describe('every observer pod', () => {
  it.each(workloads.map((m) => [m.file, m] as const))('%s: command, secrets, location, mounts, resources, security', (_file, m) => {
    const spec = podSpec(m);
    const c = container(m);
    expect(c.command).toEqual(['observer']);

    const envFrom = asList(c.envFrom, 'envFrom');
    expect(envFrom.map((e) => asObj(e.secretRef, 'secretRef').name)).toEqual(['observer-secrets']);
    const env = asList(c.env, 'env');
    const location = env.find((e) => e.name === 'OBSERVER_LOCATION');
    expect(typeof location?.value === 'string' && location.value.length > 0).toBe(true);
    expect(location).not.toHaveProperty('valueFrom');

    const volumes = new Map(asList(spec.volumes, 'volumes').map((v) => [String(v.name), v]));
    const mounts = new Map(asList(c.volumeMounts, 'volumeMounts').map((v) => [String(v.mountPath), v]));
    const shm = volumes.get(String(mounts.get('/dev/shm')?.name));
    expect(at(asObj(shm, 'dshm volume'), 'emptyDir.medium')).toBe('Memory');
    const checks = mounts.get('/app/checks');
    expect(checks?.readOnly).toBe(true);
    expect(at(asObj(volumes.get(String(checks?.name)), 'checks volume'), 'configMap.name')).toBe('observer-checks');

    const requests = asObj(at(c, 'resources.requests'), 'requests');
    const limits = asObj(at(c, 'resources.limits'), 'limits');
    expect(cpuMillis(requests.cpu)).toBeLessThanOrEqual(cpuMillis(limits.cpu));
    expect(bytes(requests.memory)).toBeLessThanOrEqual(bytes(limits.memory));
    // A memory-backed emptyDir is charged to the container: /dev/shm must fit under the limit.
    expect(bytes(at(asObj(shm, 'dshm'), 'emptyDir.sizeLimit'))).toBeLessThan(bytes(limits.memory));

    expect(at(spec, 'securityContext.runAsNonRoot')).toBe(true);
    expect(at(spec, 'securityContext.runAsUser')).toBe(1001);
    expect(at(c, 'securityContext.allowPrivilegeEscalation')).toBe(false);
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  it('the Secret and ConfigMap they reference exist with the documented keys', () => {
    const secret = one('Secret', 'observer-secrets').doc;
    expect(secret).not.toHaveProperty('data');
    const data = asObj(secret.stringData, 'stringData');
    expect(Object.keys(data).sort()).toEqual(['DEMO_PASSWORD', 'OBSERVER_DATABASE_URL', 'OBSERVER_WEBHOOK_URL']);
    expect(new URL(String(data.OBSERVER_DATABASE_URL)).protocol).toBe('postgres:');
    expect(new URL(String(data.OBSERVER_WEBHOOK_URL)).protocol).toBe('https:');
  });
});

describe('CronJobs', () => {
  it.each(cronJobs)('$name: every $schedule, Forbid, deadlines inside the period, bounded retries', ({ name, schedule, periodS, tag }) => {
    const m = one('CronJob', name);
    const spec = asObj(m.doc.spec, 'spec');
    expect(spec.schedule).toBe(schedule);
    expect(spec.concurrencyPolicy).toBe('Forbid');
    const starting = Number(spec.startingDeadlineSeconds);
    expect(Number.isInteger(starting) && starting > 0 && starting < periodS).toBe(true);
    expect(Number.isInteger(spec.successfulJobsHistoryLimit) && Number(spec.successfulJobsHistoryLimit) >= 1).toBe(true);
    expect(Number.isInteger(spec.failedJobsHistoryLimit) && Number(spec.failedJobsHistoryLimit) >= 1).toBe(true);

    const job = asObj(at(m.doc, 'spec.jobTemplate.spec'), 'job spec');
    expect(Number.isInteger(job.backoffLimit) && Number(job.backoffLimit) >= 0 && Number(job.backoffLimit) <= 2).toBe(true);
    const active = Number(job.activeDeadlineSeconds);
    expect(Number.isInteger(active) && active > 0 && active < periodS).toBe(true);
    // podFailurePolicy needs restartPolicy Never; a failed monitor (1) or bad config (2) is not retried.
    expect(podSpec(m).restartPolicy).toBe('Never');
    const rules = asList(at(job, 'podFailurePolicy.rules'), 'rules');
    const failJob = rules.find((r) => r.action === 'FailJob');
    expect(at(asObj(failJob, 'FailJob rule'), 'onExitCodes.values')).toEqual([1, 2]);

    const args = container(m).args as unknown[];
    expect(args.slice(0, 3)).toEqual(['run', '--env', 'production']);
    expect(flag(args, '--pushgateway')).toBe('http://pushgateway:9091');
    expect(flag(args, '--tag')).toBe(tag);
    // The observer's own deadline ends the run (and flushes its results) before Kubernetes kills it.
    const deadlineMs = Number(flag(args, '--deadline'));
    expect(deadlineMs).toBeGreaterThan(0);
    expect(deadlineMs).toBeLessThanOrEqual((active - 20) * 1000);
  });

  it('the bundled check is selected by the api-checks CronJob and validates against the check schema', () => {
    const cm = one('ConfigMap', 'observer-checks').doc;
    const data = asObj(cm.data, 'data');
    const keys = Object.keys(data);
    expect(keys.length).toBeGreaterThan(0);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(checkSchema);
    for (const key of keys) {
      expect(key).toMatch(/\.check\.ya?ml$/);
      const check = parseYaml(String(data[key])) as Obj;
      const ok = validate(check);
      expect(ok ? [] : validate.errors, key).toEqual([]);
      expect(check.tags).toContain('api');
      // A `schedule` would also put it in the daemon and measure it twice.
      expect(check).not.toHaveProperty('schedule');
    }
    expect((parseYaml(String(data['health.check.yaml'])) as Obj).request).toEqual({ url: '/api/health' });
  });
});

describe('daemon Deployment and Service', () => {
  const m = one('Deployment', 'observer-daemon');
  const c = container(m);

  it('runs `observer daemon --port 9464` as a single, non-overlapping replica', () => {
    const args = c.args as unknown[];
    expect(args[0]).toBe('daemon');
    expect(flag(args, '--port')).toBe('9464');
    expect(flag(args, '--host')).toBe('0.0.0.0');
    expect(at(m.doc, 'spec.replicas')).toBe(1);
    expect(at(m.doc, 'spec.strategy.type')).toBe('Recreate');
    // Longer than the daemon's default 30 s shutdown deadline.
    expect(Number(podSpec(m).terminationGracePeriodSeconds)).toBeGreaterThan(30);
  });

  it('probes /healthz (liveness) and /readyz (readiness) on 9464, the metrics port', () => {
    expect(at(c, 'livenessProbe.httpGet')).toEqual({ path: '/healthz', port: 9464 });
    expect(at(c, 'readinessProbe.httpGet')).toEqual({ path: '/readyz', port: 9464 });
    expect(asList(c.ports, 'ports')).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
  });

  it('the metrics Service selects the daemon pods and targets the metrics port', () => {
    const svc = one('Service', 'observer-metrics').doc;
    const selector = asObj(at(svc, 'spec.selector'), 'selector');
    const labels = asObj(at(m.doc, 'spec.template.metadata.labels'), 'labels');
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect(labels[k], k).toBe(v);
    expect(at(m.doc, 'spec.selector.matchLabels')).toEqual(selector);
    const port = asList(at(svc, 'spec.ports'), 'ports')[0];
    expect(port.port).toBe(9464);
    const named = asList(c.ports, 'ports').find((p) => p.name === port.targetPort);
    expect(named?.containerPort).toBe(9464);
    expect(asObj(asObj(svc.metadata, 'metadata').annotations, 'annotations')['prometheus.io/port']).toBe('9464');
  });
});

describe('sharded Indexed Job', () => {
  const m = one('Job', 'observer-sharded-run');
  const spec = asObj(m.doc.spec, 'spec');
  const args = container(m).args as unknown[];

  it('is Indexed with parallelism == completions == --shards', () => {
    expect(spec.completionMode).toBe('Indexed');
    expect(Number.isInteger(spec.completions) && Number(spec.completions) > 1).toBe(true);
    expect(spec.parallelism).toBe(spec.completions);
    expect(args.slice(0, 3)).toEqual(['run', '--env', 'production']);
    expect(Number(flag(args, '--shards'))).toBe(spec.completions);
    // `--shard I/N` is 1-based: $(JOB_COMPLETION_INDEX)/N would be off by one.
    expect(args).not.toContain('--shard');
    expect(podSpec(m).restartPolicy).toBe('Never');
    expect(Number(spec.backoffLimitPerIndex)).toBeGreaterThanOrEqual(0);
    expect(Number(flag(args, '--deadline'))).toBeLessThanOrEqual((Number(spec.activeDeadlineSeconds) - 20) * 1000);
  });

  it('every completion index maps to its own shard and every monitor lands in exactly one', () => {
    const total = Number(flag(args, '--shards'));
    const shards = Array.from({ length: Number(spec.completions) }, (_, i) => parseShard(undefined, { JOB_COMPLETION_INDEX: String(i) }, String(total)));
    expect(shards.map((s) => s?.index)).toEqual(Array.from({ length: total }, (_, i) => i));
    const ids = Array.from({ length: 200 }, (_, i) => `monitor-${i}`);
    for (const id of ids) expect(shards.filter((s) => inShard(id, s)), id).toHaveLength(1);
  });
});

describe('manifest files', () => {
  it('are plain YAML without tabs or CRLF', () => {
    for (const f of [...manifestFiles(), 'kustomization.yaml']) {
      const text = readFileSync(path.join(ROOT, 'deploy/kubernetes', f), 'utf8');
      expect(text.includes('\t'), f).toBe(false);
      expect(text.includes('\r'), f).toBe(false);
    }
  });
});
