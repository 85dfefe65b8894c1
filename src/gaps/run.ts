/**
 * `observer gaps` end to end: the API description, production usage from access logs, coverage
 * from the config's checks and the store's results, findings; then gaps.json, gaps.md, the
 * index.html section and, with `write`, generated checks. The command (src/cli/gaps.ts) only parses
 * arguments and maps errors to exit codes.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { discoverFiles } from '../config/discover.js';
import { writeReportFile } from '../reporters/write.js';
import { gapsOnlyPage, gapsSectionHtml, withGapsSection } from '../reporters/gaps-html.js';
import { isoAt } from '../runtime/clock.js';
import { parseWindow } from '../run/report-context.js';
import type { Store } from '../store/store.js';
import { analyzeGaps, type GapsReport } from './analyze.js';
import { collectCoverage } from './coverage.js';
import { GapsInputError } from './errors.js';
import { generateChecks, type GenerateOutcome } from './generate.js';
import { renderGapsMarkdown } from './markdown.js';
import { loadOpenApi } from './openapi.js';
import { OperationMatcher } from './match.js';
import { readUsage, type LogInput } from './usage.js';

export interface GapsOptions {
  config: ResolvedConfig;
  store: Store;
  /** Where relative command-line paths start. */
  cwd: string;
  /** `--openapi` (relative to cwd); default `gaps.openapi` of the config. */
  openapi?: string;
  /** `--access-log` files (relative to cwd); default `gaps.accessLogs`, else the config's access-log sources. */
  accessLogs?: string[];
  /** Format of the `--access-log` files; default combined. */
  logFormat?: 'combined' | 'json';
  /** `--since`; default `gaps.since`, else 7d. */
  since?: string;
  /** `--write DIR` (relative to cwd): generated checks. */
  write?: string;
  /** At most this many generated checks; default 10. */
  top?: number;
  /** Reports folder; default the config's outDir. */
  outDir?: string;
  nowMs: number;
}

export interface GapsOutcome {
  report: GapsReport;
  /** Absolute paths of gaps.json, gaps.md, index.html. */
  files: string[];
  generated?: GenerateOutcome;
}

export async function runGaps(o: GapsOptions): Promise<GapsOutcome> {
  const { config } = o;
  const rel = (p: string) => path.relative(o.cwd, p) || p;
  const window = o.since ?? config.gaps.since ?? '7d';
  const windowMs = parseWindow(window);
  if (windowMs === undefined) throw new GapsInputError(`--since: expected a duration such as 90m, 24h or 7d, got "${window}"`);

  const openapiFile = o.openapi ? path.resolve(o.cwd, o.openapi) : config.gaps.openapi ? path.resolve(config.rootDir, config.gaps.openapi) : undefined;
  if (!openapiFile) throw new GapsInputError('no API description: pass --openapi FILE or set gaps.openapi in the config');
  await mustExist(openapiFile, o.openapi ? '--openapi' : 'gaps.openapi', rel);
  const logs = await logInputs(o);
  if (logs.length === 0) throw new GapsInputError('no production usage: pass --access-log FILE, or set gaps.accessLogs (or an access-log source) in the config');
  for (const l of logs) await mustExist(l.file, o.accessLogs?.length ? '--access-log' : 'gaps.accessLogs', rel);

  const api = await loadOpenApi(openapiFile);
  const matcher = new OperationMatcher(api);
  const sinceMs = o.nowMs - windowMs;
  const [usage, results, findings] = await Promise.all([
    readUsage(logs, { lookup: matcher, sinceMs, basePaths: [...new Set(api.operations.flatMap((op) => op.basePaths))] }),
    o.store.listResults({ since: isoAt(sinceMs), environment: config.environment }),
    o.store.listFindings({ since: isoAt(sinceMs) }),
  ]);
  const coverage = collectCoverage(config.checks, results, matcher, config.rootDir);
  const report = analyzeGaps({ api: { ...api, file: rel(api.file) }, usage: { ...usage, files: usage.files.map(rel) }, coverage, findings, window, nowMs: o.nowMs });

  let generated: GenerateOutcome | undefined;
  if (o.write) {
    generated = await generateChecks({
      operations: report.operations,
      api: api.operations,
      usage: usage.operations,
      existingIds: new Set(config.checks.map((c) => c.id)),
      dir: path.resolve(o.cwd, o.write),
      ...(o.top !== undefined ? { limit: o.top } : {}),
      source: rel(openapiFile),
    });
    report.generated = generated.written.map(rel);
  }

  const outDir = o.outDir ? path.resolve(o.cwd, o.outDir) : config.outDir;
  const redact = (s: string) => config.redactor.redact(s);
  const files = [
    await writeReportFile(outDir, 'gaps.json', redact(JSON.stringify(report, null, 2) + '\n')),
    await writeReportFile(outDir, 'gaps.md', redact(renderGapsMarkdown(report))),
  ];
  const section = redact(gapsSectionHtml(report));
  const index = path.join(outDir, 'index.html');
  const existing = await readFile(index, 'utf8').catch(() => undefined);
  files.push(await writeReportFile(outDir, 'index.html', existing ? withGapsSection(existing, section) : gapsOnlyPage(section)));
  return { report, files, ...(generated ? { generated } : {}) };
}

/** The logs to read: the command line's, else `gaps.accessLogs`, else the config's access-log sources. */
async function logInputs(o: GapsOptions): Promise<LogInput[]> {
  if (o.accessLogs?.length) return o.accessLogs.map((f) => ({ file: path.resolve(o.cwd, f), format: o.logFormat ?? 'combined' }));
  const { config } = o;
  if (config.gaps.accessLogs?.length) {
    return config.gaps.accessLogs.map((l) =>
      typeof l === 'string'
        ? { file: path.resolve(config.rootDir, l), format: 'combined' as const }
        : { file: path.resolve(config.rootDir, l.path), format: l.format ?? 'combined', ...(l.fields ? { fields: l.fields } : {}), ...(l.requestTimeUnit ? { requestTimeUnit: l.requestTimeUnit } : {}) },
    );
  }
  const out: LogInput[] = [];
  for (const s of config.sources) {
    if (s.type !== 'access-log') continue;
    const files = s.path ? [path.resolve(config.rootDir, s.path)] : await discoverFiles(config.rootDir, [s.glob ?? '']);
    for (const file of files) out.push({ file, format: s.format, ...(s.fields ? { fields: s.fields } : {}), ...(s.requestTimeUnit ? { requestTimeUnit: s.requestTimeUnit } : {}) });
  }
  return out;
}

async function mustExist(file: string, field: string, rel: (p: string) => string): Promise<void> {
  try {
    await access(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GapsInputError(`${rel(file)}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`} (${field})`);
  }
}
