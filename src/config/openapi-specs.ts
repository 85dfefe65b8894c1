/**
 * OpenAPI descriptions named by contract checks (`expect.openapi.spec`): each file loaded, validated
 * and matched once per configuration load, however many checks name it.
 */
import path from 'node:path';
import { OperationMatcher } from '../gaps/match.js';
import { loadOpenApi, OpenApiError, type ApiDescription } from '../gaps/openapi.js';

export type LoadedSpec = { ok: true; api: ApiDescription; matcher: OperationMatcher } | { ok: false; error: OpenApiError };

export class OpenApiSpecs {
  private readonly loaded = new Map<string, Promise<LoadedSpec>>();

  /** `cwd`: file names in messages are relative to it. */
  constructor(private readonly cwd: string) {}

  /** `api/openapi.yaml`: relative to the working folder, for messages. */
  relative(file: string): string {
    const r = path.relative(this.cwd, file);
    return r === '' ? file : r.split(path.sep).join('/');
  }

  /** An absolute file; never throws. */
  load(file: string): Promise<LoadedSpec> {
    let p = this.loaded.get(file);
    if (!p) {
      p = loadOpenApi(file, { cwd: this.cwd }).then(
        (api): LoadedSpec => ({ ok: true, api, matcher: new OperationMatcher(api) }),
        (err: unknown): LoadedSpec => {
          if (err instanceof OpenApiError) return { ok: false, error: err };
          throw err;
        },
      );
      this.loaded.set(file, p);
    }
    return p;
  }
}
