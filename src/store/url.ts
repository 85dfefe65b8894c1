/**
 * Store locations: `postgres://` / `postgresql://` URLs select PostgreSQL, `sqlite:PATH` or a bare
 * path selects SQLite. Any other scheme is refused with the list of valid ones. Descriptions made
 * here never contain a password.
 */
import { StoreConfigError } from './errors.js';

export type StoreLocation =
  | { kind: 'sqlite'; path: string; description: string }
  | {
      kind: 'postgres';
      /** What node-postgres gets: the URL without our own `schema` parameter. */
      connectionString: string;
      /** Schema from `?schema=NAME`, if any. */
      schema?: string;
      description: string;
    };

const SCHEME = /^([a-z][a-z0-9+.-]+):/i;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseStoreLocation(text: string, field = 'store url'): StoreLocation {
  const trimmed = text.trim();
  if (!trimmed) throw new StoreConfigError(`${field}: empty; expected postgres://..., postgresql://..., sqlite:PATH or a file path`);
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  // One-letter "schemes" are Windows drive letters (C:\...): a path.
  if (scheme === undefined) return sqlite(trimmed);
  if (scheme === 'sqlite' || scheme === 'file') {
    let path = trimmed.slice(scheme.length + 1);
    // sqlite://relative/path and sqlite:///absolute/path
    if (path.startsWith('//')) path = path.slice(2);
    if (!path) throw new StoreConfigError(`${field}: ${JSON.stringify(text)} has no path; expected sqlite:PATH`);
    return sqlite(path);
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return postgres(trimmed, field);
  throw new StoreConfigError(
    `${field}: unknown scheme ${JSON.stringify(scheme + ':')} in ${JSON.stringify(redactUrl(trimmed))}; valid: postgres://, postgresql://, sqlite:PATH, or a file path`,
  );
}

export function checkSchemaName(name: string, field = 'schema'): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new StoreConfigError(`${field}: ${JSON.stringify(name)} is not a valid schema name; expected lower-case letters, digits and _ (at most 63), not starting with a digit`);
  }
  return name;
}

function sqlite(path: string): StoreLocation {
  return { kind: 'sqlite', path, description: `sqlite:${path}` };
}

function postgres(text: string, field: string): StoreLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new StoreConfigError(`${field}: not a valid URL: ${JSON.stringify(redactUrl(text))}`, { cause: err });
  }
  const schemaParam = url.searchParams.get('schema');
  const schema = schemaParam === null ? undefined : checkSchemaName(schemaParam, `${field} ?schema`);
  url.searchParams.delete('schema');
  return {
    kind: 'postgres',
    connectionString: url.toString(),
    ...(schema !== undefined ? { schema } : {}),
    description: describePostgres(url, schema),
  };
}

/** `postgres://user@host:port/db?schema=x`: no password, no other query parameters. */
export function describePostgres(url: URL, schema?: string): string {
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  const port = url.port ? `:${url.port}` : '';
  return `postgres://${user}${url.hostname}${port}${url.pathname}${schema ? `?schema=${schema}` : ''}`;
}

/** A URL with its password (and any `password`-like query parameter) masked, for messages. */
export function redactUrl(text: string): string {
  return text
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&][^=&#]*(?:passw|secret|token|key)[^=&#]*=)[^&#]*/gi, '$1***');
}
