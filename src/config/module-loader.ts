/**
 * Loads user TypeScript/JavaScript files (observer.config.ts, *.check.ts) through tsx's API, so the
 * compiled CLI in dist/ can import them. One tsx namespace per load: a reload (the daemon's SIGHUP)
 * sees edited files, and the hooks are unregistered afterwards. An import that throws or does not
 * parse becomes a problem (first line of the error, line number when known), never a crash.
 */
import { pathToFileURL } from 'node:url';

export interface LoadedModule {
  /** The default export (CommonJS `module.exports.default` unwrapped). */
  value?: unknown;
  hasDefault: boolean;
  error?: { message: string; line?: number };
}

type Importer = (specifier: string, parent: string) => Promise<unknown>;

let namespaceCounter = 0;

export class ModuleLoader {
  private importer: Importer | null = null;
  private starting: Promise<Importer> | null = null;
  private unregister: (() => Promise<void>) | null = null;

  /** Import a file; never throws for problems of the file itself. */
  async load(file: string): Promise<LoadedModule> {
    const importer = await this.ensure();
    try {
      const ns = (await importer(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
      let value = ns.default;
      let hasDefault = 'default' in ns;
      // A .ts file in a CommonJS package arrives as { default: module.exports } with __esModule.
      if (isObject(value) && (value as { __esModule?: unknown }).__esModule === true) {
        hasDefault = 'default' in value;
        value = (value as { default?: unknown }).default;
      }
      return { value, hasDefault };
    } catch (err) {
      return { hasDefault: false, error: explainImportError(err, file) };
    }
  }

  /** Unregister the tsx hooks of this load. */
  async close(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const u = this.unregister;
    this.unregister = null;
    this.importer = null;
    this.starting = null;
    if (u) await u();
  }

  /** Registers the tsx hooks once, also when several files are loaded concurrently. */
  private ensure(): Promise<Importer> {
    this.starting ??= (async () => {
      const { register } = await import('tsx/esm/api');
      const api = register({ namespace: `observer-config-${process.pid}-${++namespaceCounter}` });
      this.unregister = () => api.unregister();
      this.importer = (specifier, parent) => api.import(specifier, parent) as Promise<unknown>;
      return this.importer;
    })();
    return this.starting;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** First meaningful line of an import error, with the line in the user's file when it can be found. */
export function explainImportError(err: unknown, file: string): { message: string; line?: number } {
  const text = err instanceof Error ? err.message : String(err);
  // esbuild: "Transform failed with 1 error:\n/abs/file.ts:1:25: ERROR: Expected "}" but found ";""
  const esbuild = /:(\d+):(\d+): ERROR: (.+)/.exec(text);
  if (esbuild) return { message: `syntax error: ${esbuild[3]} (column ${esbuild[2]})`, line: Number(esbuild[1]) };
  const first = text.split('\n').find((l) => l.trim() !== '') ?? 'failed to load';
  const name = err instanceof Error && err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const message = `failed to load: ${name}${first.trim()}`;
  const line = err instanceof Error ? lineInStack(err.stack, file) : undefined;
  return line ? { message, line } : { message };
}

function lineInStack(stack: string | undefined, file: string): number | undefined {
  if (!stack) return undefined;
  const url = pathToFileURL(file).href;
  for (const l of stack.split('\n')) {
    const at = l.indexOf(url) >= 0 ? l.indexOf(url) + url.length : l.indexOf(file) >= 0 ? l.indexOf(file) + file.length : -1;
    if (at < 0) continue;
    const m = /^(?:\?[^:]*)?:(\d+):\d+/.exec(l.slice(at));
    if (m) return Number(m[1]);
  }
  return undefined;
}
