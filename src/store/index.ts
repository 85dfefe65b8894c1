/**
 * Opening a store: the location picks the implementation, the store is migrated before it is
 * returned, and PostgreSQL stores are wrapped in the disk spool so a database outage never stops
 * a run (writes are kept in `spoolDir` and replayed later; reads fail with StoreUnavailableError).
 *
 *   const store = await openStore({ url: process.env.OBSERVER_STORE, redactor, log: (m) => log.warn(m) });
 *   ...
 *   await store.close(); // replays what it can, keeps the rest on disk for the next runner
 */
import type { Clock } from '../runtime/clock.js';
import type { Redactor } from '../runtime/redact.js';
import type { Store } from './store.js';
import { StoreConfigError } from './errors.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
import { DEFAULT_SQLITE_PATH, SqliteStore } from './sqlite/sqlite-store.js';
import { DEFAULT_SPOOL_DIR, SpoolingStore, type FlushReport, type SpoolStatus } from './spool.js';
import { parseStoreLocation, type StoreLocation } from './url.js';

export type { Store, ResultQuery, FindingQuery, AlertRecord, DeliveryRecord } from './store.js';
export * from './errors.js';
export { SqliteStore, DEFAULT_SQLITE_PATH, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { SpoolingStore, DEFAULT_SPOOL_DIR, REJECTED_FILE, type SpoolOptions, type SpoolStatus, type FlushReport, type SpoolOp, type SpoolLine } from './spool.js';
export { parseStoreLocation, redactUrl, type StoreLocation } from './url.js';

export interface OpenStoreOptions {
  /** `postgres://...`, `postgresql://...`, `sqlite:PATH` or a file path. Wins over `path`. */
  url?: string;
  /** SQLite file; default `.observer/observer.db` (its folder is created). */
  path?: string;
  /** Spool folder; default `.observer/spool`. */
  spoolDir?: string;
  /** Strings written to the store (results, findings, alerts, deliveries) are redacted with it. */
  redactor?: Redactor;
  /** Warnings from the store and the spool (never carry a password). */
  log?: (msg: string) => void;
  /** Wrap the store in the disk spool. Default: true for PostgreSQL, false for SQLite. */
  spool?: boolean;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL schema for every table (overrides `?schema=` in the URL); created by the migration. */
  schema?: string;
  /** PostgreSQL pool tuning. */
  postgres?: Pick<PostgresStoreOptions, 'poolMax' | 'connectionTimeoutMs' | 'statementTimeoutMs' | 'queryTimeoutMs' | 'migrationTimeoutMs'>;
  /** Spool: how long to go straight to disk after a failure before trying the database again (default 5000). */
  retryIntervalMs?: number;
  clock?: Clock;
}

/**
 * Opens, migrates and returns a store. Throws StoreConfigError for a bad location, MigrationError
 * when the schema cannot be brought up to date; with the spool (PostgreSQL default) an unreachable
 * database is not an error: the store starts in spool mode and `log` gets a warning.
 */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const loc = locate(opts);
  let store: Store =
    loc.kind === 'sqlite'
      ? new SqliteStore({ path: loc.path, ...(opts.redactor ? { redactor: opts.redactor } : {}) })
      : new PostgresStore({
          url: opts.url as string,
          ...(opts.schema !== undefined ? { schema: opts.schema } : {}),
          ...(opts.redactor ? { redactor: opts.redactor } : {}),
          ...(opts.log ? { log: opts.log } : {}),
          ...opts.postgres,
        });
  if (opts.spool ?? loc.kind === 'postgres') {
    store = new SpoolingStore(store, {
      dir: opts.spoolDir ?? DEFAULT_SPOOL_DIR,
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.redactor ? { redactor: opts.redactor } : {}),
      ...(opts.retryIntervalMs !== undefined ? { retryIntervalMs: opts.retryIntervalMs } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
  }
  if (opts.migrate ?? true) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }
  return store;
}

/** Replays a spooling store's writes now; for a store without a spool, nothing to do. */
export async function flushSpool(store: Store): Promise<FlushReport> {
  return store instanceof SpoolingStore ? store.flushSpool() : { replayed: 0, pending: 0, rejected: 0 };
}

/** The spool's state, or null for a store without one. */
export function spoolStatus(store: Store): SpoolStatus | null {
  return store instanceof SpoolingStore ? store.status() : null;
}

function locate(opts: OpenStoreOptions): StoreLocation {
  if (opts.url !== undefined) return parseStoreLocation(opts.url, 'store url');
  if (opts.path !== undefined) {
    if (!opts.path.trim()) throw new StoreConfigError('store path: empty; expected a file path such as .observer/observer.db');
    return { kind: 'sqlite', path: opts.path, description: `sqlite:${opts.path}` };
  }
  return { kind: 'sqlite', path: DEFAULT_SQLITE_PATH, description: `sqlite:${DEFAULT_SQLITE_PATH}` };
}
