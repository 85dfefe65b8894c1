/**
 * `sources: 'sources.yaml'` in observer.config.ts: the list kept in a YAML file (a list, or a map
 * with a `sources` list), so operators can edit it without touching TypeScript (a Kubernetes
 * ConfigMap, say). `${env:NAME}` works as in the config; problems name the YAML file, the field
 * (`sources[1].url`) and its line.
 */
import { promises as fs } from 'node:fs';
import YAML, { LineCounter } from 'yaml';
import { createConfigAjv, validateWith } from '../config/ajv-errors.js';
import { lineIn } from '../config/check-files.js';
import { interpolateEnv } from '../config/interpolate.js';
import type { Redactor } from '../runtime/redact.js';
import { sourcesSchema } from './config-schema.js';
import { checkSources } from './config.js';
import type { SourceConfig } from './types.js';

export interface SourcesFileProblem {
  /** `sources[1].url`, as in observer.config.ts. */
  path: string;
  message: string;
  line?: number;
}

let validator: ReturnType<ReturnType<typeof createConfigAjv>['compile']> | undefined;

export async function readSourcesYaml(file: string, env: NodeJS.ProcessEnv, redactor: Redactor): Promise<{ sources?: SourceConfig[]; problems: SourcesFileProblem[] }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return { problems: [{ path: '', message: `cannot read the sources file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }] };
  }
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    return { problems: [{ path: '', message: `YAML syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}) }] };
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const isList = Array.isArray(value);
  const list = isList ? value : value !== null && typeof value === 'object' ? (value as { sources?: unknown }).sources : undefined;
  if (!Array.isArray(list)) return { problems: [{ path: '', message: 'expected a list of sources, or a map with a "sources" list', line: 1 }] };
  // Paths as in observer.config.ts (`sources[1].url`); lines from the file's own shape.
  const lineOf = (p: string) => lineIn(doc, lineCounter, isList ? p.replace(/^sources/, 'checks') : p, isList);
  const interpolated = interpolateEnv(list, env, redactor);
  const problems: Array<SourcesFileProblem & { locate?: string }> = interpolated.problems.map((p) => ({ path: joinSources(p.path), message: p.message }));
  validator ??= createConfigAjv().compile(sourcesSchema);
  // An unknown field is located at its own key.
  for (const p of validateWith(validator, interpolated.value)) problems.push({ path: joinSources(p.path), message: p.message, ...(p.locate ? { locate: joinSources(p.locate) } : {}) });
  if (problems.length === 0) for (const p of checkSources(interpolated.value as SourceConfig[])) problems.push(p);
  for (const p of problems) {
    const line = lineOf(p.locate ?? p.path);
    if (line !== undefined) p.line = line;
    delete p.locate;
  }
  return problems.length ? { problems } : { sources: interpolated.value as SourceConfig[], problems };
}

function joinSources(p: string): string {
  return p.startsWith('[') ? `sources${p}` : p ? `sources.${p}` : 'sources';
}
