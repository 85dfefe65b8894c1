/** PostgreSQL test helpers: the local server, and fresh schemas dropped after use. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.OBSERVER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function freshSchemaName(prefix = 'obs_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs one statement on the test database with a short-lived client. */
export async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
}

/** Counts rows of a table in a schema. */
export async function count(schema: string, table: string, where = 'true', values: unknown[] = []): Promise<number> {
  const rows = await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${table} WHERE ${where}`, values);
  return rows[0].n;
}
