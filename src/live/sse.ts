/**
 * Server-sent events to dashboard pages (`GET /events`): a bounded set of open streams.
 *
 * - On connect: `retry: <ms>` (how long the browser waits before reconnecting) and a `hello`
 *   event carrying the current version, so a page that reconnects after missing an update
 *   notices it at once.
 * - Every `heartbeatMs`: a comment line (`: keepalive`), so proxies and load balancers do not
 *   close an idle stream.
 * - `broadcast(event, data)`: one frame to every stream. A client that cannot keep up (more than
 *   `maxBufferedBytes` unsent) is dropped; its browser reconnects.
 * - At most `maxClients` streams; the next one gets 503 with `retry-after`.
 * - `close()`: a `bye` event, then every stream is ended (shutdown).
 */
import type http from 'node:http';

export interface SseOptions {
  maxClients: number;
  heartbeatMs: number;
  /** The reconnect delay sent as `retry:`. */
  retryMs: number;
  /** Unsent bytes after which a slow client is dropped; default 1 MiB. */
  maxBufferedBytes?: number;
}

/** One SSE frame: `event:` and one `data:` line per line of the payload, ended by a blank line. */
export function sseFrame(event: string, data: string): string {
  if (/[\r\n]/.test(event)) throw new Error('an SSE event name is one line');
  return `event: ${event}\n${data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join('\n')}\n\n`;
}

export class SseHub {
  private readonly clients = new Set<http.ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: SseOptions) {
    this.timer = setInterval(() => this.write(': keepalive\n\n'), opts.heartbeatMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Take over the response as an event stream (or answer 503 when full or closing). */
  accept(req: http.IncomingMessage, res: http.ServerResponse, hello: string): void {
    if (this.closed || this.clients.size >= this.opts.maxClients) {
      const retryAfter = Math.max(1, Math.ceil(this.opts.retryMs / 1000));
      res
        .writeHead(503, { 'content-type': 'text/plain', 'retry-after': String(retryAfter), 'cache-control': 'no-store' })
        .end(this.closed ? 'shutting down\n' : `too many live dashboard clients (at most ${this.opts.maxClients})\n`);
      return;
    }
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx: do not buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${this.opts.retryMs}\n\n` + sseFrame('hello', hello));
    this.clients.add(res);
    const drop = () => this.clients.delete(res);
    res.on('close', drop);
    res.on('error', drop);
  }

  broadcast(event: string, data: string): void {
    this.write(sseFrame(event, data));
  }

  private write(frame: string): void {
    const limit = this.opts.maxBufferedBytes ?? 1024 * 1024;
    for (const res of this.clients) {
      if (res.writableLength > limit) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }

  /** Say goodbye and end every stream; later connections get 503. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const res of this.clients) res.end(sseFrame('bye', 'shutting down'));
    this.clients.clear();
  }
}
