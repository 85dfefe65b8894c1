/**
 * Discovery: list the tests of the journey files from their source when they are flat
 * (static-list.ts), else through Playwright itself (`playwright test --list` with our reporter,
 * nothing runs, no browser starts), read the settings `journey()`
 * attached, validate them like any config (ConfigError, exit 2) and resolve JourneyDefinitions.
 * Settings from observer.config.ts (`journeys: { <id or title>: {...} }`) override the file's.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Diagnostic } from '../config/diagnostics.js';
import { validateJourneySettings } from '../config/journey-settings.js';
import type { JourneySettings } from '../config/types.js';
import type { JourneyDefinition } from '../model/monitor.js';
import { startPlaywright } from './playwright-process.js';
import type { ListedTest } from './protocol.js';
import { JOURNEY_DEFAULTS, settingsFromAnnotations } from './settings.js';
import { listStatically } from './static-list.js';

/** What discovery needs of the resolved config. */
export interface DiscoveryConfig {
  rootDir: string;
  /** Absolute, or relative to rootDir. */
  journeyFiles: string[];
  /** Id or title → settings from observer.config.ts. */
  journeySettings: Record<string, JourneySettings>;
  defaults?: { journeyTimeoutMs: number; stepTimeoutMs: number };
  env?: NodeJS.ProcessEnv;
  /** The team's `playwright.config.*` (absolute): listed through it, dependency projects' tests excluded. */
  playwrightConfig?: string;
  /** Lines Playwright prints while listing (a skipped project's notice), not redacted. */
  log?: (line: string) => void;
}

/** `Purchase flow` → `purchase-flow`. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Longest monitor id (the same cap as check ids). */
export const MAX_ID_LENGTH = 128;

/** A derived id within MAX_ID_LENGTH: a longer one keeps its start and ends with a hash of the whole. */
export function capId(id: string): string {
  if (id.length <= MAX_ID_LENGTH) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${id.slice(0, MAX_ID_LENGTH - hash.length - 1).replace(/[-.]+$/, '')}-${hash}`;
}

/** `journeys/purchase.journey.ts` → `purchase`. */
function fileStem(file: string): string {
  return path.basename(file).replace(/\.(journey|spec|test)\.(ts|mts|js|mjs)$/, '').replace(/\.(ts|mts|js|mjs)$/, '');
}

export async function listJourneyTests(config: Pick<DiscoveryConfig, 'rootDir' | 'journeyFiles' | 'env' | 'playwrightConfig' | 'log'>): Promise<ListedTest[]> {
  const files = config.journeyFiles.map((f) => path.resolve(config.rootDir, f));
  if (files.length === 0 && !config.playwrightConfig) return [];
  // Playwright reports a missing file as "No tests found", which is no error for a config's empty test folder.
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new ConfigError(missing.map((f) => ({ file: path.relative(config.rootDir, f) || f, path: '', message: 'cannot load the journey: the file does not exist', severity: 'error' as const })));
  }
  // Flat journey files are listed from their source, without a Playwright process (static-list.ts).
  if (!config.playwrightConfig) {
    const known = listStatically(files);
    if (known) return known;
  }
  return listWithPlaywright(config);
}

/** `playwright test --list` with our reporter: what any journey file declares, however it declares it. */
export async function listWithPlaywright(config: Pick<DiscoveryConfig, 'rootDir' | 'journeyFiles' | 'env' | 'playwrightConfig' | 'log'>): Promise<ListedTest[]> {
  const files = config.journeyFiles.map((f) => path.resolve(config.rootDir, f));
  let tests: ListedTest[] = [];
  const errors: Diagnostic[] = [];
  let noTests = false;
  const pw = await startPlaywright({
    config: {
      files,
      rootDir: config.rootDir,
      mode: 'list',
      workers: 1,
      retries: 0,
      timeoutMs: JOURNEY_DEFAULTS.timeoutMs,
      baseUrl: 'http://127.0.0.1:4173',
      trace: 'off',
      limits: {},
      ...(config.playwrightConfig ? { userConfig: config.playwrightConfig } : {}),
    },
    cwd: config.rootDir,
    env: config.env ?? process.env,
    // Default: observer's own notices (a skipped project) reach the terminal, Playwright's chatter does not.
    onOutput: config.log ?? ((line) => line.startsWith('observer: ') && process.stderr.write(`${line}\n`)),
    onEvent: (event) => {
      if (event.type === 'list') tests = event.tests;
      // A config whose test folder is empty or absent has no journeys: that is a selection, not a load error.
      if (event.type === 'error' && /^(Error: )?No tests found/.test(event.message)) {
        noTests = true;
        return;
      }
      if (event.type === 'error') {
        const [file, line] = (event.location ?? '').split(':');
        errors.push({
          file: file || 'journeys',
          ...(line ? { line: Number(line) } : {}),
          path: '',
          message: `cannot load the journey: ${event.message.split('\n')[0]}`,
          severity: 'error',
        });
      }
    },
  });
  try {
    const exit = await pw.done;
    if (errors.length) throw new ConfigError(errors);
    if (exit.code !== 0 && tests.length === 0 && !noTests) {
      // The error's own line (not the stack frames under it) says what went wrong.
      const lines = exit.stderrTail.filter(Boolean);
      const said = lines.filter((l) => !/^\s*at /.test(l));
      const detail = (said.length ? said.slice(-3) : lines.slice(-3)).join(' | ') || `exit code ${exit.code}`;
      throw new ConfigError([{ file: 'journeys', path: '', message: `listing the journeys with Playwright failed: ${detail}`, severity: 'error' }]);
    }
  } finally {
    await pw.cleanup();
  }
  return tests;
}

/** Every test of the journey files as a JourneyDefinition; invalid settings throw ConfigError. */
export async function discoverJourneys(config: DiscoveryConfig): Promise<JourneyDefinition[]> {
  const listed = await listJourneyTests(config);
  // Through a team's Playwright config every test of its projects is listed: explicit files narrow them.
  const chosen = new Set(config.journeyFiles.map((f) => path.resolve(config.rootDir, f)));
  const tests = config.playwrightConfig && chosen.size > 0 ? listed.filter((t) => chosen.has(t.file)) : listed;
  const diagnostics: Diagnostic[] = [];
  const out: JourneyDefinition[] = [];
  const seen = new Map<string, string>();
  for (const t of tests) {
    const rel = path.relative(config.rootDir, t.file).split(path.sep).join('/');
    const title = t.titlePath.join(' › ');
    const where = `test "${title}"`;
    let fromFile: JourneySettings = {};
    const found = settingsFromAnnotations(t.annotations);
    if (found && 'error' in found) {
      diagnostics.push({ file: rel, line: t.line, path: where, message: found.error, severity: 'error' });
      continue;
    }
    if (found) {
      const v = validateJourneySettings(found.raw, rel, `${where}.journey()`, config.rootDir);
      diagnostics.push(...v.diagnostics.map((d) => ({ ...d, line: d.line ?? t.line })));
      if (!v.settings) continue;
      fromFile = v.settings;
    }
    const derivedId = fromFile.id ?? capId(`${slugify(fileStem(t.file))}.${slugify(title) || 'journey'}`);
    const fromConfig = config.journeySettings[derivedId] ?? config.journeySettings[title] ?? {};
    const s: JourneySettings = { ...fromFile, ...fromConfig, steps: { ...fromFile.steps, ...fromConfig.steps } };
    const id = s.id ?? derivedId;
    const other = seen.get(id);
    if (other) {
      diagnostics.push({ file: rel, line: t.line, path: `${where}.id`, message: `duplicate journey id "${id}" (also ${other}); set a distinct id with journey({ id })`, severity: 'error' });
      continue;
    }
    seen.set(id, `${rel}:${t.line}`);
    const timeoutMs = s.timeoutMs ?? config.defaults?.journeyTimeoutMs ?? JOURNEY_DEFAULTS.timeoutMs;
    out.push({
      kind: 'journey',
      id,
      name: s.name ?? title,
      file: t.file,
      title,
      retries: s.retries ?? JOURNEY_DEFAULTS.retries,
      timeoutMs,
      stepTimeoutMs: Math.min(s.stepTimeoutMs ?? config.defaults?.stepTimeoutMs ?? JOURNEY_DEFAULTS.stepTimeoutMs, timeoutMs),
      steps: s.steps ?? {},
      tags: [...new Set([...(s.tags ?? []), ...t.tags.map((tag) => tag.replace(/^@/, ''))])],
      ...(s.schedule ? { schedule: s.schedule } : {}),
      ...(s.locations?.length ? { locations: s.locations } : {}),
    });
  }
  if (diagnostics.some((d) => d.severity === 'error')) throw new ConfigError(diagnostics);
  return out;
}

