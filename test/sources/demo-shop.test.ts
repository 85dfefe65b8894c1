/** The demo shop exports its own golden signals on /metrics, as a real service would. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';

let shop: DemoShop;
beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
});
afterEach(async () => {
  await shop.close();
});

it('counts requests by route template and status, times them, and exports process metrics', async () => {
  await fetch(`${shop.url}/api/products`).then((r) => r.text());
  await fetch(`${shop.url}/api/products`).then((r) => r.text());
  await fetch(`${shop.url}/no-such-page`).then((r) => r.text());
  shop.setFault('/api/products', { status: 503, count: 1 });
  await fetch(`${shop.url}/api/products`).then((r) => r.text());
  const res = await fetch(`${shop.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  expect(text).toContain('http_requests_total{method="GET",route="/api/products",code="200"} 2');
  expect(text).toContain('http_requests_total{method="GET",route="/api/products",code="503"} 1');
  expect(text).toContain('http_requests_total{method="GET",route="unmatched",code="404"} 1');
  expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/products"\} 3/);
  expect(text).toMatch(/^process_cpu_seconds_total \d/m);
  expect(text).toMatch(/^process_open_fds \d/m);
});
