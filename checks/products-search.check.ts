// Search returns well-formed products (schema with a $ref to product.json) and finds shoes.
import { defineCheck } from 'production-observer';

export default defineCheck({
  id: 'products-search',
  name: 'Product search',
  request: {
    url: '/api/products?q=running',
    headers: { accept: 'application/json' },
  },
  expect: {
    status: 200,
    schema: 'schemas/product-list.json',
    body: [
      { path: '$.total', op: 'gte', value: 1 },
      { path: '$.items', op: 'lengthGte', value: 1 },
      { path: '$.items[0].price', op: 'gt', value: 0 },
      { path: '$.items[0].name', op: 'matches', value: '[Rr]unning' },
    ],
    maxResponseTimeMs: 1_500,
    degradedResponseTimeMs: 500,
  },
  schedule: '*/5 * * * *',
  tags: ['shop', 'catalog'],
});
