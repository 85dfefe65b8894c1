/**
 * End-to-end helpers: copy a fixture folder (named by behaviour) into a scratch folder inside the
 * repository (so `production-observer/journey` and node_modules resolve), and spawn the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli', 'bin.js');

export function makeSandbox(fixture: string): { dir: string; cleanup(): void } {
  const dir = path.join(repoRoot, 'test-results', 'e2e', `${fixture}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(repoRoot, 'test', 'fixtures', 'e2e', fixture), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawn `observer ARGS` and collect its output; bounded by `timeoutMs` (killed after). */
export function spawnCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): { child: ChildProcess; done: Promise<CliResult> } {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', ...opts.env };
  delete env.OBSERVER_DATABASE_URL;
  if (opts.env?.OBSERVER_DATABASE_URL) env.OBSERVER_DATABASE_URL = opts.env.OBSERVER_DATABASE_URL;
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export async function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return spawnCli(args, opts).done;
}

/** Resolve when `text` appears in the child's stdout or stderr (bounded). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; saw: ${buf.slice(-2000)}`)), timeoutMs);
    const onData = (c: Buffer) => {
      buf += c.toString();
      const m = pattern.exec(buf);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}
