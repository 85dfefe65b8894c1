/**
 * The shared store: PostgreSQL through a node-postgres Pool, for many runners writing to one
 * database. Upserts make every write idempotent on its id; multi-row writes run in one transaction,
 * rows in id order (no lock-order deadlocks; a deadlock or serialization failure is retried).
 * Migrations run once under a session advisory lock, however many runners start together.
 * Connection, statement and query timeouts are set so a dead or hung server fails fast with
 * StoreUnavailableError instead of hanging the run.
 */
import pg from 'pg';
import type { DeployMarker, Finding, MonitorResult, RunInfo } from '../../model/index.js';
import type { Redactor } from '../../runtime/redact.js';
import type { AlertRecord, DeliveryRecord, FindingQuery, ResultQuery, StateUpdate, StatusChange, Store, UptimeCount, UptimeQuery } from '../store.js';
import { checkUptimeQuery, RUNNER_ERROR_CLASSES, uptimeCountOf, type CheckedUptimeQuery } from '../uptime-query.js';
import { RowCodec, checkLimit, resultFromDocs, sinceMs } from '../codec.js';
import {
  MigrationError,
  StoreClosedError,
  StoreConfigError,
  StoreError,
  StoreNotFoundError,
  StoreQueryError,
  StoreUnavailableError,
  messageOf,
} from '../errors.js';
import { checkMigrationList, pendingMigrations, type AppliedMigration } from '../migrations.js';
import { checkSchemaName, parseStoreLocation } from '../url.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { isRetryablePgError, isUnavailablePgError } from './pg-errors.js';

export interface PostgresStoreOptions {
  /** `postgres://user[:password]@host:port/db[?schema=NAME]`. */
  url: string;
  /** Schema for every table (created by `migrate()`); overrides `?schema=`. Default: the server's search_path. */
  schema?: string;
  redactor?: Redactor;
  /** Warnings (idle connection lost, ...); never receives a password. */
  log?: (msg: string) => void;
  /** Pool size (default 4). */
  poolMax?: number;
  /** Give up connecting after this long (default 5000). */
  connectionTimeoutMs?: number;
  /** Server-side statement_timeout (default 15000). */
  statementTimeoutMs?: number;
  /** Client-side limit per query, a little over the statement timeout (default statement + 5000). */
  queryTimeoutMs?: number;
  /** Limit for the migration session, lock wait included (default 120000). */
  migrationTimeoutMs?: number;
}

type Row = Record<string, unknown>;
type Queryable = Pick<pg.PoolClient, 'query'>;

const MIGRATION_LOCK_PREFIX = 'production-observer:migrate:';
const STATE_LOCK_PREFIX = 'production-observer:state:';
const MAX_TX_TRIES = 3;

export class PostgresStore implements Store {
  readonly description: string;
  readonly schema: string | undefined;
  private readonly pool: pg.Pool;
  private readonly codec: RowCodec;
  private readonly migrationTimeoutMs: number;
  private closed = false;

  constructor(opts: PostgresStoreOptions) {
    const loc = parseStoreLocation(opts.url, 'postgres url');
    if (loc.kind !== 'postgres') throw new StoreConfigError(`postgres url: expected postgres:// or postgresql://, got ${loc.description}`);
    this.schema = opts.schema !== undefined ? checkSchemaName(opts.schema, 'postgres schema option') : loc.schema;
    this.description = loc.description.replace(/\?schema=.*$/, '') + (this.schema ? `?schema=${this.schema}` : '');
    this.codec = new RowCodec(opts.redactor);
    this.migrationTimeoutMs = opts.migrationTimeoutMs ?? 120_000;
    const statementTimeoutMs = opts.statementTimeoutMs ?? 15_000;
    this.pool = new pg.Pool({
      connectionString: loc.connectionString,
      max: opts.poolMax ?? 4,
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
      statement_timeout: statementTimeoutMs,
      query_timeout: opts.queryTimeoutMs ?? statementTimeoutMs + 5_000,
      idle_in_transaction_session_timeout: statementTimeoutMs * 2,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      application_name: 'production-observer',
      ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}),
    });
    // An idle client losing its connection must not crash the process: the next query reconnects.
    this.pool.on('error', (err) => opts.log?.(`${this.description}: idle connection lost: ${messageOf(err)}`));
  }

  async migrate(): Promise<void> {
    this.ensureOpen();
    checkMigrationList(POSTGRES_MIGRATIONS, 'postgres');
    const { client, release } = await this.connect('migrate');
    let broken: Error | undefined;
    const t = this.migrationTimeoutMs;
    const q = (text: string, values?: unknown[]) => client.query({ text, values, query_timeout: t } as pg.QueryConfig);
    try {
      await q(`SET statement_timeout = ${Math.floor(t)}`);
      await q('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK_PREFIX + (this.schema ?? '')]);
      try {
        if (this.schema) await q(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await q(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
        const applied = (await q('SELECT version, name FROM schema_migrations ORDER BY version')).rows as AppliedMigration[];
        for (const m of pendingMigrations(applied, POSTGRES_MIGRATIONS, this.description)) {
          await q('BEGIN');
          try {
            for (const sql of m.statements) await q(sql);
            await q('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
            await q('COMMIT');
          } catch (err) {
            await q('ROLLBACK').catch(() => undefined);
            if (isUnavailablePgError(err)) throw err;
            throw new MigrationError(`${this.description}: migration ${m.version} (${m.name}) failed: ${messageOf(err)}`, m.version, { cause: err });
          }
        }
      } finally {
        await q('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK_PREFIX + (this.schema ?? '')]).catch((err: Error) => {
          broken = err;
        });
        await q('RESET statement_timeout').catch((err: Error) => {
          broken = err;
        });
      }
    } catch (err) {
      if (isUnavailablePgError(err)) broken = err as Error;
      throw this.wrap('migrate', err);
    } finally {
      release(broken);
    }
  }

  /** Applied migration versions, oldest first (for diagnostics and tests). */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    return (await this.query('appliedMigrations', 'SELECT version, name FROM schema_migrations ORDER BY version')) as unknown as AppliedMigration[];
  }

  async saveRun(run: RunInfo): Promise<void> {
    const r = this.codec.run(run);
    await this.query(
      'saveRun',
      `INSERT INTO runs (id, started_at, finished_at, location, environment, shard, aborted, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, finished_at = excluded.finished_at,
         location = excluded.location, environment = excluded.environment, shard = excluded.shard,
         aborted = excluded.aborted, doc = excluded.doc`,
      [r.id, ts(r.startedAtMs), ts(r.finishedAtMs), r.location, r.environment, r.shard, r.aborted, r.doc],
    );
  }

  async saveResults(results: MonitorResult[]): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map((r, i) => this.codec.result(r, `results[${i}]`)).sort((a, b) => cmp(a.id, b.id));
    await this.tx('saveResults', async (c) => {
      for (const r of rows) {
        await c.query(
          `INSERT INTO results (id, run_id, monitor, name, kind, status, started_at, finished_at, duration_ms, attempts,
             location, environment, http_status, error_class, doc, steps)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb)
           ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, monitor = excluded.monitor, name = excluded.name,
             kind = excluded.kind, status = excluded.status, started_at = excluded.started_at,
             finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, attempts = excluded.attempts,
             location = excluded.location, environment = excluded.environment, http_status = excluded.http_status,
             error_class = excluded.error_class, doc = excluded.doc, steps = excluded.steps`,
          [r.id, r.runId, r.monitor, r.name, r.kind, r.status, ts(r.startedAtMs), ts(r.finishedAtMs), r.durationMs, r.attempts,
            r.location, r.environment, r.httpStatus, r.errorClass, r.doc, r.steps],
        );
        await c.query('DELETE FROM result_steps WHERE result_id = $1', [r.id]);
        if (r.stepRows.length === 0) continue;
        await c.query(
          `INSERT INTO result_steps (result_id, idx, monitor, name, status, started_at, duration_ms, error_class)
           SELECT $1, t.idx, $2, t.name, t.status, t.started_at, t.duration_ms, t.error_class
           FROM unnest($3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::float8[], $8::text[])
             AS t(idx, name, status, started_at, duration_ms, error_class)`,
          [
            r.id,
            r.monitor,
            r.stepRows.map((s) => s.idx),
            r.stepRows.map((s) => s.name),
            r.stepRows.map((s) => s.status),
            r.stepRows.map((s) => ts(s.startedAtMs)),
            r.stepRows.map((s) => s.durationMs),
            r.stepRows.map((s) => s.errorClass),
          ],
        );
      }
    });
  }

  async getRun(id: string): Promise<RunInfo | null> {
    const rows = await this.query('getRun', 'SELECT doc FROM runs WHERE id = $1', [id]);
    return rows[0] ? (rows[0].doc as RunInfo) : null;
  }

  async listRuns(query: { since?: string; limit?: number } = {}): Promise<RunInfo[]> {
    const w = new Where();
    const since = sinceMs(query.since);
    if (since !== undefined) w.add('started_at >=', ts(since));
    const rows = await this.query('listRuns', `SELECT doc FROM runs ${w.sql()} ${w.order('started_at', checkLimit(query.limit))}`, w.values);
    return rows.map((r) => r.doc as RunInfo);
  }

  async listResults(query: ResultQuery = {}): Promise<MonitorResult[]> {
    const w = new Where();
    const since = sinceMs(query.since);
    if (query.monitor !== undefined) w.add('monitor =', query.monitor);
    if (query.location !== undefined) w.add('location =', query.location);
    if (query.environment !== undefined) w.add('environment =', query.environment);
    if (since !== undefined) w.add('started_at >=', ts(since));
    const rows = await this.query('listResults', `SELECT doc, steps FROM results ${w.sql()} ${w.order('started_at', checkLimit(query.limit))}`, w.values);
    return rows.map((r) => resultFromDocs(r.doc, r.steps));
  }

  async saveFindings(findings: Finding[]): Promise<void> {
    if (findings.length === 0) return;
    const rows = findings.map((f, i) => this.codec.finding(f, `findings[${i}]`)).sort((a, b) => cmp(a.id, b.id));
    await this.tx('saveFindings', async (c) => {
      for (const f of rows) {
        await c.query(
          `INSERT INTO findings (id, kind, severity, status, monitor, step, metric, location, started_at, updated_at, resolved_at, doc)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)
           ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, severity = excluded.severity, status = excluded.status,
             monitor = excluded.monitor, step = excluded.step, metric = excluded.metric, location = excluded.location,
             started_at = excluded.started_at, updated_at = excluded.updated_at, resolved_at = excluded.resolved_at,
             doc = excluded.doc`,
          [f.id, f.kind, f.severity, f.status, f.monitor, f.step, f.metric, f.location, ts(f.startedAtMs), ts(f.updatedAtMs), ts(f.resolvedAtMs), f.doc],
        );
      }
    });
  }

  async listFindings(query: FindingQuery = {}): Promise<Finding[]> {
    const w = new Where();
    const since = sinceMs(query.since);
    if (query.status !== undefined) w.add('status =', query.status);
    if (query.monitor !== undefined) w.add('monitor =', query.monitor);
    if (since !== undefined) w.add('updated_at >=', ts(since));
    const rows = await this.query('listFindings', `SELECT doc FROM findings ${w.sql()} ORDER BY updated_at, id`, w.values);
    return rows.map((r) => r.doc as Finding);
  }

  async uptimeCounts(query: UptimeQuery): Promise<UptimeCount[]> {
    const q = checkUptimeQuery(query);
    if (q.monitors?.length === 0) return [];
    const values: unknown[] = [];
    let bucket = 'NULL::bigint';
    if (q.bucketMs !== undefined) {
      values.push(q.bucketMs);
      bucket = `(floor(extract(epoch FROM started_at) * 1000 / $1)::bigint * $1)`;
    }
    const where = uptimeWhere(q, values);
    const rows = await this.query(
      'uptimeCounts',
      `SELECT monitor, ${bucket} AS bucket, count(*) FILTER (WHERE status = 'passed')::int AS passed,
         count(*) FILTER (WHERE status = 'degraded')::int AS degraded, count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM results ${where} GROUP BY monitor, bucket ORDER BY monitor, bucket`,
      values,
    );
    return rows.map(uptimeCountOf);
  }

  async statusChanges(query: UptimeQuery): Promise<StatusChange[]> {
    const q = checkUptimeQuery(query);
    if (q.monitors?.length === 0) return [];
    const values: unknown[] = [];
    const where = uptimeWhere(q, values);
    // LAG over each monitor and location's results: a row whose down-ness differs from the previous row's is a change.
    const rows = await this.query(
      'statusChanges',
      `SELECT t.monitor, t.location, t.started_at, t.down, t.error_class,
         CASE WHEN t.down THEN r.doc->'error'->>'message' END AS message
       FROM (
         SELECT * FROM (
           SELECT id, monitor, location, started_at, error_class, (status = 'failed') AS down,
             LAG(status = 'failed') OVER (PARTITION BY monitor, location ORDER BY started_at, id) AS prev
           FROM results ${where}
         ) w WHERE w.prev IS DISTINCT FROM w.down
       ) t JOIN results r ON r.id = t.id
       ORDER BY t.started_at, t.monitor, t.location, t.id`,
      values,
    );
    return rows.map((r) => ({
      monitor: String(r.monitor),
      location: String(r.location),
      at: (r.started_at as Date).toISOString(),
      down: r.down === true,
      errorClass: r.down === true && r.error_class !== null ? String(r.error_class) : null,
      message: typeof r.message === 'string' ? r.message : null,
    }));
  }

  async getStates(namespace: string, keys: string[]): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    if (keys.length === 0) return out;
    const rows = await this.query('getStates', 'SELECT key, value FROM states WHERE namespace = $1 AND key = ANY($2::text[])', [namespace, [...new Set(keys)]]);
    for (const r of rows) out.set(String(r.key), r.value);
    return out;
  }

  async putStates(namespace: string, entries: Map<string, unknown>): Promise<void> {
    if (entries.size === 0) return;
    const rows = [...entries].map(([key, value]) => [key, this.codec.state(value)] as const).sort((a, b) => cmp(a[0], b[0]));
    await this.query(
      'putStates',
      `INSERT INTO states (namespace, key, value, updated_at)
       SELECT $1, t.key, t.value::jsonb, now() FROM unnest($2::text[], $3::text[]) AS t(key, value)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [namespace, rows.map((r) => r[0]), rows.map((r) => r[1])],
    );
  }

  /**
   * One transaction holding an advisory lock for the namespace (in this schema) around read,
   * `update` and write: concurrent runners queue on the lock instead of overwriting each other.
   */
  async updateStates(namespace: string, keys: string[], update: StateUpdate): Promise<void> {
    const unique = [...new Set(keys)];
    await this.tx('updateStates', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${STATE_LOCK_PREFIX}${this.schema ?? ''}:${namespace}`]);
      const current = new Map<string, unknown>();
      if (unique.length) {
        const { rows } = await c.query<Row>('SELECT key, value FROM states WHERE namespace = $1 AND key = ANY($2::text[])', [namespace, unique]);
        for (const r of rows) current.set(String(r.key), r.value);
      }
      const next = await update(current);
      if (next.size === 0) return;
      const rows = [...next].map(([key, value]) => [key, this.codec.state(value)] as const).sort((a, b) => cmp(a[0], b[0]));
      await c.query(
        `INSERT INTO states (namespace, key, value, updated_at)
         SELECT $1, t.key, t.value::jsonb, now() FROM unnest($2::text[], $3::text[]) AS t(key, value)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [namespace, rows.map((r) => r[0]), rows.map((r) => r[1])],
      );
    });
  }

  async listStateKeys(namespace: string): Promise<string[]> {
    const rows = await this.query('listStateKeys', 'SELECT key FROM states WHERE namespace = $1 ORDER BY key', [namespace]);
    return rows.map((r) => String(r.key));
  }

  async addDeployMarker(marker: DeployMarker): Promise<void> {
    const m = this.codec.deploy(marker);
    await this.query(
      'addDeployMarker',
      `INSERT INTO deploy_markers (id, at, environment, doc) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE SET at = excluded.at, environment = excluded.environment, doc = excluded.doc`,
      [m.id, ts(m.atMs), m.environment, m.doc],
    );
  }

  async listDeployMarkers(query: { since?: string; environment?: string } = {}): Promise<DeployMarker[]> {
    const w = new Where();
    const since = sinceMs(query.since);
    if (query.environment !== undefined) w.add('environment =', query.environment);
    if (since !== undefined) w.add('at >=', ts(since));
    const rows = await this.query('listDeployMarkers', `SELECT doc FROM deploy_markers ${w.sql()} ORDER BY at, id`, w.values);
    return rows.map((r) => r.doc as DeployMarker);
  }

  async saveAlert(alert: AlertRecord): Promise<void> {
    const a = this.codec.alert(alert);
    await this.query(
      'saveAlert',
      `INSERT INTO alerts (id, key, monitor, status, opened_at, updated_at, resolved_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (id) DO UPDATE SET key = excluded.key, monitor = excluded.monitor, status = excluded.status,
         opened_at = excluded.opened_at, updated_at = excluded.updated_at, resolved_at = excluded.resolved_at, doc = excluded.doc`,
      [a.id, a.key, a.monitor, a.status, ts(a.openedAtMs), ts(a.updatedAtMs), ts(a.resolvedAtMs), a.doc],
    );
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    const rows = await this.query('getAlert', 'SELECT doc FROM alerts WHERE id = $1', [id]);
    return rows[0] ? (rows[0].doc as AlertRecord) : null;
  }

  async listAlerts(query: { status?: 'open' | 'resolved'; since?: string; monitor?: string } = {}): Promise<AlertRecord[]> {
    const w = new Where();
    const since = sinceMs(query.since);
    if (query.status !== undefined) w.add('status =', query.status);
    if (query.monitor !== undefined) w.add('monitor =', query.monitor);
    if (since !== undefined) w.add('updated_at >=', ts(since));
    const rows = await this.query('listAlerts', `SELECT doc FROM alerts ${w.sql()} ORDER BY opened_at, id`, w.values);
    return rows.map((r) => r.doc as AlertRecord);
  }

  async enqueueDelivery(delivery: DeliveryRecord): Promise<void> {
    const d = this.codec.delivery(delivery);
    await this.query(
      'enqueueDelivery',
      `INSERT INTO deliveries (id, alert_id, channel, event, created_at, attempts, delivered_at, last_error, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) ON CONFLICT (id) DO NOTHING`,
      [d.id, d.alertId, d.channel, d.event, ts(d.createdAtMs), d.attempts, ts(d.deliveredAtMs), d.lastError, d.doc],
    );
  }

  async pendingDeliveries(limit = 100): Promise<DeliveryRecord[]> {
    const n = checkLimit(limit, 'limit') ?? 100;
    const rows = await this.query('pendingDeliveries', 'SELECT doc FROM deliveries WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT $1', [n]);
    return rows.map((r) => r.doc as DeliveryRecord);
  }

  async markDelivery(id: string, outcome: { deliveredAt: string | null; attempts: number; lastError: string | null }): Promise<void> {
    const o = this.codec.deliveryOutcome(outcome);
    const result = await this.run(
      'markDelivery',
      `UPDATE deliveries SET delivered_at = $2, attempts = $3, last_error = $4,
         doc = doc || jsonb_build_object('deliveredAt', $5::text, 'attempts', $3::int, 'lastError', $4::text)
       WHERE id = $1`,
      [id, ts(o.deliveredAtMs), o.attempts, o.lastError, o.deliveredAt],
    );
    if (result.rowCount === 0) throw new StoreNotFoundError(`${this.description}: markDelivery: no delivery with id ${JSON.stringify(id)}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreClosedError(`${this.description}: used after close()`);
  }

  /**
   * A client checked out of the pool, with an error listener for as long as it is out: the pool
   * only listens on idle clients, and a connection reset while a transaction holds the client would
   * otherwise be an uncaught 'error' event. The failure still reaches the caller through the query.
   * Call the returned `release` exactly once (with the error when the connection is broken).
   */
  private async connect(op: string): Promise<{ client: pg.PoolClient; release: (broken?: Error) => void }> {
    this.ensureOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.wrap(op, err);
    }
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
    };
    client.on('error', onError);
    return {
      client,
      release: (broken?: Error) => {
        client.removeListener('error', onError);
        client.release(broken ?? lost);
      },
    };
  }

  private async run(op: string, text: string, values?: unknown[]): Promise<pg.QueryResult<Row>> {
    this.ensureOpen();
    try {
      return await this.pool.query<Row>(text, values);
    } catch (err) {
      throw this.wrap(op, err);
    }
  }

  private async query(op: string, text: string, values?: unknown[]): Promise<Row[]> {
    return (await this.run(op, text, values)).rows;
  }

  /** One transaction on one client; retried on deadlock / serialization failure. */
  private async tx(op: string, fn: (c: Queryable) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { client, release } = await this.connect(op);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await fn(client);
        await client.query('COMMIT');
        return;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        if (isUnavailablePgError(err)) broken = err as Error;
        if (attempt < MAX_TX_TRIES && isRetryablePgError(err)) continue;
        throw this.wrap(op, err);
      } finally {
        // A client whose connection failed is destroyed instead of going back to the pool.
        release(broken);
      }
    }
  }

  private wrap(op: string, err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    const msg = `${this.description}: ${op}: ${messageOf(err) || (err as { code?: string }).code || 'unknown error'}`;
    if (isUnavailablePgError(err)) return new StoreUnavailableError(msg, { cause: err });
    return new StoreQueryError(msg, { cause: err });
  }
}

/** A timestamptz parameter (ISO text, cast by the server), or null. */
function ts(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The WHERE clause of the uptime queries (window, environment, monitors, runner failures, exclusion spans); pushes onto `values`. */
function uptimeWhere(q: CheckedUptimeQuery, values: unknown[]): string {
  const p = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const parts: string[] = [`started_at >= ${p(ts(q.sinceMs))}`];
  if (q.untilMs !== undefined) parts.push(`started_at < ${p(ts(q.untilMs))}`);
  if (q.environment !== undefined) parts.push(`environment = ${p(q.environment)}`);
  if (q.monitors !== undefined) parts.push(`monitor = ANY(${p(q.monitors)}::text[])`);
  parts.push(`(error_class IS NULL OR NOT (error_class = ANY(${p([...RUNNER_ERROR_CLASSES])}::text[])))`);
  for (const e of q.exclude) {
    const only = e.monitors ? ` AND monitor = ANY(${p(e.monitors)}::text[])` : '';
    parts.push(`NOT (started_at >= ${p(ts(e.startMs))} AND started_at < ${p(ts(e.endMs))}${only})`);
  }
  return `WHERE ${parts.join(' AND ')}`;
}

/** WHERE clause builder with numbered parameters (values only, never identifiers from callers). */
class Where {
  readonly values: unknown[] = [];
  private readonly parts: string[] = [];

  add(lhs: string, value: unknown): void {
    this.values.push(value);
    this.parts.push(`${lhs} $${this.values.length}`);
  }

  sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }

  /** Oldest first; with a limit, the newest `limit` rows, newest first. */
  order(column: string, limit: number | undefined): string {
    if (limit === undefined) return `ORDER BY ${column}, id`;
    this.values.push(limit);
    return `ORDER BY ${column} DESC, id DESC LIMIT $${this.values.length}`;
  }
}
