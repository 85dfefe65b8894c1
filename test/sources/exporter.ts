/**
 * A real service for the tests, run as its own process (its CPU is its own): HTTP routes whose
 * status and latency the caller picks (`/api/<route>?status=503&delayMs=40`), `/metrics` in the
 * Prometheus format (prom-client: `http_requests_total{route,code}`, `http_request_duration_seconds`,
 * process metrics), and `/__burn?ms=N` which keeps one core busy for N ms (CPU the test drives).
 * Prints `exporter listening on http://127.0.0.1:PORT`.
 */
import http from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const requests = new Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['route', 'code'], registers: [registry] });
const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'latency', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] });

let burnUntil = 0;
/** Busy slices of 50 ms, yielding in between so /metrics still answers. */
function burn(): void {
  const end = Math.min(burnUntil, performance.now() + 50);
  while (performance.now() < end) {
    // busy
  }
  if (performance.now() < burnUntil) setImmediate(burn);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/metrics') {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
    return;
  }
  if (url.pathname === '/__burn') {
    const start = burnUntil <= performance.now();
    burnUntil = performance.now() + Number(url.searchParams.get("ms") ?? 1000);
    if (start) setImmediate(burn);
    res.end('burning');
    return;
  }
  const status = Number(url.searchParams.get('status') ?? 200);
  const delayMs = Number(url.searchParams.get('delayMs') ?? 0);
  const t0 = performance.now();
  setTimeout(() => {
    res.writeHead(status);
    res.end('ok');
    requests.inc({ route: url.pathname, code: String(status) });
    duration.observe({ route: url.pathname }, (performance.now() - t0) / 1000);
  }, delayMs);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`exporter listening on http://127.0.0.1:${a.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
