/**
 * Escaping for the html report. Everything from the outside world (monitor names, error messages,
 * URLs, deploy descriptions) goes through `h` before it reaches markup; data for scripts goes
 * through `scriptJson`; links through `safeRelativeHref`.
 */

/** Escape text or a double-quoted attribute value. */
export function h(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"'`]/g, (c) => ESC[c] ?? c);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * JSON for `<script type="application/json">`: `<` `>` `&` and the line separators as \u escapes,
 * so `</script`, `<!--` and `]]>` cannot end or change the element. JSON.parse reads it unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline a script's source: `</script` and `<!--` cannot appear raw inside a script element. */
export function scriptSource(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Inline a stylesheet: `</style` cannot appear raw inside a style element. */
export function styleSource(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

/**
 * An href for an artifact path relative to the report: only relative paths (no scheme, no leading
 * `/` or `//`, no `..` escaping the folder); each segment percent-encoded. Null when unsafe.
 */
export function safeRelativeHref(p: string | undefined): string | null {
  if (!p) return null;
  const normal = p.replace(/\\/g, '/');
  if (/^[a-z][a-z0-9+.-]*:/i.test(normal) || normal.startsWith('/')) return null;
  const parts = normal.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.map((s) => encodeURIComponent(s)).join('/');
}
