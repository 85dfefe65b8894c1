/**
 * The OpenAPI loader on real documents: fixtures for 3.0 (YAML, `$ref`s across three files, server
 * variables), 3.1 (JSON), Swagger 2.0, broken ones (the error text), and GitHub's own REST description.
 */
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadOpenApi, OpenApiError, type ApiDescription } from '../../src/gaps/openapi.js';
import { SchemaCache } from '../../src/checks/schema.js';
import { ConfigError, formatDiagnostics } from '../../src/config/diagnostics.js';

const FIX = 'test/fixtures/gaps';
const githubFile = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');

async function loadError(file: string): Promise<OpenApiError> {
  const err = await loadOpenApi(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenApiError);
  return err as OpenApiError;
}

const op = (api: ApiDescription, id: string) => {
  const found = api.operations.find((o) => o.operationId === id);
  expect(found, id).toBeDefined();
  return found!;
};

describe('loadOpenApi', () => {
  it('reads OpenAPI 3.0 YAML with $refs across files, server variables as base paths', async () => {
    const api = await loadOpenApi(`${FIX}/multi/openapi.yaml`);
    expect(api).toMatchObject({ title: 'Shop (multi-file)', version: '2.1', openapi: '3.0.3', basePaths: ['/api/v2', '/api/v1'] });
    expect(api.operations).toHaveLength(8);
    const p = op(api, 'getProduct');
    expect(p).toMatchObject({ key: 'GET /api/v2/products/{id}', method: 'GET', path: '/products/{id}', fullPath: '/api/v2/products/{id}', summary: 'One product', tags: ['catalog'], deprecated: false });
    // The path item's parameter (from the other file) and the operation's own.
    expect(p.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'integer' }, example: 42 },
      { name: 'fields', in: 'query', required: false, schema: { type: 'string' }, examples: ['id,name'] },
    ]);
    expect(p.responses.map((r) => [r.status, r.contentTypes])).toEqual([
      ['200', ['application/json']],
      ['4XX', ['application/problem+json']],
      ['default', ['text/plain']],
    ]);
    // 3.0 → JSON Schema: nullable becomes a null type, a boolean exclusiveMinimum a number.
    expect(p.responses[0].schema).toEqual({
      type: 'object',
      required: ['id', 'name', 'price'],
      properties: { id: { type: 'integer' }, name: { type: 'string' }, price: { type: 'number', exclusiveMinimum: 0 }, discount: { type: ['number', 'null'] } },
    });
    expect(p.responses[1].schema).toEqual({ type: 'object', properties: { title: { type: 'string' } } });
    expect(p.responses[2].schema).toBeUndefined();
  });

  it('turns a recursive schema from another file into a $ref ajv compiles', async () => {
    const api = await loadOpenApi(`${FIX}/multi/openapi.yaml`);
    const schema = op(api, 'getCategory').responses[0].schema as object;
    expect(() => JSON.stringify(schema)).not.toThrow();
    const cache = new SchemaCache();
    expect(cache.validate('cat', schema, { name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] }).ok).toBe(true);
    expect(cache.validate('cat', schema, { name: 'a', children: [{ name: 'b', children: [{ nom: 'c' }] }] }).message).toBe('$.children[0].children[0].name: is required (required)');
  });

  it('reads OpenAPI 3.1 JSON', async () => {
    const api = await loadOpenApi(`${FIX}/v31.json`);
    expect(api).toMatchObject({ openapi: '3.1.0', basePaths: ['/v1'] });
    expect(api.operations.map((o) => o.key).sort()).toEqual(['GET /v1/pets', 'GET /v1/pets/{petId}', 'HEAD /v1/pets']);
    const list = op(api, 'listPets').responses[0];
    expect(list).toMatchObject({ status: '2XX', contentTypes: ['application/vnd.pets+json'] });
    expect(list.schema).toMatchObject({ type: 'array', items: { properties: { tag: { type: ['string', 'null'] } } } });
    const ajv = new Ajv({ strict: false });
    expect(ajv.validate(list.schema as object, [{ id: '1', name: 'rex', tag: null }])).toBe(true);
  });

  it('reads Swagger 2.0: basePath, parameter types, x-nullable, a recursive definition', async () => {
    const api = await loadOpenApi(`${FIX}/swagger2.yaml`);
    expect(api).toMatchObject({ openapi: '2.0', title: 'Legacy store', basePaths: ['/api'] });
    const get = op(api, 'getItem');
    expect(get.key).toBe('GET /api/items/{itemId}');
    expect(get.parameters).toEqual([
      { name: 'itemId', in: 'path', required: true, schema: { type: 'integer', format: 'int64' }, example: 7 },
      { name: 'expand', in: 'query', required: false, schema: { type: 'boolean' } },
    ]);
    expect(get.responses.map((r) => [r.status, r.contentTypes])).toEqual([
      ['200', ['application/json']],
      ['404', ['application/json']],
    ]);
    const cache = new SchemaCache();
    const schema = get.responses[0].schema as object;
    expect(cache.validate('item', schema, { id: 1, note: null, parent: { id: 2, note: 'x' } }).ok).toBe(true);
    expect(cache.validate('item', schema, { id: 1, parent: { id: 'two' } }).message).toBe('$.parent.id: must be integer (type)');
    // A body parameter is no request parameter of the URL.
    expect(op(api, 'createItem').parameters).toEqual([]);
  });

  it('lists every schema problem as file: json-pointer: message', async () => {
    const err = await loadError(`${FIX}/invalid-schema.yaml`);
    expect(err.message).toBe(
      [`${FIX}/invalid-schema.yaml: #/info: missing required field "version"`, `${FIX}/invalid-schema.yaml: #/paths/~1a: unknown field "fetch"`].join('\n'),
    );
    expect(err.file).toBe(`${FIX}/invalid-schema.yaml`);
    expect(err.problems).toEqual([
      { pointer: '/info', message: 'missing required field "version"' },
      { pointer: '/paths/~1a', message: 'unknown field "fetch"' },
    ]);
  });

  it('lists every broken $ref with the pointer where it is', async () => {
    const err = await loadError(`${FIX}/invalid-ref.yaml`);
    const lines = err.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^test\/fixtures\/gaps\/invalid-ref\.yaml: #\/paths\/~1a\/get\/responses\/200\/content\/application~1json\/schema: Missing \$ref pointer "#\/components\/schemas\/Missing"/);
    expect(lines[1]).toBe(`${FIX}/invalid-ref.yaml: #/paths/~1b/get/responses/200/content/application~1json/schema: cannot read the file (ENOENT: no such file)`);
  });

  it('names syntax errors, missing files and the rules the library leaves to 3.x users; no machine path', async () => {
    const yaml = await loadError(`${FIX}/invalid-yaml.yaml`);
    expect(yaml.message).toMatch(/^test\/fixtures\/gaps\/invalid-yaml\.yaml: #: cannot parse: .+\(3:1\)$/);
    const missing = await loadError(`${FIX}/no-such.yaml`);
    expect(missing.message).toBe(`${FIX}/no-such.yaml: #: cannot read the file (ENOENT: no such file)`);
    const dup = await loadError(`${FIX}/invalid-spec.yaml`);
    expect(dup.message).toBe(`${FIX}/invalid-spec.yaml: #/paths/~1b/get/operationId: duplicate operationId "same" (also at #/paths/~1a/get)`);
    for (const e of [yaml, missing, dup]) expect(e.message).not.toContain(process.cwd());
  });

  it("parses GitHub's REST API description (@octokit/openapi)", async () => {
    const api = await loadOpenApi(githubFile);
    expect(api.openapi).toMatch(/^3\./);
    expect(api.title).toMatch(/GitHub/);
    expect(api.basePaths).toEqual(['']);
    expect(api.operations.length).toBeGreaterThan(900);
    const issue = op(api, 'issues/get');
    expect(issue.key).toBe('GET /repos/{owner}/{repo}/issues/{issue_number}');
    expect(issue.parameters.find((p) => p.name === 'issue_number')).toMatchObject({ in: 'path', required: true, schema: { type: 'integer' } });
    // Every response schema is plain JSON Schema that the checks' ajv compiles.
    const cache = new SchemaCache();
    let compiled = 0;
    for (const o of api.operations.filter((x) => x.method === 'GET').slice(0, 150)) {
      for (const r of o.responses) {
        if (!r.schema) continue;
        expect(() => cache.get(`${o.key} ${r.status}`, r.schema as object), `${o.key} ${r.status}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(100);
  }, 120_000);
});

describe('OpenApiError', () => {
  it('is a ConfigError whose diagnostics print as its message (the CLI prints them and exits 2)', async () => {
    const err = await loadError(`${FIX}/invalid-schema.yaml`);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.diagnostics).toHaveLength(2);
    expect(formatDiagnostics(err.diagnostics)).toBe(err.message);
  });
});
