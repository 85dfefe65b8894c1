/** openStore: choosing the implementation by location, refusing unknown ones, the spool on SQLite. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PostgresStore,
  SpoolingStore,
  SqliteStore,
  StoreConfigError,
  StoreUnavailableError,
  flushSpool,
  openStore,
  parseStoreLocation,
  redactUrl,
  spoolStatus,
} from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { T0, apiResult, run } from './fixtures.js';
import { PG_URL, dropSchema, freshSchemaName } from './pg-helpers.js';

describe('parseStoreLocation', () => {
  it('selects SQLite for sqlite: URLs and bare paths, PostgreSQL for postgres URLs', () => {
    expect(parseStoreLocation('sqlite:data/obs.db')).toEqual({ kind: 'sqlite', path: 'data/obs.db', description: 'sqlite:data/obs.db' });
    expect(parseStoreLocation('sqlite:///var/lib/obs.db')).toMatchObject({ kind: 'sqlite', path: '/var/lib/obs.db' });
    expect(parseStoreLocation('./obs.db')).toMatchObject({ kind: 'sqlite', path: './obs.db' });
    expect(parseStoreLocation('C:\\data\\obs.db')).toMatchObject({ kind: 'sqlite', path: 'C:\\data\\obs.db' });
    expect(parseStoreLocation('sqlite::memory:')).toMatchObject({ kind: 'sqlite', path: ':memory:' });
    const pgLoc = parseStoreLocation('postgresql://obs:pa%24%24word@db.internal:6543/observer?schema=tenant_a&sslmode=require');
    expect(pgLoc).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://obs:pa%24%24word@db.internal:6543/observer?sslmode=require',
      schema: 'tenant_a',
      description: 'postgres://obs@db.internal:6543/observer?schema=tenant_a',
    });
  });

  it('refuses unknown schemes and bad schema names, listing what is valid, without the password', () => {
    const err = (() => {
      try {
        parseStoreLocation('mysql://root:topsecret@db/obs');
      } catch (e) {
        return e as StoreConfigError;
      }
      throw new Error('expected a StoreConfigError');
    })();
    expect(err).toBeInstanceOf(StoreConfigError);
    expect(err.code).toBe('STORE_CONFIG');
    expect(err.message).toContain('postgres://, postgresql://, sqlite:PATH');
    expect(err.message).not.toContain('topsecret');
    expect(() => parseStoreLocation('postgres://db/obs?schema=1bad')).toThrow(/schema name/);
    expect(() => parseStoreLocation('  ')).toThrow(StoreConfigError);
    expect(redactUrl('postgres://u:p4ss@h/db?password=x&sslkey=y&a=b')).toBe('postgres://u:***@h/db?password=***&sslkey=***&a=b');
  });
});

describe('openStore', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'observer-open-'));
    cleanup.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  };
  const track = <T extends Store>(s: T): T => {
    cleanup.push(() => s.close());
    return s;
  };

  it('returns a migrated SQLite store for a path, a spooled PostgreSQL store for a URL', async () => {
    const dir = tempDir();
    const lite = track(await openStore({ path: join(dir, 'a.db') }));
    expect(lite).toBeInstanceOf(SqliteStore);
    expect(spoolStatus(lite)).toBeNull();
    expect(await flushSpool(lite)).toEqual({ replayed: 0, pending: 0, rejected: 0 });
    await lite.saveRun(run('r1'));

    const schema = freshSchemaName('obs_open');
    cleanup.push(() => dropSchema(schema));
    const pgStore = track(await openStore({ url: PG_URL, schema, spoolDir: join(dir, 'spool') }));
    expect(pgStore).toBeInstanceOf(SpoolingStore);
    expect((pgStore as SpoolingStore).target).toBeInstanceOf(PostgresStore);
    await pgStore.saveRun(run('r1'));
    expect(await pgStore.getRun('r1')).toEqual(run('r1'));

    const bare = track(await openStore({ url: `${PG_URL}?schema=${schema}`, spool: false }));
    expect(bare).toBeInstanceOf(PostgresStore);
    expect(await bare.getRun('r1')).toEqual(run('r1'));
  });

  it('fails with StoreUnavailableError at open when PostgreSQL is down and the spool is off', async () => {
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    await expect(openStore({ url: 'postgres://postgres@127.0.0.1:9/test', spool: false, postgres: { connectionTimeoutMs: 1000 } })).rejects.toThrow(StoreUnavailableError);
  });

  it('spools SQLite writes while another process holds the write lock, if asked to', async () => {
    const dir = tempDir();
    const path = join(dir, 'locked.db');
    const logs: string[] = [];
    const store = track(await openStore({ path, spool: true, spoolDir: join(dir, 'spool'), retryIntervalMs: 0, log: (m) => logs.push(m) }));
    await store.saveRun(run('r1'));
    // A second store on the same file with a short busy_timeout, then the write lock held elsewhere.
    const quick = new SpoolingStore(new SqliteStore({ path, busyTimeoutMs: 20 }), { dir: join(dir, 'spool'), retryIntervalMs: 0, log: (m) => logs.push(m) });
    track(quick);
    await quick.migrate();
    const holder = new Database(path);
    cleanup.push(() => {
      if (holder.open) holder.close();
    });
    holder.exec('BEGIN IMMEDIATE');
    await quick.saveResults([apiResult('r1', 'm1', T0)]);
    await quick.saveResults([apiResult('r1', 'm2', T0 + 1)]);
    expect(quick.status().pendingLines).toBe(2);
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/unavailable/);
    holder.exec('COMMIT');
    expect(await quick.flushSpool()).toEqual({ replayed: 2, pending: 0, rejected: 0 });
    expect((await store.listResults()).map((r) => r.id)).toEqual(['r1:m1', 'r1:m2']);
  });
});
