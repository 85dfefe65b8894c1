/**
 * What users write (ObserverConfig, CheckInput, JourneySettings) and what the loader hands to the
 * runners (ResolvedConfig). Every string may contain `${env:NAME}`; it is substituted at load time
 * and the value registered with the Redactor.
 */
import type { AlertsConfig, AlertsConfigInput } from '../alerts/config.js';
import type { AnomalyConfig } from '../anomaly/config.js';
import type { AssertionOp, CheckDefinition, StepSla } from '../model/monitor.js';
import type { Redactor } from '../runtime/redact.js';
import type { SourceConfig } from '../sources/types.js';
import type { Diagnostic } from './diagnostics.js';
import type { HttpMethod } from './schemas.js';

export type { HttpMethod };

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** One assertion written as data. `exists`/`notExists` take no value. */
export interface AssertionInput {
  op: AssertionOp;
  value?: JsonValue;
}

/** `{ path: '$.items[0].price', op: 'gt', value: 0 }`; `source: 'text'` asserts on the raw body (no path). */
export interface BodyAssertionInput extends AssertionInput {
  source?: 'json' | 'text';
  /** JSON path: `$`, `.name`, `[0]`, `[-1]`, `['odd name']`, `[*]`. Required for `json`. */
  path?: string;
}

/** An API check, as written in `*.check.ts` (`defineCheck`) or `*.check.yaml`. */
export interface ApiCheckInput {
  /** Default `api` (or `api-flow` when the check has `steps` and no `request`). */
  kind?: 'api';
  /** Unique across all files; a slug (`products-search`). Stored and alerted on: keep it stable. */
  id: string;
  /** Display name; default the id. */
  name?: string;
  request: {
    /** Default GET. */
    method?: HttpMethod;
    /**
     * Absolute (`https://api.example.com/health`) or relative to the environment's base URL, which
     * it is appended to: base `https://x.test/shop` + `/api/health` → `https://x.test/shop/api/health`.
     */
    url: string;
    headers?: Record<string, string>;
    /** A string is sent as is; an object or list is serialized as JSON with `content-type: application/json`. */
    body?: string | { [key: string]: JsonValue } | JsonValue[];
    /** Follow 3xx answers (each hop recorded); default true for GET and HEAD, false otherwise. */
    followRedirects?: boolean;
    /** Hops allowed before the check fails as `redirect`; default 10. */
    maxRedirects?: number;
  };
  /** HTTPS targets: certificate expiry thresholds in days (default 14 degraded, 7 failed). */
  certificate?: CertificateInput;
  expect?: {
    /** Accepted status codes; default any 2xx. */
    status?: number | number[];
    /** Header name → exact value, or an assertion. */
    headers?: Record<string, string | AssertionInput>;
    /** JSON Schema file (relative to the check file; `$ref`s between files work) or an inline schema. */
    schema?: string | Record<string, unknown> | boolean;
    body?: BodyAssertionInput[];
    /** Failed above this (class `sla`). */
    maxResponseTimeMs?: number;
    /** Degraded above this; must be below maxResponseTimeMs. */
    degradedResponseTimeMs?: number;
  };
  /** Default `defaults.retries`. */
  retries?: number;
  /** Default `defaults.timeoutMs`. */
  timeoutMs?: number;
  /** Default `defaults.maxBodyBytes` (10 MiB). */
  maxBodyBytes?: number;
  tags?: string[];
  /** Cron expression, 5 fields or 6 with seconds first (`*\/30 * * * * *`). Used by the daemon. */
  schedule?: string;
  /** Locations this check runs from; default all. */
  locations?: string[];
}

/** Fields every monitor kind has. */
export interface CheckCommonInput {
  /** Unique across all files; a slug. Stored and alerted on: keep it stable. */
  id: string;
  /** Display name; default the id. */
  name?: string;
  /** Default `defaults.retries` (heartbeats are never retried). */
  retries?: number;
  /** Default `defaults.timeoutMs`. */
  timeoutMs?: number;
  tags?: string[];
  /** Cron expression, 5 fields or 6 with seconds first. Used by the daemon. */
  schedule?: string;
  locations?: string[];
}

/** Response-time thresholds of a probe. */
export interface TimeThresholdsInput {
  /** Failed above this (class `sla`). */
  maxResponseTimeMs?: number;
  /** Degraded above this; must be below maxResponseTimeMs. */
  degradedResponseTimeMs?: number;
}

export interface CertificateInput {
  /** Degraded when fewer days remain; default 14. */
  degradedDays?: number;
  /** Failed when fewer days remain; default 7; must be below degradedDays. */
  failedDays?: number;
}

/** Exactly one source: `{ json: '$.token' }`, `{ header: 'location' }`, `{ regex: 'id=(\\d+)' }`, `{ cookie: 'sid' }`. */
export type CaptureInput = { json: string } | { header: string } | { regex: string } | { cookie: string };

/** One request of a multi-step check. */
export interface FlowStepInput {
  /** Unique within the flow. */
  name: string;
  /** As in an API check; url, header values and body may use `{{name}}` of values captured by earlier steps. */
  request: ApiCheckInput['request'];
  expect?: ApiCheckInput['expect'];
  /** Values this step's response provides to the steps after it, by name. */
  capture?: Record<string, CaptureInput>;
  /** Runs even after an earlier step failed (delete what the flow created); default false. */
  cleanup?: boolean;
}

/** A multi-step API check: `kind: api-flow` (or `steps` without `request`). */
export interface ApiFlowInput extends CheckCommonInput {
  kind?: 'api-flow';
  steps: FlowStepInput[];
  /** Send cookies set by earlier steps (per host); default true. */
  cookies?: boolean;
  /** Per response; default `defaults.maxBodyBytes`. */
  maxBodyBytes?: number;
}

/** Resolve a name and assert on the answers. */
export interface DnsCheckInput extends CheckCommonInput {
  kind: 'dns';
  query: {
    name: string;
    /** A, AAAA, CNAME, MX, TXT or NS; default A. */
    type?: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS';
    /** `host` or `host:port` of the resolver to ask; default the system's resolvers. */
    resolver?: string;
  };
  expect?: TimeThresholdsInput & {
    /** Assertions on the list of answers (strings): `{ op: contains, value: '10.0.0.1' }`, `{ path: '$[0]', op: eq, ... }`. */
    answers?: Array<AssertionInput & { path?: string }>;
  };
}

/** Connect to host:port, optionally send bytes and expect an answer. */
export interface TcpCheckInput extends CheckCommonInput {
  kind: 'tcp';
  host: string;
  port: number;
  /** Written once connected (`"PING\r\n"`). */
  send?: string;
  expect?: TimeThresholdsInput & {
    /** Regex the data read must match (a banner, or the answer to `send`). */
    banner?: string;
  };
}

/** A TLS endpoint's certificate: trust, name, expiry, protocol. */
export interface TlsCheckInput extends CheckCommonInput {
  kind: 'tls';
  host: string;
  /** Default 443. */
  port?: number;
  /** SNI and the name the certificate must be valid for; default host. */
  servername?: string;
  /** PEM file of extra trusted CAs (a private CA), relative to the check file. */
  ca?: string;
  certificate?: CertificateInput;
  /** Default TLSv1.2. */
  minProtocol?: 'TLSv1.2' | 'TLSv1.3';
}

/** A push monitor: the job calls `POST /heartbeat/<id>` on the daemon. */
export interface HeartbeatInput extends CheckCommonInput {
  kind: 'heartbeat';
  /** How often the job reports. */
  periodMs: number;
  /** Lateness tolerated on top of the period; default a fifth of it (at least 1 s). */
  graceMs?: number;
  /** The job sends it as `?token=` or `authorization: Bearer`; use `${env:NAME}`. */
  token: string;
}

/** Any monitor written in a check file. */
export type CheckInput = ApiCheckInput | ApiFlowInput | DnsCheckInput | TcpCheckInput | TlsCheckInput | HeartbeatInput;

/** Settings of one journey: in observer.config.ts `journeys`, or declared in the journey file. */
export interface JourneySettings {
  id?: string;
  name?: string;
  schedule?: string;
  tags?: string[];
  locations?: string[];
  retries?: number;
  timeoutMs?: number;
  /** Per-step deadline. */
  stepTimeoutMs?: number;
  /** Step name → SLA thresholds. */
  steps?: Record<string, StepSla>;
}

export interface DefaultsConfig {
  /** API check timeout; default 10 000. */
  timeoutMs?: number;
  /** Default 0. */
  retries?: number;
  maxResponseTimeMs?: number;
  degradedResponseTimeMs?: number;
  /** Default 10 MiB. */
  maxBodyBytes?: number;
  /** Whole-journey timeout; default 60 000. */
  journeyTimeoutMs?: number;
  /** Per-step deadline of journeys; default 15 000. */
  stepTimeoutMs?: number;
}

export interface DaemonConfig {
  /** IANA time zone for cron expressions; default the process's. */
  timezone?: string;
  /** Random delay added to each scheduled start, to spread load. */
  jitterMs?: number;
  /** HTTP port (/metrics, the dashboard, ...) of `observer daemon` and `observer serve`; default 9464. */
  port?: number;
  /** Bind address of that port; default `0.0.0.0` (set `127.0.0.1` to keep it local). `--host` overrides. */
  host?: string;
  /** Graceful shutdown deadline; default 30 000. */
  shutdownTimeoutMs?: number;
  /** Concurrent runs per lane; default concurrency.checks / concurrency.journeyWorkers. */
  lanes?: { api?: number; journey?: number };
}

/** The live dashboard `observer daemon` and `observer serve` serve at `/` (src/live). */
export interface DashboardConfig {
  /** Serve `/` and `/events`; default true. */
  enabled?: boolean;
  /**
   * Required as `authorization: Bearer <token>` or `?token=` on `/` and `/events` when set; use
   * `${env:NAME}`. /metrics, /healthz and /readyz stay open. `--token` overrides.
   */
  token?: string;
  /** History shown (`24h`, `7d`); default `24h`. */
  window?: string;
  /** Rewrite reports/ at this interval when something changed; 0 never; default 60. `--write-interval` overrides. */
  writeIntervalSeconds?: number;
  /** `observer serve`: how often the server reads the store's newest runs; default 5. */
  pollIntervalSeconds?: number;
  /** Open event streams at most (the next page gets 503 and retries); default 100. */
  maxClients?: number;
  /** Keepalive comment interval on event streams; default 15. */
  heartbeatSeconds?: number;
}

export interface ResolvedDashboardConfig {
  enabled: boolean;
  token?: string;
  window: string;
  writeIntervalSeconds: number;
  pollIntervalSeconds: number;
  maxClients: number;
  heartbeatSeconds: number;
}

/** observer.config.ts (`export default defineConfig({...})`). */
export interface ObserverConfig {
  /** Named environments, selected with `--env NAME`. `OBSERVER_BASE_URL` overrides the selected baseUrl. */
  environments?: Record<string, { baseUrl: string }>;
  /** Default `local`. */
  defaultEnvironment?: string;
  defaults?: DefaultsConfig;
  /** `OBSERVER_DATABASE_URL` overrides both. Default path `.observer/observer.db`. */
  store?: { url?: string; path?: string };
  /** Default `['json', 'junit', 'markdown', 'html']`. */
  reporters?: string[];
  /** Default `reports`. */
  outDir?: string;
  /** This runner's location; `--location` and `OBSERVER_LOCATION` override; default `local`. */
  location?: string;
  /** Known locations: when set, every location named anywhere must be one of them. */
  locations?: string[];
  /** Default `{ checks: 20, perOrigin: 6, journeyWorkers: 2 }`. */
  concurrency?: { checks?: number; perOrigin?: number; journeyWorkers?: number };
  /** Anomaly core settings (type and schema owned by src/anomaly). */
  anomaly?: AnomalyConfig;
  /** Alert channels and rules (type and schema owned by src/alerts). */
  alerts?: AlertsConfigInput;
  daemon?: DaemonConfig;
  /** The live dashboard of `observer daemon` / `observer serve`. */
  dashboard?: DashboardConfig;
  /**
   * Journey id or test title → settings; and `playwrightConfig`: the team's Playwright config to run
   * the journeys through (default `playwright.config.{ts,mts,js,mjs}` next to this file when present).
   */
  journeys?: JourneysSection;
  /** Default `checks/**\/*.check.{ts,yaml,yml}`, relative to the config file. */
  checkFiles?: string | string[];
  /** Default `journeys/**\/*.journey.ts`, relative to the config file. */
  journeyFiles?: string | string[];
  /**
   * Where the watched system's own golden signals come from: Prometheus, access logs (src/sources);
   * or the path of a YAML file holding that list (relative to this file).
   */
  sources?: SourceConfig[] | string;
}

/**
 * When journeys record a Playwright trace: `on-retry` (default: the first attempt runs untraced; a
 * failure is re-run once traced, for its trace only), `retain-on-failure` (every attempt traced, the
 * failing attempt's own trace kept), `off`.
 */
export type JourneyTraceMode = 'on-retry' | 'retain-on-failure' | 'off';

/** `journeys` in observer.config.ts: reserved keys (`playwrightConfig`, `trace`), the rest are journey ids or titles. */
export type JourneysSection = { playwrightConfig?: string; trace?: JourneyTraceMode } & { [idOrTitle: string]: JourneySettings | string | undefined };

export interface ResolvedDefaults {
  timeoutMs: number;
  retries: number;
  maxResponseTimeMs?: number;
  degradedResponseTimeMs?: number;
  maxBodyBytes: number;
  journeyTimeoutMs: number;
  stepTimeoutMs: number;
}

export interface ResolvedDaemonConfig {
  timezone?: string;
  jitterMs?: number;
  port: number;
  host?: string;
  shutdownTimeoutMs: number;
  lanes?: { api?: number; journey?: number };
}

/** Everything validated, defaulted, interpolated and resolved; runners never see raw config. */
export interface ResolvedConfig {
  /** Absolute path of observer.config.ts when one was loaded. */
  configFile?: string;
  /** Folder relative paths in the config are resolved from: the config file's, else cwd. */
  rootDir: string;
  environment: string;
  /** Base URL of the environment (`OBSERVER_BASE_URL` overrides), without a trailing slash added. */
  baseUrl?: string;
  location: string;
  /** Absolute. */
  outDir: string;
  /** `path` absolute; `url` (PostgreSQL) wins when set. */
  store: { url?: string; path: string };
  reporters: string[];
  concurrency: { checks: number; perOrigin: number; journeyWorkers: number };
  defaults: ResolvedDefaults;
  checks: CheckDefinition[];
  /**
   * Absolute paths of the journey files to run. With a Playwright config and no explicit selection
   * (`journeyFiles`, CLI files) it is empty: every test of that config's projects is a journey.
   */
  journeyFiles: string[];
  /** The team's Playwright config (absolute), when one is used (src/journeys/layer-config.ts). */
  playwrightConfig?: string;
  /** `journeys.trace`, default `on-retry`. */
  journeyTrace: JourneyTraceMode;
  /**
   * Journey id/title → settings from observer.config.ts, validated, as written (they override the
   * journey file's own settings; what stays unset takes `defaults.retries/journeyTimeoutMs/stepTimeoutMs`).
   */
  journeySettings: Record<string, JourneySettings>;
  /** The validated `anomaly` section (`{}` when absent: every default). */
  anomaly: AnomalyConfig;
  /** The validated `alerts` section with its defaults applied (no channels when absent). */
  alerts: AlertsConfig;
  daemon: ResolvedDaemonConfig;
  dashboard: ResolvedDashboardConfig;
  /** Validated `sources` (empty when none); log paths stay relative to `rootDir`. */
  sources: SourceConfig[];
  /** Knows every `${env:...}` value and the database URL; pass it to every writer. */
  redactor: Redactor;
  /** Non-fatal diagnostics (print them; they did not stop the load). */
  warnings: Diagnostic[];
}

export interface LoadConfigOptions {
  cwd: string;
  /** Explicit config file; default `observer.config.{ts,mts,js,mjs}` in cwd when present. */
  configFile?: string;
  /** `--env NAME`. */
  environment?: string;
  /** `--location NAME`. */
  location?: string;
  /** Explicit check/journey files or folders (CLI `[files...]`): only these are loaded. */
  files?: string[];
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * false: leave the alert channels' `${env:...}` references (webhook URLs, auth headers) unresolved
   * and unregistered: commands that only read or annotate the store (alerts, report, deploy) work
   * without the delivery secrets. Such a config cannot deliver. Default true.
   */
  deliverySecrets?: boolean;
}
