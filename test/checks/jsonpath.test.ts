import { describe, expect, it } from 'vitest';
import { compileJsonPath, evaluateJsonPath, JsonPathSyntaxError, parseJsonPath } from '../../src/checks/jsonpath.js';

const doc = {
  items: [
    { id: 1, price: 10, 'unit price': 1 },
    { id: 2, price: -1 },
  ],
  total: 0,
  'odd.key': { "it's": true },
  nested: { a: { b: null } },
};

const values = (path: string) => evaluateJsonPath(compileJsonPath(path), doc).map((m) => m.value);
const paths = (path: string) => evaluateJsonPath(compileJsonPath(path), doc).map((m) => m.path);

describe('JSON path parser', () => {
  it('parses names, quoted keys, indexes and wildcards into segments', () => {
    expect(parseJsonPath("$.items[0]['unit price']").segments).toEqual([
      { kind: 'key', key: 'items' },
      { kind: 'index', index: 0 },
      { kind: 'key', key: 'unit price' },
    ]);
    expect(parseJsonPath('$.items[*].price')).toMatchObject({ multi: true });
    expect(parseJsonPath('$.items.*').segments).toEqual([{ kind: 'key', key: 'items' }, { kind: 'wildcard' }]);
    expect(parseJsonPath('$["odd.key"]["it\'s"]').segments).toEqual([
      { kind: 'key', key: 'odd.key' },
      { kind: 'key', key: "it's" },
    ]);
    expect(parseJsonPath('$').segments).toEqual([]);
  });

  it('rejects what it does not understand, with the position', () => {
    const cases: Array<[string, RegExp]> = [
      ['items[0]', /starts with "\$"/],
      ['$.', /expected a name or "\*" after "\."/],
      ['$[0', /expected "\]"/],
      ['$[foo]', /expected a quoted key, an index or "\*"/],
      ["$['open", /unterminated string/],
      ['$.a?b', /unexpected character "\?"/],
      ['$..a', /expected a name/],
      ['$.items[-]', /expected digits/],
    ];
    for (const [src, reason] of cases) {
      let error: unknown;
      try {
        parseJsonPath(src);
      } catch (err) {
        error = err;
      }
      expect(error, src).toBeInstanceOf(JsonPathSyntaxError);
      expect((error as Error).message, src).toMatch(reason);
    }
  });

  it('does not match by substring: a dotted key needs brackets', () => {
    expect(values('$.odd.key')).toEqual([]);
    expect(values("$['odd.key']")).toEqual([{ "it's": true }]);
  });

  it('parses each expression once (cache)', () => {
    expect(compileJsonPath('$.items[0].price')).toBe(compileJsonPath('$.items[0].price'));
  });
});

describe('JSON path evaluation', () => {
  it('selects single values and reports missing ones as no match', () => {
    expect(values('$.items[0].price')).toEqual([10]);
    expect(values('$.total')).toEqual([0]);
    expect(values('$.nested.a.b')).toEqual([null]);
    expect(values('$.items[5].price')).toEqual([]);
    expect(values('$.total.deeper')).toEqual([]);
    expect(values('$.items[-1].id')).toEqual([2]);
  });

  it('wildcards return lists with concrete paths', () => {
    expect(values('$.items[*].price')).toEqual([10, -1]);
    expect(paths('$.items[*].price')).toEqual(['$.items[0].price', '$.items[1].price']);
    expect(paths("$.items[0].*")).toEqual(['$.items[0].id', '$.items[0].price', "$.items[0]['unit price']"]);
    expect(values('$.items[*].missing')).toEqual([]);
  });
});
