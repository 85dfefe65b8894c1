/**
 * Error signatures: a failure message with its variable parts replaced by placeholders, so that
 * `timeout after 5012 ms on /orders/8841` and `timeout after 4977 ms on /orders/17` are one
 * signature. Fingerprint = FNV-1a (32-bit, hex) of `class|normalized`.
 */

const RULES: [RegExp, string][] = [
  // URLs: keep scheme, host and path shape, drop query/fragment (ids inside the path go below).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#'"]+)([^\s?#'"]*)(\?[^\s#'"]*)?(#[^\s'"]*)?/gi, '$1$2'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g, '<time>'],
  [/\b(\d{1,3}\.){3}\d{1,3}(:\d+)?\b/g, '<ip>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/"[^"]*"/g, '"<str>"'],
  [/'[^']*'/g, "'<str>'"],
  [/`[^`]*`/g, '`<str>`'],
  [/-?\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '<n>'],
  [/\s+/g, ' '],
];

/** The message with numbers, ids, uuids, hex, times, IPs, quoted strings and URL queries replaced. */
export function normalizeMessage(message: string): string {
  let s = message.length > 2000 ? message.slice(0, 2000) : message;
  for (const [re, rep] of RULES) s = s.replace(re, rep);
  return s.trim();
}

/** FNV-1a 32-bit hash as 8 hex digits. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function errorFingerprint(errorClass: string, message: string): { fingerprint: string; signature: string } {
  const signature = normalizeMessage(message);
  return { fingerprint: fnv1a(`${errorClass}|${signature}`), signature };
}
