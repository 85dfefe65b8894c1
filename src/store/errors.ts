/**
 * Store errors: one class per failure kind, each with a stable `code` (logged, matched by callers,
 * never parsed from messages). Messages name the store (`description`, never a password) and the
 * operation; the driver error is kept as `cause`.
 */

export type StoreErrorCode =
  | 'STORE_UNAVAILABLE'
  | 'STORE_MIGRATION'
  | 'STORE_CONFIG'
  | 'STORE_INVALID_INPUT'
  | 'STORE_NOT_FOUND'
  | 'STORE_QUERY'
  | 'STORE_SPOOL'
  | 'STORE_CLOSED';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The database cannot be reached or did not answer in time (connection refused/reset/terminated,
 * connection or statement timeout, server shutting down, SQLite file locked past busy_timeout).
 * Writes through the spool are kept on disk instead; reads fail with this error.
 */
export class StoreUnavailableError extends StoreError {
  readonly code = 'STORE_UNAVAILABLE' as const;
}

/** A migration could not be applied, or the database's schema history does not match this build. */
export class MigrationError extends StoreError {
  readonly code = 'STORE_MIGRATION' as const;
  constructor(
    message: string,
    /** The migration version concerned, when one is. */
    readonly version?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The store URL, path or options are invalid (unknown scheme, bad schema name, folder not creatable). */
export class StoreConfigError extends StoreError {
  readonly code = 'STORE_CONFIG' as const;
}

/** A value handed to the store is not what the contract expects (unparseable instant, bad limit). */
export class StoreInvalidInputError extends StoreError {
  readonly code = 'STORE_INVALID_INPUT' as const;
  constructor(
    message: string,
    /** Field path, e.g. `results[3].startedAt`. */
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An update addressed a row that does not exist (e.g. `markDelivery` of an unknown id). */
export class StoreNotFoundError extends StoreError {
  readonly code = 'STORE_NOT_FOUND' as const;
}

/** The database rejected a statement for a reason other than availability (a bug or bad data). */
export class StoreQueryError extends StoreError {
  readonly code = 'STORE_QUERY' as const;
}

/** The spool could not keep a write on disk (disk full, permissions): the write is lost to the caller. */
export class SpoolError extends StoreError {
  readonly code = 'STORE_SPOOL' as const;
}

/** The store was used after `close()`. */
export class StoreClosedError extends StoreError {
  readonly code = 'STORE_CLOSED' as const;
}

export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError;
}

/** `err.message` for any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
