/**
 * `observer init` (what it writes, what it keeps), `observer run --kind` refusing a selection that
 * matches nothing (exit 2, before anything runs), and the Dockerfiles: the base image's layout and
 * the two-line Dockerfile of a monitors repository. The real CLI, spawned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, asList, at, loadYamlDocs } from './k8s.js';
import { dockerInstructions, finalStage, scratchProject } from './image.js';
import { BASE_IMAGE, TEMPLATES } from '../../src/cli/init-templates.js';

const BIN = path.join(ROOT, 'dist/cli/bin.js');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[] };

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'observer-init-'));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function observer(args: string[], cwd: string) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
}

describe('observer init', () => {
  it('writes every template, then keeps existing files unless --force', () => {
    const dir = path.join(scratch, 'My Monitors');
    const first = observer(['init', dir], scratch);
    expect(first.status, first.stderr).toBe(0);
    for (const t of TEMPLATES) expect(existsSync(path.join(dir, t.path)), t.path).toBe(true);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toContain(`FROM ghcr.io/production-observer/observer:${pkg.version}\nCOPY . /monitors\n`);
    expect(readFileSync(path.join(dir, 'deploy/production/kustomization.yaml'), 'utf8')).toContain('newName: registry.example.com/my-monitors');
    const config = readFileSync(path.join(dir, 'observer.config.ts'), 'utf8');
    for (const env of ['local', 'staging', 'production']) expect(config).toContain(`${env}: { baseUrl:`);

    writeFileSync(path.join(dir, 'observer.config.ts'), '// mine\n');
    const again = observer(['init', dir], scratch);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/kept {2}.*observer\.config\.ts \(exists; --force overwrites\)/);
    expect(readFileSync(path.join(dir, 'observer.config.ts'), 'utf8')).toBe('// mine\n');
    expect(observer(['init', dir, '--force'], scratch).status).toBe(0);
    expect(readFileSync(path.join(dir, 'observer.config.ts'), 'utf8')).toBe(config);
  });

  it('rejects a bad name or two folders with exit 2 and a clear message', () => {
    const bad = observer(['init', path.join(scratch, 'x'), '--name', 'Bad Name!'], scratch);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^observer init: --name: "Bad Name!" is not a valid image name/);
    expect(existsSync(path.join(scratch, 'x'))).toBe(false);
    const two = observer(['init', 'a', 'b'], scratch);
    expect(two.status).toBe(2);
    expect(two.stderr).toContain('expected at most one folder');
  });
});

describe('observer run --kind', () => {
  let dir: string;
  beforeAll(() => {
    dir = scratchProject(scratch, 'kinds');
    expect(observer(['init'], dir).status).toBe(0);
  });

  it.each([
    [['--kind', 'browser'], /--kind browser: no monitor of that kind is defined; kinds defined here: api, journey/],
    [['--kind', 'journey', '--grep', 'api-health'], /--kind journey: none of the 1 monitor\(s\) left by the other options .* is of that kind/],
    [['--kind', 'api', '--tag', 'no-such-tag'], /no monitor matches --tag/],
  ])('%j exits 2 before running anything', (args, message) => {
    const r = observer(['run', ...args], dir);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
  });

  it('a project without journeys: --kind journey exits 2', () => {
    rmSync(path.join(dir, 'journeys'), { recursive: true });
    const r = observer(['run', '--kind', 'journey'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr, r.stderr).toMatch(/kinds defined here: api$/m);
  });
});

describe('the published package', () => {
  it('carries what `observer init` and the overlays it writes point into (the tests link the repository instead)', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const packed = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
    const wanted = ['dist/cli/bin.js', 'dist/cli/init.js', 'dist/journeys/fixtures.js', 'deploy/ci/github-actions.yml', 'deploy/README.md'];
    const walk = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const f of [...wanted, ...walk('deploy/kubernetes')]) expect(packed.has(f), f).toBe(true);
  }, 60_000);
});

describe('.github/workflows/base-image.yml', () => {
  it('publishes deploy/Dockerfile under the image and tag that `observer init` writes into FROM', () => {
    const wf = loadYamlDocs(path.join(ROOT, '.github/workflows/base-image.yml'))[0];
    const steps = asList(at(wf, 'jobs.publish.steps'), 'steps');
    const build = steps.find((st) => String(st.uses).startsWith('docker/build-push-action@'));
    expect(at(build ?? {}, 'with.file')).toBe('deploy/Dockerfile');
    expect(at(build ?? {}, 'with.tags')).toBe(`${BASE_IMAGE}:\${{ steps.version.outputs.version }}`);
    const version = steps.find((st) => st.id === 'version');
    // The step's shell, run: a tag matching package.json passes and outputs the version, another fails.
    const out = path.join(scratch, 'github-output');
    for (const [tag, code] of [[`v${pkg.version}`, 0], ['v9.9.9', 1]] as const) {
      writeFileSync(out, '');
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', String(version?.run)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: tag, GITHUB_OUTPUT: out },
      });
      expect(r.status, tag).toBe(code);
      if (code === 0) expect(readFileSync(out, 'utf8')).toBe(`version=${pkg.version}\n`);
      else expect(r.stdout).toContain('does not match package.json version');
    }
  });
});

describe('the Dockerfiles', () => {
  const all = dockerInstructions(readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8'));
  const last = finalStage();

  it('the base image is the Playwright image of the exact @playwright/test version', () => {
    const arg = all.find((i) => i.op === 'ARG' && i.args.startsWith('PLAYWRIGHT_IMAGE='));
    expect(arg?.args).toBe(`PLAYWRIGHT_IMAGE=mcr.microsoft.com/playwright:v${pkg.devDependencies['@playwright/test']}-noble`);
    expect(all.filter((i) => i.op === 'FROM').map((f) => f.args)).toEqual(['${PLAYWRIGHT_IMAGE} AS build', '${PLAYWRIGHT_IMAGE}']);
  });

  it('installs from the lockfile, ships the package with deploy/ (the overlays point into it), runs as pwuser in /monitors', () => {
    const runs = all.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => r.includes('npm prune --omit=dev') && r.includes('dist deploy /out/node_modules/production-observer/'))).toBe(true);
    expect(pkg.files).toContain('deploy');
    const user = last.findIndex((i) => i.op === 'USER');
    expect(last[user].args).toBe('pwuser');
    expect(last.slice(user).some((i) => i.op === 'RUN')).toBe(false);
    expect(last.filter((i) => i.op === 'WORKDIR').map((i) => i.args)).toEqual(['/monitors']);
    expect(JSON.parse(last.find((i) => i.op === 'ENTRYPOINT')?.args ?? 'null')).toEqual(['observer']);
    for (const copy of all.filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
      for (const src of copy.args.split(/\s+/).slice(0, -1)) expect(existsSync(path.join(ROOT, src)), `Dockerfile:${copy.line} COPY ${src}`).toBe(true);
    }
  });
});
