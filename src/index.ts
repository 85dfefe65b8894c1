/**
 * production-observer's public entry. Config, check and journey files import their typing helpers
 * from here (`import { defineCheck } from 'production-observer'`); programs embedding the runner
 * load configuration with loadConfig.
 */
export * from './model/index.js';
export {
  defineConfig,
  defineCheck,
  defineJourney,
  loadConfig,
  selectMonitors,
  validateJourneySettings,
  journeySettingsSchema,
  formatDiagnostic,
  formatDiagnostics,
  ConfigError,
  type Diagnostic,
  type DiagnosticSeverity,
  type MonitorSelection,
  type ObserverConfig,
  type CheckInput,
  type JourneySettings,
  type AssertionInput,
  type BodyAssertionInput,
  type DefaultsConfig,
  type DaemonConfig,
  type ResolvedConfig,
  type ResolvedDefaults,
  type ResolvedDaemonConfig,
  type LoadConfigOptions,
  type HttpMethod,
  type JsonValue,
} from './config/index.js';
export { Redactor, REDACTED } from './runtime/redact.js';
