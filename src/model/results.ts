/**
 * The results model: what every runner produces and every store, detector, reporter and alert reads.
 * Times: wall-clock instants are ISO 8601 strings (`...At`); durations are milliseconds from a
 * monotonic clock (`...Ms`). Nothing here does I/O.
 */

export type MonitorKind = 'api' | 'journey';

/** Outcome of a monitor or a step. `skipped` is only used for steps after a failed one. */
export type Status = 'passed' | 'degraded' | 'failed' | 'skipped';

/**
 * One class per failure kind, stable strings (they are stored, alerted on and fingerprinted).
 * - network: dns, connection_refused, connection_reset, tls, timeout
 * - response: http_status, invalid_json, schema, assertion, body_too_large, sla (over maxResponseTimeMs)
 * - journeys: element (locator/expectation failed), navigation, browser_crash, journey_error
 * - runner: aborted (SIGTERM/SIGINT/deadline while running), internal (a bug of ours, never the target's)
 */
export const ERROR_CLASSES = [
  'dns',
  'connection_refused',
  'connection_reset',
  'tls',
  'timeout',
  'http_status',
  'invalid_json',
  'schema',
  'assertion',
  'body_too_large',
  'sla',
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
}

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

/** Navigation timings and web vitals of one navigation inside a journey step. */
export interface NavigationVitals {
  url: string;
  ttfbMs?: number;
  fcpMs?: number;
  lcpMs?: number;
  cls?: number;
  domContentLoadedMs?: number;
  loadMs?: number;
}

export interface NetworkSummary {
  requests: number;
  /** 4xx, 5xx and aborted requests. */
  failedRequests: number;
  bytes: number;
  slowestUrl?: string;
  slowestMs?: number;
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
}

export interface Artifacts {
  /** Paths relative to the reports folder. */
  screenshot?: string;
  trace?: string;
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
  /** Set when the run ended early (SIGTERM, SIGINT, deadline). */
  aborted?: boolean;
}

export interface DeployMarker {
  id: string;
  at: string;
  environment: string;
  version?: string;
  description?: string;
}
