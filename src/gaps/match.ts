/**
 * Concrete requests → OpenAPI operations, and the requests that match none grouped into templates.
 *
 * `OperationMatcher` compiles every operation's full path (base path + template) into one segment tree:
 * a literal child per segment value (a Map lookup) and, per node, the templated edges ordered from the most
 * constrained to the least. A request walks the tree once; a literal segment is tried before a template
 * (`/users/me` wins over `/users/{id}`, as the OpenAPI spec says) and the walk backs up when a deeper
 * segment or the method does not fit. A path parameter's schema decides what it accepts (`type: integer`
 * does not take `abc`; `format: uuid`, `pattern`, `enum`, bounds), checked by ajv with type coercion.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isIdSegment } from '../sources/access-log/parse.js';
import type { ApiDescription, ApiOperation, ApiParameter } from './openapi.js';

const addFormats = addFormatsModule.default;

type Test = (value: string) => boolean;

interface ParamEdge {
  /** Literal text before and after the parameter(s) in the segment: `{name}.json` → ['', '.json']. */
  regex?: RegExp;
  /** One test per parameter of the segment, in order. */
  tests: Test[];
  /** How constrained: higher is tried first. */
  rank: number;
  /** A last segment whose parameter may span several segments (`x-multi-segment`, GitHub's `{path}`). */
  rest: boolean;
  /** Edges with the same shape share one child. */
  shape: string;
  child: Node;
}

class Node {
  literal?: Map<string, Node>;
  params?: ParamEdge[];
  ops?: Map<string, ApiOperation>;
}

const ALWAYS: Test = () => true;

/** `42`, `-7` (what ajv's coercion takes for `type: integer`, minus exponents). */
function isInteger(v: string): boolean {
  const n = v.length;
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return false;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export interface MatcherOptions {
  /** Base paths to use instead of the document's `servers` / `basePath` (e.g. `['']` behind a proxy that strips them). */
  basePaths?: string[];
}

export class OperationMatcher {
  private readonly root = new Node();
  private readonly ajv: Ajv;
  private readonly tests = new Map<string, Test>();
  /** Operations compiled into the tree. */
  readonly size: number;

  constructor(
    readonly api: ApiDescription,
    options: MatcherOptions = {},
  ) {
    this.ajv = new Ajv({ strict: false, coerceTypes: true, allErrors: false, allowUnionTypes: true, validateSchema: false });
    addFormats(this.ajv);
    let n = 0;
    for (const op of api.operations) {
      for (const base of options.basePaths ?? op.basePaths) {
        this.insert(op, base);
        n++;
      }
    }
    this.size = n;
    sortEdges(this.root, new Set());
  }

  /**
   * The operation `method` + `urlOrPath` calls: an absolute URL or a path, query and fragment ignored,
   * percent-encoding decoded per segment. `HEAD` falls back to `GET`.
   */
  match(method: string, urlOrPath: string): ApiOperation | undefined {
    const m = method.length <= 7 ? method.toUpperCase() : method;
    const segs = splitPath(urlOrPath);
    if (segs === undefined) return undefined;
    return walk(this.root, segs, 0, m) ?? (m === 'HEAD' ? walk(this.root, segs, 0, 'GET') : undefined);
  }

  private insert(op: ApiOperation, base: string): void {
    const byName = new Map<string, ApiParameter>();
    for (const p of op.parameters) if (p.in === 'path') byName.set(p.name, p);
    const segs = splitTemplate(base + (op.path === '/' && base ? '' : op.path));
    let node = this.root;
    segs.forEach((seg, i) => {
      if (!seg.includes('{')) {
        node.literal ??= new Map();
        let next = node.literal.get(seg);
        if (!next) node.literal.set(seg, (next = new Node()));
        node = next;
        return;
      }
      const names: string[] = [];
      const parts = seg.split(/\{([^}]*)\}/);
      let pattern = '^';
      for (let k = 0; k < parts.length; k++) {
        if (k % 2 === 0) pattern += escapeRegex(parts[k]);
        else {
          names.push(parts[k]);
          pattern += '(.+?)';
        }
      }
      pattern += '$';
      const whole = names.length === 1 && parts[0] === '' && parts[2] === '';
      const params = names.map((name) => byName.get(name));
      const tests = params.map((p) => this.testFor(p));
      const shape = `${whole ? '' : pattern} ${params.map((p) => stableKey(p?.schema)).join(' ')}`;
      const rest = whole && i === segs.length - 1 && params[0]?.multiSegment === true;
      node.params ??= [];
      let edge = node.params.find((e) => e.shape === shape && e.rest === rest);
      if (!edge) {
        edge = { tests, rank: rankOf(params, whole, parts), rest, shape, child: new Node(), ...(whole ? {} : { regex: new RegExp(pattern) }) };
        node.params.push(edge);
      }
      node = edge.child;
    });
    node.ops ??= new Map();
    // The first operation with a method on a path wins (a document cannot have two).
    if (!node.ops.has(op.method)) node.ops.set(op.method, op);
  }

  private testFor(p: ApiParameter | undefined): Test {
    const schema = p?.schema;
    if (!isConstrained(schema)) return ALWAYS;
    // The commonest constraint, tested without ajv: runs per request segment.
    const s = schema as Record<string, unknown>;
    if (s.type === 'integer' && Object.keys(s).every((k) => k === 'type' || k === 'format' || k === 'description' || k === 'example')) return isInteger;
    const key = stableKey(schema);
    let t = this.tests.get(key);
    if (!t) {
      let fn: ValidateFunction;
      try {
        fn = this.ajv.compile({ type: 'object', properties: { v: schema as object } });
      } catch {
        t = ALWAYS;
        this.tests.set(key, t);
        return t;
      }
      t = (value: string) => fn({ v: value });
      this.tests.set(key, t);
    }
    return t;
  }
}

function walk(node: Node, segs: string[], i: number, method: string): ApiOperation | undefined {
  if (i === segs.length) return node.ops?.get(method);
  const seg = segs[i];
  const lit = node.literal?.get(seg);
  if (lit) {
    const hit = walk(lit, segs, i + 1, method);
    if (hit) return hit;
  }
  const edges = node.params;
  if (!edges || seg === '') return undefined;
  let decoded: string | undefined;
  for (const e of edges) {
    if (e.rest) {
      const value = segs.slice(i).join('/');
      if (e.tests[0](safeDecode(value))) {
        const hit = e.child.ops?.get(method);
        if (hit) return hit;
      }
      continue;
    }
    decoded ??= safeDecode(seg);
    if (e.regex) {
      const m = e.regex.exec(decoded);
      if (!m) continue;
      let ok = true;
      for (let k = 0; k < e.tests.length && ok; k++) ok = e.tests[k](m[k + 1]);
      if (!ok) continue;
    } else if (!e.tests[0](decoded)) continue;
    const hit = walk(e.child, segs, i + 1, method);
    if (hit) return hit;
  }
  return undefined;
}

function sortEdges(node: Node, seen: Set<Node>): void {
  if (seen.has(node)) return;
  seen.add(node);
  if (node.params) {
    node.params.sort((a, b) => Number(a.rest) - Number(b.rest) || b.rank - a.rank);
    for (const e of node.params) sortEdges(e.child, seen);
  }
  if (node.literal) for (const c of node.literal.values()) sortEdges(c, seen);
}

/** Literal text in the segment and a constrained schema make an edge more specific. */
function rankOf(params: Array<ApiParameter | undefined>, whole: boolean, parts: string[]): number {
  let r = whole ? 0 : 10 + parts.filter((_, k) => k % 2 === 0).join('').length;
  for (const p of params) if (isConstrained(p?.schema)) r += 5;
  return r;
}

function isConstrained(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  const s = schema as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (k === 'type') {
      if (s.type !== 'string' && !(Array.isArray(s.type) && s.type.includes('string'))) return true;
    } else if (['format', 'pattern', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'anyOf', 'oneOf', 'allOf', 'not'].includes(k)) return true;
  }
  return false;
}

const keyCache = new WeakMap<object, string>();
function stableKey(schema: unknown): string {
  if (schema === null || typeof schema !== 'object') return String(schema);
  let k = keyCache.get(schema);
  if (k === undefined) {
    const s = schema as Record<string, unknown>;
    k = JSON.stringify(s, Object.keys(s).sort());
    keyCache.set(schema, k);
  }
  return k;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `/a/{id}/` → ['a', '{id}']. */
function splitTemplate(template: string): string[] {
  const t = template.replace(/\/+$/, '');
  return t === '' ? [] : t.slice(1).split('/');
}

/**
 * `https://h/a/b?x=1` or `/a/b/` → ['a', 'b']; undefined when it is not a path (`*`, empty).
 * A trailing slash is ignored, so `/users/` is `/users`.
 */
export function splitPath(urlOrPath: string): string[] | undefined {
  let start = 0;
  let s = urlOrPath;
  if (s.charCodeAt(0) !== 47) {
    const scheme = s.indexOf('://');
    if (scheme < 0) return undefined;
    start = s.indexOf('/', scheme + 3);
    if (start < 0) return [];
  }
  let end = s.length;
  const q = s.indexOf('?', start);
  if (q >= 0) end = q;
  const h = s.indexOf('#', start);
  if (h >= 0 && h < end) end = h;
  while (end > start + 1 && s.charCodeAt(end - 1) === 47) end--;
  if (start !== 0 || end !== s.length) s = s.slice(start, end);
  if (s === '/' || s === '') return [];
  return s.slice(1).split('/');
}

/** A fresh copy of a string (V8 keeps the parent of a sliced or concatenated string alive). */
function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

export interface UndocumentedRoute {
  method: string;
  /** `/internal/jobs/{id}`; `other` when the cap was reached. */
  template: string;
  count: number;
  /** One concrete path seen (query dropped). */
  example: string;
  /** Requests per status class: `{ '2xx': 10, '5xx': 1 }`. */
  statuses: Record<string, number>;
}

/**
 * Requests that match no operation, grouped by method and template (numbers, UUIDs, hex and long tokens
 * → `{id}`, the same folding the access-log sources use). At most `maxRoutes` templates; later new ones are
 * counted under `other`, so memory is bounded by routes, not requests.
 */
export class UndocumentedRoutes {
  private readonly routes = new Map<string, UndocumentedRoute>();
  private readonly other: UndocumentedRoute = { method: '*', template: 'other', count: 0, example: '', statuses: {} };

  constructor(readonly maxRoutes = 1000) {}

  add(method: string, urlOrPath: string, status?: number): void {
    const t = this.template(urlOrPath);
    const key = `${method} ${t}`;
    let r = this.routes.get(key);
    if (!r) {
      if (this.routes.size >= this.maxRoutes) r = this.other;
      else {
        const segs = splitPath(urlOrPath);
        // Copies: a slice of a log chunk would keep the whole chunk alive for as long as the route.
        r = { method: detach(method), template: detach(t), count: 0, example: detach(segs ? `/${segs.join('/')}` : urlOrPath), statuses: {} };
        this.routes.set(detach(key), r);
      }
    }
    r.count++;
    if (status !== undefined) {
      const cls = `${Math.floor(status / 100)}xx`;
      r.statuses[cls] = (r.statuses[cls] ?? 0) + 1;
    }
  }

  /** `/jobs/123/logs?x` → `/jobs/{id}/logs`. */
  template(urlOrPath: string): string {
    const segs = splitPath(urlOrPath) ?? [urlOrPath];
    return `/${segs.map((s) => (isIdSegment(s) ? '{id}' : s)).join('/')}`;
  }

  /** Most requested first (then by template and method); `other` last when used. */
  list(): UndocumentedRoute[] {
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    const out = [...this.routes.values()].sort((a, b) => b.count - a.count || cmp(a.template, b.template) || cmp(a.method, b.method));
    return this.other.count ? [...out, this.other] : out;
  }

  get total(): number {
    let n = this.other.count;
    for (const r of this.routes.values()) n += r.count;
    return n;
  }
}
