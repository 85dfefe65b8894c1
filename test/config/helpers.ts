/** Shared helpers of the config tests: load a fixture folder and capture the ConfigError. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ConfigError, loadConfig, type Diagnostic, type LoadConfigOptions, type ResolvedConfig } from '../../src/config/index.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/config');
export const REPO = path.resolve(FIXTURES, '../../..');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** Load a fixture folder with a controlled environment (never the test process's). */
export function loadFixture(name: string, opts: Partial<LoadConfigOptions> = {}): Promise<ResolvedConfig> {
  return loadConfig({ cwd: fixture(name), env: {}, ...opts });
}

/** The diagnostics of a load that must fail with a ConfigError. */
export async function diagnosticsOf(load: Promise<unknown>): Promise<Diagnostic[]> {
  const err = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the load should have failed with a ConfigError').toBeInstanceOf(ConfigError);
  return (err as ConfigError).diagnostics;
}

export interface Expected {
  file: string;
  path: string;
  /** A fragment of the message. */
  message: string;
  line?: number;
  severity?: 'error' | 'warning';
}

/** Exactly one diagnostic matches file + path + message fragment (and line/severity when given). */
export function expectDiagnostic(diagnostics: readonly Diagnostic[], want: Expected): Diagnostic {
  const hits = diagnostics.filter((d) => d.file === want.file && d.path === want.path && d.message.includes(want.message));
  expect(hits, `expected one diagnostic ${JSON.stringify(want)} in:\n${diagnostics.map((d) => JSON.stringify(d)).join('\n')}`).toHaveLength(1);
  const hit = hits[0];
  if (want.line !== undefined) expect(hit.line).toBe(want.line);
  expect(hit.severity).toBe(want.severity ?? 'error');
  return hit;
}
