/**
 * One Store interface, two implementations (sqlite/, postgres/). Callers never see SQL or a driver.
 * Every write is idempotent on its id: writing the same run, result, finding or alert twice
 * leaves one row (many runners and the spool may replay writes).
 */
import type { DeployMarker, Finding, MonitorResult, RunInfo } from '../model/index.js';

export interface ResultQuery {
  monitor?: string;
  location?: string;
  environment?: string;
  /** ISO instant; results that started at or after it. */
  since?: string;
  /** Newest first when set. */
  limit?: number;
}

export interface FindingQuery {
  status?: 'open' | 'resolved';
  /** Findings updated at or after this instant. */
  since?: string;
  monitor?: string;
}

/** A span of time whose results do not count toward uptime (a maintenance window). */
export interface UptimeExclusion {
  /** Epoch ms, inclusive. */
  startMs: number;
  /** Epoch ms, exclusive. */
  endMs: number;
  /** Only these monitors' results are excluded; every monitor's when absent. */
  monitors?: string[];
}

/**
 * Which results count toward uptime. Results whose error class is `aborted` or `internal` (the
 * runner stopped or broke, not the target) never count, nor results inside an `exclude` span.
 */
export interface UptimeQuery {
  /** ISO instant, inclusive. */
  since: string;
  /** ISO instant, exclusive; default no upper bound. */
  until?: string;
  environment?: string;
  /** Only these monitors (default all). */
  monitors?: string[];
  /** Count per bucket of this many ms (bucket start = floor(epoch ms / bucketMs) * bucketMs, UTC); one row per monitor when absent. */
  bucketMs?: number;
  exclude?: UptimeExclusion[];
}

/** Result counts of one monitor (in one bucket), aggregated by the database. */
export interface UptimeCount {
  monitor: string;
  /** Epoch ms of the bucket's start; null without `bucketMs`. */
  bucketStartMs: number | null;
  passed: number;
  degraded: number;
  failed: number;
}

/**
 * A result where a monitor at a location went from up to down or back (`failed` is down; passed
 * and degraded are up), and the first counted result of each monitor and location in the window.
 */
export interface StatusChange {
  monitor: string;
  location: string;
  /** The result's startedAt. */
  at: string;
  down: boolean;
  errorClass: string | null;
  /** The failure's message (already redacted when stored), null for an up change. */
  message: string | null;
}

/** An alert incident as the alert state machine keeps it. */
export interface AlertRecord {
  id: string;
  /** Dedup key: monitor + cause. */
  key: string;
  rule: string;
  monitor: string;
  cause: string;
  severity: string;
  status: 'open' | 'resolved';
  openedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  message: string;
  flaps: number;
  ack: null | { at: string; verdict: 'true_positive' | 'false_positive'; by?: string };
  details?: Record<string, unknown>;
}

/** A message queued for a channel; kept until delivered (outbox). */
export interface DeliveryRecord {
  id: string;
  alertId: string;
  channel: string;
  /** `open`, `update`, `resolved`, `reminder`, `escalation`. */
  event: string;
  payload: unknown;
  createdAt: string;
  attempts: number;
  deliveredAt: string | null;
  lastError: string | null;
}

/** The change `updateStates` applies: current values in, entries to write out. */
export type StateUpdate = (current: Map<string, unknown>) => Map<string, unknown> | Promise<Map<string, unknown>>;

export interface Store {
  /** Human name for logs: `sqlite:.observer/observer.db`, `postgres://host/db` (no password). */
  readonly description: string;
  /** Apply pending migrations (once, under a lock where several runners share the store). */
  migrate(): Promise<void>;
  /** Insert or update a run (idempotent on run.id). */
  saveRun(run: RunInfo): Promise<void>;
  /** Insert results with their steps (idempotent on result.id). */
  saveResults(results: MonitorResult[]): Promise<void>;
  getRun(id: string): Promise<RunInfo | null>;
  listRuns(query?: { since?: string; limit?: number }): Promise<RunInfo[]>;
  /** Results with their steps, oldest first unless `limit` is set (then newest `limit`, newest first). */
  listResults(query?: ResultQuery): Promise<MonitorResult[]>;
  /** Upsert findings by id. */
  saveFindings(findings: Finding[]): Promise<void>;
  listFindings(query?: FindingQuery): Promise<Finding[]>;
  /** Opaque JSON state by namespace and key (anomaly baselines per series, alert state machines). */
  getStates(namespace: string, keys: string[]): Promise<Map<string, unknown>>;
  /** Upsert state values (a blind write: read-modify-write goes through `updateStates`). */
  putStates(namespace: string, entries: Map<string, unknown>): Promise<void>;
  /**
   * Read, change and write state values as one step no other runner interleaves with, so two
   * runners sharing the store never lose each other's updates (SQLite: one BEGIN IMMEDIATE
   * transaction; PostgreSQL: a transaction holding an advisory lock per namespace). `update` gets
   * the current values of `keys` and returns the entries to write; it may call the store itself.
   * It is never spooled: with the database down it fails with StoreUnavailableError.
   */
  updateStates(namespace: string, keys: string[], update: StateUpdate): Promise<void>;
  /** All keys of a namespace (small namespaces only). */
  listStateKeys(namespace: string): Promise<string[]>;
  /** Passed/degraded/failed counts per monitor (and bucket), aggregated in SQL (no result is loaded). */
  uptimeCounts(query: UptimeQuery): Promise<UptimeCount[]>;
  /** Up/down changes per monitor and location, oldest first, found in SQL (a window function); `bucketMs` is ignored. */
  statusChanges(query: UptimeQuery): Promise<StatusChange[]>;
  addDeployMarker(marker: DeployMarker): Promise<void>;
  listDeployMarkers(query?: { since?: string; environment?: string }): Promise<DeployMarker[]>;
  saveAlert(alert: AlertRecord): Promise<void>;
  getAlert(id: string): Promise<AlertRecord | null>;
  listAlerts(query?: { status?: 'open' | 'resolved'; since?: string; monitor?: string }): Promise<AlertRecord[]>;
  /** Queue a delivery; idempotent on id. */
  enqueueDelivery(delivery: DeliveryRecord): Promise<void>;
  pendingDeliveries(limit?: number): Promise<DeliveryRecord[]>;
  markDelivery(id: string, outcome: { deliveredAt: string | null; attempts: number; lastError: string | null }): Promise<void>;
  close(): Promise<void>;
}
