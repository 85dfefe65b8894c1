/**
 * The status page and badges over HTTP, as one route handler the daemon's (or `observer serve`'s)
 * server plugs in: `handle(req, res)` answers and returns true for its paths, false for the rest.
 *
 *   GET /status            the page (text/html, refreshes itself every 60 s)
 *   GET /status.json       the same snapshot as JSON
 *   GET /badge/<id>/status.svg
 *   GET /badge/<id>/uptime.svg[?window=24h|7d|30d|90d]   (default 30d)
 *
 * The snapshot is read from the store at most once per `cacheMs` however many clients ask (one
 * read in flight at a time); a store that fails answers 503 and the next request tries again.
 */
import type http from 'node:http';
import type { Clock } from '../runtime/clock.js';
import { BADGE_CACHE_CONTROL, BADGE_CONTENT_TYPE, badgeFor, notFoundBadge, unavailableBadge } from './badges.js';
import { renderStatusPage } from './page-html.js';
import type { StatusSnapshot } from './snapshot.js';

export interface StatusRoutesOptions {
  load: () => Promise<StatusSnapshot>;
  clock: Clock;
  /** Default 15000. */
  cacheMs?: number;
  redact?: (text: string) => string;
  /** Page self-refresh; default 60. */
  refreshSeconds?: number;
  /** Warnings (a store read that failed). */
  log?: (msg: string) => void;
}

/** A Content-Security-Policy that holds the page to its promise: nothing is loaded from anywhere. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export interface StatusRoutes {
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
}

export function statusRoutes(opts: StatusRoutesOptions): StatusRoutes {
  const cacheMs = opts.cacheMs ?? 15_000;
  const redact = opts.redact ?? ((s: string) => s);
  let cached: { atMs: number; snapshot: StatusSnapshot } | undefined;
  let inFlight: Promise<StatusSnapshot> | undefined;
  const snapshot = (): Promise<StatusSnapshot> => {
    const now = opts.clock.nowMs();
    if (cached && now - cached.atMs < cacheMs) return Promise.resolve(cached.snapshot);
    inFlight ??= opts
      .load()
      .then((s) => {
        cached = { atMs: opts.clock.nowMs(), snapshot: s };
        return s;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://observer');
      const path = url.pathname;
      const badge = /^\/badge\/([^/]+)\/(status|uptime)\.svg$/.exec(path);
      const isPage = path === '/status' || path === '/status/' || path === '/status.json';
      if (!badge && !isPage && !path.startsWith('/badge/')) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('the status page and badges are read-only: GET or HEAD\n');
        return true;
      }
      const head = req.method === 'HEAD';
      const send = (status: number, headers: Record<string, string>, body: string) => {
        res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)), 'x-content-type-options': 'nosniff' });
        res.end(head ? undefined : body);
      };
      if (!badge && !isPage) {
        send(404, { 'content-type': BADGE_CONTENT_TYPE, 'cache-control': BADGE_CACHE_CONTROL }, notFoundBadge());
        return true;
      }
      snapshot()
        .then((s) => {
          if (badge) {
            let id: string;
            try {
              id = decodeURIComponent(badge[1] as string);
            } catch {
              id = '';
            }
            const answer = badgeFor(s, id, badge[2] as 'status' | 'uptime', badge[2] === 'uptime' ? url.searchParams.get('window') : null, redact);
            send(answer.status, { 'content-type': BADGE_CONTENT_TYPE, 'cache-control': BADGE_CACHE_CONTROL }, answer.svg);
          } else if (path === '/status.json') {
            send(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }, redact(JSON.stringify(s, null, 2)) + '\n');
          } else {
            const html = renderStatusPage(s, { redact, refreshSeconds: opts.refreshSeconds ?? 60, badgeBase: '/badge' });
            send(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': PAGE_CSP }, html);
          }
        })
        .catch((err: Error) => {
          opts.log?.(`status page: cannot read the store: ${redact(err.message)}`);
          if (badge) send(503, { 'content-type': BADGE_CONTENT_TYPE, 'cache-control': 'no-store' }, unavailableBadge());
          else send(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '15' }, 'status page unavailable: the store cannot be read; retry shortly\n');
        });
      return true;
    },
  };
}
