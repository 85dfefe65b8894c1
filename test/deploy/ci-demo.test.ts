/**
 * The CI templates' commands, for real: each job's shell steps run in bash, in a project made by
 * `observer init`, against the demo shop on 127.0.0.1, with a fresh PostgreSQL schema as the
 * shared store and a loopback receiver as the webhook. What the test does not run, and why:
 * - `npm ci` and `npx playwright install --with-deps chromium`: the scratch project's node_modules
 *   link this repository (production-observer, @playwright/test) and Chromium is Debian's;
 * - `uses:` steps (checkout, setup-node, upload-artifact) are GitHub's actions, not shell.
 * `${{ ... }}` expressions are replaced from a table; an expression not in it fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { PG_URL, count, dropSchema, freshSchemaName } from '../store/pg-helpers.js';
import { ROOT, asList, asObj, at, loadYamlDocs } from './k8s.js';
import { runToEnd, scratchProject, type Exited } from './image.js';

const INSTALL_STEPS = [/^npm ci\b/, /^npx playwright install\b/];
const SHA = '0123456789abcdef0123456789abcdef01234567';

let demo: DemoShop;
let hook: Server;
let schema: string;
let scratch: string;

/** Asynchronous: the demo shop answers from this process while the script runs. */
function bash(script: string, cwd: string, env: Record<string, string>, timeoutMs = 240_000): Promise<Exited> {
  // GitHub's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`; GitLab stops at the first failing line too.
  return runToEnd({ argv: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', script], cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } }, timeoutMs);
}

function substitute(text: string, table: Record<string, string>): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    if (!(expr in table)) throw new Error(`no value for \${{ ${expr} }} in the test's table`);
    return table[expr];
  });
}

beforeAll(async () => {
  demo = await startDemoShop({ port: 0 });
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  schema = freshSchemaName('obs_ci');
  scratch = mkdtempSync(path.join(tmpdir(), 'observer-ci-demo-'));
});

afterAll(async () => {
  await demo?.close();
  await new Promise((resolve) => hook?.close(resolve));
  if (schema) await dropSchema(schema);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const secrets = (): Record<string, string> => ({
  OBSERVER_DATABASE_URL: `${PG_URL}?schema=${schema}`,
  OBSERVER_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
});

function initProject(name: string): string {
  const dir = scratchProject(scratch, name);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/bin.js'), 'init'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

describe('deploy/ci/github-actions.yml, as `observer init` writes it', () => {
  it('every shell step of the job runs against the demo shop and the observer steps exit 0', async () => {
    const dir = initProject('gh');
    const file = path.join(dir, '.github/workflows/observer.yml');
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.join(ROOT, 'deploy/ci/github-actions.yml'), 'utf8'));
    const wf = loadYamlDocs(file)[0];
    const job = asObj(at(wf, 'jobs.observe'), 'jobs.observe');
    const table: Record<string, string> = {
      ...Object.fromEntries(Object.entries(secrets()).map(([k, v]) => [`secrets.${k}`, v])),
      'github.event.workflow_run.head_sha || github.sha': SHA,
      'github.sha': SHA,
      '!cancelled()': 'true',
    };
    const summary = path.join(scratch, 'gh-summary.md');
    writeFileSync(summary, '');
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(asObj(job.env, 'env')).map(([k, v]) => [k, substitute(String(v), table)])),
      OBSERVER_BASE_URL: demo.url,
      GITHUB_STEP_SUMMARY: summary,
    };
    const ran: string[] = [];
    for (const step of asList(job.steps, 'steps')) {
      if (typeof step.run !== 'string') continue;
      const script = substitute(step.run, table).trim();
      if (INSTALL_STEPS.some((re) => re.test(script))) continue;
      if (step.if !== undefined) {
        const m = /^env\.([A-Z_]+) != ''$/.exec(String(step.if));
        expect(m, `step "${String(step.name)}": if: ${String(step.if)}`).not.toBeNull();
        if (!env[m?.[1] ?? '']) continue;
      }
      const r = await bash(script, dir, env);
      expect(r.code, `${script}\n${r.stdout}\n${r.stderr}`).toBe(0);
      ran.push(script.split('\n').find((l) => l.includes('npx observer')) ?? script);
    }
    expect(ran.map((s) => s.trim())).toEqual([`npx observer deploy --env staging --version "${SHA}"`, 'npx observer run --env staging']);
    const report = JSON.parse(readFileSync(path.join(dir, 'reports/latest.json'), 'utf8')) as { results: Array<{ monitor: string; environment: string }> };
    expect(report.results.map((r) => r.monitor).sort()).toEqual(['api-health', 'home']);
    expect(report.results.every((r) => r.environment === 'staging')).toBe(true);
    expect(existsSync(path.join(dir, 'reports/junit.xml'))).toBe(true);
    expect(readFileSync(summary, 'utf8')).toMatch(/api-health|API health/);
  }, 300_000);

  it('the results and the deploy marker reached the shared PostgreSQL store', async () => {
    expect(await count(schema, 'results')).toBeGreaterThanOrEqual(2);
  });
});

describe('deploy/ci/gitlab-ci.yml', () => {
  it('the job script runs against the demo shop and exits 0', async () => {
    const dir = initProject('gl');
    const doc = loadYamlDocs(path.join(ROOT, 'deploy/ci/gitlab-ci.yml'))[0];
    const job = asObj(doc['synthetic-checks'], 'synthetic-checks');
    const lines = (job.script as unknown[]).map(String).filter((l) => !INSTALL_STEPS.some((re) => re.test(l)));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const variables = Object.fromEntries(Object.entries(asObj(job.variables, 'variables')).map(([k, v]) => [k, String(v).replace('$CI_PROJECT_DIR', dir)]));
    const r = await bash(lines.join('\n'), dir, { ...variables, ...secrets(), CI_COMMIT_SHA: SHA, OBSERVER_BASE_URL: demo.url });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/2 passed/);
    expect(existsSync(path.join(dir, String(at(job, 'artifacts.reports.junit'))))).toBe(true);
  }, 300_000);
});
