/**
 * The observer-checks ConfigMap as the kubelet mounts it: each key is a symlink into `..data`, itself
 * a symlink to a timestamped folder. The real config loader must see each check exactly once, and
 * the CronJobs' `--tag` must select it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, selectMonitors } from '../../src/config/index.js';
import { K8S_DIR, asObj, at, container, flag, loadManifests, loadYamlDocs } from './k8s.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'observer-cm-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Lay out a ConfigMap's data under `<root>/checks` the way the kubelet's atomic writer does. */
function mountConfigMap(data: Record<string, unknown>): void {
  const dir = path.join(root, 'checks');
  const stamp = '..2026_11_25_19_00_00.000000001';
  mkdirSync(path.join(dir, stamp), { recursive: true });
  for (const [key, value] of Object.entries(data)) writeFileSync(path.join(dir, stamp, key), String(value));
  symlinkSync(stamp, path.join(dir, '..data'));
  for (const key of Object.keys(data)) symlinkSync(path.join('..data', key), path.join(dir, key));
}

describe('observer-checks mounted at /app/checks', () => {
  it('loads each check once and the CronJob tags select them', async () => {
    const cm = loadYamlDocs(path.join(K8S_DIR, 'configmap-checks.yaml'))[0];
    const data = asObj(cm.data, 'data');
    mountConfigMap(data);
    const config = await loadConfig({
      cwd: root,
      environment: 'production',
      env: { OBSERVER_BASE_URL: 'https://shop.example.com' },
    });
    expect(config.checks.map((c) => c.id)).toEqual(['api-health']);
    expect(config.checks[0].request.url).toBe('https://shop.example.com/api/health');

    const cron = loadManifests().filter((m) => m.kind === 'CronJob');
    const byName = new Map(cron.map((m) => [m.name, flag(container(m).args as unknown[], '--tag')]));
    const api = String(byName.get('observer-api-checks'));
    const journey = String(byName.get('observer-journeys'));
    expect(selectMonitors(config.checks, { tags: [api] }).map((c) => c.id)).toEqual(['api-health']);
    expect(selectMonitors(config.checks, { tags: [journey] })).toEqual([]);
    expect(at(cm, 'metadata.name')).toBe('observer-checks');
  });
});
