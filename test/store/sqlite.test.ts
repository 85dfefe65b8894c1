/** The Store contract on SQLite (a fresh file per test), plus what only SQLite has. */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError, SqliteStore, openStore } from '../../src/store/index.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { storeContract } from './contract.js';
import { T0, apiResult } from './fixtures.js';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'observer-sqlite-'));
  const path = join(dir, 'observer.db');
  return {
    open: (opts) => openStore({ path, ...opts }),
    openUnmigrated: async () => new SqliteStore({ path }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStore specifics', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'observer-sqlite-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates the folder, uses WAL and records migrations in schema_migrations', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'deeper', 'observer.db');
    const store = await openStore({ url: `sqlite:${path}` });
    expect(store.description).toBe(`sqlite:${path}`);
    await store.saveResults([apiResult('r1', 'health', T0)]);
    await store.close();
    expect(existsSync(path)).toBe(true);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const rows = raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      // One row per top-level step, for step queries.
      const steps = raw.prepare('SELECT name, status, duration_ms FROM result_steps WHERE result_id = ?').all('r1:health');
      expect(steps).toEqual([{ name: 'GET /health', status: 'passed', duration_ms: 91.975 }]);
      const plan = raw.prepare("EXPLAIN QUERY PLAN SELECT doc FROM results WHERE monitor = 'x' AND started_at >= 0 ORDER BY started_at").all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toContain('results_monitor_started');
    } finally {
      raw.close();
    }
  });

  it('keeps both dialects on the same migration versions and names', () => {
    expect(SQLITE_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('refuses a database migrated by a newer build', async () => {
    const path = join(tempDir(), 'observer.db');
    const first = await openStore({ path });
    await first.close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from_the_future', 'x')").run();
    raw.close();
    const err = await openStore({ path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err).toMatchObject({ code: 'STORE_MIGRATION', version: 99 });
    expect((err as Error).message).toContain('newer observer');
  });

  it('opens the default path .observer/observer.db relative to the working directory', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore({});
      expect(store.description).toBe('sqlite:.observer/observer.db');
      await store.close();
      expect(existsSync(join(dir, '.observer', 'observer.db'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
