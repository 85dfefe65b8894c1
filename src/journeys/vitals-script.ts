/**
 * The page side of vitals collection, injected with `context.addInitScript` before any document
 * loads. Three PerformanceObservers (buffered) and one reader function; nothing polls, nothing is
 * sent: the fixture reads `window.__observerVitals()` once at the end of a step that navigated.
 */

/** What the reader returns for the current top-level document. Times are ms from navigation start. */
export interface PageVitals {
  /** `performance.timeOrigin`: identifies the document across reads. */
  origin: number;
  url: string;
  ttfb?: number;
  fcp?: number;
  lcp?: number;
  /** Sum of layout-shift values without recent input (an upper bound of the windowed CLS). */
  cls: number;
  domContentLoaded?: number;
  load?: number;
}

/** Expression evaluated in the page at a step end. */
export const READ_VITALS_EXPRESSION = 'typeof window.__observerVitals === "function" ? window.__observerVitals() : null';

/**
 * Plain JavaScript on purpose: a TypeScript function's `toString()` would carry whatever helpers the
 * loader injected (esbuild's `__name`), which do not exist in the page.
 */
export const VITALS_INIT_SCRIPT = `(() => {
  if (window !== window.top || window.__observerVitals) return;
  const state = { fcp: undefined, lcp: undefined, cls: 0 };
  const observe = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => { for (const entry of list.getEntries()) onEntry(entry); })
        .observe({ type, buffered: true });
    } catch (_) { /* entry type not supported: that vital stays absent */ }
  };
  observe('paint', (e) => { if (e.name === 'first-contentful-paint') state.fcp = e.startTime; });
  observe('largest-contentful-paint', (e) => { state.lcp = e.startTime; });
  observe('layout-shift', (e) => { if (!e.hadRecentInput && typeof e.value === 'number') state.cls += e.value; });
  const positive = (n) => (typeof n === 'number' && n > 0 ? n : undefined);
  Object.defineProperty(window, '__observerVitals', {
    enumerable: false,
    value: () => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        origin: performance.timeOrigin,
        url: location.href,
        ttfb: positive(nav && nav.responseStart),
        fcp: state.fcp,
        lcp: state.lcp,
        cls: state.cls,
        domContentLoaded: positive(nav && nav.domContentLoadedEventEnd),
        load: positive(nav && nav.loadEventEnd),
      };
    },
  });
})();`;
