/**
 * The benchmark target for bench/checks.ts, run in its own process so it never shares the event
 * loop with the clients being measured. Prints `{"port":N}` on stdout once listening.
 *
 *   GET /items       a small JSON document (the throughput endpoint)
 *   GET /slow        the same document after 50 ms; records its own handling time (hrtime, from
 *                    the request event to the response finished) under the `x-request-id` header
 *   GET /handling    the recorded handling times `{ id: ms }`, then forgets them
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const items = JSON.stringify({
  items: Array.from({ length: 8 }, (_, i) => ({ id: i + 1, name: `item-${i + 1}`, price: 10 + i, tags: ['a', 'b'] })),
  total: 8,
});
const itemsHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(items) };
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 50);
let handling = new Map<string, number>();

const server = http.createServer((req, res) => {
  const t0 = process.hrtime.bigint();
  const path = req.url ?? '/';
  if (path === '/items') {
    res.writeHead(200, itemsHeaders);
    res.end(items);
    return;
  }
  if (path === '/slow') {
    const id = String(req.headers['x-request-id'] ?? '');
    res.on('finish', () => {
      if (id) handling.set(id, Number(process.hrtime.bigint() - t0) / 1e6);
    });
    setTimeout(() => {
      res.writeHead(200, itemsHeaders);
      res.end(items);
    }, SLOW_MS);
    return;
  }
  if (path === '/handling') {
    const body = JSON.stringify(Object.fromEntries(handling));
    handling = new Map();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
