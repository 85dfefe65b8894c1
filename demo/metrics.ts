/**
 * The demo shop's own Prometheus metrics (prom-client, one registry per shop): what a real service
 * exports, so `npm run demo` can show the shop's golden signals from a real Prometheus.
 * - `http_requests_total{method,route,code}` and `http_request_duration_seconds{method,route}`
 *   (route as a template: `/product/:id`, `unmatched` for 404s, so labels stay few);
 * - the process metrics (`process_cpu_seconds_total`, `process_open_fds`, ...).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export class ShopMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'code'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route and status code', labelNames: ['method', 'route', 'code'], registers });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, code: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** `/product/42` matched by `/product/(\d+)` with key `id` → `/product/:id`. */
export function routeTemplate(pathname: string, match: RegExpExecArray | null, keys: readonly string[]): string {
  if (!match) return 'unmatched';
  let out = pathname;
  keys.forEach((k, i) => {
    const v = match[i + 1];
    if (v) out = out.replace(v, `:${k}`);
  });
  return out;
}
