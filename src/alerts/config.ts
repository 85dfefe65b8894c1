/**
 * The `alerts` config section: input type (what users write), resolved type (defaults applied),
 * and resolveAlertsConfig, the one place where defaults and cross-field checks live.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { alertsConfigSchema } from './config-schema.js';
import { AlertsConfigError, type ConfigDiagnostic } from './errors.js';
import { channelRegistry, isChannelType, type ChannelField, type ChannelType } from './channels/registry.js';
import type { ChannelConfig } from './channels/channel.js';
import type { Severity } from '../model/index.js';

/** One channel as users write it; which fields a type takes is in the channel registry. */
export interface ChannelConfigInput extends Omit<ChannelConfig, 'type'> {
  type: ChannelType;
}

/** Which alerts a route takes: every matcher given must match (any value of its list). */
export interface RouteMatch {
  /** Monitor ids or names. */
  monitors?: string[];
  tags?: string[];
  severity?: Severity[];
  /** Any of these locations is affected. */
  locations?: string[];
}

/** Fired once per alert, `afterMs` after its first page, while it is open and not acknowledged. */
export interface EscalationStep {
  afterMs: number;
  /** Default: the route's channels again (a re-notification). */
  channels?: string[];
}

export interface RouteInput {
  match?: RouteMatch;
  channels: string[];
  /** Also try the routes after this one. */
  continue?: boolean;
  escalate?: EscalationStep[];
}

export interface RoutingInput {
  routes?: RouteInput[];
  /** Where an alert no route matches goes; default every channel. */
  default?: { channels: string[]; escalate?: EscalationStep[] };
}

export interface Route {
  match: RouteMatch;
  channels: string[];
  continue: boolean;
  /** Steps with their channels filled in, in order of afterMs. */
  escalate: Array<Required<EscalationStep>>;
}

/** Where an alert goes and how it escalates (a route, or the default). */
export type RouteTarget = Pick<Route, 'channels' | 'escalate'>;

export interface Routing {
  routes: Route[];
  /** Where an alert no route matches goes (default every channel; `[]`: nowhere). */
  default: RouteTarget;
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
  routing?: RoutingInput;
}

export interface ResolvedChannelConfig extends ChannelConfigInput {
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
  /** Which channels each alert goes to; without `routing` in the config: every channel, no escalation. */
  routing: Routing;
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
    if (!isChannelType(c.type)) return;
    const kind = channelRegistry[c.type];
    const allowed = new Set<string>([...kind.required, ...kind.optional]);
    for (const field of Object.keys(c) as ChannelField[]) {
      if (['name', 'type', 'timeoutMs', 'retries'].includes(field) || allowed.has(field)) continue;
      const takers = Object.entries(channelRegistry)
        .filter(([, k]) => [...k.required, ...k.optional].includes(field as never))
        .map(([t]) => t);
      const rest = allowed.size ? `; it takes ${[...allowed].sort().join(', ')}` : '';
      diagnostics.push({ path: `alerts.channels[${i}].${field}`, message: `a ${c.type} channel takes no ${field}${takers.length ? ` (only ${takers.join(', ')} channels do)` : ''}${rest}` });
    }
    if (c.type === 'email' && c.smtp?.password !== undefined && c.smtp.user === undefined) {
      diagnostics.push({ path: `alerts.channels[${i}].smtp.user`, message: 'is required with smtp.password' });
    }
  });
  const routing = resolveRouting(input, diagnostics);
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
      // Channels that take headers get an object (empty when none), others none.
      ...(c.headers || (isChannelType(c.type) && (channelRegistry[c.type].optional as ChannelField[]).includes('headers')) ? { headers: { ...(c.headers ?? {}) } } : {}),
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
    routing,
  };
}

/** Routes with defaults applied; unknown channel names (and duplicate escalation steps) are diagnostics. */
function resolveRouting(input: AlertsConfigInput, diagnostics: ConfigDiagnostic[]): Routing {
  const names = (input.channels ?? []).map((c) => c.name);
  const known = new Set(names);
  const check = (list: string[] | undefined, path: string): void => {
    (list ?? []).forEach((name, j) => {
      if (!known.has(name)) {
        diagnostics.push({ path: `${path}[${j}]`, message: `unknown channel "${name}"; expected one of ${names.length ? names.join(', ') : '(no channel is configured in alerts.channels)'}` });
      }
    });
  };
  const route = (r: RouteInput, path: string): Route => {
    check(r.channels, `${path}.channels`);
    const steps = (r.escalate ?? []).map((e, k) => {
      check(e.channels, `${path}.escalate[${k}].channels`);
      return { afterMs: e.afterMs, channels: [...(e.channels ?? r.channels)] };
    });
    const seen = new Set<string>();
    steps.forEach((st, k) => {
      const id = stepId(st);
      if (seen.has(id)) diagnostics.push({ path: `${path}.escalate[${k}]`, message: `duplicate step (afterMs ${st.afterMs} to ${st.channels.join(', ')})` });
      seen.add(id);
    });
    return { match: { ...(r.match ?? {}) }, channels: [...r.channels], continue: r.continue ?? false, escalate: steps.sort((a, b) => a.afterMs - b.afterMs) };
  };
  const routes = (input.routing?.routes ?? []).map((r, i) => route(r, `alerts.routing.routes[${i}]`));
  const given = input.routing?.default;
  const fallback = given ? route({ ...given }, 'alerts.routing.default') : undefined;
  return { routes, default: fallback ? { channels: fallback.channels, escalate: fallback.escalate } : { channels: names, escalate: [] } };
}

/** An escalation step's identity in an alert's state (fired steps are remembered by it). */
export function stepId(step: Required<EscalationStep>): string {
  return `${step.afterMs}>${step.channels.join(',')}`;
}
