/**
 * Response JSON Schemas of checks: loaded from files beside the checks (or inline), `$ref`s between
 * files resolved by loading the referenced files and bundling them into one self-contained schema
 * (each referenced file embedded under `$defs` with its absolute `$id`, every `$ref` rewritten to
 * an absolute URI). The bundle is meta-validated and compiled here, so an invalid schema is a
 * config error at load, and it carries a content-hash `key` for the runners' compile cache.
 * Draft-07 (Ajv's default), like the runner that compiles it again.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { explainAjvErrors } from './ajv-errors.js';
import { formatPath } from './diagnostics.js';
import { isPlainObject } from './interpolate.js';
import { jsonParseErrorText } from '../runtime/json-error.js';

const addFormats = addFormatsModule.default;

/** The `$schema` values accepted (Ajv's default draft). */
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/** Keywords whose values are data, not schemas: a `$ref` inside them is not a reference. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'examples', 'default']);

export interface SchemaProblem {
  /** Absolute file the problem is in. */
  file: string;
  /** Field path: in the schema file (`properties.price.type`), or in the check for inline schemas. */
  path: string;
  message: string;
  line?: number;
  /** Default error; unknown formats are warnings. */
  severity?: 'warning';
}

export interface BundledSchema {
  /** Content-addressed: same bundle, same key (across reloads); edited file, new key. */
  key: string;
  schema: object;
  /** Absolute path of the root schema file (absent for inline schemas). */
  file?: string;
}

interface Doc {
  file: string;
  /** Absolute URI the document is known by: its absolute `$id`, else its file URL. */
  uri: string;
  json: unknown;
}

type LoadedFile = { ok: true; json: unknown } | { ok: false; reason: 'missing' | 'invalid'; message: string; line?: number };

/** One per configuration load: caches files and the compile of each bundle. */
export class SchemaLoader {
  private readonly files = new Map<string, Promise<LoadedFile>>();
  private readonly bundles = new Map<string, Promise<{ schema?: BundledSchema; problems: SchemaProblem[] }>>();
  private readonly ajv: Ajv;
  private warnings: string[] = [];

  constructor(private readonly rootDir: string) {
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      allowUnionTypes: true,
      logger: { log: () => {}, warn: (...args: unknown[]) => this.warnings.push(args.map(String).join(' ')), error: () => {} },
    });
    addFormats(this.ajv);
  }

  /** A schema file (absolute path); `from` and `fieldPath` locate the reference in the check file. */
  async fromFile(file: string, from: { file: string; path: string }): Promise<{ schema?: BundledSchema; problems: SchemaProblem[] }> {
    if (!(await this.insideProject(file))) return { problems: [{ file: from.file, path: from.path, message: this.outsideMessage(file) }] };
    const loaded = await this.read(file);
    if (!loaded.ok) {
      const rel = path.relative(this.rootDir, file).split(path.sep).join('/');
      if (loaded.reason === 'missing') {
        return { problems: [{ file: from.file, path: from.path, message: `schema file not found: ${rel}` }] };
      }
      return { problems: [{ file, path: '', message: loaded.message, ...(loaded.line ? { line: loaded.line } : {}) }] };
    }
    // Problems of a schema file are located in that file, so one bundle serves every check using it.
    let bundled = this.bundles.get(file);
    if (!bundled) {
      bundled = this.bundleAndCompile({ file, uri: docUri(file, loaded.json), json: loaded.json }, { file, pathPrefix: '' }, true);
      this.bundles.set(file, bundled);
    }
    return bundled;
  }

  /** An inline schema of a check; relative `$ref`s resolve from the check file's folder. */
  async inline(schema: unknown, from: { file: string; path: string }): Promise<{ schema?: BundledSchema; problems: SchemaProblem[] }> {
    return this.bundleAndCompile({ file: from.file, uri: pathToFileURL(from.file).href, json: schema }, { file: from.file, pathPrefix: from.path }, false);
  }

  private async bundleAndCompile(
    root: Doc,
    where: { file: string; pathPrefix: string },
    fromFile: boolean,
  ): Promise<{ schema?: BundledSchema; problems: SchemaProblem[] }> {
    const problems: SchemaProblem[] = [];
    const at = (doc: Doc, parts: Array<string | number> | string): { file: string; path: string } => {
      const p = typeof parts === 'string' ? parts : formatPath(parts);
      return doc === root ? { file: where.file, path: joinFieldPath(where.pathPrefix, p) } : { file: doc.file, path: p };
    };

    // Meta-validate and collect every document reachable through $ref.
    const embedded = new Map<string, Doc>();
    const queue: Doc[] = [root];
    const rewritten = new Map<Doc, unknown>();
    for (let i = 0; i < queue.length && i < 256; i++) {
      const doc = queue[i];
      this.metaValidate(doc, (p, message) => problems.push({ ...at(doc, p), message }));
      const refs: Array<{ parts: Array<string | number>; ref: string }> = [];
      collectRefs(doc.json, [], refs);
      const replacements = new Map<string, string>();
      for (const { parts, ref } of refs) {
        if (ref.startsWith('#')) continue;
        let target: URL;
        try {
          target = new URL(ref, doc.uri);
        } catch {
          problems.push({ ...at(doc, parts), message: `$ref "${ref}" is not a valid URI reference` });
          continue;
        }
        const hash = target.hash;
        target.hash = '';
        const targetUri = target.href;
        if (targetUri === doc.uri && doc === root) {
          replacements.set(ref, hash || '#');
          continue;
        }
        const file = uriToFile(targetUri, doc);
        if (!file) {
          problems.push({ ...at(doc, parts), message: `$ref "${ref}" points outside the local schema files (${targetUri}); save that schema beside the check and reference it by a relative path` });
          continue;
        }
        if (!(await this.insideProject(file))) {
          problems.push({ ...at(doc, parts), message: `$ref "${ref}": ${this.outsideMessage(file)}` });
          continue;
        }
        if (!embedded.has(targetUri)) {
          const loaded = await this.read(file);
          const rel = path.relative(this.rootDir, file).split(path.sep).join('/');
          if (!loaded.ok) {
            if (loaded.reason === 'missing') problems.push({ ...at(doc, parts), message: `$ref "${ref}": schema file not found: ${rel}` });
            else problems.push({ file, path: '', message: loaded.message, ...(loaded.line ? { line: loaded.line } : {}) });
            continue;
          }
          const next: Doc = { file, uri: targetUri, json: loaded.json };
          embedded.set(targetUri, next);
          queue.push(next);
        }
        replacements.set(ref, targetUri + hash);
      }
      rewritten.set(doc, rewriteRefs(doc.json, replacements));
    }
    if (problems.length > 0) return { problems };

    let bundle = rewritten.get(root) as unknown;
    if (embedded.size > 0) {
      const defs: Record<string, unknown> = { ...((bundle as { $defs?: Record<string, unknown> }).$defs ?? {}) };
      for (const [uri, doc] of embedded) {
        const copy = { ...(rewritten.get(doc) as Record<string, unknown>) };
        delete copy.$schema;
        defs[`observer:${path.relative(this.rootDir, doc.file).split(path.sep).join('/')}`] = { ...copy, $id: uri };
      }
      bundle = { ...(bundle as Record<string, unknown>), $defs: defs };
    }
    if (isPlainObject(bundle)) {
      // The root is addressed by key, not by $id (two versions of one file must not collide).
      const { $id: _id, ...rest } = bundle;
      bundle = rest;
    }

    this.warnings = [];
    try {
      this.ajv.compile(bundle as object);
    } catch (err) {
      const first = ((err as Error).message ?? String(err)).split('\n')[0];
      return { problems: [{ ...at(root, []), message: `invalid JSON Schema: ${first}` }] };
    } finally {
      for (const w of this.warnings) problems.push({ ...at(root, []), message: `JSON Schema: ${w}`, severity: 'warning' });
      this.warnings = [];
    }
    const digest = createHash('sha256').update(JSON.stringify(bundle)).digest('hex').slice(0, 16);
    const label = fromFile ? path.relative(this.rootDir, root.file).split(path.sep).join('/') : `inline:${path.relative(this.rootDir, root.file).split(path.sep).join('/')}`;
    const result: BundledSchema = { key: `${label}#${digest}`, schema: bundle as object, ...(fromFile ? { file: root.file } : {}) };
    return { schema: result, problems };
  }

  private metaValidate(doc: Doc, report: (fieldPath: string, message: string) => void): void {
    const json = doc.json;
    if (typeof json === 'boolean') return;
    if (!isPlainObject(json)) {
      report('', `a JSON Schema must be an object or a boolean`);
      return;
    }
    if (typeof json.$schema === 'string' && !DRAFT_07.test(json.$schema)) {
      report('$schema', `unsupported JSON Schema version "${json.$schema}": use draft-07 (http://json-schema.org/draft-07/schema#) or leave $schema out`);
      return;
    }
    if (this.ajv.validateSchema(json) !== true) {
      for (const p of explainAjvErrors(this.ajv.errors ?? [])) report(p.path, `invalid JSON Schema: ${p.message}`);
    }
  }

  /**
   * Schema files are read only from the project folder (the config's folder), symlinks resolved:
   * a check must not make the runner read `/etc/passwd` or quote any file outside the project.
   */
  private async insideProject(file: string): Promise<boolean> {
    const real = async (p: string): Promise<string> => fs.realpath(p).catch(() => path.resolve(p));
    const [root, target] = await Promise.all([real(this.rootDir), real(file)]);
    const rel = path.relative(root, target);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  private outsideMessage(file: string): string {
    return `schema file outside the project folder (${path.resolve(file)}); keep schemas under the folder of observer.config.ts and reference them by a relative path`;
  }

  private read(file: string): Promise<LoadedFile> {
    let p = this.files.get(file);
    if (!p) {
      p = readJson(file);
      this.files.set(file, p);
    }
    return p;
  }
}

async function readJson(file: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: 'not found' };
    return { ok: false, reason: 'invalid', message: `cannot read: ${(err as Error).message}` };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (err) {
    const message = jsonParseErrorText(err);
    const pos = /at position (\d+)/.exec(message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    return { ok: false, reason: 'invalid', message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, ...(line ? { line } : {}) };
  }
}

function docUri(file: string, json: unknown): string {
  const fileUrl = pathToFileURL(file).href;
  if (isPlainObject(json) && typeof json.$id === 'string') {
    try {
      return new URL(json.$id, fileUrl).href.replace(/#$/, '');
    } catch {
      return fileUrl;
    }
  }
  return fileUrl;
}

/** A referenced URI → local file: file URLs directly; others by their path relative to the referrer's URI. */
function uriToFile(targetUri: string, from: Doc): string | undefined {
  const target = new URL(targetUri);
  if (target.protocol === 'file:') return fileURLToPath(target);
  const base = new URL(from.uri);
  if (base.protocol === 'file:' || base.origin !== target.origin) return undefined;
  const rel = path.posix.relative(path.posix.dirname(base.pathname), target.pathname);
  return path.resolve(path.dirname(from.file), ...rel.split('/'));
}

function collectRefs(value: unknown, parts: Array<string | number>, out: Array<{ parts: Array<string | number>; ref: string }>): void {
  if (parts.length > 64) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectRefs(v, [...parts, i], out));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') out.push({ parts: [...parts, k], ref: v });
    else if (!DATA_KEYWORDS.has(k)) collectRefs(v, [...parts, k], out);
  }
}

function rewriteRefs(value: unknown, replacements: Map<string, string>): unknown {
  if (replacements.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, replacements));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') out[k] = replacements.get(v) ?? v;
    else out[k] = DATA_KEYWORDS.has(k) ? v : rewriteRefs(v, replacements);
  }
  return out;
}

function joinFieldPath(prefix: string, rest: string): string {
  if (!prefix) return rest;
  if (!rest) return prefix;
  return rest.startsWith('[') ? prefix + rest : `${prefix}.${rest}`;
}
