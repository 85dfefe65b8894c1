/**
 * loadConfig: observer.config.ts (optional) + discovered or named check files → ResolvedConfig.
 * Order: read → `${env:...}` → schema → defaults (one place) → cross-field rules. Every problem of
 * every file is collected, then one ConfigError is thrown; warnings ride along on the result.
 * No console output and no process.exit here: the CLI prints and maps to exit codes.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import pLimit from 'p-limit';
import { alertsConfigSchema } from '../alerts/config-schema.js';
import { AlertsConfigError } from '../alerts/errors.js';
import { applyAlertsDefaults } from '../alerts/index.js';
import { anomalyConfigSchema } from '../anomaly/config-schema.js';
import { checkSources } from '../sources/config.js';
import { readSourcesYaml } from '../sources/yaml.js';
import { resolveStatusPage } from '../status/config.js';
import type { CheckDefinition } from '../model/monitor.js';
import { parseDurationMs } from '../model/duration.js';
import { Redactor } from '../runtime/redact.js';
import { createConfigAjv, explainAjvErrors, validateWith } from './ajv-errors.js';
import { readCheckFile } from './check-files.js';
import { ConfigError, DiagnosticBag, formatPath, joinPath } from './diagnostics.js';
import { classifyFile, DEFAULT_CHECK_FILES, DEFAULT_JOURNEY_FILES, discoverFiles } from './discover.js';
import { interpolateEnv, isPlainObject } from './interpolate.js';
import { journeySettingsRules } from './journey-settings.js';
import { SchemaLoader } from './json-schema.js';
import { OpenApiSpecs } from './openapi-specs.js';
import { ModuleLoader } from './module-loader.js';
import type { CheckReporter, ResolveCheckContext } from './resolve-check.js';
import { resolveCheck } from './resolve-monitor.js';
import { configSchema, SLUG } from './schemas.js';
import { didYouMean } from './suggest.js';
import type { JourneySettings, LoadConfigOptions, ObserverConfig, ResolvedConfig, ResolvedDaemonConfig, ResolvedDashboardConfig, ResolvedDefaults } from './types.js';

export const CONFIG_FILE_NAMES = ['observer.config.ts', 'observer.config.mts', 'observer.config.js', 'observer.config.mjs'];

export const DEFAULTS: Readonly<ResolvedDefaults> = Object.freeze({
  timeoutMs: 10_000,
  retries: 0,
  maxBodyBytes: 10 * 1024 * 1024,
  journeyTimeoutMs: 60_000,
  stepTimeoutMs: 15_000,
});
export const DEFAULT_REPORTERS = ['json', 'junit', 'markdown', 'html'];
export const DEFAULT_CONCURRENCY = Object.freeze({ checks: 20, perOrigin: 6, journeyWorkers: 2 });
export const DEFAULT_STORE_PATH = '.observer/observer.db';
export const DEFAULT_DAEMON_PORT = 9464;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/** Check files read and imported at once. */
const READ_CONCURRENCY = 16;

/** Pseudo-files for values that come from outside any file. */
const CLI = '(command line)';
const ENV = '(environment)';

let configValidator: ValidateFunction | undefined;
const sectionValidators = new Map<AnySchema, ValidateFunction>();

function sectionValidator(schema: AnySchema): ValidateFunction {
  let v = sectionValidators.get(schema);
  if (!v) {
    // Schemas owned by other modules: compiled as they are written (not our strict mode).
    v = new Ajv({ strict: false, allErrors: true, verbose: true, allowUnionTypes: true }).compile(schema);
    sectionValidators.set(schema, v);
  }
  return v;
}

export async function loadConfig(opts: LoadConfigOptions): Promise<ResolvedConfig> {
  const cwd = path.resolve(opts.cwd);
  const env = opts.env ?? process.env;
  const bag = new DiagnosticBag(cwd);
  const redactor = new Redactor();
  const modules = new ModuleLoader();
  try {
    // 1. The config file: read, interpolate, validate; only sections that passed are kept.
    const configFile = await locateConfigFile(cwd, opts.configFile, bag);
    const rootDir = configFile ? path.dirname(configFile) : cwd;
    const cfgFile = configFile ?? CLI;
    const { cfg, broken } = configFile ? await readConfigFile(configFile, modules, env, redactor, bag, opts.deliverySecrets !== false) : { cfg: {}, broken: new Set<string>() };

    // 2. Sections, defaults applied in one place, cross-field rules.
    const knownLocations = cfg.locations;
    const environmentsBroken = broken.has('environments') || broken.has('defaultEnvironment') || broken.has('');
    const target = selectEnvironment(cfg, opts, env, cfgFile, bag, environmentsBroken);
    const location = selectLocation(cfg, opts, env, cfgFile, bag);
    const defaults: ResolvedDefaults = { ...DEFAULTS, ...(cfg.defaults ?? {}) };
    if (defaults.maxResponseTimeMs !== undefined && defaults.degradedResponseTimeMs !== undefined && defaults.degradedResponseTimeMs >= defaults.maxResponseTimeMs) {
      bag.error(cfgFile, 'defaults.degradedResponseTimeMs', `must be below defaults.maxResponseTimeMs (${defaults.maxResponseTimeMs}): degraded is the warning level before failing`);
    }
    const store = resolveStore(cfg, env, rootDir, cfgFile, bag, redactor);
    const daemon = resolveDaemon(cfg, cfgFile, bag);
    const dashboard = resolveDashboard(cfg, cfgFile, bag, redactor);
    // The alerts section's cross-field rules (duplicate channel names, windows that end before they
    // start, ...) live with the alerts module; its diagnostics join the others so they exit 2 too.
    let alerts = applyAlertsDefaults({});
    if (cfg.alerts !== undefined && !broken.has('alerts')) {
      try {
        alerts = applyAlertsDefaults(cfg.alerts);
      } catch (err) {
        if (!(err instanceof AlertsConfigError)) throw err;
        for (const d of err.diagnostics) bag.error(cfgFile, d.path.startsWith('alerts') ? d.path : joinPath('alerts', d.path), d.message);
      }
    }
    const journeySettings = resolveJourneySettings(cfg, knownLocations, cfgFile, bag);
    // A `sources` file was read into the list already (readConfigFile).
    const sources = Array.isArray(cfg.sources) ? cfg.sources : [];
    for (const p of checkSources(sources)) bag.error(cfgFile, p.path, p.message);

    // 3. Which files.
    const files = await selectFiles(cfg, opts, cwd, rootDir, bag);
    const playwrightConfig = locatePlaywrightConfig(cfg, rootDir, cfgFile, bag);
    // A team's Playwright config names its own tests (testDir/testMatch) unless files were chosen.
    if (playwrightConfig && !opts.files?.length && cfg.journeyFiles === undefined) files.journeys = [];
    if (!opts.files?.length && !playwrightConfig && files.checks.length === 0 && files.journeys.length === 0 && bag.errorCount === 0) {
      const globs = [...asGlobList(cfg.checkFiles, DEFAULT_CHECK_FILES), ...asGlobList(cfg.journeyFiles, DEFAULT_JOURNEY_FILES)];
      const where = bag.relative(rootDir) === '.' ? 'the current folder' : bag.relative(rootDir);
      bag.warning(cfgFile, '', `no check or journey files found: looked for ${globs.join(', ')} under ${where}`);
    }

    // 4. Checks, then ids shared between checks and configured journeys.
    const { checks, idsAt } = await loadChecks(files.checks, {
      cwd,
      env,
      redactor,
      modules,
      bag,
      base: {
        ...(target.baseUrl ? { baseUrl: target.baseUrl } : {}),
        baseUrlSource: target.baseUrlSource,
        ...(target.baseUrlBroken ? { baseUrlBroken: true } : {}),
        defaults,
        ...(knownLocations ? { knownLocations } : {}),
      },
    });
    for (const [key, s] of Object.entries(journeySettings)) {
      const seen = s.id !== undefined ? idsAt.get(s.id) : undefined;
      if (seen) bag.error(cfgFile, joinPath(formatPath(['journeys', key]), 'id'), `journey id "${s.id}" is also the id of a check in ${bag.relative(seen.file)}; ids must be unique`);
    }

    // The status page names monitors: with journeys discovered at run time, the known ids are incomplete.
    let statusPage: ResolvedConfig['statusPage'];
    if (cfg.statusPage !== undefined && !broken.has('statusPage')) {
      const journeysPossible = files.journeys.length > 0 || playwrightConfig !== undefined;
      const resolved = resolveStatusPage(cfg.statusPage, journeysPossible ? undefined : new Set(checks.map((c) => c.id)));
      for (const p of resolved.problems) (p.severity === 'error' ? bag.error : bag.warning).call(bag, cfgFile, p.path, p.message);
      statusPage = resolved.page;
    }

    // Messages may quote values: secrets never leave in them.
    const warnings = bag.warnings.map((d) => ({ ...d, message: redactor.redact(d.message) }));
    if (bag.errorCount > 0) throw new ConfigError(bag.items.map((d) => ({ ...d, message: redactor.redact(d.message) })));

    return {
      ...(configFile ? { configFile } : {}),
      rootDir,
      environment: target.environment,
      ...(target.baseUrl ? { baseUrl: target.baseUrl } : {}),
      location,
      outDir: path.resolve(rootDir, cfg.outDir ?? 'reports'),
      store,
      reporters: cfg.reporters ? [...cfg.reporters] : [...DEFAULT_REPORTERS],
      concurrency: { ...DEFAULT_CONCURRENCY, ...(cfg.concurrency ?? {}) },
      defaults,
      checks,
      journeyFiles: files.journeys,
      ...(playwrightConfig ? { playwrightConfig } : {}),
      journeyTrace: cfg.journeys?.trace ?? 'on-retry',
      journeySettings,
      anomaly: cfg.anomaly ?? {},
      alerts,
      daemon,
      dashboard,
      sources,
      gaps: broken.has('gaps') ? {} : (cfg.gaps ?? {}),
      ...(statusPage ? { statusPage } : {}),
      redactor,
      warnings,
    };
  } finally {
    await modules.close();
  }
}

/**
 * observer.config.ts → the config with every section that failed validation or interpolation
 * dropped (`broken` names them; `''` when the file itself failed), so later steps read trusted shapes.
 */
async function readConfigFile(
  configFile: string,
  modules: ModuleLoader,
  env: NodeJS.ProcessEnv,
  redactor: Redactor,
  bag: DiagnosticBag,
  deliverySecrets: boolean,
): Promise<{ cfg: ObserverConfig; broken: Set<string> }> {
  const broken = new Set<string>();
  const loaded = await modules.load(configFile);
  if (loaded.error) bag.error(configFile, '', loaded.error.message, loaded.error.line);
  else if (!loaded.hasDefault || loaded.value === undefined) bag.error(configFile, '', 'no default export: expected `export default defineConfig({ ... })`');
  else if (!isPlainObject(loaded.value)) bag.error(configFile, '', `the default export must be an object (got ${Array.isArray(loaded.value) ? 'a list' : typeof loaded.value})`);
  else {
    const interpolated = interpolateEnv(deliverySecrets ? loaded.value : withoutDeliverySecrets(loaded.value), env, redactor);
    for (const p of interpolated.problems) bag.error(configFile, p.path, p.message);
    const raw = interpolated.value;
    // `sources: 'sources.yaml'`: the list lives in a YAML file (its problems name that file).
    if (typeof raw.sources === 'string') {
      const file = path.resolve(path.dirname(configFile), raw.sources);
      const read = await readSourcesYaml(file, env, redactor);
      for (const p of read.problems) bag.error(file, p.path, p.message, p.line);
      if (read.sources) raw.sources = read.sources;
      else {
        delete raw.sources;
        broken.add('sources');
      }
    }
    configValidator ??= createConfigAjv().compile(configSchema);
    const problems = validateWith(configValidator, raw);
    for (const p of problems) bag.error(configFile, p.path, p.message);
    for (const [section, schema] of [['anomaly', anomalyConfigSchema], ['alerts', alertsConfigSchema]] as const) {
      if (!isPlainObject(raw[section])) continue;
      const v = sectionValidator(schema as AnySchema);
      if (!v(raw[section])) {
        for (const p of explainAjvErrors(v.errors ?? [])) bag.error(configFile, joinPath(section, p.path), p.message);
        broken.add(section);
      }
    }
    const badJourneys = new Set<string>();
    for (const p of problems) {
      // One bad journey entry does not hide the others' problems.
      if (p.parts?.[0] === 'journeys' && p.parts.length > 1) badJourneys.add(String(p.parts[1]));
      else broken.add(p.topKey ?? '');
    }
    for (const p of interpolated.problems) broken.add(/^[^.[]+/.exec(p.path)?.[0] ?? '');
    return { cfg: sanitize(raw, broken, badJourneys), broken };
  }
  broken.add('');
  return { cfg: {}, broken };
}

interface CheckLoadContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  modules: ModuleLoader;
  bag: DiagnosticBag;
  /** What every check resolves against. */
  base: Pick<ResolveCheckContext, 'baseUrl' | 'baseUrlSource' | 'baseUrlBroken' | 'defaults' | 'knownLocations'>;
}

/** Check files → resolved checks; problems go to the bag, with YAML lines. `idsAt`: where each id was first defined. */
async function loadChecks(files: readonly string[], ctx: CheckLoadContext): Promise<{ checks: CheckDefinition[]; idsAt: Map<string, { file: string; at: string }> }> {
  const { bag } = ctx;
  const schemas = new SchemaLoader(ctx.cwd);
  const specs = new OpenApiSpecs(ctx.cwd);
  const checks: CheckDefinition[] = [];
  const idsAt = new Map<string, { file: string; at: string }>();
  // Files are read and imported concurrently (I/O bound), then resolved in order so that
  // diagnostics and duplicate-id reports do not depend on timing.
  const limit = pLimit(READ_CONCURRENCY);
  const contents = await Promise.all(files.map((file) => limit(() => readCheckFile(file, ctx.modules))));
  for (const [index, file] of files.entries()) {
    const content = contents[index];
    for (const p of content.problems) bag.error(file, p.path, p.message, p.line);
    const lineOf = (f: string, p: string, where?: { locate?: string; line?: number }): number | undefined =>
      where?.line ?? (f === file ? content.lineOf(where?.locate ?? p) : undefined);
    const report: CheckReporter = {
      error: (f, p, m, where) => bag.error(f, p, m, lineOf(f, p, where)),
      warning: (f, p, m, where) => bag.warning(f, p, m, lineOf(f, p, where)),
    };
    for (const raw of content.checks) {
      const interpolated = interpolateEnv(raw.value, ctx.env, ctx.redactor);
      for (const p of interpolated.problems) report.error(file, joinPath(raw.fieldPrefix, p.path), p.message);
      const id = isPlainObject(interpolated.value) && typeof interpolated.value.id === 'string' ? interpolated.value.id : undefined;
      if (id !== undefined) {
        const seen = idsAt.get(id);
        const at = joinPath(raw.fieldPrefix, 'id');
        if (seen) {
          const where = seen.at !== 'id' ? ` (${seen.at})` : '';
          report.error(file, at, `duplicate check id "${id}": already defined in ${bag.relative(seen.file)}${where}; ids must be unique`);
        } else idsAt.set(id, { file, at });
      }
      const check = await resolveCheck(interpolated.value, { ...ctx.base, file, fieldPrefix: raw.fieldPrefix, schemas, specs, report });
      if (check && interpolated.problems.length === 0) checks.push(check);
    }
  }
  return { checks, idsAt };
}

async function locateConfigFile(cwd: string, explicit: string | undefined, bag: DiagnosticBag): Promise<string | undefined> {
  if (explicit) {
    const abs = path.resolve(cwd, explicit);
    if (await isFile(abs)) return abs;
    bag.error(CLI, '--config', `config file not found: ${explicit}`);
    return undefined;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const abs = path.join(cwd, name);
    if (await isFile(abs)) return abs;
  }
  return undefined;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Drop top-level sections that failed validation so later steps only read trusted shapes. */
function sanitize(raw: Record<string, unknown>, bad: ReadonlySet<string>, badJourneys: ReadonlySet<string>): ObserverConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!bad.has(k)) out[k] = v;
  if (isPlainObject(out.journeys) && badJourneys.size > 0) {
    out.journeys = Object.fromEntries(Object.entries(out.journeys).filter(([key]) => !badJourneys.has(key)));
  }
  return out as ObserverConfig;
}

function selectEnvironment(
  cfg: ObserverConfig,
  opts: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
  cfgFile: string,
  bag: DiagnosticBag,
  /** The environments section did not validate (already reported). */
  sectionBroken: boolean,
): { environment: string; baseUrl?: string; baseUrlSource: string; baseUrlBroken?: boolean } {
  const environments = cfg.environments ?? {};
  const names = Object.keys(environments);
  if (cfg.defaultEnvironment !== undefined && names.length > 0 && !names.includes(cfg.defaultEnvironment)) {
    bag.error(cfgFile, 'defaultEnvironment', `unknown environment "${cfg.defaultEnvironment}"${didYouMean(cfg.defaultEnvironment, names)}; environments are ${names.join(', ')}`);
  }
  const environment = opts.environment ?? cfg.defaultEnvironment ?? 'local';
  if (opts.environment !== undefined && !new RegExp(SLUG).test(opts.environment) && !names.includes(opts.environment)) {
    bag.error(CLI, '--env', `"${opts.environment}" is not a valid environment name (lower-case letters, digits, ".", "_", "-")`);
  }
  let broken = sectionBroken;
  if (names.length > 0 && !names.includes(environment)) {
    broken = true;
    if (opts.environment !== undefined) {
      bag.error(CLI, '--env', `unknown environment "${environment}"${didYouMean(environment, names)}; ${bag.relative(cfgFile)} defines ${names.join(', ')}`);
    } else if (cfg.defaultEnvironment === undefined) {
      bag.error(cfgFile, 'environments', `no environment "local" to default to: pass --env NAME or set defaultEnvironment to one of ${names.join(', ')}`);
    }
  }
  const override = env.OBSERVER_BASE_URL?.trim();
  const source = override ? 'OBSERVER_BASE_URL' : `environments.${environment}.baseUrl`;
  const candidate = override || environments[environment]?.baseUrl;
  if (candidate === undefined) return { environment, baseUrlSource: source, ...(broken ? { baseUrlBroken: true } : {}) };
  let url: URL | undefined;
  try {
    url = new URL(candidate);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const [file, field] = override ? [ENV, 'OBSERVER_BASE_URL'] : [cfgFile, joinPath(formatPath(['environments', environment]), 'baseUrl')];
    bag.error(file, field, `must be an absolute http(s) URL such as "https://shop.example.com" (got "${candidate}")`);
    return { environment, baseUrlSource: source, baseUrlBroken: true };
  }
  return { environment, baseUrl: candidate, baseUrlSource: source };
}

function selectLocation(cfg: ObserverConfig, opts: LoadConfigOptions, env: NodeJS.ProcessEnv, cfgFile: string, bag: DiagnosticBag): string {
  const fromEnv = env.OBSERVER_LOCATION?.trim() || undefined;
  const location = opts.location ?? fromEnv ?? cfg.location ?? 'local';
  const [file, field] = opts.location !== undefined ? [CLI, '--location'] : fromEnv ? [ENV, 'OBSERVER_LOCATION'] : [cfgFile, 'location'];
  if (!new RegExp(SLUG).test(location)) {
    bag.error(file, field, `"${location}" is not a valid location name (lower-case letters, digits, ".", "_", "-")`);
  } else if (cfg.locations && !cfg.locations.includes(location)) {
    bag.error(file, field, `unknown location "${location}"${didYouMean(location, cfg.locations)}; ${bag.relative(cfgFile)} lists ${cfg.locations.join(', ')}`);
  }
  return location;
}

function resolveStore(cfg: ObserverConfig, env: NodeJS.ProcessEnv, rootDir: string, cfgFile: string, bag: DiagnosticBag, redactor: Redactor): ResolvedConfig['store'] {
  const fromEnv = env.OBSERVER_DATABASE_URL?.trim() || undefined;
  const url = fromEnv ?? cfg.store?.url;
  if (url !== undefined) {
    redactor.add(url);
    const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
    if (scheme === 'postgres' || scheme === 'postgresql') {
      try {
        const password = new URL(url).password;
        if (password) redactor.add(decodeURIComponent(password));
      } catch {
        bag.error(fromEnv ? ENV : cfgFile, fromEnv ? 'OBSERVER_DATABASE_URL' : 'store.url', 'is not a valid postgres:// URL');
      }
    } else if (scheme !== undefined && scheme !== 'sqlite' && scheme !== 'file') {
      bag.error(fromEnv ? ENV : cfgFile, fromEnv ? 'OBSERVER_DATABASE_URL' : 'store.url', `unknown scheme "${scheme}:"; expected postgres://, postgresql://, sqlite:PATH or a file path`);
    }
  }
  return { ...(url !== undefined ? { url } : {}), path: path.resolve(rootDir, cfg.store?.path ?? DEFAULT_STORE_PATH) };
}

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function resolveDaemon(cfg: ObserverConfig, cfgFile: string, bag: DiagnosticBag): ResolvedDaemonConfig {
  const d = cfg.daemon ?? {};
  if (d.timezone !== undefined && !knownTimeZone(d.timezone)) {
    bag.error(cfgFile, 'daemon.timezone', `unknown time zone "${d.timezone}": expected an IANA name such as "UTC" or "Europe/Berlin"`);
  }
  return {
    ...d,
    ...(d.lanes ? { lanes: { ...d.lanes } } : {}),
    port: d.port ?? DEFAULT_DAEMON_PORT,
    shutdownTimeoutMs: d.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
  };
}

function resolveDashboard(cfg: ObserverConfig, cfgFile: string, bag: DiagnosticBag, redactor: Redactor): ResolvedDashboardConfig {
  const d = cfg.dashboard ?? {};
  const window = d.window ?? '24h';
  if (parseDurationMs(window) === undefined) bag.error(cfgFile, 'dashboard.window', `expected a duration such as 90m, 24h or 7d, got "${window}"`);
  // A token written in the file (not through ${env:...}) is a secret all the same.
  if (d.token) redactor.add(d.token);
  if (d.timeZone !== undefined && !knownTimeZone(d.timeZone)) {
    bag.error(cfgFile, 'dashboard.timeZone', `unknown time zone "${d.timeZone}": expected an IANA name such as "UTC" or "Europe/Berlin"`);
  }
  return {
    ...(d.title !== undefined ? { title: d.title } : {}),
    ...(d.timeZone !== undefined ? { timeZone: d.timeZone } : {}),
    enabled: d.enabled ?? true,
    ...(d.token ? { token: d.token } : {}),
    window,
    writeIntervalSeconds: d.writeIntervalSeconds ?? 60,
    pollIntervalSeconds: d.pollIntervalSeconds ?? 5,
    maxClients: d.maxClients ?? 100,
    heartbeatSeconds: d.heartbeatSeconds ?? 15,
  };
}

function resolveJourneySettings(
  cfg: ObserverConfig,
  knownLocations: readonly string[] | undefined,
  cfgFile: string,
  bag: DiagnosticBag,
): Record<string, JourneySettings> {
  const out: Record<string, JourneySettings> = {};
  const ids = new Map<string, string>();
  for (const [key, entry] of Object.entries(cfg.journeys ?? {})) {
    if (key === 'playwrightConfig' || key === 'trace' || typeof entry !== 'object' || entry === null) continue;
    const s = entry;
    const prefix = formatPath(['journeys', key]);
    for (const r of journeySettingsRules(s)) {
      if (r.severity === 'error') bag.error(cfgFile, joinPath(prefix, r.path), r.message);
      else bag.warning(cfgFile, joinPath(prefix, r.path), r.message);
    }
    if (s.id !== undefined) {
      const other = ids.get(s.id);
      if (other !== undefined) bag.error(cfgFile, joinPath(prefix, 'id'), `duplicate journey id "${s.id}" (also ${formatPath(['journeys', other])})`);
      else ids.set(s.id, key);
    }
    if (knownLocations) {
      (s.locations ?? []).forEach((l, i) => {
        if (!knownLocations.includes(l)) bag.error(cfgFile, joinPath(prefix, `locations[${i}]`), `unknown location "${l}"${didYouMean(l, knownLocations)}; locations are ${knownLocations.join(', ')}`);
      });
    }
    // Kept as written: the journeys module merges them over the file's own settings, then applies
    // `defaults` (journeyTimeoutMs, stepTimeoutMs, retries) to what is still unset.
    out[key] = { ...s };
  }
  return out;
}

function asGlobList(globs: string | string[] | undefined, fallback: string[]): string[] {
  return globs === undefined ? fallback : Array.isArray(globs) ? globs : [globs];
}

const PLAYWRIGHT_CONFIG_NAMES = ['playwright.config.ts', 'playwright.config.mts', 'playwright.config.js', 'playwright.config.mjs'];

/** `journeys.playwrightConfig` (must exist), else a `playwright.config.*` in the project folder. */
function locatePlaywrightConfig(cfg: ObserverConfig, rootDir: string, cfgFile: string, bag: DiagnosticBag): string | undefined {
  const explicit = cfg.journeys?.playwrightConfig;
  if (typeof explicit === 'string') {
    const file = path.resolve(rootDir, explicit);
    if (existsSync(file)) return file;
    bag.error(cfgFile, 'journeys.playwrightConfig', `expected a Playwright config file, but ${bag.relative(file)} does not exist`);
    return undefined;
  }
  return PLAYWRIGHT_CONFIG_NAMES.map((n) => path.join(rootDir, n)).find((f) => existsSync(f));
}

async function selectFiles(
  cfg: ObserverConfig,
  opts: LoadConfigOptions,
  cwd: string,
  rootDir: string,
  bag: DiagnosticBag,
): Promise<{ checks: string[]; journeys: string[] }> {
  const checkGlobs = asGlobList(cfg.checkFiles, DEFAULT_CHECK_FILES);
  const journeyGlobs = asGlobList(cfg.journeyFiles, DEFAULT_JOURNEY_FILES);
  if (!opts.files || opts.files.length === 0) {
    return { checks: await discoverFiles(rootDir, checkGlobs), journeys: await discoverFiles(rootDir, journeyGlobs) };
  }
  const checks = new Set<string>();
  const journeys = new Set<string>();
  for (const [i, f] of opts.files.entries()) {
    const abs = path.resolve(cwd, f);
    let stat;
    try {
      stat = await fs.stat(abs);
    } catch {
      bag.error(CLI, `files[${i}]`, `not found: ${f}`);
      continue;
    }
    if (stat.isDirectory()) {
      for (const c of await discoverFiles(abs, ['**/*.check.{ts,mts,js,mjs,yaml,yml}'])) checks.add(c);
      for (const j of await discoverFiles(abs, ['**/*.journey.{ts,mts,js,mjs}'])) journeys.add(j);
      continue;
    }
    const kind = classifyFile(abs);
    if (kind === 'check') checks.add(abs);
    else if (kind === 'journey') journeys.add(abs);
    else bag.error(CLI, `files[${i}]`, `"${f}" is neither a check (*.check.ts, *.check.yaml) nor a journey (*.journey.ts)`);
  }
  return { checks: [...checks].sort(), journeys: [...journeys].sort() };
}

/** A placeholder the channel schema accepts, for a webhook URL left unresolved. */
const UNRESOLVED_URL = 'https://delivery-secret-not-resolved.invalid/';

/**
 * The config with the alert channels' `${env:...}` references replaced by placeholders (never
 * read from the environment): for commands that only read the store.
 */
function withoutDeliverySecrets(value: Record<string, unknown>): Record<string, unknown> {
  const alerts = value.alerts;
  if (!isPlainObject(alerts) || !Array.isArray(alerts.channels)) return value;
  const channels = alerts.channels.map((c: unknown) => {
    if (!isPlainObject(c)) return c;
    // Every reference of a channel (headers, PagerDuty's routing key, the SMTP password, ...).
    const blank = (v: unknown): unknown =>
      typeof v === 'string' ? (v.includes('${env:') ? 'not-resolved' : v) : Array.isArray(v) ? v.map(blank) : isPlainObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)])) : v;
    const out = blank(c) as Record<string, unknown>;
    if (typeof c.url === 'string' && c.url.includes('${env:')) out.url = UNRESOLVED_URL;
    return out;
  });
  return { ...value, alerts: { ...alerts, channels } };
}
