/**
 * The live dashboard's page script, injected by the server (inject.ts) after the report's own
 * scripts; a file written by `observer report` never has it. Plain ES5-style JavaScript in a
 * string, run for real by the Chromium test.
 *
 * It listens to `events` (server-sent events, relative to the page, so a reverse proxy may mount
 * the dashboard under a path) and polls nothing: on `hello` or `update` with a version other than
 * the page's, it fetches the page once, swaps the body's content in place (keeping the filter
 * selections and the scroll position), and re-runs the report's client script (charts, filters)
 * after calling its `window.observerBoard.dispose()`. uPlot and this script stay loaded; window
 * state survives. A `?token=` in the page's address is passed on to both requests and added to
 * the page's relative links (the failure artifacts under /artifacts/).
 * The page's <html> element carries `data-live-version` and `data-live-state`
 * (`connecting`, `live`, `reconnecting`, `closed`), and an `observer:updated` event fires on
 * `window` after each swap.
 */
export const LIVE_JS = `(function () {
  'use strict';
  var root = document.documentElement;
  var conf = JSON.parse(document.getElementById('observer-live').textContent);
  var token = new URLSearchParams(location.search).get('token');
  var eventsUrl = 'events' + (token ? '?token=' + encodeURIComponent(token) : '');
  var busy = false, pending = null, source = null, backoff = conf.retryMs, reopenTimer = 0;

  var badge = document.createElement('div');
  badge.id = 'observer-live-state';
  badge.setAttribute('data-live-keep', '');
  badge.setAttribute('role', 'status');
  badge.style.cssText = 'position:fixed;right:10px;bottom:10px;z-index:50;padding:3px 9px;border-radius:999px;font:12px system-ui,sans-serif;background:#0f172a;color:#fff;opacity:.75';
  document.body.appendChild(badge);

  function state(s, text) {
    root.setAttribute('data-live-state', s);
    badge.textContent = text;
    badge.style.background = s === 'live' ? '#15803d' : s === 'closed' ? '#b91c1c' : '#b45309';
  }

  function currentVersion() {
    var el = document.getElementById('observer-live');
    return el ? JSON.parse(el.textContent).version : conf.version;
  }

  function isCode(el) {
    return el.tagName === 'SCRIPT' && el.type !== 'application/json';
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var next = doc.getElementById('observer-live');
    if (!next) throw new Error('the fetched page is not a live dashboard');
    var nextConf = JSON.parse(next.textContent);
    if (nextConf.build !== conf.build) { location.reload(); return; }
    var x = window.scrollX, y = window.scrollY;
    var values = {};
    var inputs = document.querySelectorAll('select[id], input[id]');
    for (var i = 0; i < inputs.length; i++) values[inputs[i].id] = inputs[i].value;
    if (window.observerBoard && window.observerBoard.dispose) window.observerBoard.dispose();
    var body = document.body, anchor = null;
    var old = Array.prototype.slice.call(body.children);
    old.forEach(function (el) {
      if (isCode(el) || el.hasAttribute('data-live-keep')) { if (!anchor) anchor = el; return; }
      body.removeChild(el);
    });
    Array.prototype.slice.call(doc.body.children).forEach(function (el) {
      if (isCode(el)) return;
      body.insertBefore(document.importNode(el, true), anchor);
    });
    Object.keys(values).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) return;
      if (el.tagName === 'SELECT') {
        for (var j = 0; j < el.options.length; j++) if (el.options[j].value === values[id]) el.value = values[id];
      } else el.value = values[id];
    });
    document.title = doc.title;
    var client = document.getElementById('observer-client');
    if (client) {
      var again = document.createElement('script');
      again.id = 'observer-client';
      again.textContent = client.textContent;
      client.parentNode.replaceChild(again, client);
    }
    tokenLinks();
    window.scrollTo(x, y);
    root.setAttribute('data-live-version', nextConf.version);
    window.dispatchEvent(new CustomEvent('observer:updated', { detail: { version: nextConf.version } }));
  }

  /** Relative links (the board's artifacts) carry the page's ?token= along. */
  function tokenLinks() {
    if (!token) return;
    var links = document.querySelectorAll('a[href]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute('href');
      if (/^([a-z][a-z0-9+.-]*:|\\/|#)/i.test(href) || /[?&]token=/.test(href)) continue;
      links[i].setAttribute('href', href + (href.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token));
    }
  }

  function refresh(version) {
    if (version === currentVersion()) return;
    if (busy) { pending = version; return; }
    busy = true;
    fetch(location.pathname + location.search, { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(swap)
      .catch(function (err) { state('reconnecting', 'update failed: ' + err.message); })
      .then(function () {
        busy = false;
        if (pending !== null) { var v = pending; pending = null; refresh(v); }
      });
  }

  function onVersion(ev) {
    try { refresh(JSON.parse(ev.data).version); } catch (e) { /* a malformed frame changes nothing */ }
  }

  function open() {
    state(source ? 'reconnecting' : 'connecting', source ? 'reconnecting\\u2026' : 'connecting\\u2026');
    source = new EventSource(eventsUrl);
    source.addEventListener('open', function () { backoff = conf.retryMs; state('live', 'live'); });
    source.addEventListener('hello', onVersion);
    source.addEventListener('update', onVersion);
    source.addEventListener('bye', function () { state('reconnecting', 'server restarting\\u2026'); });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (503 when full, 401): the browser gives up; try again later, backing off.
        state('closed', 'disconnected; retrying');
        clearTimeout(reopenTimer);
        reopenTimer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, 300000);
      } else state('reconnecting', 'reconnecting\\u2026');
    });
  }

  root.setAttribute('data-live-version', conf.version);
  tokenLinks();
  open();
})();
`;
