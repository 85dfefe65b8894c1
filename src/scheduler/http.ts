/** The daemon's HTTP endpoints: /metrics (Prometheus text), /healthz (alive), /readyz (scheduling). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObserverMetrics } from '../metrics/registry.js';

export interface HealthSource {
  readonly ready: boolean;
  readonly monitorCount: number;
}

export async function startMetricsServer(opts: { port: number; host: string; metrics: ObserverMetrics; health: HealthSource }): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      opts.metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text))
        .catch((err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics: ${err.message}\n`));
      return;
    }
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (url === '/readyz') {
      const ready = opts.health.ready;
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ready ? `ready: ${opts.health.monitorCount} monitor(s) scheduled\n` : 'not ready\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
