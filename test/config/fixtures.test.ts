/**
 * The loader against fixture folders named by behaviour (test/fixtures/config/<behaviour>/): exact
 * diagnostics (file, field path, message, line), every problem reported at once, discovery,
 * defaults and URL resolution.
 */
import type { ApiCheckDefinition } from '../../src/model/monitor.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../../src/config/index.js';
import { diagnosticsOf, expectDiagnostic, fixture, loadFixture } from './helpers.js';

describe('discovery and resolution', () => {
  it('yaml-only: a folder of YAML checks is enough; relative URLs are appended to OBSERVER_BASE_URL', async () => {
    const config = await loadFixture('yaml-only', { env: { OBSERVER_BASE_URL: 'http://127.0.0.1:4173/base' } });
    expect(config.configFile).toBeUndefined();
    expect(config.rootDir).toBe(fixture('yaml-only'));
    expect((config.checks as ApiCheckDefinition[]).map((c) => c.id)).toEqual(['health', 'products', 'external']);
    const [health, products, external] = (config.checks as ApiCheckDefinition[]);
    expect(health.request).toEqual({ method: 'GET', url: 'http://127.0.0.1:4173/base/api/health', headers: {} });
    expect(health.file).toBe(path.join(fixture('yaml-only'), 'checks/health.check.yaml'));
    expect(health.expect.status).toHaveLength(100);
    expect(health.expect.status[0]).toBe(200);
    expect(health.expect.status[99]).toBe(299);
    expect(health.name).toBe('health');
    expect(products.request.url).toBe('http://127.0.0.1:4173/base/api/products?q=shoe');
    expect(products.expect.status).toEqual([200, 304]);
    expect(products.expect.body).toEqual([{ source: 'json', path: '$.items[0].price', op: 'gt', target: 0 }]);
    expect(external.request).toEqual({
      method: 'POST',
      url: 'https://status.example.com/api/ping',
      headers: { 'x-trace': 'on', 'content-type': 'application/json' },
      body: '{"ping":true}',
    });
    expect(external).toMatchObject({ retries: 2, timeoutMs: 5000, tags: ['external'], maxBodyBytes: 10 * 1024 * 1024 });
    // Defaults when there is no config file.
    expect(config).toMatchObject({
      environment: 'local',
      location: 'local',
      reporters: ['json', 'junit', 'markdown', 'html'],
      outDir: path.join(fixture('yaml-only'), 'reports'),
      store: { path: path.join(fixture('yaml-only'), '.observer/observer.db') },
      concurrency: { checks: 20, perOrigin: 6, journeyWorkers: 2 },
      daemon: { port: 9464, shutdownTimeoutMs: 30000 },
      journeyFiles: [],
      journeySettings: {},
      anomaly: {},
      alerts: {},
    });
    expect(config.store.url).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });

  it('ts-checks: observer.config.ts selects the environment, applies defaults and loads TS checks (single and list)', async () => {
    const config = await loadFixture('ts-checks');
    expect(config.configFile).toBe(path.join(fixture('ts-checks'), 'observer.config.ts'));
    expect(config.environment).toBe('local');
    expect(config.baseUrl).toBe('http://127.0.0.1:4173');
    expect((config.checks as ApiCheckDefinition[]).map((c) => c.id)).toEqual(['cart-add', 'cart-get', 'search']);
    const byId = Object.fromEntries((config.checks as ApiCheckDefinition[]).map((c) => [c.id, c]));
    expect(byId['cart-add']).toMatchObject({
      request: { method: 'POST', url: 'http://127.0.0.1:4173/api/cart', body: '{"productId":1,"qty":1}', headers: { 'content-type': 'application/json' } },
      expect: { status: [200, 201], maxResponseTimeMs: 3000, degradedResponseTimeMs: 1000 },
      retries: 1,
      timeoutMs: 7000,
    });
    expect(byId['cart-add'].expect.schema?.file).toBe(path.join(fixture('ts-checks'), 'checks/schemas/cart.json'));
    // An explicit content-type is kept; a string body is sent as is.
    expect(byId['cart-get'].request.headers).toEqual({ 'content-type': 'text/plain' });
    expect(byId['cart-get'].request.body).toBe('raw');
    const search = byId.search;
    expect(search.request.headers).toEqual({ accept: 'application/json' });
    expect(search.expect.headers).toEqual([
      { source: 'header', path: 'content-type', op: 'contains', target: 'json' },
      { source: 'header', path: 'x-version', op: 'eq', target: '1.4.2' },
    ]);
    expect(search.expect.body).toEqual([
      { source: 'json', path: '$.total', op: 'gte', target: 1 },
      { source: 'text', op: 'contains', target: 'items' },
    ]);
    expect(search.expect.schema?.key).toMatch(/^inline:checks\/search\.check\.ts#[0-9a-f]{16}$/);
    expect(search.expect).toMatchObject({ maxResponseTimeMs: 1500, degradedResponseTimeMs: 1000 });
    expect(search.schedule).toBe('*/5 * * * *');
    expect(config).toMatchObject({
      reporters: ['json'],
      outDir: path.join(fixture('ts-checks'), 'out'),
      store: { path: path.join(fixture('ts-checks'), 'data/observer.db') },
      concurrency: { checks: 4, perOrigin: 6, journeyWorkers: 2 },
      daemon: { timezone: 'Europe/Berlin', lanes: { api: 2 }, port: 9464, shutdownTimeoutMs: 30000 },
      defaults: { timeoutMs: 7000, retries: 1, maxResponseTimeMs: 3000, degradedResponseTimeMs: 1000, maxBodyBytes: 10485760, journeyTimeoutMs: 60000, stepTimeoutMs: 15000 },
    });
    expect(config.journeyFiles).toEqual([path.join(fixture('ts-checks'), 'journeys/purchase.journey.ts')]);
    expect(config.journeySettings).toEqual({
      purchase: { schedule: '*/10 * * * *', steps: { 'add to cart': { maxMs: 2000, degradedMs: 800 } } },
    });
  });

  it('ts-checks: --env staging resolves relative URLs below the base URL path', async () => {
    const config = await loadFixture('ts-checks', { environment: 'staging' });
    expect(config.environment).toBe('staging');
    expect((config.checks as ApiCheckDefinition[]).map((c) => c.request.url)).toEqual([
      'https://staging.example.com/shop/api/cart',
      'https://staging.example.com/shop/api/cart',
      'https://staging.example.com/shop/api/products?q=shoe',
    ]);
  });

  it('ts-checks: OBSERVER_BASE_URL overrides the selected environment; OBSERVER_DATABASE_URL the store', async () => {
    const config = await loadFixture('ts-checks', {
      environment: 'staging',
      env: { OBSERVER_BASE_URL: 'http://127.0.0.1:5555', OBSERVER_DATABASE_URL: 'postgres://obs:s3cr3t-pw@127.0.0.1:5432/test', OBSERVER_LOCATION: 'eu-west' },
    });
    expect(config.baseUrl).toBe('http://127.0.0.1:5555');
    expect((config.checks as ApiCheckDefinition[])[0].request.url).toBe('http://127.0.0.1:5555/api/cart');
    expect(config.store.url).toBe('postgres://obs:s3cr3t-pw@127.0.0.1:5432/test');
    expect(config.location).toBe('eu-west');
    // The database URL and its password are secrets.
    expect(config.redactor.redact('connecting with s3cr3t-pw')).toBe('connecting with [REDACTED]');
    // --location beats the environment variable.
    const flagged = await loadFixture('ts-checks', { location: 'us-east', env: { OBSERVER_LOCATION: 'eu-west' } });
    expect(flagged.location).toBe('us-east');
  });

  it('ts-checks: an unknown --env lists the valid ones with a hint', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('ts-checks', { environment: 'stagin' }));
    expect(diagnostics).toHaveLength(1);
    expectDiagnostic(diagnostics, { file: '(command line)', path: '--env', message: 'unknown environment "stagin" (did you mean "staging"?); observer.config.ts defines local, staging' });
  });

  it('explicit files select only those (files and folders), relative to cwd', async () => {
    const only = await loadFixture('yaml-only', { files: ['checks/health.check.yaml'], env: { OBSERVER_BASE_URL: 'http://127.0.0.1:1' } });
    expect(only.checks.map((c) => c.id)).toEqual(['health']);
    const folder = await loadFixture('yaml-only', { files: ['checks/nested'], env: { OBSERVER_BASE_URL: 'http://127.0.0.1:1' } });
    expect(folder.checks.map((c) => c.id)).toEqual(['products', 'external']);
    const journeys = await loadFixture('ts-checks', { files: ['journeys/purchase.journey.ts'] });
    expect(journeys.checks).toEqual([]);
    expect(journeys.journeyFiles).toEqual([path.join(fixture('ts-checks'), 'journeys/purchase.journey.ts')]);
  });

  it('explicit files: a missing or unrecognised file is a diagnostic', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('yaml-only', { files: ['checks/nope.check.yaml', 'checks/README.md'], env: { OBSERVER_BASE_URL: 'http://127.0.0.1:1' } }));
    expect(diagnostics).toHaveLength(2);
    expectDiagnostic(diagnostics, { file: '(command line)', path: 'files[0]', message: 'not found: checks/nope.check.yaml' });
    expectDiagnostic(diagnostics, { file: '(command line)', path: 'files[1]', message: '"checks/README.md" is neither a check (*.check.ts, *.check.yaml) nor a journey (*.journey.ts)' });
  });

  it('journeys-settings: checkFiles/journeyFiles globs override discovery; journey settings kept as written, defaults beside them; locations are checked', async () => {
    const config = await loadFixture('journeys-settings');
    expect((config.checks as ApiCheckDefinition[]).map((c) => c.id)).toEqual(['ping']);
    expect((config.checks as ApiCheckDefinition[])[0].locations).toEqual(['us-east']);
    expect(config.location).toBe('eu-west');
    expect(config.journeyFiles).toEqual([
      path.join(fixture('journeys-settings'), 'journeys/search.journey.ts'),
      path.join(fixture('journeys-settings'), 'journeys/shop/checkout.journey.ts'),
    ]);
    expect(config.journeySettings).toEqual({
      checkout: { id: 'checkout', tags: ['shop'], stepTimeoutMs: 5000, locations: ['eu-west'] },
      'Search for shoes': { schedule: '*/15 * * * *', steps: { 'open results': { maxMs: 2000 } } },
    });
    expect(config.defaults).toMatchObject({ retries: 2, journeyTimeoutMs: 90000, stepTimeoutMs: 15000 });
    const diagnostics = await diagnosticsOf(loadFixture('journeys-settings', { location: 'ap-south' }));
    expectDiagnostic(diagnostics, { file: '(command line)', path: '--location', message: 'unknown location "ap-south"; observer.config.ts lists eu-west, us-east' });
  });
});

describe('diagnostics', () => {
  it('unknown-field: names the field, suggests the right one and points at its line', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('unknown-field'));
    expect(diagnostics).toHaveLength(2);
    expectDiagnostic(diagnostics, { file: 'checks/typo.check.yaml', path: '', message: 'unknown field "expcet" (did you mean "expect"?)', line: 5 });
    expectDiagnostic(diagnostics, { file: 'checks/typo.check.yaml', path: 'request', message: 'unknown field "methd" (did you mean "method"?)', line: 3 });
    expect(formatDiagnostics(diagnostics).split('\n')).toEqual([
      'checks/typo.check.yaml:5: unknown field "expcet" (did you mean "expect"?)',
      'checks/typo.check.yaml:3: request: unknown field "methd" (did you mean "method"?)',
    ]);
  });

  it('bad-cron: 5- and 6-field expressions are accepted, malformed ones rejected with the expected shape', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('bad-cron'));
    expect(diagnostics).toHaveLength(2);
    expectDiagnostic(diagnostics, { file: 'checks/cron.check.yaml', path: 'checks[0].schedule', message: 'invalid cron expression "* * *" (it has 3 fields): expected 5 fields', line: 3 });
    expectDiagnostic(diagnostics, { file: 'checks/cron.check.yaml', path: 'checks[1].schedule', message: 'invalid cron expression "61 * * * *" (a field is out of range or malformed)', line: 6 });
  });

  it('missing-schema-file: a missing schema file and a $ref to a missing file', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('missing-schema-file'));
    expect(diagnostics).toHaveLength(2);
    expectDiagnostic(diagnostics, { file: 'checks/missing.check.yaml', path: 'checks[0].expect.schema', message: 'schema file not found: checks/schemas/nope.json', line: 3 });
    expectDiagnostic(diagnostics, { file: 'checks/schemas/list.json', path: 'items.$ref', message: '$ref "item.json": schema file not found: checks/schemas/item.json' });
  });

  it('invalid-schema: schemas are meta-validated at load (files and inline), broken JSON has its line', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('invalid-schema'));
    expect(diagnostics).toHaveLength(3);
    expectDiagnostic(diagnostics, {
      file: 'checks/schemas/bad-type.json',
      path: 'properties.price.type',
      message: 'invalid JSON Schema: must be one of array, boolean, integer, null, number, object, string (got "nubmer") (did you mean "number"?)',
    });
    expectDiagnostic(diagnostics, { file: 'checks/schemas/broken.json', path: '', message: "not valid JSON: Expected ',' or '}' after property value", line: 4 });
    expectDiagnostic(diagnostics, { file: 'checks/invalid.check.yaml', path: 'checks[2].expect.schema.required', message: 'invalid JSON Schema: must be a list (got "id")' });
  });

  it('duplicate-id: ids must be unique across files; the message names the other file', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('duplicate-id'));
    expect(diagnostics).toHaveLength(1);
    expectDiagnostic(diagnostics, {
      file: 'checks/team-b/health.check.yaml',
      path: 'checks[1].id',
      message: 'duplicate check id "health": already defined in checks/team-a/health.check.yaml',
      line: 3,
    });
  });

  it('conflicting-fields: thresholds, operator values, JSON paths; warnings do not fail alone', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('conflicting-fields'));
    const f = 'checks/conflicts.check.yaml';
    expectDiagnostic(diagnostics, { file: f, path: 'checks[0].expect.degradedResponseTimeMs', message: 'degradedResponseTimeMs (500) must be below maxResponseTimeMs (500)' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[1].request.body', message: 'GET requests usually carry no body', severity: 'warning' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.headers.etag.value', message: '"exists" takes no value' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.headers["x-count"].value', message: '"gt" needs a number value (got "ten")' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.body[0].value', message: '"lengthGte" needs a non-negative integer value (got -1)' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.body[1].value', message: 'not a valid regular expression' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.body[2].value', message: '"isType" needs one of string, number, integer, boolean, object, array, null (got "text")' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.body[3].value', message: '"eq" needs a value' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.body[4].path', message: 'text assertions apply to the whole body and take no path' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[2].expect.body[5].path', message: 'invalid JSON path "$..deep" at 2' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[3].expect.maxResponseTimeMs', message: 'maxResponseTimeMs (5000) is above timeoutMs (1000)', severity: 'warning' });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[4].request.headers.accept', message: 'header "accept" is set twice (header names are case-insensitive)', line: 28 });
    expectDiagnostic(diagnostics, { file: f, path: 'checks[4].request.headers["bad header"]', message: '"bad header" is not a valid header name', line: 29 });
    expect(diagnostics).toHaveLength(13);
  });

  it('ts-load-errors: a throwing import, no default export and a non-object export are diagnostics, not crashes', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('ts-load-errors'));
    expect(diagnostics).toHaveLength(3);
    expectDiagnostic(diagnostics, { file: 'checks/throws.check.ts', path: '', message: 'failed to load: cannot reach the vault', line: 1 });
    expect(diagnostics.find((d) => d.file === 'checks/throws.check.ts')?.message).not.toContain('second line');
    expectDiagnostic(diagnostics, { file: 'checks/no-default.check.ts', path: '', message: 'no default export: expected `export default defineCheck({ ... })`' });
    expectDiagnostic(diagnostics, { file: 'checks/not-a-check.check.ts', path: '', message: 'a check must be an object with id and request (got number)' });
  });

  it('many-problems: every problem of every file (config and checks) is reported in one error', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('many-problems'));
    const c = 'observer.config.ts';
    expectDiagnostic(diagnostics, { file: c, path: '', message: 'unknown field "reporter" (did you mean "reporters"?)' });
    expectDiagnostic(diagnostics, { file: c, path: 'concurrency.checks', message: 'must be an integer (got "many")' });
    expectDiagnostic(diagnostics, { file: c, path: 'environments.local.baseUrl', message: 'must be an absolute http(s) URL' });
    expectDiagnostic(diagnostics, { file: c, path: 'daemon.timezone', message: 'unknown time zone "Mars/Olympus_Mons"' });
    expectDiagnostic(diagnostics, { file: c, path: 'dashboard.timeZone', message: 'unknown time zone "Moon/Tranquility_Base"' });
    const one = 'checks/one.check.yaml';
    expectDiagnostic(diagnostics, { file: one, path: 'id', message: 'must be a slug', line: 1 });
    expectDiagnostic(diagnostics, { file: one, path: 'request.method', message: 'must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (got "FETCH")', line: 3 });
    expectDiagnostic(diagnostics, { file: one, path: 'expect.status', message: 'must be <= 599 (got 700)', line: 6 });
    // A relative URL under the broken base URL is not reported again.
    expect(diagnostics.filter((d) => d.path === 'request.url')).toEqual([]);
    expectDiagnostic(diagnostics, { file: 'checks/two.check.yaml', path: 'retries', message: 'must be >= 0 (got -1)' });
    expectDiagnostic(diagnostics, { file: 'checks/two.check.yaml', path: 'schedule', message: 'invalid cron expression "every minute"' });
    expectDiagnostic(diagnostics, { file: 'checks/three.check.yaml', path: 'expect.body[0].path', message: 'invalid JSON path "items[0]" at 0: a JSON path starts with "$"' });
    expect(diagnostics).toHaveLength(11);
    // One line per diagnostic, `file[:line]: path: message`.
    const lines = formatDiagnostics(diagnostics).split('\n');
    expect(lines).toHaveLength(11);
    expect(lines).toContain('checks/two.check.yaml:3: retries: must be >= 0 (got -1)');
  });

  it('journey-settings-invalid: settings in observer.config.ts get the journey rules, ids and locations checked', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('journey-settings-invalid'));
    const c = 'observer.config.ts';
    expectDiagnostic(diagnostics, { file: c, path: 'journeys.cart', message: 'unknown field "retrys" (did you mean "retries"?)' });
    expectDiagnostic(diagnostics, { file: c, path: 'journeys.checkout.schedule', message: 'invalid cron expression "hourly"' });
    expectDiagnostic(diagnostics, { file: c, path: 'journeys.checkout.steps.pay.degradedMs', message: 'must be below maxMs (100)' });
    expectDiagnostic(diagnostics, { file: c, path: 'journeys.checkout.locations[0]', message: 'unknown location "mars"; locations are eu-west' });
    expectDiagnostic(diagnostics, { file: c, path: 'journeys["Search for shoes"].id', message: 'duplicate journey id "ping" (also journeys.checkout)' });
    expectDiagnostic(diagnostics, { file: c, path: 'journeys.checkout.id', message: 'journey id "ping" is also the id of a check in checks/ping.check.yaml' });
    expectDiagnostic(diagnostics, { file: c, path: 'journeys["Search for shoes"].id', message: 'journey id "ping" is also the id of a check' });
    expectDiagnostic(diagnostics, { file: 'checks/far.check.yaml', path: 'locations[1]', message: 'unknown location "eu-wst" (did you mean "eu-west"?); observer.config.ts locations are eu-west', line: 3 });
    expect(diagnostics).toHaveLength(8);
  });

  it('yaml-syntax: syntax errors with their line and a hint, duplicate keys, several documents, empty files', async () => {
    const diagnostics = await diagnosticsOf(loadFixture('yaml-syntax'));
    expectDiagnostic(diagnostics, { file: 'checks/flow.check.yaml', path: '', message: 'quote values containing [ ] { } or "," (e.g. path: "$.items[0].id")', line: 5 });
    expectDiagnostic(diagnostics, { file: 'checks/dup.check.yaml', path: '', message: 'YAML syntax error: Map keys must be unique', line: 3 });
    expectDiagnostic(diagnostics, { file: 'checks/docs.check.yaml', path: '', message: 'holds 2 YAML documents ("---"): put the checks in one list instead' });
    expectDiagnostic(diagnostics, { file: 'checks/empty.check.yaml', path: '', message: 'empty file: expected a check or a list of checks' });
    expect(diagnostics).toHaveLength(4);
  });
});
