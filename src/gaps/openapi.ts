/**
 * OpenAPI descriptions → a flat list of operations. Swagger 2.0, OpenAPI 3.0 and 3.1, YAML or JSON,
 * `$ref`s across files: read, validated (against the official schemas and the spec's own rules) and
 * dereferenced by `@apidevtools/swagger-parser`; this file only walks the result.
 *
 * An invalid document throws `OpenApiError` listing every problem as `file: #/json/pointer: message`.
 * Response and parameter schemas come out as plain JSON Schema that ajv (draft-07, as src/checks/schema.ts
 * uses it) compiles: OpenAPI 3.0 `nullable` / Swagger `x-nullable` become a `null` type, 3.0's boolean
 * `exclusiveMinimum`/`exclusiveMaximum` become numbers, and a circular `$ref` (left in place, it cannot be
 * inlined) resolves against the document's schemas carried along under the same key.
 */
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ConfigError } from '../config/diagnostics.js';

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ApiParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** JSON Schema of the value (Swagger 2.0's `type`/`format`/`pattern`/`enum` gathered into one). */
  schema?: unknown;
  example?: unknown;
  /** The values of `examples` (3.x: `examples.<name>.value`). */
  examples?: unknown[];
  /** `x-multi-segment: true` (GitHub's `{path}`): the last path parameter may span several segments. */
  multiSegment?: boolean;
}

export interface ApiResponse {
  /** `'200'`, `'2XX'` or `'default'`, as the document spells it (ranges upper-cased). */
  status: string;
  /** Dereferenced JSON Schema of the `application/json` content, else of the first JSON-like one. */
  schema?: unknown;
  contentTypes: string[];
  description?: string;
}

export interface ApiOperation {
  /** `GET /products/{id}`, with the (first) server base path: `GET /v1/products/{id}`. */
  key: string;
  /** Upper case: `GET`. */
  method: string;
  /** The path template as in the document, without base path. */
  path: string;
  /** The template with the first base path. */
  fullPath: string;
  /** Every base path the operation is served under (its own `servers`, else the path's, else the document's). */
  basePaths: string[];
  operationId?: string;
  summary?: string;
  tags: string[];
  parameters: ApiParameter[];
  responses: ApiResponse[];
  deprecated: boolean;
}

export interface ApiDescription {
  /** The file as given (relative paths stay relative). */
  file: string;
  title: string;
  version: string;
  /** `'3.1.0'`, `'3.0.3'`, `'2.0'`. */
  openapi: string;
  /** Base paths of the document's servers (`''` for the root), without trailing slash. */
  basePaths: string[];
  operations: ApiOperation[];
}

export interface OpenApiProblem {
  /** JSON pointer into the document (`/paths/~1a/get`), `''` for the document itself. */
  pointer: string;
  message: string;
  /** The file the problem is in, when another file than the one loaded (a `$ref`'d file). */
  file?: string;
}

/** `#/paths/~1a/get` (a JSON pointer as a URI fragment; `#` is the whole document). */
export function formatPointer(pointer: string): string {
  return `#${pointer}`;
}

/**
 * The document could not be read, parsed, resolved or validated. Every problem, one per line. A
 * `ConfigError` whose diagnostics are the problems (path = `#/pointer`), so the CLI prints them and
 * exits 2 (src/cli/index.ts) like any configuration error.
 */
export class OpenApiError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: OpenApiProblem[],
  ) {
    super(problems.map((p) => ({ file: p.file ?? file, path: formatPointer(p.pointer), message: p.message, severity: 'error' as const })));
    this.message = problems.map((p) => `${p.file ?? file}: ${formatPointer(p.pointer)}: ${p.message}`).join('\n');
    this.name = 'OpenApiError';
  }
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const MAX_PROBLEMS = 50;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface LoadOptions {
  /** Working folder file names in messages are relative to (default: process.cwd()). */
  cwd?: string;
}

/** Reads, validates and dereferences `file`; throws `OpenApiError`. */
export async function loadOpenApi(file: string, options: LoadOptions = {}): Promise<ApiDescription> {
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const rel = (f: string) => {
    const r = path.relative(cwd, f);
    return r.startsWith('..') || path.isAbsolute(r) ? f : r.split(path.sep).join('/');
  };
  const label = rel(abs);
  let doc: Obj;
  try {
    // Dereferenced in place; a recursive schema becomes a cyclic object, which convert() turns back
    // into a `$ref` ajv can compile.
    doc = (await new SwaggerParser().validate(abs, { continueOnError: true, dereference: { circular: true } } as never)) as unknown as Obj;
  } catch (err) {
    // With continueOnError an unreadable or unparsable root file surfaces as a TypeError on `null`:
    // parse it alone to get the library's own error for it.
    if (err instanceof TypeError) {
      try {
        await new SwaggerParser().parse(abs);
      } catch (parseErr) {
        throw new OpenApiError(label, problemsOf(parseErr, abs, rel));
      }
    }
    throw new OpenApiError(label, problemsOf(err, abs, rel));
  }
  if (!isObj(doc)) throw new OpenApiError(label, [{ pointer: '', message: 'not an OpenAPI document (expected an object with "openapi" or "swagger")' }]);
  const rules = ruleProblems(doc);
  if (rules.length) throw new OpenApiError(label, rules);
  return describe(doc, file);
}

/**
 * The OpenAPI 3.x rules swagger-parser checks for Swagger 2.0 only, limited to those the matcher and
 * contract checks rely on: operationIds are unique, and every `{name}` of a path has its path parameter.
 */
function ruleProblems(doc: Obj): OpenApiProblem[] {
  if (typeof doc.openapi !== 'string' || !isObj(doc.paths)) return [];
  const out: OpenApiProblem[] = [];
  const ids = new Map<string, string>();
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!isObj(item)) continue;
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const declared = (list: unknown) => (Array.isArray(list) ? list.filter((p) => isObj(p) && p.in === 'path').map((p) => String((p as Obj).name)) : []);
    const itemDeclared = declared(item.parameters);
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!isObj(op)) continue;
      const at = `${toPointer(['paths', template, m])}`;
      if (typeof op.operationId === 'string') {
        const first = ids.get(op.operationId);
        if (first) out.push({ pointer: `${at}/operationId`, message: `duplicate operationId ${JSON.stringify(op.operationId)} (also at ${formatPointer(first)})` });
        else ids.set(op.operationId, at);
      }
      const have = new Set([...itemDeclared, ...declared(op.parameters)]);
      for (const n of names) if (!have.has(n)) out.push({ pointer: `${at}/parameters`, message: `path parameter ${JSON.stringify(n)} of ${template} is not declared (expected a parameter with in: path, name: ${n})` });
    }
  }
  return out;
}

/** The library's three error shapes → problems with pointers. */
function problemsOf(err: unknown, abs: string, rel: (f: string) => string): OpenApiProblem[] {
  const e = err as { details?: unknown; errors?: unknown; message?: string; code?: string; source?: string; path?: unknown };
  const fileOf = (source: unknown) => (typeof source === 'string' && path.resolve(source) !== abs ? { file: rel(source) } : {});
  const out: OpenApiProblem[] = [];
  if (Array.isArray(e.details)) {
    // Schema validation: ajv errors against the official OpenAPI/Swagger schema.
    for (const d of e.details as Array<{ instancePath?: string; keyword?: string; params?: Obj; message?: string }>) {
      out.push({ pointer: d.instancePath ?? '', message: ajvMessage(d) });
    }
  } else if (Array.isArray(e.errors)) {
    // Reading, parsing, resolving `$ref`s: one error per file or pointer.
    for (const x of e.errors as Array<{ message?: string; source?: string; path?: unknown; code?: string }>) {
      out.push({ pointer: Array.isArray(x.path) ? toPointer(x.path as string[]) : '', message: cleanMessage(x.message, x.code), ...fileOf(x.source) });
    }
  } else {
    out.push({ pointer: Array.isArray(e.path) ? toPointer(e.path as string[]) : '', message: cleanMessage(e.message, e.code), ...fileOf(e.source) });
  }
  const seen = new Set<string>();
  // Absolute paths of this machine never reach a message: files are named relative to the working folder.
  for (const p of out) p.message = p.message.replace(/(?:\/|[A-Za-z]:\\)[^\s:'"()]+/g, (f) => (f.includes('/') || f.includes('\\') ? rel(f) : f)).replace(/^Error parsing \S+: /, 'cannot parse: ');
  const unique = out.filter((p) => {
    const k = `${p.file ?? ''} ${p.pointer} ${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (unique.length > MAX_PROBLEMS) {
    const more = unique.length - MAX_PROBLEMS;
    return [...unique.slice(0, MAX_PROBLEMS), { pointer: '', message: `and ${more} more problem${more === 1 ? '' : 's'}` }];
  }
  return unique.length ? unique : [{ pointer: '', message: 'invalid OpenAPI document' }];
}

function ajvMessage(d: { keyword?: string; params?: Obj; message?: string }): string {
  const p = d.params ?? {};
  if (d.keyword === 'additionalProperties') return `unknown field ${JSON.stringify(p.additionalProperty)}`;
  if (d.keyword === 'required') return `missing required field ${JSON.stringify(p.missingProperty)}`;
  if (d.keyword === 'enum') return `must be one of ${JSON.stringify(p.allowedValues)}`;
  return d.message ?? 'is invalid';
}

function cleanMessage(message: string | undefined, code: string | undefined): string {
  let m = (message ?? 'invalid').split('\n')[0].trim();
  // The spec validator prefixes its own rule violations.
  m = m.replace(/^Validation failed\.\s*/, '');
  if (code === 'ENOENT' || /ENOENT/.test(m)) return 'cannot read the file (ENOENT: no such file)';
  return m;
}

function toPointer(parts: readonly string[]): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Base path of a server URL: variables replaced by their defaults (and each enum value), host dropped. */
function serverBasePaths(servers: unknown): string[] {
  if (!Array.isArray(servers) || servers.length === 0) return [];
  const out = new Set<string>();
  for (const s of servers) {
    if (!isObj(s) || typeof s.url !== 'string') continue;
    const vars = isObj(s.variables) ? s.variables : {};
    let urls = [s.url];
    for (const [name, v] of Object.entries(vars)) {
      if (!isObj(v)) continue;
      const values = new Set<string>([String(v.default ?? ''), ...(Array.isArray(v.enum) ? v.enum.map(String) : [])]);
      urls = urls.flatMap((u) => (u.includes(`{${name}}`) ? [...values].map((val) => u.split(`{${name}}`).join(val)) : [u]));
    }
    for (const u of urls) out.add(basePathOf(u));
  }
  return [...out];
}

function basePathOf(url: string): string {
  let p = url;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(p);
  if (scheme) {
    const slash = p.indexOf('/', scheme[0].length);
    p = slash < 0 ? '' : p.slice(slash);
  } else if (p.startsWith('//')) {
    const slash = p.indexOf('/', 2);
    p = slash < 0 ? '' : p.slice(slash);
  }
  p = p.split('?')[0].split('#')[0];
  if (p && !p.startsWith('/')) p = `/${p}`;
  return p.replace(/\/+$/, '');
}

function describe(doc: Obj, file: string): ApiDescription {
  const swagger2 = typeof doc.swagger === 'string';
  const version = String(doc.openapi ?? doc.swagger ?? '');
  const info = isObj(doc.info) ? doc.info : {};
  const convert = makeConverter(version);
  let basePaths: string[];
  if (swagger2) basePaths = [typeof doc.basePath === 'string' ? basePathOf(doc.basePath) : ''];
  else basePaths = serverBasePaths(doc.servers);
  if (basePaths.length === 0) basePaths = [''];
  const globalProduces = Array.isArray(doc.produces) ? (doc.produces as string[]) : [];
  const operations: ApiOperation[] = [];
  const paths = isObj(doc.paths) ? doc.paths : {};
  for (const [template, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    const itemBases = swagger2 ? [] : serverBasePaths(item.servers);
    const itemParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!isObj(op)) continue;
      const opBases = swagger2 ? [] : serverBasePaths(op.servers);
      const bases = opBases.length ? opBases : itemBases.length ? itemBases : basePaths;
      const method = m.toUpperCase();
      const fullPath = joinBase(bases[0], template);
      const produces = Array.isArray(op.produces) ? (op.produces as string[]) : globalProduces;
      operations.push({
        key: `${method} ${fullPath}`,
        method,
        path: template,
        fullPath,
        basePaths: bases,
        ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
        ...(typeof op.summary === 'string' ? { summary: op.summary } : {}),
        tags: Array.isArray(op.tags) ? op.tags.map(String) : [],
        parameters: mergeParameters(itemParams, Array.isArray(op.parameters) ? op.parameters : [], swagger2, convert),
        responses: isObj(op.responses) ? responsesOf(op.responses, swagger2, produces, convert) : [],
        deprecated: op.deprecated === true,
      });
    }
  }
  return { file, title: String(info.title ?? ''), version: String(info.version ?? ''), openapi: version, basePaths, operations };
}

function joinBase(base: string, template: string): string {
  if (!base) return template;
  return template === '/' ? base : base + template;
}

const LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);

function mergeParameters(itemParams: unknown[], opParams: unknown[], swagger2: boolean, convert: Converter): ApiParameter[] {
  const byKey = new Map<string, ApiParameter>();
  for (const raw of [...itemParams, ...opParams]) {
    if (!isObj(raw) || typeof raw.name !== 'string' || typeof raw.in !== 'string' || !LOCATIONS.has(raw.in)) continue;
    const schema = swagger2 ? swaggerParamSchema(raw) : raw.schema;
    const p: ApiParameter = { name: raw.name, in: raw.in as ParameterLocation, required: raw.required === true || raw.in === 'path' };
    if (schema !== undefined) p.schema = convert(schema);
    const example = raw.example ?? (isObj(raw.schema) ? raw.schema.example : undefined) ?? raw['x-example'];
    if (example !== undefined) p.example = example;
    if (isObj(raw.examples)) {
      const values = Object.values(raw.examples).map((e) => (isObj(e) && 'value' in e ? e.value : undefined)).filter((v) => v !== undefined);
      if (values.length) p.examples = values;
    }
    if (raw['x-multi-segment'] === true) p.multiSegment = true;
    byKey.set(`${raw.in} ${raw.name}`, p);
  }
  return [...byKey.values()];
}

/** Swagger 2.0 keeps a non-body parameter's schema on the parameter itself. */
function swaggerParamSchema(raw: Obj): Obj | undefined {
  const keys = ['type', 'format', 'pattern', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'items', 'default', 'x-nullable'];
  const out: Obj = {};
  for (const k of keys) if (raw[k] !== undefined) out[k] = raw[k];
  return Object.keys(out).length ? out : undefined;
}

const isJsonType = (t: string) => /^application\/json\b/i.test(t) || /[/+]json\b/i.test(t);

function responsesOf(responses: Obj, swagger2: boolean, produces: string[], convert: Converter): ApiResponse[] {
  const out: ApiResponse[] = [];
  for (const [code, r] of Object.entries(responses)) {
    if (!isObj(r) || code.startsWith('x-')) continue;
    const status = /^[1-5]xx$/i.test(code) ? code.toUpperCase() : code;
    const res: ApiResponse = { status, contentTypes: [] };
    if (typeof r.description === 'string') res.description = r.description;
    if (swagger2) {
      res.contentTypes = [...produces];
      if (r.schema !== undefined) res.schema = convert(r.schema);
    } else if (isObj(r.content)) {
      res.contentTypes = Object.keys(r.content);
      const json = res.contentTypes.find((t) => /^application\/json\b/i.test(t)) ?? res.contentTypes.find(isJsonType);
      const media = json ? r.content[json] : undefined;
      if (isObj(media) && media.schema !== undefined) res.schema = convert(media.schema);
    }
    out.push(res);
  }
  return out;
}

type Converter = (schema: unknown) => unknown;

/**
 * OpenAPI Schema Object → JSON Schema (draft-07 keywords, as ajv compiles them). One memo per document:
 * dereferenced schemas share objects, and so do their conversions. A schema met again while it is being
 * converted (a recursive one: a tree, a linked list) becomes `{ $ref: '#/definitions/recursive<n>' }`, and
 * every converted root that needs them gets those definitions attached.
 */
function makeConverter(version: string): Converter {
  const v31 = version.startsWith('3.1');
  const memo = new Map<object, unknown>();
  const onStack = new Set<object>();
  const cyclicId = new Map<object, string>();
  const defs: Record<string, unknown> = {};
  // Converted objects that hold such a `$ref` somewhere below them.
  const withRef = new WeakSet<object>();
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) {
      const arr = s.map(walk);
      if (arr.some((x) => x !== null && typeof x === 'object' && withRef.has(x))) withRef.add(arr);
      return arr;
    }
    if (!isObj(s)) return s;
    if (onStack.has(s)) {
      let id = cyclicId.get(s);
      if (!id) {
        id = `recursive${cyclicId.size + 1}`;
        cyclicId.set(s, id);
        defs[id] = memo.get(s);
      }
      const ref = { $ref: `#/definitions/${id}` };
      withRef.add(ref);
      return ref;
    }
    const hit = memo.get(s);
    if (hit !== undefined) return hit;
    const out: Obj = {};
    memo.set(s, out);
    onStack.add(s);
    let ref = false;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'example' || k === 'examples' || k === 'enum' || k === 'const' || k === 'default' || k === 'xml' || k === 'externalDocs') {
        out[k] = v;
        continue;
      }
      const w = walk(v);
      if (w !== null && typeof w === 'object' && withRef.has(w)) ref = true;
      out[k] = w;
    }
    onStack.delete(s);
    if (ref) withRef.add(out);
    if (!v31) {
      const nullable = out.nullable === true || out['x-nullable'] === true;
      delete out.nullable;
      delete out['x-nullable'];
      if (nullable) makeNullable(out);
      for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
        if (typeof out[flag] === 'boolean') {
          if (out[flag] === true && typeof out[bound] === 'number') {
            out[flag] = out[bound];
            delete out[bound];
          } else delete out[flag];
        }
      }
    }
    return out;
  };
  return (schema: unknown) => {
    const out = walk(schema);
    // A copy of the root carries the definitions; the root may itself be one of them.
    if (isObj(out) && withRef.has(out)) return { ...out, definitions: { ...(isObj(out.definitions) ? out.definitions : {}), ...defs } };
    return out;
  };
}

function makeNullable(s: Obj): void {
  if (typeof s.type === 'string') s.type = [s.type, 'null'];
  else if (Array.isArray(s.type)) {
    if (!s.type.includes('null')) s.type = [...s.type, 'null'];
  } else {
    const rest = { ...s };
    for (const k of Object.keys(s)) delete s[k];
    s.anyOf = [rest, { type: 'null' }];
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
}
