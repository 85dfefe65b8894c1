/**
 * The CI templates: their structure, and their shell really gating on the observer's exit code.
 * The scripts run in bash with stand-in `npm` and `npx` on the PATH that records its arguments, writes
 * reports/status.md like the markdown reporter does, and exits with the code under test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, asList, asObj, at, loadYamlDocs, type Obj } from './k8s.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const BOARD = '# Production health: staging\n\n| monitor | status |\n|---|---|\n| api-health | passed |\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'observer-ci-'));
  writeFileSync(
    path.join(dir, 'npx'),
    [
      '#!/bin/sh',
      'echo "npx $*" >> "$CALLS"',
      'if [ "$1 $2" = "observer run" ]; then',
      '  mkdir -p reports',
      `  printf '%s' "$BOARD" > reports/status.md`,
      '  if [ -n "$STANDIN_WRITES_SUMMARY" ]; then printf \'%s\' "$BOARD" >> "$GITHUB_STEP_SUMMARY"; fi',
      '  exit "$STANDIN_CODE"',
      'fi',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(path.join(dir, 'npx'), 0o755);
  // `npm ci` only records itself: nothing is installed.
  writeFileSync(path.join(dir, 'npm'), '#!/bin/sh\necho "npm $*" >> "$CALLS"\n');
  chmodSync(path.join(dir, 'npm'), 0o755);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runScript(script: string, env: Record<string, string>) {
  const file = path.join(dir, 'step.sh');
  writeFileSync(file, script);
  const summary = path.join(dir, 'summary.md');
  writeFileSync(summary, '');
  const calls = path.join(dir, 'calls.txt');
  writeFileSync(calls, '');
  // GitHub's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`; GitLab runs with -eo pipefail too.
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: `${dir}:${process.env.PATH ?? ''}`, GITHUB_STEP_SUMMARY: summary, CALLS: calls, BOARD, STANDIN_CODE: '0', ...env },
  });
  return {
    code: r.status,
    stdout: r.stdout,
    summary: readFileSync(summary, 'utf8'),
    calls: readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean),
  };
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('deploy/ci/github-actions.yml', () => {
  const wf = loadYamlDocs(path.join(ROOT, 'deploy/ci/github-actions.yml'))[0];
  const job = asObj(at(wf, 'jobs.observe'), 'jobs.observe');
  const steps = asList(job.steps, 'steps');
  const idx = (pred: (s: Obj) => boolean) => steps.findIndex(pred);
  const observer = steps[idx((s) => typeof s.run === 'string' && s.run.includes('npx observer run --env staging'))];

  it('runs after a deploy and by hand', () => {
    const on = asObj(wf.on, 'on');
    expect(Object.keys(on).sort()).toEqual(['deployment_status', 'workflow_dispatch', 'workflow_run']);
    expect(at(on, 'workflow_run.types')).toEqual(['completed']);
    expect(String(job.if)).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(String(job.if)).toContain("github.event.deployment_status.state == 'success'");
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('checkout, setup-node 20, npm ci, then `npx observer run --env staging`', () => {
    const checkout = idx((s) => String(s.uses).startsWith('actions/checkout@'));
    const node = idx((s) => String(s.uses).startsWith('actions/setup-node@'));
    const ci = idx((s) => s.run === 'npm ci');
    const run = steps.indexOf(observer);
    expect(checkout).toBe(0);
    expect(at(steps[node], 'with.node-version')).toBe(20);
    expect(node).toBeGreaterThan(checkout);
    expect(ci).toBeGreaterThan(node);
    expect(run).toBeGreaterThan(ci);
    expect(observer.shell).toBe('bash');
    // The gate: no continue-on-error anywhere, so a non-zero exit fails the job.
    for (const s of steps) expect(s).not.toHaveProperty('continue-on-error');
    expect(job).not.toHaveProperty('continue-on-error');
  });

  it('uploads reports/junit.xml and the reports even when the run failed', () => {
    const uploads = steps.filter((s) => String(s.uses).startsWith('actions/upload-artifact@'));
    const junit = uploads.find((s) => at(s, 'with.path') === 'reports/junit.xml');
    expect(junit).toBeDefined();
    expect(uploads.some((s) => at(s, 'with.path') === 'reports/')).toBe(true);
    for (const u of uploads) {
      expect(steps.indexOf(u)).toBeGreaterThan(steps.indexOf(observer));
      expect(String(u.if)).toMatch(/!cancelled\(\)|always\(\)/);
    }
  });

  it.each([0, 1, 2, 3])('the observer step exits with the CLI code %i', (code) => {
    const r = runScript(String(observer.run), { STANDIN_CODE: String(code) });
    expect(r.code).toBe(code);
    expect(r.calls).toEqual(['npx observer run --env staging']);
    if (code === 0) expect(r.stdout).not.toContain('::error');
    else expect(r.stdout).toMatch(/^::error title=/m);
  });

  it('appends status.md to the step summary only when the CLI did not, so it appears once', () => {
    const byCli = runScript(String(observer.run), { STANDIN_CODE: '1', STANDIN_WRITES_SUMMARY: '1' });
    expect(occurrences(byCli.summary, '# Production health')).toBe(1);
    const byStep = runScript(String(observer.run), { STANDIN_CODE: '1' });
    expect(byStep.summary).toBe(BOARD);
  });
});

describe('deploy/ci/gitlab-ci.yml', () => {
  const doc = loadYamlDocs(path.join(ROOT, 'deploy/ci/gitlab-ci.yml'))[0];
  const job = asObj(doc['synthetic-checks'], 'synthetic-checks');
  const script = (job.script as unknown[]).map(String);

  it('runs `npx observer run --env staging` last, after the deploy stages, with no allow_failure', () => {
    expect(script[script.length - 1]).toBe('npx observer run --env staging');
    expect(script[0]).toMatch(/^npm ci\b/);
    expect(job.stage).toBe('.post');
    expect(job.allow_failure).toBe(false);
    expect(job.image).toBe(`mcr.microsoft.com/playwright:v${pkg.devDependencies['@playwright/test']}-noble`);
  });

  it('publishes reports/junit.xml as a JUnit report even when the job failed', () => {
    expect(at(job, 'artifacts.reports.junit')).toBe('reports/junit.xml');
    expect(at(job, 'artifacts.when')).toBe('always');
    expect(at(job, 'artifacts.paths')).toContain('reports/');
  });

  it.each([0, 1, 2])('the job script exits with the CLI code %i', (code) => {
    const r = runScript(script.join('\n') + '\n', { STANDIN_CODE: String(code) });
    expect(r.code).toBe(code);
    expect(r.calls).toEqual(['npm ci --no-audit --no-fund', 'npx observer run --env staging']);
    expect(existsSync(path.join(dir, 'reports/status.md'))).toBe(true);
  });

  it('records a deploy marker first when a shared store is configured', () => {
    const r = runScript(script.join('\n') + '\n', { OBSERVER_DATABASE_URL: 'postgres://x@db/observer', CI_COMMIT_SHA: 'abc123' });
    expect(r.calls).toEqual(['npm ci --no-audit --no-fund', 'npx observer deploy --env staging --version abc123', 'npx observer run --env staging']);
  });
});
