/** The deploy-gate CI examples (deploy/ci/gate-*.yml): valid YAML that gates on `observer gate`'s own exit code. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../e2e/sandbox.js';

const load = (name: string) => parse(readFileSync(path.join(repoRoot, 'deploy', 'ci', name), 'utf8')) as Record<string, Record<string, unknown>>;

describe('deploy gate CI examples', () => {
  it('GitHub Actions: records the deploy, then gates on it with --runs', () => {
    const wf = load('gate-github-actions.yml');
    const steps = (wf.jobs.gate as { steps: Array<{ run?: string; name?: string }> }).steps;
    const runs = steps.map((s) => s.run ?? '');
    const deploy = runs.findIndex((r) => r.startsWith('npx observer deploy'));
    const gate = runs.findIndex((r) => r.startsWith('npx observer gate') && r.includes('--runs'));
    expect(deploy).toBeGreaterThan(-1);
    expect(gate).toBeGreaterThan(deploy);
    expect(runs[gate]).toContain('--deploy "$VERSION"');
    expect(runs[gate]).not.toContain('||'); // the step fails with the gate
  });

  it('GitLab CI: the job exits with the gate exit code, not tee', () => {
    const job = load('gate-gitlab-ci.yml')['deploy-gate'] as { script: string[] };
    const script = job.script.join('\n');
    expect(script).toContain('--deploy "$CI_COMMIT_SHA"');
    for (const gateCode of [0, 1, 2]) {
      const shell = job.script
        .filter((l) => !l.startsWith('npm') && !l.startsWith('npx observer deploy'))
        .map((l) => l.replace(/^npx observer gate .*? >/, `(echo verdict; exit ${gateCode}) >`))
        .join('\n');
      const cwd = mkdtempSync(path.join(os.tmpdir(), 'observer-gate-ci-'));
      const r = spawnSync('sh', ['-ec', shell], { encoding: 'utf8', cwd });
      rmSync(cwd, { recursive: true, force: true });
      expect(r.status).toBe(gateCode);
      expect(r.stdout).toContain('verdict');
    }
  });
});
