/**
 * The system's own golden signals, as sources read them: what a user configures (`sources` in
 * observer.config.ts), one reading per signal and service (and per route for traffic and errors),
 * and the state each signal is judged to be in. Values are never invented: a signal a source could
 * not read has `value: null` and says why (`error`), with the query that was asked.
 */

/** The signals, each with its fixed unit (never changes between runs). */
export const SIGNALS = {
  traffic: { metric: 'trafficRps', label: 'Traffic', unit: 'rps', group: 'traffic' },
  errors5xx: { metric: 'errorRatio5xx', label: 'Errors 5xx', unit: 'ratio', group: 'errors' },
  errors4xx: { metric: 'errorRatio4xx', label: 'Errors 4xx', unit: 'ratio', group: 'errors' },
  latencyP50: { metric: 'latencyP50Ms', label: 'Latency p50', unit: 'ms', group: 'latency' },
  latencyP95: { metric: 'latencyP95Ms', label: 'Latency p95', unit: 'ms', group: 'latency' },
  latencyP99: { metric: 'latencyP99Ms', label: 'Latency p99', unit: 'ms', group: 'latency' },
  cpu: { metric: 'cpuSaturation', label: 'CPU', unit: 'share', group: 'saturation' },
  memory: { metric: 'memorySaturation', label: 'Memory', unit: 'share', group: 'saturation' },
  disk: { metric: 'diskSaturation', label: 'Disk', unit: 'share', group: 'saturation' },
  connections: { metric: 'connectionsSaturation', label: 'Connections', unit: 'share', group: 'saturation' },
} as const;

export type SignalName = keyof typeof SIGNALS;
export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];
/** Signals that are also read per route where the source has routes. */
export const ROUTE_SIGNALS: readonly SignalName[] = ['traffic', 'errors5xx', 'errors4xx'];
export type SignalUnit = (typeof SIGNALS)[SignalName]['unit'];

/** Series of the anomaly core for the system's signals: monitor `service:<name>`, step the source (and ` › route`). */
export const SERVICE_PREFIX = 'service:';
export const ROUTE_SEPARATOR = ' › ';

/** Prometheus: one instant query per signal and service over its HTTP API. */
export interface PrometheusSourceConfig {
  type: 'prometheus';
  /** Shown on the board when the source is down; default `prometheus`. */
  name?: string;
  /** Base URL of Prometheus (`http://prometheus:9090`). */
  url: string;
  /** Sent with every query (`authorization: Bearer ${env:PROM_TOKEN}`); values are redacted everywhere. */
  headers?: Record<string, string>;
  /** Per query; default 5 000. A query that takes longer is "no data" with a timeout, never zero. */
  timeoutMs?: number;
  /** Service name → how to find it. */
  services: Record<string, PrometheusServiceConfig>;
}

/** Which exporter the default queries are written for. */
export type ExporterPreset = 'http' | 'node' | 'cadvisor';

export interface PrometheusServiceConfig {
  /** Label matchers that select the service, inside `{}`: default `job="<service>"`. */
  selector?: string;
  /**
   * Saturation defaults: `http` (process CPU of the service's own exporter, open file descriptors
   * against their limit), `node` (node_exporter: CPU, memory, disk, conntrack), `cadvisor`
   * (containers against their limits). Default `http`.
   */
  exporter?: ExporterPreset;
  /** Request counter and latency histogram (without `_bucket`): default `http_requests_total`, `http_request_duration_seconds`. */
  requestsMetric?: string;
  durationMetric?: string;
  /** Labels with the status code and the route: default `code`, `route`. */
  statusLabel?: string;
  routeLabel?: string;
  /** rate() window; default `5m`. */
  window?: string;
  /** Cores the service may use (`http` CPU saturation = CPU seconds per second / cores); default 1. */
  cpuCores?: number;
  /** Memory limit in bytes (`http` memory saturation = resident memory / limit); unset: no memory signal. */
  memoryLimitBytes?: number;
  /** PromQL per signal, overriding the defaults; `false` turns a signal off. `{selector}` and `{window}` are filled in. */
  queries?: Partial<Record<SignalName | 'trafficByRoute' | 'errors5xxByRoute' | 'errors4xxByRoute', string | false>>;
  /** Monitor ids whose findings this service's signals explain (also: a monitor tagged `service:<name>`). */
  monitors?: string[];
}

/** Access logs: nginx/Apache combined format or JSON lines, read incrementally. */
export interface AccessLogSourceConfig {
  type: 'access-log';
  /** Default `access-log:<service>`. */
  name?: string;
  /** Service the requests belong to. */
  service: string;
  /** One file (relative to the config file) ... */
  path?: string;
  /** ... or a glob of files (each read incrementally on its own). */
  glob?: string;
  format: 'combined' | 'json';
  /** JSON lines: field names (dotted paths allowed) of the request's parts. */
  fields?: { route?: string; method?: string; status?: string; bytes?: string; requestTime?: string; time?: string };
  /** Unit of the request time: nginx `$request_time` is `s` (default), Apache `%D` is `us`, envoy `ms`. */
  requestTimeUnit?: 's' | 'ms' | 'us';
  /** Routes kept per service (the busiest first come, first kept); the rest count as `other`. Default 50. */
  maxRoutes?: number;
  /** Bytes read per run at most (the rest is read by the next run); default 512 MiB. */
  maxBytesPerRun?: number;
  monitors?: string[];
}

export type SourceConfig = PrometheusSourceConfig | AccessLogSourceConfig;

/** One value of one signal, or why there is none. */
export interface SignalReading {
  service: string;
  /** Set for per-route readings of traffic and errors. */
  route?: string;
  signal: SignalName;
  /** Null: no data (see `error`). Never a made-up zero. */
  value: number | null;
  /** Source name. */
  source: string;
  /** The PromQL asked, or the file read. */
  query?: string;
  /** Why there is no value: Prometheus' error text, "no series", a timeout, an unreadable file. */
  error?: string;
  /** Requests the value is computed from (access logs). */
  samples?: number;
}

export interface SourceStatus {
  name: string;
  type: SourceConfig['type'];
  /** `down`: nothing could be read; `partial`: some signals have no data. */
  status: 'ok' | 'partial' | 'down';
  /** The first error, one line. */
  error?: string;
  readings: number;
  durationMs: number;
}

export type SignalStatus = 'ok' | 'warning' | 'critical' | 'unknown';
/** Saturation risk at the levels an SRE would set: 70% watch, 80% high, 90% critical. */
export type SaturationRisk = 'low' | 'watch' | 'high' | 'critical';

/** A reading judged against its history (the board, the dashboard and /metrics all show this). */
export interface SignalState extends SignalReading {
  label: string;
  unit: SignalUnit;
  /** Expected value: traffic from its daily/weekly profile, the rest the median of recent readings. */
  baseline: number | null;
  /** How the baseline was taken (`earlier Tuesdays 14:00 UTC`, `median of 12 readings`). */
  basis: string;
  status: SignalStatus;
  trend: 'up' | 'down' | 'flat' | 'none';
  risk?: SaturationRisk;
  /** Recent readings, oldest first, epoch ms (for charts). */
  history: Array<[number, number]>;
  /** One short line: `2.1x expected`, `93% (critical)`. */
  note: string;
}

/** What the sources said in this run. */
export interface SystemSignals {
  /** ISO instant of the collection. */
  at: string;
  sources: SourceStatus[];
  signals: SignalState[];
  /** Service → monitor ids whose findings it explains (explicit, by tag, or the only service). */
  monitorsByService: Record<string, string[]>;
}
