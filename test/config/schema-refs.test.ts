/**
 * Response schemas with `$ref`s between files: bundled at load into one self-contained schema that
 * the API check runner's compile cache (src/checks/schema.ts, a real Ajv) validates with. Keys are
 * content-addressed, so an edited file (a daemon reload) compiles anew without id collisions.
 */
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchemaCache } from '../../src/checks/schema.js';
import { loadConfig } from '../../src/config/index.js';
import { diagnosticsOf, expectDiagnostic, fixture, loadFixture } from './helpers.js';

const good = { items: [{ id: 1, price: 9.5 }, { id: 2, price: 1 }], total: 2 };

describe('ref-between-schemas', () => {
  it('bundles file → file → file refs; the runner validates with the bundle', async () => {
    const config = await loadFixture('ref-between-schemas');
    const byId = Object.fromEntries((config.checks as ApiCheckDefinition[]).map((c) => [c.id, c.expect.schema]));
    expect(byId.list?.key).toMatch(/^checks\/schemas\/product-list\.json#[0-9a-f]{16}$/);
    expect(byId.list?.file).toBe(path.join(fixture('ref-between-schemas'), 'checks/schemas/product-list.json'));
    expect(byId.detail?.key).toMatch(/^checks\/schemas\/product\.json#[0-9a-f]{16}$/);
    expect(byId['inline-ref']?.key).toMatch(/^inline:checks\/list\.check\.yaml#[0-9a-f]{16}$/);
    expect(byId['inline-ref']?.file).toBeUndefined();

    const cache = new SchemaCache();
    const list = byId.list!;
    expect(cache.validate(list.key, list.schema, good)).toEqual({ ok: true });
    const badPrice = cache.validate(list.key, list.schema, { items: [{ id: 1, price: 0 }], total: -1 });
    expect(badPrice.ok).toBe(false);
    expect(badPrice.errors).toEqual(expect.arrayContaining(['$.items[0].price: must be > 0 (exclusiveMinimum)', '$.total: must be >= 0 (minimum)']));
    // The same embedded files in other bundles, in the same Ajv: no "already exists" collisions.
    const detail = byId.detail!;
    expect(cache.validate(detail.key, detail.schema, { id: 3, price: 2 })).toEqual({ ok: true });
    expect(cache.validate(detail.key, detail.schema, { id: 'x', price: 2 }).ok).toBe(false);
    const inline = byId['inline-ref']!;
    expect(cache.validate(inline.key, inline.schema, { id: 3, price: -1 }).message).toContain('$.price: must be > 0');
  });
});

describe('schema files in a scratch folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'observer-config-schema-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('an edited referenced file gives a new key; both versions compile in one cache', async () => {
    cpSync(fixture('ref-between-schemas'), dir, { recursive: true });
    const before = ((await loadConfig({ cwd: dir, env: {} })).checks as ApiCheckDefinition[]).find((c) => c.id === 'list')!.expect.schema!;
    const again = ((await loadConfig({ cwd: dir, env: {} })).checks as ApiCheckDefinition[]).find((c) => c.id === 'list')!.expect.schema!;
    expect(again.key).toBe(before.key);
    writeFileSync(path.join(dir, 'checks/schemas/common/money.json'), JSON.stringify({ definitions: { amount: { type: 'number', minimum: 100 } } }));
    const after = ((await loadConfig({ cwd: dir, env: {} })).checks as ApiCheckDefinition[]).find((c) => c.id === 'list')!.expect.schema!;
    expect(after.key).not.toBe(before.key);
    const cache = new SchemaCache();
    expect(cache.validate(before.key, before.schema, good).ok).toBe(true);
    expect(cache.validate(after.key, after.schema, good).errors).toContain('$.items[0].price: must be >= 100 (minimum)');
  });

  it('schemas with absolute $ids resolve relative refs to files beside them', async () => {
    mkdirSync(path.join(dir, 'checks/schemas'), { recursive: true });
    writeFileSync(
      path.join(dir, 'checks/schemas/list.json'),
      JSON.stringify({ $id: 'https://schemas.example.com/shop/list.json', type: 'array', items: { $ref: 'item.json' } }),
    );
    writeFileSync(path.join(dir, 'checks/schemas/item.json'), JSON.stringify({ $id: 'https://schemas.example.com/shop/item.json', type: 'object', required: ['sku'] }));
    writeFileSync(path.join(dir, 'checks/list.check.yaml'), 'id: list\nrequest: { url: "https://example.com/" }\nexpect: { schema: schemas/list.json }\n');
    const [check] = (await loadConfig({ cwd: dir, env: {} })).checks as ApiCheckDefinition[];
    const cache = new SchemaCache();
    expect(cache.validate(check.expect.schema!.key, check.expect.schema!.schema, [{ sku: 'a' }]).ok).toBe(true);
    expect(cache.validate(check.expect.schema!.key, check.expect.schema!.schema, [{}]).message).toContain("$[0].sku: is required");
  });

  it('refuses remote refs and other drafts with what to do instead', async () => {
    mkdirSync(path.join(dir, 'checks/schemas'), { recursive: true });
    writeFileSync(path.join(dir, 'checks/schemas/remote.json'), JSON.stringify({ type: 'object', properties: { a: { $ref: 'https://elsewhere.example.org/a.json' } } }));
    writeFileSync(path.join(dir, 'checks/schemas/2020.json'), JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }));
    writeFileSync(
      path.join(dir, 'checks/s.check.yaml'),
      '- id: remote\n  request: { url: "https://example.com/" }\n  expect: { schema: schemas/remote.json }\n- id: newer\n  request: { url: "https://example.com/" }\n  expect: { schema: schemas/2020.json }\n',
    );
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expect(diagnostics).toHaveLength(2);
    expectDiagnostic(diagnostics, { file: 'checks/schemas/remote.json', path: 'properties.a.$ref', message: '$ref "https://elsewhere.example.org/a.json" points outside the local schema files' });
    expectDiagnostic(diagnostics, { file: 'checks/schemas/2020.json', path: '$schema', message: 'unsupported JSON Schema version "https://json-schema.org/draft/2020-12/schema": use draft-07' });
  });

  it('an unresolvable in-file pointer is caught by compiling at load', async () => {
    mkdirSync(path.join(dir, 'checks'), { recursive: true });
    writeFileSync(path.join(dir, 'checks/p.check.yaml'), 'id: p\nrequest: { url: "https://example.com/" }\nexpect:\n  schema: { $ref: "#/definitions/missing" }\n');
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: dir, env: {} }));
    expect(diagnostics).toHaveLength(1);
    expectDiagnostic(diagnostics, { file: 'checks/p.check.yaml', path: 'expect.schema', message: "invalid JSON Schema: can't resolve reference #/definitions/missing", line: 4 });
  });

  it('never reads a schema outside the project folder, and never quotes a file that is not JSON', async () => {
    mkdirSync(path.join(dir, 'project', 'checks'), { recursive: true });
    // A file outside the project with a secret-looking first line.
    writeFileSync(path.join(dir, 'outside.json'), 'root:x:0:0:S3cr3tLine:/root:/bin/sh\n');
    const outside = path.join(dir, 'outside.json');
    writeFileSync(
      path.join(dir, 'project', 'checks', 'x.check.yaml'),
      `- id: by-path\n  request: { url: "https://example.com/" }\n  expect: { schema: ${JSON.stringify(outside)} }\n` +
        `- id: by-ref\n  request: { url: "https://example.com/" }\n  expect: { schema: { $ref: ${JSON.stringify('file://' + outside)} } }\n` +
        '- id: not-json\n  request: { url: "https://example.com/" }\n  expect: { schema: schemas/notes.json }\n',
    );
    mkdirSync(path.join(dir, 'project', 'checks', 'schemas'));
    writeFileSync(path.join(dir, 'project', 'checks', 'schemas', 'notes.json'), 'S3cr3tNote: not json\n');
    const diagnostics = await diagnosticsOf(loadConfig({ cwd: path.join(dir, 'project'), env: {} }));
    const text = JSON.stringify(diagnostics);
    expect(text).not.toContain('S3cr3t');
    expect(diagnostics.filter((d) => d.message.includes('outside the project folder'))).toHaveLength(2);
    expect(diagnostics.some((d) => d.file.endsWith('notes.json') && d.message.startsWith('not valid JSON'))).toBe(true);
  });
});
