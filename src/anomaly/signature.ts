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

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over `text`, continuing from the hash state `h` (start with `fnvStart`). */
export function fnvUpdate(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

export const fnvStart = FNV_OFFSET;

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** A 32-bit hash state as 8 lowercase hex digits (as `(h >>> 0).toString(16).padStart(8, '0')`, without the number formatting). */
export function hex8(h: number): string {
  return String.fromCharCode(HEX[(h >>> 28) & 15], HEX[(h >>> 24) & 15], HEX[(h >>> 20) & 15], HEX[(h >>> 16) & 15], HEX[(h >>> 12) & 15], HEX[(h >>> 8) & 15], HEX[(h >>> 4) & 15], HEX[h & 15]);
}

/** FNV-1a 32-bit hash as 8 hex digits. */
export function fnv1a(text: string): string {
  return hex8(fnvUpdate(FNV_OFFSET, text));
}

export function errorFingerprint(errorClass: string, message: string): { fingerprint: string; signature: string } {
  const signature = normalizeMessage(message);
  return { fingerprint: fnv1a(`${errorClass}|${signature}`), signature };
}
