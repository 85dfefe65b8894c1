import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './k8s.js';

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i].trim();
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile:${start + 1}: not an instruction: ${line}`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  return out;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const all = instructions(readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const froms = all.filter((i) => i.op === 'FROM');
const finalStage = all.slice(all.indexOf(froms[froms.length - 1]));
const buildStage = all.slice(all.indexOf(froms[0]), all.indexOf(froms[froms.length - 1]));

describe('deploy/Dockerfile', () => {
  it('builds on the official Playwright image of the exact @playwright/test version in package.json', () => {
    const arg = all.find((i) => i.op === 'ARG' && i.args.startsWith('PLAYWRIGHT_IMAGE='));
    expect(arg?.args).toBe(`PLAYWRIGHT_IMAGE=mcr.microsoft.com/playwright:v${pkg.dependencies['@playwright/test']}-noble`);
    expect(arg?.args).toBe('PLAYWRIGHT_IMAGE=mcr.microsoft.com/playwright:v1.65.1-noble');
    expect(froms.map((f) => f.args)).toEqual(['${PLAYWRIGHT_IMAGE} AS build', '${PLAYWRIGHT_IMAGE}']);
  });

  it('installs from the lockfile, builds with `npm run build`, and keeps only production deps', () => {
    const runs = buildStage.filter((i) => i.op === 'RUN').map((i) => i.args);
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    const build = runs.findIndex((r) => r.includes('npm run build'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(ci);
    expect(runs[build]).toMatch(/npm prune --omit=dev/);
    expect(pkg.scripts.build).toMatch(/^tsc /);
    // The lockfile is copied before `npm ci` (layer cache) and src before the build.
    const copies = buildStage.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies[0]).toBe('package.json package-lock.json ./');
    expect(copies).toContain('src ./src');
    expect(buildStage.some((i) => i.op === 'ENV' && i.args.includes('PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1'))).toBe(true);
  });

  it('runs `node <the package bin>` as pwuser, and puts the same file on the PATH as `observer`', () => {
    const entry = finalStage.find((i) => i.op === 'ENTRYPOINT');
    expect(JSON.parse(entry?.args ?? 'null')).toEqual(['node', pkg.bin.observer]);
    expect(existsSync(path.join(ROOT, pkg.bin.observer.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
    const users = finalStage.filter((i) => i.op === 'USER');
    expect(users.map((u) => u.args)).toEqual(['pwuser']);
    // Nothing runs as root after the switch.
    expect(finalStage.slice(finalStage.indexOf(users[0])).some((i) => i.op === 'RUN')).toBe(false);
    const wrapper = finalStage.find((i) => i.op === 'RUN' && i.args.includes('/usr/local/bin/observer'));
    expect(wrapper?.args).toContain(`exec node /app/${pkg.bin.observer} "$@"`);
    expect(finalStage.some((i) => i.op === 'EXPOSE' && i.args === '9464')).toBe(true);
    expect(finalStage.find((i) => i.op === 'WORKDIR')?.args).toBe('/app');
  });

  it('copies dist and node_modules from the build stage, owned by pwuser, and only paths that exist', () => {
    const copies = finalStage.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('--from=build --chown=pwuser:pwuser /app/node_modules ./node_modules');
    expect(copies).toContain('--from=build --chown=pwuser:pwuser /app/dist ./dist');
    for (const copy of [...buildStage, ...finalStage].filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        if (src.includes('*')) continue; // optional globs (observer.config.*) next to a required file
        expect(existsSync(path.join(ROOT, src)), `Dockerfile:${copy.line} COPY ${src}`).toBe(true);
      }
    }
  });
});
