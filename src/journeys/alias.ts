/**
 * Plain specs, first-class: inside the `playwright test` process that `observer run` starts, an
 * `import ... from '@playwright/test'` written in a user file resolves to this package's journey
 * module (fixtures.ts), which re-exports all of `@playwright/test` with `test` extended by the
 * observer's fixtures. So a spec recorded by codegen, or a team's existing spec, gets per-step
 * vitals, network, console errors and the failure screenshot without an edit, and through the same
 * code as a spec importing `production-observer/journey` (see README.md in this folder).
 *
 * Installed by the generated config, which Playwright loads first in its runner and in every
 * worker, before any test file. Both module systems are covered: CommonJS (a project without
 * `"type": "module"`; Playwright compiles specs to `require`) through `Module._resolveFilename`,
 * and ES modules through a `module.register` resolve hook. Files under `node_modules` and this
 * package's own sources keep the real `@playwright/test` (the journey module imports it).
 */
import Module, { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SPECIFIER = '@playwright/test';

/** The module plain specs get instead of `@playwright/test` (`.ts` from sources, `.js` once built). */
export function journeyModulePath(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), `fixtures${path.extname(here)}`);
}

/** Folders whose imports are never redirected: this package's sources (src/ or dist/). */
function ownSourceDir(): string {
  return path.dirname(path.dirname(fileURLToPath(import.meta.url))) + path.sep;
}

/** True for a file the user wrote (a spec, a fixtures file, a page object, a config). */
export function isUserFile(file: string, ownDir: string = ownSourceDir()): boolean {
  const normalized = file.split(path.sep).join('/');
  return !normalized.includes('/node_modules/') && !file.startsWith(ownDir);
}

/**
 * The ES module resolve hook, as source text loaded from a `data:` URL: it runs on Node's loader
 * thread, where neither TypeScript nor Playwright's transform may be available.
 */
const ESM_HOOK = `
let shim; let ownDir;
export function initialize(data) { shim = data.shim; ownDir = data.ownDir; }
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (specifier === ${JSON.stringify(SPECIFIER)} && parent && parent.startsWith('file:') && !parent.includes('/node_modules/') && !parent.startsWith(ownDir)) {
    return { url: shim, shortCircuit: true };
  }
  return next(specifier, context);
}
`;

let installed = false;

/** Redirect user files' `@playwright/test` to the journey module in this process (idempotent). */
export function installPlaywrightAlias(): void {
  if (installed) return;
  installed = true;
  const shim = journeyModulePath();
  const ownDir = ownSourceDir();
  const M = Module as unknown as {
    _resolveFilename(request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]): string;
  };
  const original = M._resolveFilename;
  M._resolveFilename = function resolveFilename(request, parent, ...rest) {
    if (request === SPECIFIER && parent?.filename && isUserFile(parent.filename, ownDir)) return shim;
    return original.call(this, request, parent, ...rest);
  };
  register(`data:text/javascript,${encodeURIComponent(ESM_HOOK)}`, {
    data: { shim: pathToFileURL(shim).href, ownDir: pathToFileURL(ownDir).href },
  });
}
