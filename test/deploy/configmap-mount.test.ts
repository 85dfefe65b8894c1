/**
 * The observer-checks ConfigMap as the kubelet mounts it: each key is a symlink into `..data`, itself
 * a symlink to a timestamped folder. The real config loader must see each check exactly once, and
 * the CronJobs' `--tag` must select it.
 */
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, selectMonitors } from '../../src/config/index.js';
import { K8S_DIR, asObj, at, container, flag, loadManifests, loadYamlDocs, mountConfigMap } from './k8s.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'observer-cm-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('observer-checks mounted at /app/checks', () => {
  it('loads each check once and the CronJob tags select them', async () => {
    const cm = loadYamlDocs(path.join(K8S_DIR, 'configmap-checks.yaml'))[0];
    const data = asObj(cm.data, 'data');
    mountConfigMap(root, data);
    const config = await loadConfig({
      cwd: root,
      environment: 'production',
      env: { OBSERVER_BASE_URL: 'https://shop.example.com' },
    });
    expect((config.checks as ApiCheckDefinition[]).map((c) => c.id)).toEqual(['api-health']);
    expect((config.checks as ApiCheckDefinition[])[0].request.url).toBe('https://shop.example.com/api/health');

    const cron = loadManifests().filter((m) => m.kind === 'CronJob');
    const byName = new Map(cron.map((m) => [m.name, flag(container(m).args as unknown[], '--tag')]));
    const api = String(byName.get('observer-api-checks'));
    const journey = String(byName.get('observer-journeys'));
    expect(selectMonitors((config.checks as ApiCheckDefinition[]), { tags: [api] }).map((c) => c.id)).toEqual(['api-health']);
    expect(selectMonitors((config.checks as ApiCheckDefinition[]), { tags: [journey] })).toEqual([]);
    expect(at(cm, 'metadata.name')).toBe('observer-checks');
  });
});
