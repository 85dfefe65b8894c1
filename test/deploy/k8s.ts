/** Helpers for the deploy tests: YAML documents as typed-enough objects, dotted paths, quantities, flags. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Obj = Record<string, unknown>;

/** Every document of a YAML file; parse errors and warnings fail loudly with the file name. */
export function loadYamlDocs(file: string): Obj[] {
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Obj[] = [];
  for (const d of list) {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    if (d.warnings.length > 0) throw new Error(`${file}: ${d.warnings.map((e) => e.message).join('; ')}`);
    const value = d.toJS() as unknown;
    if (value === null || value === undefined) continue;
    out.push(asObj(value, `${file} document`));
  }
  return out;
}

export function asObj(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return value as Obj;
}

export function asList(value: unknown, where: string): Obj[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value.map((v, i) => asObj(v, `${where}[${i}]`));
}

/** Follow a dotted path of mapping keys; throws naming the missing segment. */
export function at(doc: Obj, dotted: string): unknown {
  let cur: unknown = doc;
  for (const key of dotted.split('.')) {
    const o = asObj(cur, `${dotted} (at "${key}")`);
    if (!(key in o)) throw new Error(`${dotted}: missing "${key}"`);
    cur = o[key];
  }
  return cur;
}

/** Kubernetes CPU quantity in millicores. */
export function cpuMillis(q: unknown): number {
  const s = String(q);
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(s);
  if (!m) throw new Error(`not a CPU quantity: "${s}"`);
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Kubernetes memory quantity in bytes. */
export function bytes(q: unknown): number {
  const s = String(q);
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(s);
  if (!m) throw new Error(`not a memory quantity: "${s}"`);
  const unit = m[2];
  return Number(m[1]) * (unit ? (BINARY[unit] ?? DECIMAL[unit]) : 1);
}

/** The value after a flag in an argument list (`--env production`). */
export function flag(args: unknown[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : String(args[i + 1]);
}
