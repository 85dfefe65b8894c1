/**
 * The `alerts` config section: input type (what users write), resolved type (defaults applied),
 * and resolveAlertsConfig, the one place where defaults and cross-field checks live.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { alertsConfigSchema } from './config-schema.js';
import { AlertsConfigError, type ConfigDiagnostic } from './errors.js';
import type { ChannelType } from './channels/registry.js';
import type { Severity } from '../model/index.js';

export interface ChannelConfigInput {
  name: string;
  type: ChannelType;
  url?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  retries?: number;
}

export interface MaintenanceWindow {
  /** ISO 8601 instant. */
  start: string;
  /** ISO 8601 instant after start. */
  end: string;
  /** Only these monitors (ids or names); with neither monitors nor tags: all monitors. */
  monitors?: string[];
  tags?: string[];
  reason?: string;
}

/** What users write in observer.config.ts under `alerts`. */
export interface AlertsConfigInput {
  channels?: ChannelConfigInput[];
  rules?: {
    failureThreshold?: number;
    successThreshold?: number;
    minLocations?: number;
    findingSeverity?: 'warning' | 'critical';
    sendOnResolved?: boolean;
    reminderIntervalMs?: number;
    staleLocationMs?: number;
    flapping?: { windowRuns?: number; maxTransitions?: number };
  };
  mute?: { monitors?: string[]; tags?: string[] };
  maintenance?: MaintenanceWindow[];
  reportUrl?: string;
}

export interface ResolvedChannelConfig extends ChannelConfigInput {
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
}

export interface AlertRules {
  /** Failed runs in a row at one location that open an alert. */
  failureThreshold: number;
  /** Passing runs in a row (at every location that failed) that resolve it. */
  successThreshold: number;
  /** Open when the latest result fails in at least this many locations; absent: off. */
  minLocations?: number;
  /** Findings at or above this severity open an alert. */
  findingSeverity: Extract<Severity, 'warning' | 'critical'>;
  sendOnResolved: boolean;
  /** Re-send open alerts this often; absent: never. */
  reminderIntervalMs?: number;
  /** A location without a result for this long is forgotten (a retired location never holds an alert open). */
  staleLocationMs: number;
  flapping: { windowRuns: number; maxTransitions: number };
}

/** The validated `alerts` section with every default applied. */
export interface AlertsConfig {
  channels: ResolvedChannelConfig[];
  rules: AlertRules;
  mute: { monitors: string[]; tags: string[] };
  maintenance: MaintenanceWindow[];
  reportUrl?: string;
}

export const ALERT_DEFAULTS = {
  timeoutMs: 5000,
  retries: 2,
  failureThreshold: 2,
  successThreshold: 1,
  findingSeverity: 'critical',
  sendOnResolved: true,
  staleLocationMs: 86_400_000,
  windowRuns: 10,
  maxTransitions: 4,
} as const;

let validator: ReturnType<Ajv['compile']> | null = null;

function validate(section: unknown): ConfigDiagnostic[] {
  validator ??= new Ajv({ allErrors: true, strict: true }).compile(alertsConfigSchema);
  if (validator(section)) return [];
  return (validator.errors ?? []).filter((e) => e.keyword !== 'if').map(toDiagnostic);
}

function toDiagnostic(e: ErrorObject): ConfigDiagnostic {
  const path = 'alerts' + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    return { path, message: `unknown key "${String(e.params.additionalProperty)}"` };
  }
  if (e.keyword === 'enum') {
    return { path, message: `expected one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
  }
  if (e.keyword === 'required') {
    return { path: `${path}.${String(e.params.missingProperty)}`, message: 'is required' };
  }
  return { path, message: e.message ?? e.keyword };
}

/**
 * Validate the `alerts` section and apply defaults. `undefined` means no alerts (no channels).
 * Throws AlertsConfigError listing every problem (schema and cross-field).
 */
export function resolveAlertsConfig(section: unknown): AlertsConfig {
  const input = (section ?? {}) as AlertsConfigInput;
  const diagnostics = validate(input);
  if (diagnostics.length) throw new AlertsConfigError(diagnostics);
  return applyAlertsDefaults(input);
}

/**
 * The cross-field rules and defaults for a section that already passed `alertsConfigSchema` (the
 * config loader validates every section once, with its own validator). Throws AlertsConfigError.
 */
export function applyAlertsDefaults(input: AlertsConfigInput): AlertsConfig {
  const diagnostics: ConfigDiagnostic[] = [];
  const seen = new Set<string>();
  (input.channels ?? []).forEach((c, i) => {
    if (seen.has(c.name)) diagnostics.push({ path: `alerts.channels[${i}].name`, message: `duplicate channel name "${c.name}"` });
    seen.add(c.name);
    if (c.type === 'log' && c.url) diagnostics.push({ path: `alerts.channels[${i}].url`, message: 'the log channel takes no url' });
  });
  (input.maintenance ?? []).forEach((w, i) => {
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    if (Number.isNaN(start)) diagnostics.push({ path: `alerts.maintenance[${i}].start`, message: `expected an ISO 8601 instant, got "${w.start}"` });
    if (Number.isNaN(end)) diagnostics.push({ path: `alerts.maintenance[${i}].end`, message: `expected an ISO 8601 instant, got "${w.end}"` });
    if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) {
      diagnostics.push({ path: `alerts.maintenance[${i}].end`, message: `must be after start (${w.start})` });
    }
  });
  const flapping = input.rules?.flapping;
  const windowRuns = flapping?.windowRuns ?? ALERT_DEFAULTS.windowRuns;
  const maxTransitions = flapping?.maxTransitions ?? ALERT_DEFAULTS.maxTransitions;
  if (maxTransitions >= windowRuns) {
    diagnostics.push({ path: 'alerts.rules.flapping.maxTransitions', message: `must be below windowRuns (${windowRuns}): a window of N runs has at most N-1 changes` });
  }
  if (diagnostics.length) throw new AlertsConfigError(diagnostics);

  const rules = input.rules ?? {};
  return {
    channels: (input.channels ?? []).map((c) => ({
      ...c,
      headers: { ...(c.headers ?? {}) },
      timeoutMs: c.timeoutMs ?? ALERT_DEFAULTS.timeoutMs,
      retries: c.retries ?? ALERT_DEFAULTS.retries,
    })),
    rules: {
      failureThreshold: rules.failureThreshold ?? ALERT_DEFAULTS.failureThreshold,
      successThreshold: rules.successThreshold ?? ALERT_DEFAULTS.successThreshold,
      ...(rules.minLocations !== undefined ? { minLocations: rules.minLocations } : {}),
      findingSeverity: rules.findingSeverity ?? ALERT_DEFAULTS.findingSeverity,
      sendOnResolved: rules.sendOnResolved ?? ALERT_DEFAULTS.sendOnResolved,
      ...(rules.reminderIntervalMs !== undefined ? { reminderIntervalMs: rules.reminderIntervalMs } : {}),
      staleLocationMs: rules.staleLocationMs ?? ALERT_DEFAULTS.staleLocationMs,
      flapping: { windowRuns, maxTransitions },
    },
    mute: { monitors: [...(input.mute?.monitors ?? [])], tags: [...(input.mute?.tags ?? [])] },
    maintenance: (input.maintenance ?? []).map((w) => ({ ...w })),
    ...(input.reportUrl ? { reportUrl: input.reportUrl } : {}),
  };
}
