/**
 * The embedded default store: one SQLite file (WAL, busy_timeout) through better-sqlite3.
 * The driver is synchronous; every method is async only to honour the Store interface, and every
 * multi-row write runs in one transaction. Several processes may share the file: writers wait up to
 * `busyTimeoutMs` for the lock, then fail with StoreUnavailableError.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DeployMarker, Finding, MonitorResult, RunInfo } from '../../model/index.js';
import type { Redactor } from '../../runtime/redact.js';
import type { AlertRecord, DeliveryRecord, FindingQuery, ResultQuery, StateUpdate, StatusChange, Store, UptimeCount, UptimeQuery } from '../store.js';
import { checkUptimeQuery, RUNNER_ERROR_CLASSES, uptimeCountOf, type CheckedUptimeQuery } from '../uptime-query.js';
import { RowCodec, checkLimit, chunks, parseJsonText, resultFromDocs, sinceMs } from '../codec.js';
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
import { SQLITE_MIGRATIONS } from './migrations.js';

export const DEFAULT_SQLITE_PATH = '.observer/observer.db';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. The folder is created when missing. */
  path: string;
  redactor?: Redactor;
  /** How long a writer waits for another process's lock before failing (default 5000). */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;
type Param = string | number | bigint | null | Buffer;

export class SqliteStore implements Store {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly codec: RowCodec;
  private closed = false;

  private stateUpdates: Promise<unknown> = Promise.resolve();

  constructor(opts: SqliteStoreOptions) {
    this.description = `sqlite:${opts.path}`;
    this.codec = new RowCodec(opts.redactor);
    if (opts.path !== ':memory:') {
      try {
        mkdirSync(dirname(opts.path), { recursive: true });
      } catch (err) {
        throw new StoreConfigError(`${this.description}: cannot create the folder ${dirname(opts.path)}: ${messageOf(err)}`, { cause: err });
      }
    }
    try {
      this.db = new Database(opts.path);
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
    } catch (err) {
      throw this.wrap('open', err);
    }
  }

  async migrate(): Promise<void> {
    this.ensureOpen();
    checkMigrationList(SQLITE_MIGRATIONS, 'sqlite');
    try {
      this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`);
      // BEGIN IMMEDIATE takes the write lock first, so concurrent migrators run one after the other
      // and each sees what the previous one applied.
      const migrateAll = this.db.transaction(() => {
        const applied = this.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as AppliedMigration[];
        for (const m of pendingMigrations(applied, SQLITE_MIGRATIONS, this.description)) {
          try {
            for (const sql of m.statements) this.db.exec(sql);
          } catch (err) {
            throw new MigrationError(`${this.description}: migration ${m.version} (${m.name}) failed: ${messageOf(err)}`, m.version, { cause: err });
          }
          this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
        }
      });
      migrateAll.immediate();
    } catch (err) {
      throw this.wrap('migrate', err);
    }
  }

  /** Applied migration versions, oldest first (for diagnostics). */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    return this.read('appliedMigrations', () => this.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as AppliedMigration[]);
  }

  async saveRun(run: RunInfo): Promise<void> {
    const r = this.codec.run(run);
    this.write('saveRun', () => {
      this.db
        .prepare(
          `INSERT INTO runs (id, started_at, finished_at, location, environment, shard, aborted, doc)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, finished_at = excluded.finished_at,
             location = excluded.location, environment = excluded.environment, shard = excluded.shard,
             aborted = excluded.aborted, doc = excluded.doc`,
        )
        .run(r.id, r.startedAtMs, r.finishedAtMs, r.location, r.environment, r.shard, r.aborted ? 1 : 0, r.doc);
    });
  }

  async saveResults(results: MonitorResult[]): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map((r, i) => this.codec.result(r, `results[${i}]`));
    this.write('saveResults', () => {
      const upsert = this.db.prepare(
        `INSERT INTO results (id, run_id, monitor, name, kind, status, started_at, finished_at, duration_ms, attempts,
           location, environment, http_status, error_class, doc, steps)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, monitor = excluded.monitor, name = excluded.name,
           kind = excluded.kind, status = excluded.status, started_at = excluded.started_at,
           finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, attempts = excluded.attempts,
           location = excluded.location, environment = excluded.environment, http_status = excluded.http_status,
           error_class = excluded.error_class, doc = excluded.doc, steps = excluded.steps`,
      );
      const dropSteps = this.db.prepare('DELETE FROM result_steps WHERE result_id = ?');
      const addStep = this.db.prepare(
        `INSERT INTO result_steps (result_id, idx, monitor, name, status, started_at, duration_ms, error_class)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const r of rows) {
        upsert.run(r.id, r.runId, r.monitor, r.name, r.kind, r.status, r.startedAtMs, r.finishedAtMs, r.durationMs, r.attempts,
          r.location, r.environment, r.httpStatus, r.errorClass, r.doc, r.steps);
        dropSteps.run(r.id);
        for (const s of r.stepRows) addStep.run(r.id, s.idx, r.monitor, s.name, s.status, s.startedAtMs, s.durationMs, s.errorClass);
      }
    });
  }

  async getRun(id: string): Promise<RunInfo | null> {
    return this.read('getRun', () => {
      const row = this.db.prepare('SELECT doc FROM runs WHERE id = ?').get(id) as Row | undefined;
      return row ? (parseJsonText(row.doc) as RunInfo) : null;
    });
  }

  async listRuns(query: { since?: string; limit?: number } = {}): Promise<RunInfo[]> {
    const since = sinceMs(query.since);
    const limit = checkLimit(query.limit);
    return this.read('listRuns', () => {
      const w = new Where();
      if (since !== undefined) w.add('started_at >= ?', since);
      const rows = this.db
        .prepare(`SELECT doc FROM runs ${w.sql()} ${w.order('started_at', limit)}`)
        .all(...w.params) as Row[];
      return rows.map((r) => parseJsonText(r.doc) as RunInfo);
    });
  }

  async listResults(query: ResultQuery = {}): Promise<MonitorResult[]> {
    const since = sinceMs(query.since);
    const limit = checkLimit(query.limit);
    return this.read('listResults', () => {
      const w = new Where();
      if (query.monitor !== undefined) w.add('monitor = ?', query.monitor);
      if (query.location !== undefined) w.add('location = ?', query.location);
      if (query.environment !== undefined) w.add('environment = ?', query.environment);
      if (since !== undefined) w.add('started_at >= ?', since);
      const rows = this.db
        .prepare(`SELECT doc, steps FROM results ${w.sql()} ${w.order('started_at', limit)}`)
        .all(...w.params) as Row[];
      return rows.map((r) => resultFromDocs(parseJsonText(r.doc), parseJsonText(r.steps)));
    });
  }

  async saveFindings(findings: Finding[]): Promise<void> {
    if (findings.length === 0) return;
    const rows = findings.map((f, i) => this.codec.finding(f, `findings[${i}]`));
    this.write('saveFindings', () => {
      const upsert = this.db.prepare(
        `INSERT INTO findings (id, kind, severity, status, monitor, step, metric, location, started_at, updated_at, resolved_at, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, severity = excluded.severity, status = excluded.status,
           monitor = excluded.monitor, step = excluded.step, metric = excluded.metric, location = excluded.location,
           started_at = excluded.started_at, updated_at = excluded.updated_at, resolved_at = excluded.resolved_at,
           doc = excluded.doc`,
      );
      for (const f of rows) {
        upsert.run(f.id, f.kind, f.severity, f.status, f.monitor, f.step, f.metric, f.location, f.startedAtMs, f.updatedAtMs, f.resolvedAtMs, f.doc);
      }
    });
  }

  async listFindings(query: FindingQuery = {}): Promise<Finding[]> {
    const since = sinceMs(query.since);
    return this.read('listFindings', () => {
      const w = new Where();
      if (query.status !== undefined) w.add('status = ?', query.status);
      if (query.monitor !== undefined) w.add('monitor = ?', query.monitor);
      if (since !== undefined) w.add('updated_at >= ?', since);
      const rows = this.db.prepare(`SELECT doc FROM findings ${w.sql()} ORDER BY updated_at, id`).all(...w.params) as Row[];
      return rows.map((r) => parseJsonText(r.doc) as Finding);
    });
  }

  async uptimeCounts(query: UptimeQuery): Promise<UptimeCount[]> {
    const q = checkUptimeQuery(query);
    if (q.monitors?.length === 0) return [];
    return this.read('uptimeCounts', () => {
      const { sql, params } = uptimeWhere(q);
      const bucket = q.bucketMs !== undefined ? `(started_at / CAST(? AS INTEGER)) * CAST(? AS INTEGER)` : 'NULL';
      const bucketParams = q.bucketMs !== undefined ? [q.bucketMs, q.bucketMs] : [];
      const rows = this.db
        .prepare(
          `SELECT monitor, ${bucket} AS bucket, SUM(status = 'passed') AS passed, SUM(status = 'degraded') AS degraded, SUM(status = 'failed') AS failed
           FROM results ${sql} GROUP BY monitor, bucket ORDER BY monitor, bucket`,
        )
        .all(...bucketParams, ...params) as Row[];
      return rows.map(uptimeCountOf);
    });
  }

  async statusChanges(query: UptimeQuery): Promise<StatusChange[]> {
    const q = checkUptimeQuery(query);
    if (q.monitors?.length === 0) return [];
    return this.read('statusChanges', () => {
      const { sql, params } = uptimeWhere(q);
      // LAG over each monitor and location's results: a row whose down-ness differs from the previous row's is a change.
      const rows = this.db
        .prepare(
          `SELECT t.monitor, t.location, t.started_at, t.down, t.error_class,
             CASE WHEN t.down = 1 THEN json_extract(r.doc, '$.error.message') END AS message
           FROM (
             SELECT * FROM (
               SELECT id, monitor, location, started_at, error_class, (status = 'failed') AS down,
                 LAG(status = 'failed') OVER (PARTITION BY monitor, location ORDER BY started_at, id) AS prev
               FROM results ${sql}
             ) WHERE prev IS NULL OR prev <> down
           ) t JOIN results r ON r.id = t.id
           ORDER BY t.started_at, t.monitor, t.location, t.id`,
        )
        .all(...params) as Row[];
      return rows.map((r) => ({
        monitor: String(r.monitor),
        location: String(r.location),
        at: new Date(Number(r.started_at)).toISOString(),
        down: Number(r.down) === 1,
        errorClass: r.down && r.error_class !== null ? String(r.error_class) : null,
        message: typeof r.message === 'string' ? r.message : null,
      }));
    });
  }

  async getStates(namespace: string, keys: string[]): Promise<Map<string, unknown>> {
    return this.read('getStates', () => this.readStates(namespace, keys));
  }

  private readStates(namespace: string, keys: string[]): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const part of chunks([...new Set(keys)], 500)) {
      const rows = this.db
        .prepare(`SELECT key, value FROM states WHERE namespace = ? AND key IN (${part.map(() => '?').join(', ')})`)
        .all(namespace, ...part) as Row[];
      for (const r of rows) out.set(String(r.key), parseJsonText(r.value));
    }
    return out;
  }

  async putStates(namespace: string, entries: Map<string, unknown>): Promise<void> {
    if (entries.size === 0) return;
    this.write('putStates', () => this.writeStates(namespace, entries));
  }

  private writeStates(namespace: string, entries: Map<string, unknown>): void {
    const rows = [...entries].map(([key, value]) => [key, this.codec.state(value)] as const);
    const now = Date.now();
    const upsert = this.db.prepare(
      `INSERT INTO states (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    for (const [key, value] of rows) upsert.run(namespace, key, value, now);
  }

  /**
   * One BEGIN IMMEDIATE transaction around read, `update` and write: other processes wait for the
   * write lock (busy_timeout) instead of interleaving. Calls in this process run one at a time;
   * other writes this process makes meanwhile (the update's own) join the transaction, which is
   * therefore always committed (a failed update just writes no state).
   */
  updateStates(namespace: string, keys: string[], update: StateUpdate): Promise<void> {
    const round = this.stateUpdates.then(() => this.updateStatesNow(namespace, keys, update));
    this.stateUpdates = round.catch(() => undefined);
    return round;
  }

  private async updateStatesNow(namespace: string, keys: string[], update: StateUpdate): Promise<void> {
    this.ensureOpen();
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw this.wrap('updateStates', err);
    }
    try {
      const next = await update(this.read('updateStates', () => this.readStates(namespace, keys)));
      if (next.size) this.read('updateStates', () => this.writeStates(namespace, next));
    } finally {
      if (this.db.open && this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  async listStateKeys(namespace: string): Promise<string[]> {
    return this.read('listStateKeys', () =>
      (this.db.prepare('SELECT key FROM states WHERE namespace = ? ORDER BY key').all(namespace) as Row[]).map((r) => String(r.key)),
    );
  }

  async addDeployMarker(marker: DeployMarker): Promise<void> {
    const m = this.codec.deploy(marker);
    this.write('addDeployMarker', () => {
      this.db
        .prepare(
          `INSERT INTO deploy_markers (id, at, environment, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET at = excluded.at, environment = excluded.environment, doc = excluded.doc`,
        )
        .run(m.id, m.atMs, m.environment, m.doc);
    });
  }

  async listDeployMarkers(query: { since?: string; environment?: string } = {}): Promise<DeployMarker[]> {
    const since = sinceMs(query.since);
    return this.read('listDeployMarkers', () => {
      const w = new Where();
      if (query.environment !== undefined) w.add('environment = ?', query.environment);
      if (since !== undefined) w.add('at >= ?', since);
      const rows = this.db.prepare(`SELECT doc FROM deploy_markers ${w.sql()} ORDER BY at, id`).all(...w.params) as Row[];
      return rows.map((r) => parseJsonText(r.doc) as DeployMarker);
    });
  }

  async saveAlert(alert: AlertRecord): Promise<void> {
    const a = this.codec.alert(alert);
    this.write('saveAlert', () => {
      this.db
        .prepare(
          `INSERT INTO alerts (id, key, monitor, status, opened_at, updated_at, resolved_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET key = excluded.key, monitor = excluded.monitor, status = excluded.status,
             opened_at = excluded.opened_at, updated_at = excluded.updated_at, resolved_at = excluded.resolved_at, doc = excluded.doc`,
        )
        .run(a.id, a.key, a.monitor, a.status, a.openedAtMs, a.updatedAtMs, a.resolvedAtMs, a.doc);
    });
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    return this.read('getAlert', () => {
      const row = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').get(id) as Row | undefined;
      return row ? (parseJsonText(row.doc) as AlertRecord) : null;
    });
  }

  async listAlerts(query: { status?: 'open' | 'resolved'; since?: string; monitor?: string } = {}): Promise<AlertRecord[]> {
    const since = sinceMs(query.since);
    return this.read('listAlerts', () => {
      const w = new Where();
      if (query.status !== undefined) w.add('status = ?', query.status);
      if (query.monitor !== undefined) w.add('monitor = ?', query.monitor);
      if (since !== undefined) w.add('updated_at >= ?', since);
      const rows = this.db.prepare(`SELECT doc FROM alerts ${w.sql()} ORDER BY opened_at, id`).all(...w.params) as Row[];
      return rows.map((r) => parseJsonText(r.doc) as AlertRecord);
    });
  }

  async enqueueDelivery(delivery: DeliveryRecord): Promise<void> {
    const d = this.codec.delivery(delivery);
    this.write('enqueueDelivery', () => {
      this.db
        .prepare(
          `INSERT INTO deliveries (id, alert_id, channel, event, created_at, attempts, delivered_at, last_error, doc)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(d.id, d.alertId, d.channel, d.event, d.createdAtMs, d.attempts, d.deliveredAtMs, d.lastError, d.doc);
    });
  }

  async pendingDeliveries(limit = 100): Promise<DeliveryRecord[]> {
    const n = checkLimit(limit, 'limit') ?? 100;
    return this.read('pendingDeliveries', () =>
      (this.db.prepare('SELECT doc FROM deliveries WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT ?').all(n) as Row[]).map(
        (r) => parseJsonText(r.doc) as DeliveryRecord,
      ),
    );
  }

  async markDelivery(id: string, outcome: { deliveredAt: string | null; attempts: number; lastError: string | null }): Promise<void> {
    const o = this.codec.deliveryOutcome(outcome);
    const changes = this.write('markDelivery', () =>
      this.db
        .prepare(
          `UPDATE deliveries SET delivered_at = ?, attempts = ?, last_error = ?,
             doc = json_set(doc, '$.deliveredAt', ?, '$.attempts', ?, '$.lastError', ?)
           WHERE id = ?`,
        )
        .run(o.deliveredAtMs, o.attempts, o.lastError, o.deliveredAt, o.attempts, o.lastError, id).changes,
    );
    if (changes === 0) throw new StoreNotFoundError(`${this.description}: markDelivery: no delivery with id ${JSON.stringify(id)}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreClosedError(`${this.description}: used after close()`);
  }

  private read<T>(op: string, fn: () => T): T {
    this.ensureOpen();
    try {
      return fn();
    } catch (err) {
      throw this.wrap(op, err);
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks). */
  private write<T>(op: string, fn: () => T): T {
    this.ensureOpen();
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw this.wrap(op, err);
    }
  }

  private wrap(op: string, err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    const code = (err as { code?: unknown }).code;
    const msg = `${this.description}: ${op}: ${messageOf(err)}`;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_CANTOPEN' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))) {
      return new StoreUnavailableError(msg, { cause: err });
    }
    return new StoreQueryError(msg, { cause: err });
  }
}

/** The WHERE clause of the uptime queries: window, environment, monitors, runner failures and exclusion spans. */
function uptimeWhere(q: CheckedUptimeQuery): { sql: string; params: Param[] } {
  const parts: string[] = ['started_at >= ?'];
  const params: Param[] = [q.sinceMs];
  if (q.untilMs !== undefined) {
    parts.push('started_at < ?');
    params.push(q.untilMs);
  }
  if (q.environment !== undefined) {
    parts.push('environment = ?');
    params.push(q.environment);
  }
  if (q.monitors !== undefined) {
    parts.push(`monitor IN (${q.monitors.map(() => '?').join(', ')})`);
    params.push(...q.monitors);
  }
  parts.push(`(error_class IS NULL OR error_class NOT IN (${RUNNER_ERROR_CLASSES.map(() => '?').join(', ')}))`);
  params.push(...RUNNER_ERROR_CLASSES);
  for (const e of q.exclude) {
    const only = e.monitors ? ` AND monitor IN (${e.monitors.map(() => '?').join(', ')})` : '';
    parts.push(`NOT (started_at >= ? AND started_at < ?${only})`);
    params.push(e.startMs, e.endMs, ...(e.monitors ?? []));
  }
  return { sql: `WHERE ${parts.join(' AND ')}`, params };
}

/** WHERE clause builder with `?` parameters (values only, never identifiers from callers). */
class Where {
  readonly params: Param[] = [];
  private readonly parts: string[] = [];

  add(condition: string, value: Param): void {
    this.parts.push(condition);
    this.params.push(value);
  }

  sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }

  /** Oldest first; with a limit, the newest `limit` rows, newest first. */
  order(column: string, limit: number | undefined): string {
    if (limit === undefined) return `ORDER BY ${column}, id`;
    this.params.push(limit);
    return `ORDER BY ${column} DESC, id DESC LIMIT ?`;
  }
}
