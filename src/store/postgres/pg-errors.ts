/**
 * Which node-postgres errors mean "the database is down or slow" (spool the write, fail the read
 * fast) rather than "the statement is wrong" (a bug or bad data: surface it).
 */

/** Socket-level errors of the Node net stack. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'ENETDOWN']);

/**
 * SQLSTATEs: class 08 connection exceptions, 53 insufficient resources (disk full, too many
 * connections), 57P01-03 shutdown / cannot connect now, 57014 statement timeout or cancel.
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || code === '57P01' || code === '57P02' || code === '57P03' || code === '57014';
}

/** Messages node-postgres uses for client-side failures that carry no code. */
const PG_MESSAGES = /connection terminated|timeout exceeded when trying to connect|query read timeout|connection timeout|client has encountered a connection error|client was closed and is not queryable/i;

export function isUnavailablePgError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NET_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlState(code)) return true;
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
  const nested = (err as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.some((e) => isUnavailablePgError(e, depth + 1))) return true;
  return isUnavailablePgError((err as { cause?: unknown }).cause, depth + 1);
}

/** Deadlocks and serialization failures: the transaction is safe to run again. */
export function isRetryablePgError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
