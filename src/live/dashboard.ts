/**
 * The live dashboard: `GET /` serves the board rendered from the store (the same HTML as
 * reports/index.html, plus the live script), `GET /events` streams its version; `changed()` (a
 * run finished, or the store watcher saw new results) renders once and tells every page, which
 * then fetches `/` once. Pages never poll. Optionally reports/ is rewritten on disk every
 * `writeIntervalMs`, only when something changed since the last write.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Logger } from '../runtime/log.js';
import type { RouteTable } from '../scheduler/http.js';
import type { BoardSource } from './board.js';
import { serveArtifact } from './artifacts.js';
import { injectLive, waitingPage } from './inject.js';
import { SseHub } from './sse.js';

export interface LiveDashboardOptions {
  source: BoardSource;
  log: Logger;
  /** Page title of the waiting page. */
  title?: string;
  /** Concurrent event streams; default 100. */
  maxClients?: number;
  /** Keepalive comment interval; default 15 000 ms. */
  heartbeatMs?: number;
  /** Reconnect delay sent to browsers; default 5 000 ms. */
  retryMs?: number;
  /** Rewrite reports/ at this interval when something changed; 0 or unset: never. */
  writeIntervalMs?: number;
  /** Coalesce bursts of changes (a daemon finishing several monitors at once): at most one update per this; default 1 000 ms. */
  debounceMs?: number;
}

interface Page {
  version: string;
  html: string;
}

export const DASHBOARD_DEFAULTS = { maxClients: 100, heartbeatMs: 15_000, retryMs: 5_000, debounceMs: 1_000 } as const;

export class LiveDashboard {
  private readonly boot = randomBytes(4).toString('hex');
  private seq = 0;
  private page: Page | null = null;
  private rendering: { version: string; done: Promise<Page> } | null = null;
  private readonly hub: SseHub;
  private debounce: NodeJS.Timeout | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  private written: string | null = null;
  private writing: Promise<void> | null = null;
  private closed = false;
  private readonly retryMs: number;

  constructor(private readonly opts: LiveDashboardOptions) {
    this.retryMs = opts.retryMs ?? DASHBOARD_DEFAULTS.retryMs;
    this.hub = new SseHub({ maxClients: opts.maxClients ?? DASHBOARD_DEFAULTS.maxClients, heartbeatMs: opts.heartbeatMs ?? DASHBOARD_DEFAULTS.heartbeatMs, retryMs: this.retryMs });
    if (opts.writeIntervalMs && opts.writeIntervalMs > 0) {
      this.writeTimer = setInterval(() => void this.writeIfChanged(), opts.writeIntervalMs);
      this.writeTimer.unref();
    }
  }

  /** Changes whenever the store may show something new (and on every restart). */
  get version(): string {
    return `${this.boot}-${this.seq}`;
  }

  /** Open event streams. */
  get clients(): number {
    return this.hub.size;
  }

  /**
   * Something new is in the store: render once (after the debounce, and only while a page is
   * connected: the render is CPU work on the daemon's event loop) and tell every page.
   */
  changed(): void {
    if (this.closed) return;
    this.seq++;
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      const version = this.version;
      // No page open: nothing to render now; the next GET / renders the version it asks for.
      if (this.hub.size === 0) return;
      this.render()
        .then(() => this.hub.broadcast('update', JSON.stringify({ version })))
        .catch((err: unknown) => this.opts.log.warn(`dashboard: could not render the board: ${(err as Error).message}`));
    }, this.opts.debounceMs ?? DASHBOARD_DEFAULTS.debounceMs);
  }

  /** `/` (and `/index.html`), `/events` and `/artifacts/...` (the board's links), behind the server's token. */
  addRoutes(routes: RouteTable): void {
    const page = (req: http.IncomingMessage, res: http.ServerResponse) => this.servePage(req, res);
    routes.add({ path: '/', auth: 'token', hint: '/ (dashboard)', handle: page });
    routes.add({ path: '/index.html', auth: 'token', handle: page });
    routes.add({ path: '/artifacts/', prefix: true, auth: 'token', hint: '/artifacts/...', handle: (req, res, url) => serveArtifact(this.opts.source.outDir, req, res, url) });
    routes.add({ path: '/events', methods: ['GET'], auth: 'token', hint: '/events (server-sent events)', handle: (req, res) => this.hub.accept(req, res, JSON.stringify({ version: this.version })) });
  }

  /** The page of the current version, rendered at most once per version. */
  render(): Promise<Page> {
    const version = this.version;
    if (this.page?.version === version) return Promise.resolve(this.page);
    if (this.rendering?.version === version) return this.rendering.done;
    const done = (async () => {
      const board = await this.opts.source.html();
      const settings = { version, retryMs: this.retryMs };
      const html = board === null ? injectLive(waitingPage(this.opts.title ?? 'production-observer', this.opts.source.storeDescription), { ...settings, build: 'waiting' }) : injectLive(board, settings);
      const page = { version, html };
      if (this.version === version || !this.page) this.page = page;
      return page;
    })();
    this.rendering = { version, done };
    void done.finally(() => {
      if (this.rendering?.done === done) this.rendering = null;
    }).catch(() => undefined);
    return done;
  }

  private async servePage(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { version, html } = await this.render();
    const etag = `"${version}"`;
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', etag, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : html);
  }

  /** Rewrite reports/ when the version moved since the last write (a write in progress is awaited). */
  async writeIfChanged(): Promise<void> {
    if (this.writing) return this.writing;
    const version = this.version;
    if (this.written === version) return;
    this.writing = (async () => {
      try {
        const { files, errors } = await this.opts.source.write();
        this.written = version;
        if (files.length) this.opts.log.debug(`dashboard: wrote reports (${files.join(', ')})`);
        for (const e of errors) this.opts.log.warn(`dashboard: reporter error: ${e}`);
      } catch (err) {
        this.opts.log.warn(`dashboard: could not write reports: ${(err as Error).message}`);
      } finally {
        this.writing = null;
      }
    })();
    return this.writing;
  }

  /** End every event stream (a `bye` first), stop the timers, and write reports/ a last time if it changed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.debounce);
    clearInterval(this.writeTimer);
    this.hub.close();
    if (this.writeTimer) await this.writeIfChanged();
  }
}
