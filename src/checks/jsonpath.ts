/**
 * A small JSONPath subset, tokenized and parsed (never matched by substring), parsed once per
 * distinct expression and cached.
 *
 * Grammar:
 *   path     := '$' segment*
 *   segment  := '.' name | '.' '*' | '[' selector ']'
 *   selector := string | integer | '*'          string: '...' or "..." with \-escapes
 *   name     := [A-Za-z_$][A-Za-z0-9_$-]*        integer: -?[0-9]+ (negative counts from the end)
 *
 * `*` selects every element of an array or every value of an object; a path with a wildcard
 * yields a list of matches, each with its concrete path (`$.items[2].price`) for messages.
 */

export type PathSegment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' };

export interface JsonPath {
  /** The expression as written. */
  source: string;
  segments: readonly PathSegment[];
  /** True when the path contains `*` (it yields a list). */
  multi: boolean;
}

export interface PathMatch {
  /** Concrete path of this value, e.g. `$.items[0].price`. */
  path: string;
  value: unknown;
}

export class JsonPathSyntaxError extends Error {
  readonly code = 'OBS_JSONPATH_SYNTAX';
  constructor(
    readonly expression: string,
    readonly position: number,
    reason: string,
  ) {
    super(`invalid JSON path ${JSON.stringify(expression)} at ${position}: ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

type Token =
  | { type: 'root' | 'dot' | 'open' | 'close' | 'star'; pos: number }
  | { type: 'name' | 'string'; value: string; pos: number }
  | { type: 'int'; value: number; pos: number };

const NAME_START = /[A-Za-z_$]/;
const NAME_PART = /[A-Za-z0-9_$-]/;

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const pos = i;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '$' && i === 0) {
      tokens.push({ type: 'root', pos });
      i++;
    } else if (c === '.') {
      tokens.push({ type: 'dot', pos });
      i++;
    } else if (c === '[') {
      tokens.push({ type: 'open', pos });
      i++;
    } else if (c === ']') {
      tokens.push({ type: 'close', pos });
      i++;
    } else if (c === '*') {
      tokens.push({ type: 'star', pos });
      i++;
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new JsonPathSyntaxError(src, pos, 'unterminated string');
        const d = src[i]!;
        if (d === '\\') {
          const next = src[i + 1];
          if (next === undefined) throw new JsonPathSyntaxError(src, i, 'dangling escape');
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ type: 'string', value, pos });
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = c === '-' ? i + 1 : i;
      while (j < src.length && src[j]! >= '0' && src[j]! <= '9') j++;
      if (j === i + (c === '-' ? 1 : 0)) throw new JsonPathSyntaxError(src, pos, 'expected digits after "-"');
      tokens.push({ type: 'int', value: Number(src.slice(i, j)), pos });
      i = j;
    } else if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < src.length && NAME_PART.test(src[j]!)) j++;
      tokens.push({ type: 'name', value: src.slice(i, j), pos });
      i = j;
    } else {
      throw new JsonPathSyntaxError(src, pos, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

export function parseJsonPath(src: string): JsonPath {
  const tokens = tokenize(src);
  const first = tokens[0];
  if (!first || first.type !== 'root') throw new JsonPathSyntaxError(src, 0, 'a JSON path starts with "$"');
  const segments: PathSegment[] = [];
  let i = 1;
  const at = (k: number): Token | undefined => tokens[k];
  while (i < tokens.length) {
    const t = at(i)!;
    if (t.type === 'dot') {
      const n = at(i + 1);
      if (n?.type === 'name') segments.push({ kind: 'key', key: n.value });
      else if (n?.type === 'star') segments.push({ kind: 'wildcard' });
      else throw new JsonPathSyntaxError(src, n?.pos ?? src.length, 'expected a name or "*" after "."');
      i += 2;
    } else if (t.type === 'open') {
      const sel = at(i + 1);
      const close = at(i + 2);
      if (sel?.type === 'string') segments.push({ kind: 'key', key: sel.value });
      else if (sel?.type === 'int') segments.push({ kind: 'index', index: sel.value });
      else if (sel?.type === 'star') segments.push({ kind: 'wildcard' });
      else throw new JsonPathSyntaxError(src, sel?.pos ?? src.length, 'expected a quoted key, an index or "*" inside [ ]');
      if (close?.type !== 'close') throw new JsonPathSyntaxError(src, close?.pos ?? src.length, 'expected "]"');
      i += 3;
    } else {
      throw new JsonPathSyntaxError(src, t.pos, 'expected "." or "["');
    }
  }
  return { source: src, segments, multi: segments.some((s) => s.kind === 'wildcard') };
}

const MAX_CACHED = 10_000;
const cache = new Map<string, JsonPath>();

/** Parse with a process-wide cache (expressions come from config, so the set is small). */
export function compileJsonPath(src: string): JsonPath {
  let p = cache.get(src);
  if (!p) {
    p = parseJsonPath(src);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(src, p);
  }
  return p;
}

/** Every value the path selects in `doc`, in document order. */
export function evaluateJsonPath(path: JsonPath, doc: unknown): PathMatch[] {
  let current: PathMatch[] = [{ path: '$', value: doc }];
  for (const seg of path.segments) {
    const next: PathMatch[] = [];
    for (const m of current) {
      const v = m.value;
      if (seg.kind === 'key') {
        if (isObject(v) && Object.prototype.hasOwnProperty.call(v, seg.key)) {
          next.push({ path: m.path + formatKey(seg.key), value: v[seg.key] });
        }
      } else if (seg.kind === 'index') {
        if (Array.isArray(v)) {
          const idx = seg.index < 0 ? v.length + seg.index : seg.index;
          if (idx >= 0 && idx < v.length) next.push({ path: `${m.path}[${idx}]`, value: v[idx] });
        }
      } else if (Array.isArray(v)) {
        v.forEach((item, idx) => next.push({ path: `${m.path}[${idx}]`, value: item }));
      } else if (isObject(v)) {
        for (const [k, item] of Object.entries(v)) next.push({ path: m.path + formatKey(k), value: item });
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `.key` when it reads as a name, else `['key']`. */
export function formatKey(key: string): string {
  return IDENT.test(key) ? `.${key}` : `[${quote(key)}]`;
}

function quote(key: string): string {
  return `'${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
