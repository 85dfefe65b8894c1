/** Monitoring-as-code configuration: load, validate with diagnostics, interpolate, discover. */
export { loadConfig, CONFIG_FILE_NAMES, DEFAULTS, DEFAULT_REPORTERS, DEFAULT_CONCURRENCY, DEFAULT_STORE_PATH } from './load.js';
export { ConfigError, formatDiagnostic, formatDiagnostics, type Diagnostic, type DiagnosticSeverity } from './diagnostics.js';
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
