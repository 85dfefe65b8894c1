/** The Store contract on a real PostgreSQL (a fresh schema per test, dropped after), plus what only PostgreSQL has. */
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError, PostgresStore, StoreConfigError, openStore, spoolStatus } from '../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { storeContract } from './contract.js';
import { T0, apiResult, result } from './fixtures.js';
import { PG_URL, admin, count, dropSchema, freshSchemaName } from './pg-helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();
const spoolDirs: string[] = [];
afterAll(async () => {
  for (const s of created) await dropSchema(s);
  for (const d of spoolDirs) rmSync(d, { recursive: true, force: true });
});

function schema(): string {
  const name = freshSchemaName();
  created.add(name);
  return name;
}

function spoolDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'observer-pg-spool-'));
  spoolDirs.push(d);
  return d;
}

storeContract('postgres', async () => {
  const name = schema();
  const dir = spoolDir();
  return {
    open: (opts) => openStore({ url: `${PG_URL}?schema=${name}`, spoolDir: dir, ...opts }),
    openUnmigrated: async () => new PostgresStore({ url: PG_URL, schema: name }),
    dispose: async () => {
      await dropSchema(name);
      created.delete(name);
    },
  };
});

describe('PostgresStore specifics', () => {
  it('describes itself without the password and keeps tables in its schema', async () => {
    const name = schema();
    const url = PG_URL.replace('postgres@', 'postgres:hunter2-very-secret@') + `?schema=${name}&sslmode=disable`;
    const store = await openStore({ url, spoolDir: spoolDir() });
    try {
      expect(store.description).toBe(`postgres://postgres@127.0.0.1:5432/test?schema=${name}`);
      expect(store.description).not.toContain('hunter2');
      expect(spoolStatus(store)).toMatchObject({ pendingLines: 0, down: false });
      await store.saveResults([result('r1', 'shop', T0)]);
      expect(await count(name, 'results')).toBe(1);
      // One row per top-level step, queryable without parsing JSON.
      const steps = await admin(`SELECT name, status, duration_ms FROM ${name}.result_steps WHERE result_id = $1 ORDER BY idx`, ['r1:shop']);
      expect(steps).toEqual([
        { name: 'open home', status: 'passed', duration_ms: 412.5 },
        { name: 'checkout', status: 'failed', duration_ms: 3001 },
        { name: 'confirm', status: 'skipped', duration_ms: 0 },
      ]);
      const types = await admin(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'results' AND column_name IN ('steps', 'doc', 'started_at') ORDER BY column_name`,
        [name],
      );
      expect(types).toEqual([
        { column_name: 'doc', data_type: 'jsonb' },
        { column_name: 'started_at', data_type: 'timestamp with time zone' },
        { column_name: 'steps', data_type: 'jsonb' },
      ]);
      const applied = await admin(`SELECT version, name FROM ${name}.schema_migrations ORDER BY version`);
      expect(applied).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    } finally {
      await store.close();
    }
  });

  it('keeps two schemas apart', async () => {
    const a = schema();
    const b = schema();
    const sa = await openStore({ url: PG_URL, schema: a, spoolDir: spoolDir() });
    const sb = await openStore({ url: `${PG_URL}?schema=${b}`, spoolDir: spoolDir() });
    try {
      await sa.saveResults([apiResult('r1', 'only-a', T0)]);
      expect(await sa.listResults()).toHaveLength(1);
      expect(await sb.listResults()).toHaveLength(0);
    } finally {
      await Promise.all([sa.close(), sb.close()]);
    }
  });

  it('refuses a schema migrated by a newer build, and bad schema names', async () => {
    const name = schema();
    const first = await openStore({ url: PG_URL, schema: name, spoolDir: spoolDir() });
    await first.close();
    await admin(`INSERT INTO ${name}.schema_migrations (version, name) VALUES (99, 'from_the_future')`);
    await expect(openStore({ url: PG_URL, schema: name, spoolDir: spoolDir() })).rejects.toThrow(MigrationError);
    await expect(openStore({ url: `${PG_URL}?schema=Robert'); DROP TABLE x;--` })).rejects.toThrow(StoreConfigError);
  });

  it('migrates once when many runners open the same fresh schema together', async () => {
    const name = schema();
    const stores = await Promise.all(Array.from({ length: 6 }, () => openStore({ url: PG_URL, schema: name, spoolDir: spoolDir(), postgres: { poolMax: 2 } })));
    try {
      expect(await count(name, 'schema_migrations')).toBe(POSTGRES_MIGRATIONS.length);
      await Promise.all(stores.map((s, i) => s.saveResults([apiResult(`r${i}`, 'health', T0 + i)])));
      expect(await stores[0].listResults({ monitor: 'health' })).toHaveLength(6);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
