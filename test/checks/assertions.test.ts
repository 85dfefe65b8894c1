import { describe, expect, it } from 'vitest';
import { checkAssertion, validateAssertion, type ResponseView } from '../../src/checks/assertions.js';
import type { Assertion } from '../../src/model/monitor.js';

const body = {
  total: 0,
  name: 'Orders',
  items: [
    { id: 'a1', price: 10, tags: ['new'] },
    { id: 'b2', price: -1, tags: [] },
  ],
  empty: null,
};

const view: ResponseView = {
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '812', 'x-version': '1.4.2' },
  text: () => JSON.stringify(body),
  json: () => body,
  responseTimeMs: 123.46,
};

const check = (a: Assertion) => checkAssertion(a, view);
const json = (path: string, op: Assertion['op'], target?: unknown): Assertion => ({ source: 'json', path, op, target });

describe('assertions: every op holds and fails with an explanation', () => {
  it('comparisons', () => {
    expect(check(json('$.total', 'gt', 0))).toBe('$.total: expected > 0, got 0');
    expect(check(json('$.total', 'gte', 0))).toBeNull();
    expect(check(json('$.items[0].price', 'lt', 10))).toBe('$.items[0].price: expected < 10, got 10');
    expect(check(json('$.items[0].price', 'lte', 10))).toBeNull();
    expect(check(json('$.name', 'eq', 'Orders'))).toBeNull();
    expect(check(json('$.name', 'eq', 'Other'))).toBe('$.name: expected "Other", got "Orders"');
    expect(check(json('$.name', 'neq', 'Orders'))).toBe('$.name: expected not "Orders", got "Orders"');
    expect(check(json('$.items[0].tags', 'eq', ['new']))).toBeNull();
    expect(check(json('$.total', 'eq', '0'))).toBe('$.total: expected "0", got 0'); // JSON is strict
    expect(check(json('$.name', 'gt', 5))).toBe('$.name: expected > 5, got "Orders"');
  });

  it('contains, matches, exists, isType, lengths', () => {
    expect(check(json('$.name', 'contains', 'Ord'))).toBeNull();
    expect(check(json('$.items[1].tags', 'contains', 'new'))).toBe('$.items[1].tags: expected to contain "new", got []');
    expect(check(json('$.items[0].tags', 'notContains', 'new'))).toBe('$.items[0].tags: expected not to contain "new", got ["new"]');
    expect(check(json('$.items[0].id', 'matches', '^[a-z]\\d$'))).toBeNull();
    expect(check(json('$.items[0].id', 'matches', '/^A1$/i'))).toBeNull();
    expect(check(json('$.name', 'matches', '^\\d+$'))).toBe('$.name: expected to match /^\\d+$/, got "Orders"');
    expect(check(json('$.empty', 'exists'))).toBeNull();
    expect(check(json('$.missing', 'exists'))).toBe('$.missing: expected to exist, got nothing (not present)');
    expect(check(json('$.name', 'notExists'))).toBe('$.name: expected not to exist, got "Orders"');
    expect(check(json('$.items[0].price', 'isType', 'integer'))).toBeNull();
    expect(check(json('$.items[0].price', 'isType', 'number'))).toBeNull();
    expect(check(json('$.empty', 'isType', 'null'))).toBeNull();
    expect(check(json('$.name', 'isType', 'number'))).toBe('$.name: expected type number, got string "Orders"');
    expect(check(json('$.items', 'lengthEq', 2))).toBeNull();
    expect(check(json('$.items', 'lengthGte', 3))).toBe('$.items: expected length >= 3, got length 2');
    expect(check(json('$.name', 'lengthLte', 3))).toBe('$.name: expected length <= 3, got length 6');
    expect(check(json('$.total', 'lengthEq', 1))).toBe('$.total: expected length 1, got number 0 (no length)');
  });

  it('wildcards: comparisons hold for every match, list ops see the list', () => {
    expect(check(json('$.items[*].price', 'gt', 0))).toBe('$.items[1].price: expected > 0, got -1');
    expect(check(json('$.items[*].id', 'matches', '^[a-z]\\d$'))).toBeNull();
    expect(check(json('$.items[*].price', 'contains', -1))).toBeNull();
    expect(check(json('$.items[*]', 'lengthGte', 2))).toBeNull();
    expect(check(json('$.items[*].nope', 'exists'))).toBe('$.items[*].nope: expected to exist, got no matches');
    expect(check(json('$.items[*].nope', 'gt', 0))).toBe('$.items[*].nope: expected > 0, got no matches');
    expect(check(json('$.items[*].price', 'notExists'))).toBe('$.items[*].price: expected no matches, got 2');
  });

  it('status, header, text and response time sources compare leniently', () => {
    expect(check({ source: 'status', op: 'eq', target: 200 })).toBeNull();
    expect(check({ source: 'status', op: 'lt', target: 200 })).toBe('status: expected < 200, got 200');
    expect(check({ source: 'header', path: 'Content-Type', op: 'contains', target: 'json' })).toBeNull();
    expect(check({ source: 'header', path: 'content-length', op: 'gt', target: 1000 })).toBe('header content-length: expected > 1000, got "812"');
    expect(check({ source: 'header', path: 'content-length', op: 'eq', target: 812 })).toBeNull();
    expect(check({ source: 'header', path: 'x-missing', op: 'exists' })).toBe('header x-missing: expected to exist, got nothing (not present)');
    expect(check({ source: 'header', path: 'x-version', op: 'matches', target: '^1\\.' })).toBeNull();
    expect(check({ source: 'text', op: 'contains', target: '"Orders"' })).toBeNull();
    expect(check({ source: 'text', op: 'notContains', target: 'error' })).toBeNull();
    expect(check({ source: 'responseTime', op: 'lt', target: 100 })).toBe('response time: expected < 100 ms, got 123.5 ms');
  });
});

describe('assertion validation', () => {
  it('explains malformed assertions', () => {
    expect(validateAssertion(json('$.ok', 'eq', 1))).toBeNull();
    expect(validateAssertion({ source: 'json', op: 'eq', target: 1 })).toBe('source json needs a path');
    expect(validateAssertion(json('$.a[', 'eq', 1))).toMatch(/^invalid JSON path "\$\.a\[" at 4/);
    expect(validateAssertion(json('$.a', 'matches', '('))).toMatch(/^invalid regular expression "\("/);
    expect(validateAssertion(json('$.a', 'isType', 'float'))).toBe('op isType needs one of string, number, integer, boolean, object, array, null as target');
    expect(validateAssertion(json('$.a', 'lengthEq', -1))).toBe('op lengthEq needs a non-negative integer target');
    expect(validateAssertion(json('$.a', 'gt'))).toBe('op gt needs a target');
    expect(validateAssertion({ source: 'body' as Assertion['source'], op: 'eq', target: 1 })).toMatch(/^unknown source "body"/);
    expect(validateAssertion({ source: 'json', path: '$', op: 'like' as Assertion['op'], target: 1 })).toMatch(/^unknown op "like"/);
  });

  it('a malformed assertion fails the check with the reason instead of throwing', () => {
    expect(check(json('$.a[', 'eq', 1))).toMatch(/^invalid assertion \(json \$\.a\[\): invalid JSON path/);
  });
});
