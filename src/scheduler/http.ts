/**
 * The daemon's HTTP endpoints: /metrics (Prometheus text), /healthz (alive), /readyz (scheduling),
 * and POST /heartbeat/<id> for push monitors (when a heartbeat book is given).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObserverMetrics } from '../metrics/registry.js';
import type { HeartbeatBook } from '../checks/heartbeat.js';

export interface HealthSource {
  readonly ready: boolean;
  readonly monitorCount: number;
}

export async function startMetricsServer(opts: { port: number; host: string; metrics: ObserverMetrics; health: HealthSource; heartbeats?: HeartbeatBook }): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (opts.heartbeats && url?.startsWith('/heartbeat/')) {
      receiveHeartbeat(opts.heartbeats, req, res);
      return;
    }
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

const MAX_PING_BODY = 1024;

/**
 * `POST /heartbeat/<id>[?status=fail][&message=...]` with the monitor's token as `?token=` or
 * `authorization: Bearer <token>`. A text body (first line, bounded) is the message when none is given.
 */
function receiveHeartbeat(book: HeartbeatBook, req: http.IncomingMessage, res: http.ServerResponse): void {
  const text = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
  };
  if (req.method !== 'POST') {
    req.resume();
    return text(405, 'heartbeats are POST requests: POST /heartbeat/<id>?token=...\n', { allow: 'POST' });
  }
  const url = new URL(req.url ?? '/', 'http://daemon');
  const id = decodeURIComponent(url.pathname.slice('/heartbeat/'.length));
  const status = url.searchParams.get('status') ?? 'ok';
  if (status !== 'ok' && status !== 'fail') {
    req.resume();
    return text(400, `status must be ok or fail (got ${JSON.stringify(status.slice(0, 20))})\n`);
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = url.searchParams.get('token') ?? bearer;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    if (size < MAX_PING_BODY) chunks.push(c.subarray(0, MAX_PING_BODY - size));
    size += c.length;
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const message = url.searchParams.get('message') ?? (Buffer.concat(chunks).toString('utf8') || undefined);
    const answer = book.receive(id, token ?? undefined, status === 'ok', message);
    if (answer === 'accepted') return text(200, 'ok\n');
    if (answer === 'unknown') return text(404, 'no heartbeat monitor with this id\n');
    return text(401, 'missing or wrong token (?token= or authorization: Bearer)\n');
  });
}
