/**
 * Redaction at every writer (logs, reports, traces' metadata, alerts, store):
 * known-secret header names plus every resolved `${env:NAME}` value and values registered at run time.
 */

export const REDACTED = '[REDACTED]';

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|x-csrf-token)$|token|secret|passw|api[-_]?key|session/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  /** Register a secret value; values shorter than 4 characters are ignored (they would shred text). */
  add(value: string | undefined | null): void {
    if (!value || value.length < 4 || this.secrets.has(value)) return;
    this.secrets.add(value);
    // Also the forms a secret takes on the wire.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.secrets.add(encoded);
    const b64 = Buffer.from(value).toString('base64');
    if (b64.length >= 8) this.secrets.add(b64);
    this.pattern = null;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Replace every registered secret in a string. */
  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const parts = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(parts.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
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

  /** Deep copy of a JSON-like value with every string redacted and secret-named keys masked. */
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
        out[k] = isSecretHeader(k) && typeof v === 'string' ? REDACTED : this.walk(v, depth + 1);
      }
      return out;
    }
    return value;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
