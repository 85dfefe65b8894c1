/**
 * Versioned migrations, dialect-free part: each dialect keeps its own ordered list of SQL
 * (sqlite/migrations.ts, postgres/migrations.ts) with the same versions and names, and records
 * what it applied in a `schema_migrations` table (version, name, applied_at).
 * A migration, once released, is never edited: add a new one.
 */
import { MigrationError } from './errors.js';

export interface Migration {
  /** 1, 2, 3, ... without gaps. */
  version: number;
  /** Short snake_case name; must match the recorded name of an applied migration. */
  name: string;
  /** Statements run in order inside one transaction together with the history row. */
  statements: readonly string[];
}

export interface AppliedMigration {
  version: number;
  name: string;
}

/** Throws when a list is not 1..n in order (a programming error caught by the tests). */
export function checkMigrationList(list: readonly Migration[], dialect: string): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MigrationError(`${dialect} migrations: entry ${i} has version ${m.version}, expected ${i + 1} (versions are 1..n without gaps)`, m.version);
    }
    if (!/^[a-z0-9_]+$/.test(m.name)) {
      throw new MigrationError(`${dialect} migrations: version ${m.version} has name ${JSON.stringify(m.name)}, expected snake_case`, m.version);
    }
  });
}

/**
 * The migrations still to apply, after checking that the recorded history is a prefix of ours:
 * a database migrated by a newer build, or whose history names differ, is refused.
 */
export function pendingMigrations(applied: readonly AppliedMigration[], known: readonly Migration[], where: string): Migration[] {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  for (const a of applied) {
    const ours = byVersion.get(a.version);
    if (!ours) {
      throw new MigrationError(
        `${where}: schema_migrations has version ${a.version} (${a.name}) but this build knows versions 1..${known.length}; the database was migrated by a newer observer, upgrade this runner`,
        a.version,
      );
    }
    if (ours.name !== a.name) {
      throw new MigrationError(`${where}: schema_migrations version ${a.version} is named ${JSON.stringify(a.name)}, this build expects ${JSON.stringify(ours.name)}`, a.version);
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return known.filter((m) => !done.has(m.version));
}
