/**
 * Turns the report's self-contained index.html into the served live page, without the html
 * reporter knowing about it: the report's client script gets `id="observer-client"` (so the live
 * script can re-run it), the live settings and script go before `</body>`, and the page's
 * Content-Security-Policy allows the live script (by hash) and requests to its own origin
 * (`connect-src 'self'`: the event stream and the page refetch). Everything else the policy
 * forbids stays forbidden.
 */
import { createHash } from 'node:crypto';
import { CLIENT_JS } from '../reporters/html-client.js';
import { h, scriptJson, scriptSource } from '../reporters/html-escape.js';
import { LIVE_JS } from './client.js';

export interface LiveSettings {
  /** The dashboard version this page shows. */
  version: string;
  /** Reconnect delay of the event stream, ms. */
  retryMs: number;
  /** Overrides the script build (the waiting page: its first update is a full load). */
  build?: string;
}

/** Changes when the page scripts change: a page of another build reloads instead of swapping. */
export const LIVE_BUILD = createHash('sha256').update(CLIENT_JS).update(LIVE_JS).digest('hex').slice(0, 16);

const CSP_META = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/;

export function injectLive(html: string, settings: LiveSettings): string {
  const live = scriptSource(LIVE_JS);
  const client = `<script>${scriptSource(CLIENT_JS)}</script>`;
  let out = html.replace(client, () => `<script id="observer-client">${scriptSource(CLIENT_JS)}</script>`);
  out = out.replace(CSP_META, (_m, content: string) => `<meta http-equiv="Content-Security-Policy" content="${h(liveCsp(unescapeAttr(content), live))}">`);
  const tail = `<script type="application/json" id="observer-live">${scriptJson({ build: LIVE_BUILD, ...settings })}</script>\n<script>${live}</script>\n`;
  const end = out.lastIndexOf('</body>');
  return end < 0 ? out + tail : out.slice(0, end) + tail + out.slice(end);
}

/** The report's policy plus the live script's hash and `connect-src 'self'`. */
export function liveCsp(csp: string, liveScript: string): string {
  const hash = `'sha256-${createHash('sha256').update(liveScript).digest('base64')}'`;
  const directives = csp
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d && !/^connect-src\b/i.test(d));
  const script = directives.findIndex((d) => /^script-src\b/i.test(d));
  if (script >= 0) directives[script] = `${directives[script]} ${hash}`;
  else directives.push(`script-src ${hash}`);
  directives.push("connect-src 'self'");
  return directives.join('; ');
}

function unescapeAttr(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' })[e] ?? _m);
}

/** The page served before the store holds a run: it waits for the first one. */
export function waitingPage(title: string, storeDescription: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>${h(`Waiting for the first run · ${title}`)}</title>
</head>
<body style="font:16px system-ui,sans-serif;margin:3rem">
<main><h1>No runs yet</h1><p id="waiting">The store (${h(storeDescription)}) holds no run yet. This page updates by itself when the first run finishes.</p></main>
</body>
</html>
`;
}
