/**
 * The results model: what every runner produces and every store, detector, reporter and alert reads.
 * Times: wall-clock instants are ISO 8601 strings (`...At`); durations are milliseconds from a
 * monotonic clock (`...Ms`). Nothing here does I/O.
 */

/** Every kind of monitor, in the order reports list them. */
export const MONITOR_KINDS = ['api', 'api-flow', 'dns', 'tcp', 'tls', 'heartbeat', 'journey'] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];

/** Outcome of a monitor or a step. `skipped` is only used for steps after a failed one. */
export type Status = 'passed' | 'degraded' | 'failed' | 'skipped';

/**
 * One class per failure kind, stable strings (they are stored, alerted on and fingerprinted).
 * - network: dns, connection_refused, connection_reset, tls, timeout, protocol (the target spoke
 *   broken HTTP or another protocol, or broke HTTP's limits, e.g. thousands of response headers)
 * - response: http_status, invalid_json, schema, assertion, body_too_large, sla (over maxResponseTimeMs),
 *   redirect (a loop or more hops than allowed)
 * - push monitors: heartbeat (missed, or reported failed by the job)
 * - journeys: element (locator/expectation failed), navigation, browser_crash, journey_error
 * - runner: aborted (SIGTERM/SIGINT/deadline while running), internal (a bug of ours, never the target's)
 */
export const ERROR_CLASSES = [
  'dns',
  'connection_refused',
  'connection_reset',
  'tls',
  'timeout',
  'protocol',
  'http_status',
  'invalid_json',
  'schema',
  'assertion',
  'body_too_large',
  'sla',
  'protocol',
  'redirect',
  'heartbeat',
  'element',
  'navigation',
  'browser_crash',
  'journey_error',
  'aborted',
  'internal',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface MonitorError {
  class: ErrorClass;
  /** One line a person can act on, e.g. `$.items[0].price: must be number`. Secrets already redacted. */
  message: string;
  /** Source location for journey failures, e.g. `journeys/purchase.journey.ts:12`. */
  location?: string;
  /**
   * Every problem when there were several (the message shows the first and a count): each schema
   * error, each failed assertion. At most `MAX_ERROR_DETAILS`, each one line. Secrets redacted.
   */
  details?: string[];
}

/** Bound of `MonitorError.details`. */
export const MAX_ERROR_DETAILS = 20;

/**
 * HTTP timing phases, blackbox-exporter style. A phase that did not happen (a reused connection has
 * no dns/connect/tls) is 0, never missing or negative.
 */
export interface HttpTimings {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  /** From socket ready to the request fully written. */
  sendMs: number;
  /** From request written to the first byte of the response headers (server think time + RTT). */
  firstByteMs: number;
  /** From the first byte of headers to the end of the body. */
  downloadMs: number;
  totalMs: number;
  /** True when the request went over a kept-alive connection. */
  reusedConnection: boolean;
}

/**
 * Web vitals (Google's `web-vitals` library, as Chrome reports them) and navigation timings of one
 * navigation inside a journey step; a step that navigates twice has two. Times are ms from the
 * navigation's start (for a soft navigation: from the interaction that caused it).
 */
export interface NavigationVitals {
  /** The document's URL (for a soft navigation, the URL it pushed). */
  url: string;
  /** `navigate`, `reload`, `back-forward`, `back-forward-cache`, `prerender`, `restore` or `soft-navigation`. */
  navigationType?: string;
  /** Time to First Byte: navigation start to the first byte of the document response (0 for a soft navigation). */
  ttfbMs?: number;
  /** First Contentful Paint: first text or image painted. */
  fcpMs?: number;
  /** Largest Contentful Paint: largest text block or image painted, final once the user interacts or the page hides. */
  lcpMs?: number;
  /** Cumulative Layout Shift: the largest session window (shifts < 1 s apart, at most 5 s) of unexpected shifts; unitless. */
  cls?: number;
  /** Interaction to Next Paint: the slowest interaction's input-to-paint latency (the 98th percentile past 50 interactions). */
  inpMs?: number;
  /** Performance API navigation timing: `domContentLoadedEventEnd` (hard navigations only). */
  domContentLoadedMs?: number;
  /** Performance API navigation timing: `loadEventEnd` (hard navigations only). */
  loadMs?: number;
}

export interface NetworkSummary {
  requests: number;
  /** 4xx, 5xx and aborted requests. */
  failedRequests: number;
  bytes: number;
  slowestUrl?: string;
  slowestMs?: number;
  /**
   * The documents and API calls (fetch, XHR, navigations) the step made, one entry per method and
   * URL without its query (query values may carry secrets), at most `MAX_NETWORK_CALLS`, in order.
   * What `observer gaps` counts as reached by a journey.
   */
  calls?: NetworkCall[];
  /** The slowest finished requests, slowest first (at most `MAX_SLOWEST_REQUESTS`). */
  slowest?: SlowRequest[];
  /** Per host (`host:port`), first seen first (at most `MAX_NETWORK_HOSTS`: past that the rest are folded into `other`). */
  hosts?: HostTraffic[];
}

/** One method + URL a journey step requested, with how often and the last status seen (0: no response). */
export interface NetworkCall {
  method: string;
  /** Origin and path, no query or fragment. */
  url: string;
  count: number;
  status: number;
}

/** Bound of `NetworkSummary.calls` per step. */
export const MAX_NETWORK_CALLS = 50;

/** One request of a step's slowest: its URL (clipped), time from request to the end of the response, status. */
export interface SlowRequest {
  url: string;
  ms: number;
  /** HTTP status, when a response arrived. */
  status?: number;
}

export interface HostTraffic {
  host: string;
  requests: number;
  failedRequests: number;
  bytes: number;
}

/** Bounds of `NetworkSummary.slowest` and `.hosts`. */
export const MAX_SLOWEST_REQUESTS = 5;
export const MAX_NETWORK_HOSTS = 12;

/** One 3xx answer followed on the way to the final response. */
export interface RedirectHop {
  url: string;
  status: number;
  /** The hop's exchange, monotonic. */
  durationMs: number;
}

/** The peer certificate and session of a TLS connection. */
export interface TlsInfo {
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days until expiry (negative once expired). */
  daysToExpiry: number;
  /** `TLSv1.3`. */
  protocol?: string;
  cipher?: string;
  /** Chain verified against the trusted CAs, and the name matched. */
  authorized: boolean;
  /** Why not (`CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, `hostname mismatch`). */
  authorizationError?: string;
  /** Names the certificate is valid for (subjectAltName). */
  altNames?: string[];
}

export interface StepResult {
  name: string;
  status: Status;
  startedAt: string;
  durationMs: number;
  error: MonitorError | null;
  /** `journeys/purchase.journey.ts:12` for journey steps. */
  location?: string;
  /** API checks: the HTTP phases. Journeys: absent (see vitals). */
  timings?: HttpTimings;
  vitals?: NavigationVitals[];
  network?: NetworkSummary;
  consoleErrors?: string[];
  /** Nested test.step children, same shape. */
  steps?: StepResult[];
  /** HTTP: the redirects followed before the final response, in order. */
  redirects?: RedirectHop[];
  /** HTTPS and TLS checks: the certificate and session seen. */
  tls?: TlsInfo;
  /** DNS checks: the answers, as strings. */
  answers?: string[];
  /** The HTTP status of this step's final response (multi-step checks). */
  httpStatus?: number;
}

/** One try of a monitor; a monitor with retries has several. */
export interface AttemptResult {
  attempt: number;
  status: Status;
  startedAt: string;
  durationMs: number;
  error: MonitorError | null;
  timings?: HttpTimings;
  /** HTTP status code of that attempt, when a response arrived. */
  httpStatus?: number;
  /** Journeys: the top-level step the attempt failed at. */
  failedStep?: string;
  /** Journeys: a trace was recorded for this attempt. */
  traced?: boolean;
  /** Journeys: the traced re-run after a failure (trace `on-retry`); it supplies the trace, never the outcome, and is not counted in `attempts`. */
  diagnostic?: boolean;
}

export interface Artifacts {
  /** Paths relative to the reports folder. */
  screenshot?: string;
  trace?: string;
  /** Artifacts that were taken but could not be saved: `trace: ENOSPC: no space left on device`. */
  errors?: string[];
}

export interface MonitorResult {
  /** Unique per result: `${runId}:${monitor}` — writes are idempotent on it. */
  id: string;
  runId: string;
  /** The monitor id from its definition. */
  monitor: string;
  name: string;
  kind: MonitorKind;
  status: Status;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  attempts: number;
  attemptDetails?: AttemptResult[];
  error: MonitorError | null;
  steps: StepResult[];
  location: string;
  environment: string;
  tags: string[];
  httpStatus?: number;
  artifacts?: Artifacts;
  /** The runner's own health while this result was measured; a saturated runner's results stay out of baselines. */
  runnerHealth?: RunnerHealth;
  /** Hash of the monitor's own definition when it ran: a change is a candidate cause of an incident. */
  configHash?: string;
}

/**
 * The runner's own health over a run (src/run/runner-health.ts): when the runner is saturated its
 * numbers describe the runner, not the target, so such results are kept but never learned from.
 */
export interface RunnerHealth {
  /** Event-loop delay over the run (perf_hooks.monitorEventLoopDelay), milliseconds. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Share (0-1) of all cores' time that was busy over the run, from /proc/stat; absent where unavailable. */
  cpuBusy?: number;
  /** Share (0-1) of all cores' time stolen by the hypervisor, from /proc/stat; absent where unavailable. */
  cpuSteal?: number;
  /** Resident set size of the runner process at the end of the run, bytes. */
  rssBytes: number;
  /** Bytes of memory still available to the machine (MemAvailable) at the end of the run, where known. */
  memAvailableBytes?: number;
  /** True when any threshold was crossed; `reasons` says which, with the measured value. */
  saturated: boolean;
  reasons: string[];
}

export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  location: string;
  environment: string;
  /** `2/4` when sharded. */
  shard?: string;
  /** Set when the run ended early (SIGTERM, SIGINT, deadline), or died and was closed by a later run. */
  aborted?: boolean;
  /** The process that ran it, so a later run can tell a dead run (SIGKILL, OOM) from a running one. */
  runner?: { host: string; pid: number };
}

export interface DeployMarker {
  id: string;
  at: string;
  environment: string;
  version?: string;
  description?: string;
}
