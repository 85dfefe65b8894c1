/**
 * `observer init [dir]`: scaffold a team's monitors repository (config with environments, an
 * example check with a JSON Schema, an example journey, playwright.config.ts, a two-line
 * Dockerfile on the base image, kustomize overlays and a CI workflow). Existing files are kept
 * unless --force; the command never deletes anything. Exit 0, or 2 on bad usage.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode } from './exit-codes.js';
import { parse, UsageError } from './args.js';
import { TEMPLATES, type TemplateContext } from './init-templates.js';
import type { CommandIO } from './io.js';

export const INIT_USAGE = `Usage: observer init [dir] [options]

Writes a monitors repository into dir (default: the current folder): observer.config.ts,
checks/ (with a JSON Schema), journeys/, playwright.config.ts, Dockerfile, .dockerignore,
deploy/staging and deploy/production (kustomize) and .github/workflows/observer.yml.

Options:
  --name NAME   project name used for the image and the workflow (default: the folder's name)
  --force       overwrite files that exist (default: keep them)`;

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export async function initCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, { name: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, INIT_USAGE);
  if (values.help) {
    io.stdout.write(INIT_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one folder, got ${positionals.length}: ${positionals.join(' ')}`, INIT_USAGE);
  const dir = path.resolve(io.cwd, positionals[0] ?? '.');
  const name = values.name ?? path.basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  if (!NAME.test(name)) throw new UsageError(`--name: "${name}" is not a valid image name (lower-case letters, digits, ".", "_", "-"; at most 63)`);
  const context: TemplateContext = { version: packageVersion(), name };

  const written: string[] = [];
  const kept: string[] = [];
  for (const t of TEMPLATES) {
    const file = path.join(dir, t.path);
    if (existsSync(file) && !values.force) {
      kept.push(t.path);
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, t.content(context));
    written.push(t.path);
  }
  const where = path.relative(io.cwd, dir) || '.';
  const moduleNote = markEsModules(dir, name);
  for (const f of written) io.stdout.write(`  wrote ${path.join(where, f)}\n`);
  if (moduleNote) io.stdout.write(`  ${moduleNote}\n`);
  for (const f of kept) io.stdout.write(`  kept  ${path.join(where, f)} (exists; --force overwrites)\n`);
  io.stdout.write(
    [
      '',
      'Next:',
      '  npx observer run                      # every check and journey against environments.local',
      '  npx observer run --env staging         # or another environment of observer.config.ts',
      `  docker build -t registry.example.com/${name}:1 .`,
      '  kubectl apply -k deploy/staging        # see node_modules/production-observer/deploy/README.md',
      '',
    ].join('\n'),
  );
  return ExitCode.Ok;
}

/**
 * observer.config.ts and playwright.config.ts are ES modules; `observer run` loads the team's Playwright
 * config through an ES import, which needs the package to say `"type": "module"` (npm init -y leaves it out).
 * A package.json is written when there is none; one without a type gets it; an explicit "commonjs" is left
 * as it is, with a note.
 */
function markEsModules(dir: string, name: string): string | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) {
    writeFileSync(file, JSON.stringify({ name, private: true, type: 'module' }, null, 2) + '\n');
    return `wrote ${path.relative(process.cwd(), file) || 'package.json'} ("type": "module")`;
  }
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { type?: string };
  if (pkg.type === 'module') return undefined;
  if (pkg.type === 'commonjs') return 'note: package.json says "type": "commonjs"; observer run needs "type": "module" to load playwright.config.ts';
  writeFileSync(file, JSON.stringify({ ...pkg, type: 'module' }, null, 2) + '\n');
  return 'set "type": "module" in package.json (observer.config.ts and playwright.config.ts are ES modules)';
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
