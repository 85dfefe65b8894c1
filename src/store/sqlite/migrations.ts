/**
 * SQLite schema, as ordered migrations (same versions and names as postgres/migrations.ts).
 * Instants are INTEGER epoch milliseconds (sortable, index-friendly); each row keeps its object as
 * JSON text in `doc`, which is what reads return.
 */
import type { Migration } from '../migrations.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial_schema',
    statements: [
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        location TEXT NOT NULL,
        environment TEXT NOT NULL,
        shard TEXT,
        aborted INTEGER NOT NULL DEFAULT 0,
        doc TEXT NOT NULL
      )`,
      `CREATE INDEX runs_started_at ON runs (started_at)`,
      `CREATE TABLE results (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        monitor TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        attempts INTEGER NOT NULL,
        location TEXT NOT NULL,
        environment TEXT NOT NULL,
        http_status INTEGER,
        error_class TEXT,
        doc TEXT NOT NULL,
        steps TEXT NOT NULL
      )`,
      `CREATE INDEX results_monitor_started ON results (monitor, started_at)`,
      `CREATE INDEX results_started ON results (started_at)`,
      `CREATE INDEX results_run ON results (run_id)`,
      `CREATE TABLE result_steps (
        result_id TEXT NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        monitor TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        error_class TEXT,
        PRIMARY KEY (result_id, idx)
      )`,
      `CREATE INDEX result_steps_monitor_name ON result_steps (monitor, name, started_at)`,
      `CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        monitor TEXT NOT NULL,
        step TEXT NOT NULL,
        metric TEXT NOT NULL,
        location TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER,
        doc TEXT NOT NULL
      )`,
      `CREATE INDEX findings_status ON findings (status, updated_at)`,
      `CREATE INDEX findings_updated ON findings (updated_at)`,
      `CREATE INDEX findings_monitor ON findings (monitor, updated_at)`,
      `CREATE TABLE states (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)
      ) WITHOUT ROWID`,
      `CREATE TABLE deploy_markers (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        environment TEXT NOT NULL,
        doc TEXT NOT NULL
      )`,
      `CREATE INDEX deploy_markers_at ON deploy_markers (at)`,
      `CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        monitor TEXT NOT NULL,
        status TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER,
        doc TEXT NOT NULL
      )`,
      `CREATE INDEX alerts_status ON alerts (status, updated_at)`,
      `CREATE INDEX alerts_monitor ON alerts (monitor, updated_at)`,
      `CREATE INDEX alerts_key ON alerts (key)`,
      `CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        alert_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        event TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        delivered_at INTEGER,
        last_error TEXT,
        doc TEXT NOT NULL
      )`,
      `CREATE INDEX deliveries_pending ON deliveries (created_at, id) WHERE delivered_at IS NULL`,
      `CREATE INDEX deliveries_alert ON deliveries (alert_id)`,
    ],
  },
  {
    // Uptime (src/status) counts results by window, monitor and status: a covering index keeps those
    // aggregates off the wide rows (their JSON documents), 3-10x faster over 90 days in bench:status.
    version: 2,
    name: 'uptime_covering_index',
    statements: [
      `CREATE INDEX results_uptime ON results (monitor, started_at, status, error_class, environment, location, id)`,
    ],
  },
];
