/**
 * PostgreSQL schema, as ordered migrations (same versions and names as sqlite/migrations.ts).
 * Instants are timestamptz (readable from psql and dashboards); documents and step trees are
 * jsonb. Ids and state keys sort bytewise (COLLATE "C"), as in SQLite. Tables live in the store's schema (search_path), so tests and tenants can be isolated.
 */
import type { Migration } from '../migrations.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial_schema',
    statements: [
      `CREATE TABLE runs (
        id text COLLATE "C" PRIMARY KEY,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        location text NOT NULL,
        environment text NOT NULL,
        shard text,
        aborted boolean NOT NULL DEFAULT false,
        doc jsonb NOT NULL
      )`,
      `CREATE INDEX runs_started_at ON runs (started_at)`,
      `CREATE TABLE results (
        id text COLLATE "C" PRIMARY KEY,
        run_id text NOT NULL,
        monitor text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        duration_ms double precision NOT NULL,
        attempts integer NOT NULL,
        location text NOT NULL,
        environment text NOT NULL,
        http_status integer,
        error_class text,
        doc jsonb NOT NULL,
        steps jsonb NOT NULL
      )`,
      `CREATE INDEX results_monitor_started ON results (monitor, started_at)`,
      `CREATE INDEX results_started ON results (started_at)`,
      `CREATE INDEX results_run ON results (run_id)`,
      `CREATE TABLE result_steps (
        result_id text NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        idx integer NOT NULL,
        monitor text NOT NULL,
        name text NOT NULL,
        status text NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms double precision NOT NULL,
        error_class text,
        PRIMARY KEY (result_id, idx)
      )`,
      `CREATE INDEX result_steps_monitor_name ON result_steps (monitor, name, started_at)`,
      `CREATE TABLE findings (
        id text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL,
        monitor text NOT NULL,
        step text NOT NULL,
        metric text NOT NULL,
        location text NOT NULL,
        started_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        resolved_at timestamptz,
        doc jsonb NOT NULL
      )`,
      `CREATE INDEX findings_status ON findings (status, updated_at)`,
      `CREATE INDEX findings_updated ON findings (updated_at)`,
      `CREATE INDEX findings_monitor ON findings (monitor, updated_at)`,
      `CREATE TABLE states (
        namespace text NOT NULL,
        key text COLLATE "C" NOT NULL,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, key)
      )`,
      `CREATE TABLE deploy_markers (
        id text COLLATE "C" PRIMARY KEY,
        at timestamptz NOT NULL,
        environment text NOT NULL,
        doc jsonb NOT NULL
      )`,
      `CREATE INDEX deploy_markers_at ON deploy_markers (at)`,
      `CREATE TABLE alerts (
        id text COLLATE "C" PRIMARY KEY,
        key text NOT NULL,
        monitor text NOT NULL,
        status text NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        resolved_at timestamptz,
        doc jsonb NOT NULL
      )`,
      `CREATE INDEX alerts_status ON alerts (status, updated_at)`,
      `CREATE INDEX alerts_monitor ON alerts (monitor, updated_at)`,
      `CREATE INDEX alerts_key ON alerts (key)`,
      `CREATE TABLE deliveries (
        id text COLLATE "C" PRIMARY KEY,
        alert_id text NOT NULL,
        channel text NOT NULL,
        event text NOT NULL,
        created_at timestamptz NOT NULL,
        attempts integer NOT NULL,
        delivered_at timestamptz,
        last_error text,
        doc jsonb NOT NULL
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
