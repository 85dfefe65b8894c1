/** Cross-field rules of `sources` (after the schema passed): one of path/glob, unique names. */
import { accessLogName } from './access-log/source.js';
import { prometheusName } from './prometheus/source.js';
import type { SourceConfig } from './types.js';

export interface SourceProblem {
  /** Field path inside the config: `sources[1].path`. */
  path: string;
  message: string;
}

export function checkSources(sources: readonly SourceConfig[]): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const names = new Map<string, number>();
  sources.forEach((s, i) => {
    const at = `sources[${i}]`;
    if (s.type === 'access-log' && (s.path === undefined) === (s.glob === undefined)) {
      problems.push({ path: at, message: 'needs exactly one of "path" (a file) or "glob" (files), relative to the config file' });
    }
    const name = s.type === 'prometheus' ? prometheusName(s) : accessLogName(s);
    const seen = names.get(name);
    if (seen !== undefined) problems.push({ path: `${at}.name`, message: `"${name}" is also the name of sources[${seen}]; give each source its own "name"` });
    else names.set(name, i);
  });
  return problems;
}
