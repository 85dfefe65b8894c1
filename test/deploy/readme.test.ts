/**
 * README.md and deploy/README.md as a reader follows them: every fenced block runs, in order, in
 * one scratch project per document, against the demo shop on 127.0.0.1, unless the line before it
 * says `<!-- not run: why -->`.
 * - `sh`: bash -eo pipefail in the project; must exit 0.
 * - `ts` with `defineConfig`: becomes observer.config.ts, then `npx observer run` must exit 0.
 * - `dockerfile`: must be the Dockerfile `observer init` wrote (comments aside).
 * - any other language without the marker fails the test.
 * What the test changes, and only this: `npm install ... production-observer ...` cannot reach a
 * published package, so the scratch project links this repository instead (node_modules/
 * production-observer -> the repository, node_modules/@playwright/test -> its copy, the `observer`
 * bin as npm links it); `example.com` URLs (placeholders for your site) point at the demo shop,
 * and OBSERVER_BASE_URL is set to it for the environments the scaffold names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { ROOT } from './k8s.js';
import { runToEnd, scratchProject } from './image.js';

interface Block {
  doc: string;
  line: number;
  lang: string;
  text: string;
  skip?: string;
}

export function fencedBlocks(doc: string): Block[] {
  const lines = readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i])) body.push(lines[i]);
    const marker = /^<!-- not run: (.+) -->$/.exec(lines[start - 1] ?? '');
    out.push({ doc, line: start + 1, lang: open[1], text: body.join('\n') + '\n', ...(marker ? { skip: marker[1] } : {}) });
  }
  return out;
}

const INSTALL = /^npm install (--save-dev |-D )?production-observer( @playwright\/test(@[~^]?[0-9.]+)?)?\s*$/gm;

let demo: DemoShop;
let hook: Server;
let scratch: string;

beforeAll(async () => {
  demo = await startDemoShop({ port: 0 });
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  scratch = mkdtempSync(path.join(tmpdir(), 'observer-readme-'));
});

afterAll(async () => {
  await demo?.close();
  await new Promise((resolve) => hook?.close(resolve));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function adapt(text: string): string {
  return text.replace(INSTALL, ': npm install: linked by the test').replace(/https?:\/\/(?:[a-z0-9-]+\.)*example\.com(?=[/'"\s]|$)/g, demo.url);
}

async function run(script: string, cwd: string) {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    OBSERVER_BASE_URL: demo.url,
    SLACK_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/slack`,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  return runToEnd({ argv: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', script], cwd, env }, 240_000);
}

async function runDocument(doc: string, initFirst: boolean): Promise<number> {
  const project = scratchProject(scratch, doc.replace(/\W+/g, '-'));
  if (initFirst) {
    const r = await run('npx observer init', project);
    expect(r.code, r.stderr).toBe(0);
  }
  let ran = 0;
  for (const b of fencedBlocks(doc)) {
    if (b.skip) continue;
    const where = `${b.doc}:${b.line}`;
    if (b.lang === 'sh' || b.lang === 'bash') {
      const r = await run(adapt(b.text), project);
      expect(r.code, `${where}\n${b.text}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    } else if (b.lang === 'ts' && b.text.includes('defineConfig')) {
      writeFileSync(path.join(project, 'observer.config.ts'), adapt(b.text));
      const r = await run('npx observer run', project);
      expect(r.code, `${where}: npx observer run with this config\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
    } else if (b.lang === 'dockerfile') {
      const scaffold = readFileSync(path.join(project, 'Dockerfile'), 'utf8');
      const strip = (t: string) => t.split('\n').filter((l) => l.trim() && !l.startsWith('#')).join('\n');
      expect(strip(b.text), where).toBe(strip(scaffold));
    } else {
      throw new Error(`${where}: a \`${b.lang || 'plain'}\` block the test cannot run; mark it <!-- not run: why --> or make it runnable`);
    }
    ran++;
  }
  return ran;
}

describe('the READMEs run as written', () => {
  it('every block is runnable or says why not', () => {
    for (const doc of ['README.md', 'deploy/README.md']) {
      for (const b of fencedBlocks(doc)) if (b.skip) expect(b.skip.length, `${doc}:${b.line}`).toBeGreaterThan(5);
    }
    expect(fencedBlocks('README.md').filter((b) => !b.skip).length).toBeGreaterThanOrEqual(3);
  });

  it('README.md: the quick start, the YAML check and the config, in a fresh project', async () => {
    expect(await runDocument('README.md', false)).toBeGreaterThanOrEqual(3);
  }, 600_000);

  it('deploy/README.md, in a project made by `observer init`', async () => {
    expect(await runDocument('deploy/README.md', true)).toBeGreaterThanOrEqual(2);
  }, 600_000);
});
