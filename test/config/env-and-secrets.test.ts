/**
 * `${env:NAME}` interpolation in config and checks (TS and YAML): missing variables are diagnostics
 * naming the variable, file and field; every resolved value is registered with the Redactor, so
 * it never shows in messages, and `$${env:X}` stays literal.
 */
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import { interpolateEnv } from '../../src/config/interpolate.js';
import { diagnosticsOf, expectDiagnostic, loadFixture } from './helpers.js';

describe('missing-env', () => {
  it('reports every missing variable with its file and field, all at once', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('missing-env'));
    expect(diagnostics).toHaveLength(3);
    expectDiagnostic(diagnostics, { file: 'observer.config.ts', path: 'store.url', message: 'environment variable OBSERVER_TEST_PG_URL is not set (referenced as ${env:OBSERVER_TEST_PG_URL})' });
    expectDiagnostic(diagnostics, { file: 'checks/secret.check.yaml', path: 'request.headers.Authorization', message: 'environment variable OBSERVER_TEST_TOKEN is not set', line: 5 });
    expectDiagnostic(diagnostics, { file: 'checks/secret.check.yaml', path: 'expect.body[0].value', message: 'environment variable OBSERVER_TEST_OWNER is not set', line: 9 });
  });

  it('substitutes values, registers them with the redactor and keeps $${env:X} literal', async () => {
    const token = 'tok_9f8e7d6c5b4a';
    const config = await loadFixture('missing-env', {
      env: { OBSERVER_TEST_TOKEN: token, OBSERVER_TEST_OWNER: 'owner-alice', OBSERVER_TEST_PG_URL: 'postgres://u:pg-pass-123@127.0.0.1:5432/test' },
    });
    const [check] = (config.checks as ApiCheckDefinition[]);
    expect(check.request.url).toBe('https://api.example.com/v1/account');
    expect(check.request.headers).toEqual({ authorization: `Bearer ${token}`, 'x-literal': '${env:NOT_A_REFERENCE}' });
    expect(check.expect.body).toEqual([{ source: 'json', path: '$.owner', op: 'eq', target: 'owner-alice' }]);
    expect(config.store.url).toBe('postgres://u:pg-pass-123@127.0.0.1:5432/test');
    const redacted = config.redactor.redact(`auth Bearer ${token} for owner-alice via pg-pass-123`);
    expect(redacted).toBe('auth Bearer [REDACTED] for [REDACTED] via [REDACTED]');
    expect(config.redactor.redactDeep(check.request)).toEqual({ method: 'GET', url: 'https://api.example.com/v1/account', headers: { authorization: '[REDACTED]', 'x-literal': '${env:NOT_A_REFERENCE}' } });
  });

  it('never shows a resolved secret in a diagnostic', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'observer-config-secret-'));
    try {
      mkdirSync(path.join(dir, 'checks'));
      // The secret lands in a field that must be a number: Ajv's message would echo it.
      writeFileSync(path.join(dir, 'checks/leak.check.yaml'), 'id: leak\nrequest: { url: "https://example.com/" }\ntimeoutMs: "${env:LEAKY}"\n');
      const diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: { LEAKY: 'sekret-value-1' } }));
      expectDiagnostic(diagnostics, { file: 'checks/leak.check.yaml', path: 'timeoutMs', message: 'must be an integer (got "[REDACTED]")', line: 3 });
      expect(JSON.stringify(diagnostics)).not.toContain('sekret-value-1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a non-postgres store URL is refused without echoing it', async () => {
    const diagnostics = await diagnosticsOf(
      loadFixture('missing-env', { env: { OBSERVER_TEST_TOKEN: 'x', OBSERVER_TEST_OWNER: 'y', OBSERVER_TEST_PG_URL: 'mysql://root:hunter2-secret@db/x' } }),
    );
    expect(diagnostics).toHaveLength(1);
    expectDiagnostic(diagnostics, { file: 'observer.config.ts', path: 'store.url', message: 'unknown scheme "mysql:"; expected postgres://, postgresql://, sqlite:PATH or a file path' });
  });
});

describe('interpolateEnv', () => {
  it('walks nested objects and lists, reports paths and bad references', () => {
    const redactor = new Redactor();
    const r = interpolateEnv(
      { a: ['${env:ONE}-${env:TWO}', { b: 'x ${env:MISSING} y' }], c: '${env:bad-name}', d: 'open ${env:UNCLOSED', e: 5, f: null },
      { ONE: 'first-value', TWO: 'second-value' },
      redactor,
    );
    expect(r.value).toEqual({ a: ['first-value-second-value', { b: 'x ${env:MISSING} y' }], c: '${env:bad-name}', d: 'open ${env:UNCLOSED', e: 5, f: null });
    expect(r.problems).toEqual([
      { path: 'a[1].b', message: 'environment variable MISSING is not set (referenced as ${env:MISSING})' },
      { path: 'c', message: 'invalid variable reference "${env:bad-name}": expected ${env:NAME} with NAME made of letters, digits and "_"' },
      { path: 'd', message: 'unterminated "${env:" reference: expected ${env:NAME}' },
    ]);
    expect(r.used.sort()).toEqual(['MISSING', 'ONE', 'TWO']);
    expect(redactor.redact('first-value second-value')).toBe('[REDACTED] [REDACTED]');
  });

  it('an empty variable is set (empty string), and nothing else is touched', () => {
    const r = interpolateEnv({ a: 'pre${env:EMPTY}post', keep: '$notavar {env:X}' }, { EMPTY: '' }, new Redactor());
    expect(r.value).toEqual({ a: 'prepost', keep: '$notavar {env:X}' });
    expect(r.problems).toEqual([]);
  });
});
