/**
 * The page side of vitals collection, injected with `context.addInitScript` before any document
 * loads: Google's `web-vitals` library (its IIFE build, inlined from node_modules: no network) with
 * `reportAllChanges` and `reportSoftNavs`, so every value reaches the worker as soon as it changes,
 * per navigation (`navigationId`; a soft navigation in a single-page app is its own entry where
 * Chrome reports soft navigations). Each update is pushed through the `VITALS_BINDING` binding, so a
 * document that is navigated away from mid-step keeps its numbers; the reader function returns the
 * same entries plus the Performance API navigation timings, and is called at the end of a step to
 * catch up (see collector.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One navigation's numbers as the page reports them. Times are ms from the navigation's start. */
export interface PageVitals {
  /** `performance.timeOrigin` of the document: with `navigationId`, identifies the navigation. */
  origin: number;
  navigationId: number;
  url: string;
  navigationType?: string;
  ttfb?: number;
  fcp?: number;
  lcp?: number;
  cls?: number;
  inp?: number;
  domContentLoaded?: number;
  load?: number;
}

/** Name of the binding the page calls with a `PageVitals` on every change. */
export const VITALS_BINDING = '__observerVital';

/** Expression evaluated in the page at a step end: every navigation of the current document. */
export const READ_VITALS_EXPRESSION = 'typeof window.__observerVitals === "function" ? window.__observerVitals() : null';

/** Longest wait for web-vitals to report an interaction at a step end. */
const SETTLE_CAP_MS = 300;

function webVitalsSource(): string {
  // The package exports no path to the IIFE build; it sits next to the CommonJS one.
  const main = createRequire(import.meta.url).resolve('web-vitals');
  return readFileSync(path.join(path.dirname(main), 'web-vitals.iife.js'), 'utf8');
}

/**
 * Plain JavaScript on purpose: a TypeScript function's `toString()` would carry whatever helpers the
 * loader injected (esbuild's `__name`), which do not exist in the page. The library's `var webVitals`
 * stays local to the wrapper function: nothing is added to the page's globals but the reader.
 */
function buildInitScript(): string {
  return `(() => {
  if (window !== window.top || window.__observerVitals) return;
  ${webVitalsSource()}
  const navs = new Map();
  const positive = (n) => (typeof n === 'number' && n > 0 ? n : undefined);
  const navTiming = () => performance.getEntriesByType('navigation')[0];
  const withTimings = (n) => {
    if (n.navigationType === 'soft-navigation') return n;
    const t = navTiming();
    return { ...n, domContentLoaded: positive(t && t.domContentLoadedEventEnd), load: positive(t && t.loadEventEnd) };
  };
  const entry = (m) => {
    let n = navs.get(m.navigationId);
    if (!n) {
      const t = navTiming();
      const url = m.navigationURL || (m.navigationType === 'soft-navigation' ? location.href : (t && t.name) || location.href);
      n = { origin: performance.timeOrigin, navigationId: m.navigationId, url, navigationType: m.navigationType };
      navs.set(m.navigationId, n);
    }
    return n;
  };
  const report = (m) => {
    const n = entry(m);
    n[m.name.toLowerCase()] = m.value;
    const send = window[${JSON.stringify(VITALS_BINDING)}];
    if (typeof send === 'function') { try { send(withTimings(n)); } catch (_) { /* page closing */ } }
  };
  const opts = { reportAllChanges: true, reportSoftNavs: true };
  for (const on of [webVitals.onTTFB, webVitals.onFCP, webVitals.onLCP, webVitals.onCLS, webVitals.onINP]) {
    try { on(report, opts); } catch (_) { /* metric not supported here: it stays absent */ }
  }
  // An interaction's event timing entry is delivered after the next paint, and web-vitals processes
  // it in an idle callback: a read right after an interaction waits for a frame, a task and an idle
  // period (bounded by SETTLE_CAP_MS) so that INP is reported before the step ends.
  let interacted = false;
  for (const type of ['pointerdown', 'keydown']) addEventListener(type, () => { interacted = true; }, { capture: true, passive: true });
  const settle = () => new Promise((resolve) => {
    const done = () => resolve(undefined);
    const cap = setTimeout(done, ${SETTLE_CAP_MS});
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 0));
    requestAnimationFrame(() => setTimeout(() => idle(() => setTimeout(() => { clearTimeout(cap); done(); }, 0), { timeout: ${SETTLE_CAP_MS} }), 0));
  });
  Object.defineProperty(window, '__observerVitals', {
    enumerable: false,
    value: async () => {
      if (interacted) { interacted = false; await settle(); }
      if (navs.size === 0) {
        const t = navTiming();
        if (!t) return [];
        return [withTimings({ origin: performance.timeOrigin, navigationId: 1, url: t.name || location.href, navigationType: 'navigate', ttfb: positive(t.responseStart) })];
      }
      return [...navs.values()].map(withTimings);
    },
  });
})();`;
}

/** Built once per process (the library is read from disk once). */
export const VITALS_INIT_SCRIPT = buildInitScript();
