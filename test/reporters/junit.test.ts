import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JUnitReporter, renderJUnit } from '../../src/reporters/junit.js';
import { Redactor } from '../../src/runtime/redact.js';
import { RUN_ID, scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

interface Case {
  '@_classname': string;
  '@_name': string;
  '@_time': string;
  failure?: { '@_message': string; '@_type': string; '#text': string };
  'system-out'?: string;
  skipped?: unknown;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_skipped': string;
  properties: { property: { '@_name': string; '@_value': string }[] };
  testcase: Case[];
}

const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name), trimValues: false, htmlEntities: true });

function parse(xml: string): { testsuites: { '@_tests': string; '@_failures': string; testsuite: Suite[] } } {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml);
}

describe('junit reporter', () => {
  it('writes one testsuite per kind, one testcase per monitor, a failure for the failed one', async () => {
    const { report, context } = scenario(dir);
    const [file] = await new JUnitReporter().onEnd(report, context);
    expect(path.basename(file)).toBe('junit.xml');
    const doc = parse(await readFile(file, 'utf8'));
    expect(doc.testsuites['@_tests']).toBe('4');
    expect(doc.testsuites['@_failures']).toBe('1');
    const [api, journey] = doc.testsuites.testsuite;
    expect(doc.testsuites.testsuite.map((s) => s['@_name'])).toEqual(['api', 'journey']);
    expect([api['@_tests'], api['@_failures'], api['@_skipped']]).toEqual(['2', '1', '0']);
    expect([journey['@_tests'], journey['@_failures']]).toEqual(['2', '0']);

    const props = Object.fromEntries(api.properties.property.map((p) => [p['@_name'], p['@_value']]));
    expect(props).toEqual({ 'run.id': RUN_ID, location: 'eu-west', environment: 'production' });

    const checkout = api.testcase.find((c) => c['@_name'] === 'Checkout API')!;
    expect(checkout['@_classname']).toBe('api');
    expect(Number(checkout['@_time'])).toBeCloseTo(report.results[1].durationMs / 1000, 2);
    expect(checkout.failure!['@_type']).toBe('http_status');
    expect(checkout.failure!['@_message']).toBe(report.results[1].error!.message);
    expect(checkout.failure!['#text']).toContain('✗ POST /api/checkout');
    expect(checkout.failure!['#text']).toContain('3 attempts');

    const catalog = api.testcase.find((c) => c['@_name'] === 'Catalog API')!;
    expect(catalog.failure).toBeUndefined();
    const purchase = journey.testcase.find((c) => c['@_name'] === 'Purchase journey')!;
    expect(purchase.failure).toBeUndefined();
    expect(purchase['system-out']).toMatch(/^degraded: /);
    expect(purchase['system-out']).toContain('! checkout');
    expect(journey.testcase.find((c) => c['@_name'] === 'Login | SSO')).toBeDefined();
    for (const s of doc.testsuites.testsuite) for (const c of s.testcase) expect(c.skipped).toBeUndefined();
  });

  it('escapes markup, quotes and control characters so the document stays well-formed', () => {
    const { report } = scenario(dir);
    report.results[1].name = 'Checkout "API" <v2> & co';
    report.results[1].error!.message = 'bad\u0000byte \u001b[31mred\u001b[0m\nsecond line\t"quoted" ]]> \uD800 end';
    const xml = renderJUnit(report);
    const doc = parse(xml);
    const c = doc.testsuites.testsuite[0].testcase.find((x) => x['@_name'] === 'Checkout "API" <v2> & co')!;
    expect(c).toBeDefined();
    // Control characters are kept visible, newline and tab survive attribute normalisation.
    expect(c.failure!['@_message']).toBe('bad\\u0000byte \\u001b[31mred\\u001b[0m\nsecond line\t"quoted" ]]> \\ud800 end');
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('can put the whole run in one suite and use the first tag as classname', () => {
    const { report } = scenario(dir);
    const doc = parse(renderJUnit(report, { suites: 'run', classname: 'tag' }));
    expect(doc.testsuites.testsuite).toHaveLength(1);
    expect(doc.testsuites.testsuite[0]['@_name']).toBe(`observer run ${RUN_ID}`);
    expect(doc.testsuites.testsuite[0].testcase.map((c) => c['@_classname'])).toEqual(['api', 'api', 'checkout', 'auth']);
  });

  it('redacts secrets before escaping them', async () => {
    const { report, context } = scenario(dir);
    report.results[1].error!.message = 'auth failed for p&ss<word>123';
    const redactor = new Redactor();
    redactor.add('p&ss<word>123');
    await new JUnitReporter({ redactor }).onEnd(report, context);
    const xml = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    expect(xml).not.toContain('p&amp;ss&lt;word&gt;123');
    expect(xml).toContain('auth failed for [REDACTED]');
  });
});

describe('JUnit: every error of a result', () => {
  it('lists each of several errors in the failure body, not only the first and a count', () => {
    const { report } = scenario('/out');
    const failed = report.results.find((r) => r.status === 'failed')!;
    failed.error = { class: 'schema', message: '$.a: must be number (type) (and 1 more schema error)', details: ['$.a: must be number (type)', '$.b: must be string (type)'] };
    const xml = renderJUnit(report);
    expect(xml).toContain('$.b: must be string (type)');
  });
});
