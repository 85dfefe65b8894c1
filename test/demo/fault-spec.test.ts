import { describe, expect, it } from 'vitest';
import { FaultRegistry, compileEndpoint, driftJson, driftHtml, matchesEndpoint, parseFault, truncateBody } from '../../demo/faults.js';

describe('endpoint patterns', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['/api/products', 'GET', '/api/products', true],
    ['/api/products', 'GET', '/api/products/', true],
    ['/api/products', 'GET', '/api/products/1', false],
    ['/api/products/:id', 'GET', '/api/products/1', true],
    ['/api/products/:id', 'GET', '/api/products', false],
    ['/', 'GET', '/', true],
    ['/', 'GET', '/search', false],
    ['/static/*', 'GET', '/static/a/b.svg', true],
    ['/static/*', 'GET', '/statics/a', false],
    ['POST /api/cart', 'POST', '/api/cart', true],
    ['post /api/cart', 'POST', '/api/cart', true],
    ['POST /api/cart', 'GET', '/api/cart', false],
    ['/search?q=ignored', 'GET', '/search', true],
  ];
  it.each(cases)('%s vs %s %s -> %s', (pattern, method, path, expected) => {
    expect(matchesEndpoint(compileEndpoint(pattern), method, path)).toBe(expected);
  });

  it('rejects patterns that are not paths, unknown methods and inner wildcards', () => {
    expect(() => compileEndpoint('api/products')).toThrow(/expected a path/);
    expect(() => compileEndpoint('FETCH /api')).toThrow(/unknown method "FETCH"/);
    expect(() => compileEndpoint('/a/*/b')).toThrow(/"\*" may only end the pattern/);
  });
});

describe('parseFault', () => {
  it('keeps only set faults and validates every field', () => {
    expect(parseFault({ latencyMs: 0, malformedJson: false, status: 503 })).toEqual({ latencyMs: 0, status: 503 });
    expect(() => parseFault(null)).toThrow(/fault: expected an object/);
    expect(() => parseFault({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => parseFault({ status: 503.5 })).toThrow(/status/);
    expect(() => parseFault({ schemaDrift: 1 })).toThrow(/schemaDrift: expected a boolean, got 1/);
    expect(() => parseFault({ count: 2 })).toThrow(/no fault given/);
  });
});

describe('FaultRegistry', () => {
  it('replaces a fault set twice on the same endpoint and consumes counted uses', () => {
    const reg = new FaultRegistry();
    reg.set('/a', { status: 500 });
    reg.set('/a', { status: 502, count: 1 });
    expect(reg.list()).toEqual([{ endpoint: '/a', status: 502, count: 1, remaining: 1 }]);
    expect(reg.take('GET', '/b')).toBeUndefined();
    expect(reg.take('GET', '/a')).toEqual({ endpoint: '/a', status: 502, count: 1 });
    expect(reg.take('GET', '/a')).toBeUndefined();
    expect(reg.delete('/a')).toBe(false);
  });
});

describe('drift and truncation', () => {
  it('driftJson turns numbers into strings and drops the last key of each object', () => {
    expect(driftJson({ items: [{ id: 1, price: 2.5, stock: 3 }], total: 1 })).toEqual({ items: [{ id: '1', price: '2.5' }] });
    expect(driftJson({ only: 1 })).toEqual({ only: '1' });
    expect(driftJson([true, null, 'x'])).toEqual([true, null, 'x']);
  });
  it('driftHtml removes data-testid attributes only', () => {
    expect(driftHtml('<a href="/" data-testid="home">x</a>')).toBe('<a href="/">x</a>');
  });
  it('truncateBody always drops bytes from a JSON document', () => {
    for (const body of ['{}', '[]', '{"a":1}']) {
      const cut = truncateBody(body);
      expect(cut.length).toBeLessThan(body.length);
      expect(() => JSON.parse(cut)).toThrow();
    }
  });
});
