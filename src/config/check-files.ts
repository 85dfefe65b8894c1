/**
 * Reads one check file into raw checks: `*.check.ts` (default export: one check or a list, loaded
 * through tsx) or `*.check.yaml` (one check or a list). Problems of the file itself (syntax, no
 * default export, a throw on import) are reported with the line when known. YAML files also map
 * field paths to lines, so `expect.status` problems point at the line to fix.
 */
import { promises as fs } from 'node:fs';
import YAML, { isMap, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { parsePath } from './diagnostics.js';
import type { ModuleLoader } from './module-loader.js';

export interface RawCheck {
  value: unknown;
  /** '' for a file holding one check, `checks[i]` for the i-th of a list. */
  fieldPrefix: string;
}

export interface CheckFileContent {
  checks: RawCheck[];
  /** Problems of the file as a whole. */
  problems: Array<{ path: string; message: string; line?: number }>;
  /** Line of a field path in this file, when the format keeps positions (YAML). */
  lineOf: (fieldPath: string) => number | undefined;
}

const noLines = (): undefined => undefined;

export async function readCheckFile(file: string, loader: ModuleLoader): Promise<CheckFileContent> {
  return /\.ya?ml$/i.test(file) ? readYaml(file) : readModule(file, loader);
}

function split(value: unknown): RawCheck[] {
  if (Array.isArray(value)) return value.map((v, i) => ({ value: v, fieldPrefix: `checks[${i}]` }));
  return [{ value, fieldPrefix: '' }];
}

async function readModule(file: string, loader: ModuleLoader): Promise<CheckFileContent> {
  const loaded = await loader.load(file);
  if (loaded.error) return { checks: [], problems: [{ path: '', message: loaded.error.message, ...(loaded.error.line ? { line: loaded.error.line } : {}) }], lineOf: noLines };
  if (!loaded.hasDefault || loaded.value === undefined) {
    return { checks: [], problems: [{ path: '', message: 'no default export: expected `export default defineCheck({ ... })` or a list of checks' }], lineOf: noLines };
  }
  return { checks: split(loaded.value), problems: [], lineOf: noLines };
}

async function readYaml(file: string): Promise<CheckFileContent> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return { checks: [], problems: [{ path: '', message: `cannot read: ${(err as Error).message}` }], lineOf: noLines };
  }
  const lineCounter = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0) return { checks: [], problems: [{ path: '', message: 'empty file: expected a check or a list of checks' }], lineOf: noLines };
  const problems: CheckFileContent['problems'] = [];
  // Only the first syntax error: the parser's later ones are mostly its own cascade.
  const errors = list.flatMap((doc) => doc.errors);
  if (errors.length > 0) {
    const e = errors[0];
    const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    // The classic: `{ path: $.items[0].id }` — brackets start a flow list inside a flow map.
    const hint = errors.some((x) => /flow/i.test(x.message)) ? '; inside { ... } and [ ... ] quote values containing [ ] { } or "," (e.g. path: "$.items[0].id")' : '';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more after it)` : '';
    problems.push({ path: '', message: `YAML syntax error: ${first}${more}${hint}`, ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}) });
  }
  if (problems.length > 0) return { checks: [], problems, lineOf: noLines };
  if (list.length > 1) {
    return { checks: [], problems: [{ path: '', message: `holds ${list.length} YAML documents ("---"): put the checks in one list instead`, line: 1 }], lineOf: noLines };
  }
  const doc = list[0];
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias bomb ("billion laughs") or another document the YAML library refuses to expand.
    const reason = (err as Error).message.split('\n')[0] ?? 'cannot be read';
    return { checks: [], problems: [{ path: '', message: `YAML: ${reason} (at most 100 aliases may be expanded)` }], lineOf: noLines };
  }
  if (value === null || value === undefined) return { checks: [], problems: [{ path: '', message: 'empty file: expected a check or a list of checks' }], lineOf: noLines };
  const isList = Array.isArray(value);
  return { checks: split(value), problems: [], lineOf: (fieldPath) => lineIn(doc, lineCounter, fieldPath, isList) };
}

/** Line of the deepest existing node on the path (a key's own line for map entries); `isList`: a leading `checks` part names the top list. */
export function lineIn(doc: Document, lc: LineCounter, fieldPath: string, isList: boolean): number | undefined {
  const parts = parsePath(fieldPath);
  if (isList && parts[0] === 'checks') parts.shift();
  let node: unknown = doc.contents;
  let line = rangeLine(node, lc);
  for (const part of parts) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === part);
      if (!pair) break;
      line = rangeLine(pair.key, lc) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (item === undefined) break;
      line = rangeLine(item, lc) ?? line;
      node = item;
    } else break;
  }
  return line;
}

function rangeLine(node: unknown, lc: LineCounter): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}
