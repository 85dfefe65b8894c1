/** The loader's small parts: globs, JSON paths, Ajv error wording, URL joining, selection, journey settings. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfigAjv, validateWith } from '../../src/config/ajv-errors.js';
import { cronProblem } from '../../src/config/cron.js';
import { formatPath, parsePath } from '../../src/config/diagnostics.js';
import { classifyFile, discoverFiles, globToRegExp } from '../../src/config/discover.js';
import { jsonPathProblem } from '../../src/config/assertions.js';
import { formatDiagnostics, selectMonitors, validateJourneySettings } from '../../src/config/index.js';
import { resolveUrl } from '../../src/config/resolve-check.js';
import { checkSchema } from '../../src/config/schemas.js';
import { closest } from '../../src/config/suggest.js';
import type { ApiCheckDefinition, JourneyDefinition } from '../../src/model/monitor.js';

describe('globs', () => {
  it('**, *, ?, {a,b} and [..] over /-separated relative paths', () => {
    const re = globToRegExp('checks/**/*.check.{ts,yaml,yml}');
    expect(re.test('checks/a.check.ts')).toBe(true);
    expect(re.test('checks/x/y/b.check.yml')).toBe(true);
    expect(re.test('checks/a.check.json')).toBe(false);
    expect(re.test('checks/a.checkXts')).toBe(false);
    expect(re.test('other/checks/a.check.ts')).toBe(false);
    expect(globToRegExp('a/*.ts').test('a/b/c.ts')).toBe(false);
    expect(globToRegExp('a/?.ts').test('a/b.ts')).toBe(true);
    expect(globToRegExp('a/[bc].ts').test('a/c.ts')).toBe(true);
    expect(globToRegExp('a/[!bc].ts').test('a/c.ts')).toBe(false);
    expect(globToRegExp('a/**').test('a/b/c')).toBe(true);
  });

  it('discovery skips node_modules and dot-folders, follows symlinks, sorts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'observer-config-glob-'));
    try {
      for (const d of ['checks/b', 'checks/node_modules/x', 'checks/.hidden', 'real']) mkdirSync(path.join(dir, d), { recursive: true });
      for (const f of ['checks/z.check.yaml', 'checks/b/a.check.ts', 'checks/node_modules/x/n.check.ts', 'checks/.hidden/h.check.ts', 'real/r.check.yaml'])
        writeFileSync(path.join(dir, f), '');
      symlinkSync(path.join(dir, 'real'), path.join(dir, 'checks/linked'));
      symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'checks/dangling.check.yaml'));
      const found = await discoverFiles(dir, ['checks/**/*.check.{ts,yaml}']);
      expect(found.map((f) => path.relative(dir, f))).toEqual(['checks/b/a.check.ts', 'checks/linked/r.check.yaml', 'checks/z.check.yaml']);
      expect(await discoverFiles(dir, ['missing/**/*.ts'])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('classifies explicit files', () => {
    expect(classifyFile('x/a.journey.ts')).toBe('journey');
    expect(classifyFile('x/a.check.ts')).toBe('check');
    expect(classifyFile('x/a.yml')).toBe('check');
    expect(classifyFile('x/a.ts')).toBeUndefined();
  });
});

describe('JSON paths at load time (the runner\'s grammar)', () => {
  it('accepts what the runner evaluates, including wildcards and negative indexes', () => {
    for (const p of ['$', '$.items[0].price', '$.items[*].id', '$[-1]', `$['odd key'].a-b`]) expect(jsonPathProblem(p)).toBeUndefined();
  });

  it('rejects the rest, naming the position, with an example', () => {
    expect(jsonPathProblem('items')).toBe('invalid JSON path "items" at 0: a JSON path starts with "$" (e.g. "$.items[0].price", "$.items[*].id")');
    expect(jsonPathProblem('$..deep')).toContain('at 2: expected a name or "*" after "."');
  });
});

describe('Ajv errors in words', () => {
  const validate = createConfigAjv().compile(checkSchema);

  it('picks the anyOf branch the value\'s type selects', () => {
    const base = { id: 'x', request: { url: 'https://e.x/' } };
    expect(validateWith(validate, { ...base, expect: { status: [200, 'ok'] } })).toEqual([{ path: 'expect.status[1]', message: 'must be an integer (got "ok")', topKey: 'expect', parts: ['expect', 'status', 1] }]);
    expect(validateWith(validate, { ...base, expect: { status: true } })).toEqual([
      { path: 'expect.status', message: 'must be a status code (100-599) or a list of them (got true)', topKey: 'expect', parts: ['expect', 'status'] },
    ]);
    expect(validateWith(validate, { ...base, expect: { headers: { etag: { op: 'exist' } } } })).toEqual([
      {
        path: 'expect.headers.etag.op',
        message:
          'must be one of eq, neq, gt, gte, lt, lte, contains, notContains, matches, exists, notExists, isType, lengthEq, lengthGte, lengthLte (got "exist") (did you mean "exists"?)',
        topKey: 'expect',
        parts: ['expect', 'headers', 'etag', 'op'],
      },
    ]);
  });

  it('names missing and unknown fields, listing the known ones when nothing is close', () => {
    expect(validateWith(validate, { request: {}, zzz: 1 })).toEqual([
      { path: 'id', message: 'is required', topKey: 'id', parts: ['id'] },
      {
        path: '',
        message: 'unknown field "zzz"; expected one of kind, id, name, request, certificate, expect, retries, timeoutMs, maxBodyBytes, tags, schedule, locations',
        topKey: 'zzz',
        parts: ['zzz'],
        locate: 'zzz',
      },
      { path: 'request.url', message: 'is required', topKey: 'request', parts: ['request', 'url'] },
    ]);
  });

  it('formats and parses field paths, quoting odd keys', () => {
    expect(formatPath(['checks', 2, 'request', 'headers', 'x-api-key'])).toBe('checks[2].request.headers["x-api-key"]');
    expect(parsePath('checks[2].request.headers["x-api-key"]')).toEqual(['checks', 2, 'request', 'headers', 'x-api-key']);
  });

  it('formatDiagnostics prints file[:line]: path: message, one per line', () => {
    expect(
      formatDiagnostics([
        { file: 'checks/a.check.yaml', line: 4, path: 'expect.status', message: 'must be an integer', severity: 'error' },
        { file: 'observer.config.ts', path: '', message: 'unknown field "x"', severity: 'error' },
        { file: 'checks/b.check.ts', path: 'request.body', message: 'GET with a body', severity: 'warning' },
      ]),
    ).toBe('checks/a.check.yaml:4: expect.status: must be an integer\nobserver.config.ts: unknown field "x"\nchecks/b.check.ts: request.body: warning: GET with a body');
  });

  it('suggests only close names', () => {
    expect(closest('expcet', ['expect', 'request'])).toBe('expect');
    expect(closest('banana', ['expect', 'request'])).toBeUndefined();
  });
});

describe('cron', () => {
  it('accepts 5 and 6 fields, explains the rest', () => {
    expect(cronProblem('*/5 * * * *')).toBeUndefined();
    expect(cronProblem('0 */2 * * * *')).toBeUndefined();
    expect(cronProblem('* * * * * * *')).toContain('(it has 7 fields)');
    expect(cronProblem('* 25 * * *')).toContain('(a field is out of range or malformed)');
  });
});

describe('resolveUrl', () => {
  it('appends relative URLs to the base URL, path and query included', () => {
    expect(resolveUrl('/api/x?q=1', 'https://h.example/shop', 'b')).toEqual({ url: 'https://h.example/shop/api/x?q=1' });
    expect(resolveUrl('api/x', 'https://h.example/shop/', 'b')).toEqual({ url: 'https://h.example/shop/api/x' });
    expect(resolveUrl('/api/x', 'http://127.0.0.1:4173', 'b')).toEqual({ url: 'http://127.0.0.1:4173/api/x' });
    expect(resolveUrl('https://other.example/a', 'https://h.example/shop', 'b')).toEqual({ url: 'https://other.example/a' });
    expect(resolveUrl('ftp://h/x', undefined, 'b')).toEqual({ error: 'must be an http(s) URL (got ftp:)', relative: false });
    expect(resolveUrl('/x', undefined, 'b')).toMatchObject({ relative: true });
  });
});

describe('selectMonitors', () => {
  const api = (id: string, tags: string[]): ApiCheckDefinition => ({
    kind: 'api',
    id,
    name: id.toUpperCase(),
    file: 'f',
    request: { method: 'GET', url: 'http://h/', headers: {} },
    expect: { status: [200], headers: [], body: [] },
    retries: 0,
    timeoutMs: 1,
    maxBodyBytes: 1,
    tags,
  });
  const journey: JourneyDefinition = { kind: 'journey', id: 'buy', name: 'Buy', file: 'j', title: 'checkout flow', retries: 0, timeoutMs: 1, stepTimeoutMs: 1, steps: {}, tags: ['shop'] };
  const all = [api('health', ['smoke']), api('search', ['shop', 'catalog']), journey];

  it('greps id, name and title; tags match any', () => {
    expect(selectMonitors(all, {}).map((m) => m.id)).toEqual(['health', 'search', 'buy']);
    expect(selectMonitors(all, { grep: /checkout/ }).map((m) => m.id)).toEqual(['buy']);
    expect(selectMonitors(all, { grep: /^SEARCH$/ }).map((m) => m.id)).toEqual(['search']);
    expect(selectMonitors(all, { tags: ['smoke', 'catalog'] }).map((m) => m.id)).toEqual(['health', 'search']);
    expect(selectMonitors(all, { grep: /s/g, tags: ['shop'] }).map((m) => m.id)).toEqual(['search']);
  });
});

describe('validateJourneySettings', () => {
  it('returns the settings, or diagnostics with the given file and prefix', () => {
    expect(validateJourneySettings({ id: 'buy', steps: { pay: { maxMs: 5000, degradedMs: 2000 } } }, 'journeys/buy.journey.ts', 'settings')).toEqual({
      settings: { id: 'buy', steps: { pay: { maxMs: 5000, degradedMs: 2000 } } },
      diagnostics: [],
    });
    const cwd = '/repo';
    const r = validateJourneySettings({ id: 'Buy Now', retrys: 1, schedule: 'often' }, '/repo/journeys/buy.journey.ts', 'settings', cwd);
    expect(r.settings).toBeUndefined();
    expect(r.diagnostics).toEqual([
      { file: 'journeys/buy.journey.ts', path: 'settings', message: 'unknown field "retrys" (did you mean "retries"?)', severity: 'error' },
      {
        file: 'journeys/buy.journey.ts',
        path: 'settings.id',
        message: 'must be a slug: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (got "Buy Now")',
        severity: 'error',
      },
    ]);
    const rules = validateJourneySettings({ schedule: 'often', steps: { pay: { maxMs: 100, degradedMs: 100 } }, timeoutMs: 1000, stepTimeoutMs: 2000 }, 'j.ts', '');
    expect(rules.settings).toBeUndefined();
    expect(rules.diagnostics.map((d) => [d.path, d.severity])).toEqual([
      ['schedule', 'error'],
      ['steps.pay.degradedMs', 'error'],
      ['stepTimeoutMs', 'warning'],
    ]);
  });
});
