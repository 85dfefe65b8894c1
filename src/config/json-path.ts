/**
 * The JSON path subset assertions use: `$`, `.name`, `[0]`, `['odd name']`, `["odd name"]`.
 * Parsed once at load time so a typo is a config error, not a failed check at 3 a.m.
 */

export type JsonPathSegment = string | number;

export class JsonPathSyntaxError extends Error {
  readonly code = 'E_JSON_PATH';
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathSyntaxError';
  }
}

/** `$.items[0].price` → `['items', 0, 'price']`. Throws JsonPathSyntaxError naming the position. */
export function parseJsonPath(text: string): JsonPathSegment[] {
  if (!text.startsWith('$')) throw new JsonPathSyntaxError(`must start with "$" (e.g. "$.items[0].price")`);
  const out: JsonPathSegment[] = [];
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      const m = /^[A-Za-z_$][\w$-]*/.exec(text.slice(i + 1));
      if (!m) throw new JsonPathSyntaxError(`expected a field name after "." at position ${i + 1}`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = text.slice(i);
      const index = /^\[(0|[1-9]\d*)\]/.exec(rest);
      const quoted = /^\[(['"])((?:\\.|(?!\1).)*)\1\]/.exec(rest);
      if (index) {
        out.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        out.push(quoted[2].replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        throw new JsonPathSyntaxError(`expected [index] or ['name'] at position ${i}`);
      }
    } else {
      throw new JsonPathSyntaxError(`unexpected "${c}" at position ${i}; use .name, [index] or ['name']`);
    }
  }
  return out;
}
