import { describe, expect, it } from 'vitest';
import { pointerToPath, SchemaCache, SchemaCompileError } from '../../src/checks/schema.js';

const schema = {
  type: 'object',
  required: ['id', 'total'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid' },
    total: { type: 'number', minimum: 0 },
    state: { enum: ['open', 'closed'] },
    items: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } },
    'odd key': { type: 'string' },
  },
};

describe('schema validation', () => {
  it('passes a conforming document and compiles once per key', () => {
    const cache = new SchemaCache();
    for (let i = 0; i < 3; i++) {
      expect(cache.validate('order@1', schema, { id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', total: 3 })).toEqual({ ok: true });
    }
    expect(cache.compilations).toBe(1);
  });

  it('formats errors with $. paths, the rule and the keyword', () => {
    const cache = new SchemaCache();
    const v = cache.validate('order@1', schema, {
      id: 'not-a-uuid',
      items: [{ price: 1 }, { price: '2' }],
      state: 'lost',
      extra: 1,
      'odd key': 5,
    });
    expect(v.ok).toBe(false);
    expect(v.errors).toEqual([
      '$.total: is required (required)',
      '$.extra: is not allowed (additionalProperties)',
      '$.id: must match format "uuid" (format)',
      '$.state: must be one of ["open","closed"] (enum)',
      '$.items[1].price: must be number (type)',
      "$['odd key']: must be string (type)",
    ]);
    expect(v.message).toBe('$.total: is required (required) (and 5 more schema errors)');
  });

  it('accepts unknown keywords in user schemas (strict off) and reports a broken schema once', () => {
    const cache = new SchemaCache();
    expect(cache.validate('loose', { type: 'object', 'x-owner': 'team-a' }, {})).toEqual({ ok: true });
    const broken = { type: 'object', properties: { a: { type: 'nonsense' } } };
    expect(() => cache.validate('broken', broken, {})).toThrow(SchemaCompileError);
    expect(() => cache.validate('broken', broken, {})).toThrow(/schema broken does not compile/);
    expect(cache.compilations).toBe(2);
  });

  it('converts JSON pointers to $. paths', () => {
    expect(pointerToPath('')).toBe('$');
    expect(pointerToPath('/items/0/price')).toBe('$.items[0].price');
    expect(pointerToPath('/a~1b/c~0d')).toBe("$['a/b']['c~d']");
  });
});
