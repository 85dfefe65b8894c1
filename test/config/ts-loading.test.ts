/**
 * TypeScript config and check files load through tsx's API at run time: syntax errors are
 * diagnostics with their line, edits are seen on the next load (the daemon's reload), CommonJS
 * packages work, and the config file itself gets the same treatment.
 */
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { diagnosticsOf, expectDiagnostic, REPO } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'observer-config-ts-'));
  mkdirSync(path.join(dir, 'checks'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (rel: string, text: string): void => writeFileSync(path.join(dir, rel), text);

describe('TS files through tsx', () => {
  it('in a plain Node process (as the CLI runs), a throw on import reports the line from the source map', async () => {
    write('observer.config.ts', "const region: string = process.env.NOPE ?? '';\nif (!region) throw new TypeError('region is required');\nexport default {};\n");
    const script = path.join(dir, 'load.mts');
    write(
      'load.mts',
      `import { loadConfig } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'src/config/index.ts')).href)};\n` +
        `try { await loadConfig({ cwd: ${JSON.stringify(dir)}, env: {} }); } catch (e) { process.stdout.write(JSON.stringify(e.diagnostics)); }\n`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out)).toEqual([{ file: 'observer.config.ts', path: '', message: 'failed to load: TypeError: region is required', severity: 'error', line: 2 }]);
  });

  it('a syntax error is a diagnostic with file, line and the parser message', async () => {
    write('checks/broken.check.ts', "const ok = 1;\nexport default { id: 'broken', request: { url: 'https://example.com/' } ;\n");
    write('checks/good.check.yaml', 'id: good\nrequest: { url: "https://example.com/" }\n');
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expect(diagnostics).toHaveLength(1);
    expectDiagnostic(diagnostics, { file: 'checks/broken.check.ts', path: '', message: 'syntax error: Expected "}" but found ";"', line: 2 });
  });

  it('a failing import inside a check file names the module', async () => {
    write('checks/imports.check.ts', "import { nothing } from './missing-helper.js';\nexport default { id: 'x', request: { url: nothing } };\n");
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: 'checks/imports.check.ts', path: '', severity: 'error' });
    expect(diagnostics[0].message).toMatch(/^failed to load: .*missing-helper/);
  });

  it('each load sees the files as they are now (reload after an edit)', async () => {
    write('checks/a.check.ts', "export default { id: 'a', name: 'first', request: { url: 'https://example.com/1' } };\n");
    const first = await loadConfig({ cwd: dir, env: {} });
    expect((first.checks as ApiCheckDefinition[]).map((c) => [c.name, c.request.url])).toEqual([['first', 'https://example.com/1']]);
    write('checks/a.check.ts', "export default { id: 'a', name: 'second', request: { url: 'https://example.com/2' } };\n");
    const second = await loadConfig({ cwd: dir, env: {} });
    expect((second.checks as ApiCheckDefinition[]).map((c) => [c.name, c.request.url])).toEqual([['second', 'https://example.com/2']]);
  });

  it('works in a CommonJS package too (default export unwrapped)', async () => {
    write('package.json', JSON.stringify({ type: 'commonjs' }));
    write('checks/cjs.check.ts', "const base = 'https://example.com';\nexport default [{ id: 'cjs', request: { url: base + '/x' } }];\n");
    const config = await loadConfig({ cwd: dir, env: {} });
    expect((config.checks as ApiCheckDefinition[]).map((c) => c.request.url)).toEqual(['https://example.com/x']);
  });

  it('observer.config.ts: a throw, a missing default export, a non-object, a missing --config', async () => {
    write('observer.config.ts', "const region: string = process.env.NOPE ?? '';\nif (!region) throw new TypeError('region is required');\nexport default {};\n");
    // A check with a relative URL: its base URL would have come from the broken config, so it adds no noise.
    write('checks/rel.check.yaml', 'id: rel\nrequest: { url: /health }\n');
    let diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expect(diagnostics).toHaveLength(1);
    // The line comes from the source-mapped stack; vitest rewrites stacks, so it is asserted in a plain Node process below.
    expectDiagnostic(diagnostics, { file: 'observer.config.ts', path: '', message: 'failed to load: TypeError: region is required' });

    write('observer.config.ts', 'export const config = {};\n');
    diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expectDiagnostic(diagnostics, { file: 'observer.config.ts', path: '', message: 'no default export: expected `export default defineConfig({ ... })`' });

    write('observer.config.ts', 'export default [1, 2];\n');
    diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expectDiagnostic(diagnostics, { file: 'observer.config.ts', path: '', message: 'the default export must be an object (got a list)' });

    diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, configFile: 'other.config.ts', env: {} }));
    expectDiagnostic(diagnostics, { file: '(command line)', path: '--config', message: 'config file not found: other.config.ts' });
  });

  it('an explicit --config elsewhere makes its folder the root for relative paths and discovery', async () => {
    mkdirSync(path.join(dir, 'ops/checks'), { recursive: true });
    write('ops/observer.config.mjs', "export default { outDir: 'out', environments: { local: { baseUrl: 'http://127.0.0.1:8080' } } };\n");
    write('ops/checks/h.check.yaml', 'id: h\nrequest: { url: /health }\n');
    const config = await loadConfig({ cwd: dir, configFile: 'ops/observer.config.mjs', env: {} });
    expect(config.rootDir).toBe(path.join(dir, 'ops'));
    expect(config.outDir).toBe(path.join(dir, 'ops/out'));
    expect((config.checks as ApiCheckDefinition[]).map((c) => [c.id, c.request.url, c.file])).toEqual([['h', 'http://127.0.0.1:8080/health', path.join(dir, 'ops/checks/h.check.yaml')]]);
  });

  it('an empty project loads with a warning saying where it looked', async () => {
    const config = await loadConfig({ cwd: dir, env: {} });
    expect((config.checks as ApiCheckDefinition[])).toEqual([]);
    expect(config.warnings).toEqual([
      {
        file: '(command line)',
        path: '',
        message: 'no check or journey files found: looked for checks/**/*.check.{ts,yaml,yml}, journeys/**/*.journey.ts under the current folder',
        severity: 'warning',
      },
    ]);
  });
});
