/**
 * What `run` and `daemon` share before anything executes: load and validate the configuration,
 * discover journeys (their settings are validated like any config), select monitors.
 * Throws ConfigError (exit 2) or UsageError (exit 2); never runs a monitor.
 */
import path from 'node:path';
import { ConfigError, loadConfig, selectMonitors, type Diagnostic, type ResolvedConfig } from '../config/index.js';
import { discoverJourneys } from '../journeys/index.js';
import type { MonitorDefinition } from '../model/index.js';
import { inShard, type Shard } from '../run/shard.js';
import { UsageError } from './args.js';

export interface Selection {
  files?: string[];
  grep?: string;
  tags?: string[];
  shard?: Shard;
}

export interface Prepared {
  config: ResolvedConfig;
  /** Every monitor defined, before selection (the daemon reloads from this). */
  all: MonitorDefinition[];
  selected: MonitorDefinition[];
}

export async function prepare(opts: {
  cwd: string;
  configFile?: string;
  environment?: string;
  location?: string;
  env: NodeJS.ProcessEnv;
  selection: Selection;
}): Promise<Prepared> {
  let grep: RegExp | undefined;
  if (opts.selection.grep !== undefined) {
    try {
      grep = new RegExp(opts.selection.grep);
    } catch (err) {
      throw new UsageError(`--grep: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const config = await loadConfig({
    cwd: opts.cwd,
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
    ...(opts.environment ? { environment: opts.environment } : {}),
    ...(opts.location ? { location: opts.location } : {}),
    ...(opts.selection.files?.length ? { files: opts.selection.files } : {}),
    env: opts.env,
  });
  const journeys = config.journeyFiles.length || config.playwrightConfig ? await discoverJourneys(config) : [];
  const all: MonitorDefinition[] = [...config.checks, ...journeys];
  assertUniqueIds(all, opts.cwd);
  const chosen = selectMonitors(all, { ...(grep ? { grep } : {}), ...(opts.selection.tags?.length ? { tags: opts.selection.tags } : {}) });
  if (chosen.length === 0 && all.length > 0 && (grep || opts.selection.tags?.length)) throw new UsageError(nothingSelected(all, opts.selection));
  const selected = chosen.filter(
    (m) => inShard(m.id, opts.selection.shard) && (!m.locations?.length || m.locations.includes(config.location)),
  );
  return { config, all, selected };
}

/** Results, state and alerts are keyed by monitor id: a check and a journey may not share one. */
function assertUniqueIds(monitors: MonitorDefinition[], cwd: string): void {
  const first = new Map<string, MonitorDefinition>();
  const diagnostics: Diagnostic[] = [];
  for (const m of monitors) {
    const seen = first.get(m.id);
    if (!seen) {
      first.set(m.id, m);
      continue;
    }
    diagnostics.push({
      file: path.relative(cwd, m.file) || m.file,
      path: 'id',
      message: `duplicate monitor id "${m.id}": already the id of the ${seen.kind === 'journey' ? 'journey' : 'check'} in ${path.relative(cwd, seen.file) || seen.file}; ids must be unique`,
      severity: 'error',
    });
  }
  if (diagnostics.length) throw new ConfigError(diagnostics);
}

/** Selecting nothing is an error (a CronJob would stay green measuring nothing): say what exists. */
function nothingSelected(all: MonitorDefinition[], selection: Selection): string {
  const asked = [...(selection.tags ?? []).map((t) => `--tag ${t}`), ...(selection.grep !== undefined ? [`--grep ${selection.grep}`] : [])].join(' ');
  const tags = [...new Set(all.flatMap((m) => m.tags ?? []))].sort();
  const known = tags.length ? `the monitors' tags are ${tags.join(', ')}` : 'no monitor has a tag';
  return `no monitor matches ${asked} (${all.length} monitor(s) defined; ${known})`;
}
