/**
 * File discovery by glob (`checks/**\/*.check.{ts,yaml,yml}`). Supports `**`, `*`, `?`, `{a,b}` and
 * `[abc]`, matched against paths relative to the root with `/` separators. Walks only below each
 * pattern's literal prefix and never into node_modules, .git or dot-folders. Results are sorted so
 * runs are reproducible.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const DEFAULT_CHECK_FILES = ['checks/**/*.check.{ts,yaml,yml}'];
export const DEFAULT_JOURNEY_FILES = ['journeys/**/*.journey.ts'];

const SKIP_DIRS = new Set(['node_modules', 'dist']);
const MAX_DEPTH = 32;
const MAX_ENTRIES = 200_000;

/** Compile a glob to an anchored RegExp over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          // `**/` matches zero or more folders; a trailing `**` anything below.
          if (glob[i + 2] === '/') {
            re += '(?:[^/]+/)*';
            i += 2;
          } else {
            re += '.*';
            i += 1;
          }
          continue;
        }
        i += 1;
      }
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i + 1) {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      } else re += '\\[';
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The folder part of a glob before its first wildcard (`checks/api/**\/x` → `checks/api`). */
export function literalPrefix(glob: string): string {
  const segments = glob.split('/');
  const out: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (/[*?{}[\]]/.test(s)) break;
    out.push(s);
  }
  return out.join('/');
}

/** Absolute paths of files under `rootDir` matching any of the globs, sorted, without duplicates. */
export async function discoverFiles(rootDir: string, globs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  let budget = MAX_ENTRIES;
  for (const glob of globs) {
    const normalized = glob.replace(/\\/g, '/').replace(/^\.\//, '');
    if (path.isAbsolute(normalized)) {
      // An absolute glob is matched against absolute paths from its own prefix.
      const re = globToRegExp(normalized);
      const start = '/' + literalPrefix(normalized.slice(1));
      await walk(start, 0, (abs) => {
        if (re.test(abs.split(path.sep).join('/'))) found.add(abs);
      });
      continue;
    }
    const re = globToRegExp(normalized);
    const prefix = literalPrefix(normalized);
    await walk(path.join(rootDir, prefix), 0, (abs) => {
      const rel = path.relative(rootDir, abs).split(path.sep).join('/');
      if (re.test(rel)) found.add(abs);
    });
  }
  return [...found].sort();

  async function walk(dir: string, depth: number, onFile: (abs: string) => void): Promise<void> {
    if (depth > MAX_DEPTH || budget <= 0) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return; // A missing folder simply holds no files.
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (--budget <= 0) return;
      const abs = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        // Followed (kubelet ConfigMap mounts are symlinks); a dangling link is skipped.
        const target = await fs.stat(abs).catch(() => undefined);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        if (SKIP_DIRS.has(e.name) || e.name.startsWith('.')) continue;
        await walk(abs, depth + 1, onFile);
      } else if (isFile) onFile(abs);
    }
  }
}

export type MonitorFileKind = 'check' | 'journey';

/** Kind of an explicitly named file: `*.journey.*` journeys, `*.check.*` and YAML checks. */
export function classifyFile(file: string): MonitorFileKind | undefined {
  const base = path.basename(file);
  if (/\.journey\.(?:[cm]?[jt]s)$/.test(base)) return 'journey';
  if (/\.check\.(?:[cm]?[jt]s|ya?ml)$/.test(base) || /\.ya?ml$/.test(base)) return 'check';
  return undefined;
}
