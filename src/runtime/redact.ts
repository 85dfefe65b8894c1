/**
 * Redaction at every writer (logs, reports, traces' metadata, alerts, store). It works on values,
 * never on identifiers:
 * - registered secrets (every resolved `${env:NAME}` value, URL passwords, credentials of auth
 *   headers) are replaced wherever they appear in free text, in their plain, JSON-escaped,
 *   URL-encoded and base64 forms; a value only counts as a secret by itself when it is long and
 *   varied enough (`isSecretLike`), so an ordinary word (`observer`, `production`) never shreds text;
 * - secrets recognised by their shape are replaced whether registered or not: the password of a
 *   URL (`scheme://user:PASSWORD@`), secret-named query values (`?token=...`), `Bearer` tokens;
 * - a truncated string (ending with `…` or `...`) that ends with the first >= 4 characters of a
 *   secret has that prefix replaced too;
 * - in objects, fields named like secrets are masked whole, and identifier fields (ids, monitor and
 *   channel names, schema tags, series keys: `IDENTIFIER_KEYS`) are copied untouched. Keys are
 *   never rewritten.
 */

export const REDACTED = '[REDACTED]';

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|x-csrf-token)$|token|secret|passw|api[-_]?key|session/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** Query parameters whose value is a credential (besides secret-like names). */
const SECRET_QUERY = /^(key|sig|signature|code|auth|credential|credentials)$/i;

export function isSecretQueryParam(name: string): boolean {
  return isSecretHeader(name) || SECRET_QUERY.test(name);
}

/**
 * Fields whose values are identifiers or fixed vocabulary, never secrets: redacting them would
 * corrupt ids and names other records refer to (`results.monitor`, a delivery's `channel`).
 */
export const IDENTIFIER_KEYS: ReadonlySet<string> = new Set([
  'id',
  'runId',
  'alertId',
  'monitor',
  'channel',
  'channels',
  'schema',
  'key',
  'kind',
  'status',
  'severity',
  'class',
  'event',
  'metric',
  'step',
  'location',
  'environment',
  'shard',
  'tags',
  'series',
]);

/** Shortest value registered as a secret by itself. */
export const MIN_SECRET_LENGTH = 8;
/** Shannon entropy (bits, over the whole value) that makes a single-class value a secret. */
export const MIN_SECRET_BITS = 32;
/** Shortest secret prefix replaced at a truncated end. */
export const MIN_SECRET_PREFIX = 4;

/**
 * Whether a value is specific enough to be redacted wherever it appears: at least 8 characters
 * and either two character classes (lower, upper, digit, other) or 32 bits of Shannon entropy.
 * `observer`, `production` or `12345678` are not; `first-value`, `Summer2024`, a random token are.
 */
export function isSecretLike(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 || entropyBits(value) >= MIN_SECRET_BITS;
}

function entropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h * value.length;
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"<>]*):([^\s/@'"<>]+)@/gi;
const QUERY_VALUE = /([?&])([A-Za-z0-9_.\-[\]]+)=([^&\s#'"<>]+)/g;
const BEARER = /\b(Bearer\s+)([A-Za-z0-9._~+/=-]{8,})/g;
const TRUNCATION = /(…|\.\.\.)/g;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /**
   * Register a secret value (and the forms it takes on the wire). Values that are not
   * `isSecretLike` are ignored: they would shred ordinary text. Returns whether it was registered.
   */
  add(value: string | undefined | null): boolean {
    if (!value || !isSecretLike(value)) return false;
    if (this.secrets.has(value)) return true;
    this.secrets.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.secrets.add(escaped);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
    const formEncoded = encoded.replace(/%20/g, '+');
    if (formEncoded !== encoded) this.secrets.add(formEncoded);
    this.secrets.add(Buffer.from(value).toString('base64'));
    this.secrets.add(Buffer.from(value).toString('base64url'));
    this.pattern = null;
    return true;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Replace every secret in a string (registered values, shapes, prefixes at a truncated end). */
  redact(text: string): string {
    if (!text) return text;
    let out = text;
    if (this.secrets.size > 0) {
      if (!this.pattern) {
        const parts = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
        this.pattern = new RegExp(parts.join('|'), 'g');
      }
      out = out.replace(this.pattern, REDACTED);
    }
    if (out.includes('://')) out = out.replace(URL_PASSWORD, (_m, head: string, pass: string) => (pass === REDACTED ? _m : `${head}:${REDACTED}@`));
    if (out.includes('=')) {
      out = out.replace(QUERY_VALUE, (m, sep: string, name: string, value: string) => {
        if (!isSecretQueryParam(name) || value.startsWith(REDACTED)) return m;
        const tail = /[:;,.)\]]+$/.exec(value)?.[0] ?? ''; // punctuation of the sentence around the URL
        return `${sep}${name}=${REDACTED}${tail}`;
      });
    }
    if (out.includes('Bearer')) out = out.replace(BEARER, (m, head: string, token: string) => (token.startsWith('[REDACTED') ? m : `${head}${REDACTED}`));
    if (this.secrets.size > 0) out = this.redactCutPrefixes(out);
    return out;
  }

  /** Redact, then cut to `max` characters (with `…`), so a cut can never expose part of a secret. */
  truncate(text: string, max: number): string {
    const safe = this.redact(text);
    if (safe.length <= max) return safe;
    return this.redactCutPrefixes(`${safe.slice(0, Math.max(0, max - 1))}…`);
  }

  /** Headers with secret names masked and secret values replaced. */
  redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      const value = Array.isArray(v) ? v.join(', ') : v;
      out[k] = isSecretHeader(k) ? REDACTED : this.redact(value);
    }
    return out;
  }

  /**
   * Deep copy of a JSON-like value: strings redacted, secret-named fields masked, identifier fields
   * (`IDENTIFIER_KEYS`) and all keys kept as they are.
   */
  redactDeep<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (depth > 64) return value;
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (IDENTIFIER_KEYS.has(k)) out[k] = v;
        else out[k] = isSecretHeader(k) && typeof v === 'string' ? REDACTED : this.walk(v, depth + 1);
      }
      return out;
    }
    return value;
  }

  /** Before each truncation mark (and at the end), replace the longest >= 4-char prefix of a secret. */
  private redactCutPrefixes(text: string): string {
    const cuts: number[] = [];
    for (const m of text.matchAll(TRUNCATION)) cuts.push(m.index);
    if (cuts.length === 0) return text;
    let out = text;
    for (const cut of cuts.reverse()) {
      const len = this.secretPrefixEndingAt(out, cut);
      if (len > 0) out = out.slice(0, cut - len) + REDACTED + out.slice(cut);
    }
    return out;
  }

  private secretPrefixEndingAt(text: string, end: number): number {
    let best = 0;
    for (const secret of this.secrets) {
      for (let k = Math.min(secret.length - 1, end); k >= MIN_SECRET_PREFIX && k > best; k--) {
        if (text.startsWith(secret.slice(0, k), end - k)) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
