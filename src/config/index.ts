/**
 * Monitoring-as-code configuration: load, validate with diagnostics, interpolate, discover.
 *
 * Inputs and precedence (highest first):
 * - environment: `--env NAME` > `defaultEnvironment` > `local`; unknown names are errors listing the valid ones.
 * - base URL: `OBSERVER_BASE_URL` > `environments[env].baseUrl`. Relative check URLs are appended to it.
 * - location: `--location` > `OBSERVER_LOCATION` > `location` > `local` (checked against `locations` when set).
 * - store: `OBSERVER_DATABASE_URL` > `store.url`; SQLite at `store.path` (default `.observer/observer.db`).
 * - files: CLI `[files...]` (files or folders, relative to cwd) > `checkFiles`/`journeyFiles` globs
 *   (relative to the config file) > `checks/**\/*.check.{ts,yaml,yml}` and `journeys/**\/*.journey.ts`.
 * - `${env:NAME}` in any string of the config and of checks; `$${env:NAME}` for the literal text.
 *   Substituted values (and the database URL and its password) are registered with `config.redactor`.
 * Problems are collected across all files and thrown once as ConfigError; warnings come back in
 * `config.warnings`. Nothing here prints or exits.
 */
export { loadConfig, CONFIG_FILE_NAMES, DEFAULTS, DEFAULT_REPORTERS, DEFAULT_CONCURRENCY, DEFAULT_STORE_PATH } from './load.js';
export { ConfigError, diagnosticFields, formatDiagnostic, formatDiagnostics, type Diagnostic, type DiagnosticSeverity } from './diagnostics.js';
export { selectMonitors, type MonitorSelection } from './select.js';
export { defineConfig, defineCheck, defineJourney } from './define.js';
export { journeySettingsSchema, validateJourneySettings } from './journey-settings.js';
export { HTTP_METHODS, ASSERTION_OPS } from './schemas.js';
export { DEFAULT_CHECK_FILES, DEFAULT_JOURNEY_FILES } from './discover.js';
export type {
  ObserverConfig,
  CheckInput,
  JourneySettings,
  AssertionInput,
  BodyAssertionInput,
  DefaultsConfig,
  DaemonConfig,
  ResolvedConfig,
  ResolvedDefaults,
  ResolvedDaemonConfig,
  LoadConfigOptions,
  HttpMethod,
  JsonValue,
} from './types.js';
