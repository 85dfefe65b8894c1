/**
 * Worker side of a journey attempt: per-step network, console and vitals, attributed to every
 * step open when the event happened (so a top-level step includes its children). Listens on the
 * browser context (popups included). Vitals arrive from the page on every change (vitals-script.ts);
 * a navigation belongs to the steps open when it committed, and also to the steps open when one of
 * their interactions set its INP; a read at the end of a step that navigated catches up.
 */
import type { BrowserContext, ConsoleMessage, Page, Request, Response, WebError } from '@playwright/test';
import { MAX_NETWORK_CALLS, MAX_NETWORK_HOSTS, MAX_SLOWEST_REQUESTS, type HostTraffic, type NavigationVitals, type NetworkCall, type NetworkSummary } from '../model/results.js';
import type { CollectedJourney, CollectedStep } from './protocol.js';
import { READ_VITALS_EXPRESSION, VITALS_BINDING, VITALS_INIT_SCRIPT, type PageVitals } from './vitals-script.js';

/** Upper bound on one vitals read: a hung page must never hold a step open. */
const VITALS_READ_CAP_MS = 800;
/** Per step, so a page spamming the console cannot bloat a result. */
const MAX_CONSOLE_ERRORS = 20;
const MAX_TEXT = 500;
const MAX_URL = 300;

interface RequestRecord {
  steps: CollectedStep[];
  /** The call entries (one per step) of a document or API request. */
  calls: NetworkCall[];
  /** `host:port` of the URL (`(no host)` for data: and blob: URLs). */
  host: string;
  status?: number;
  failed: boolean;
  /** The response declared its Content-Length (already counted). */
  sized: boolean;
}

interface PageState {
  /** A main-frame navigation whose vitals are not complete yet. */
  pending: boolean;
  /** Vitals per navigation (`navigationKey`), shared by reference with the steps that own them. */
  docs: Map<string, NavigationVitals>;
  /** Steps open when the last main-frame navigation committed: they own its document's numbers. */
  navOwners: CollectedStep[];
}

/** Hard navigations: one per document; soft navigations and back/forward-cache restores: one per navigationId. */
/** Resource types whose requests are listed in `network.calls` (what an API description covers). */
const API_RESOURCES = new Set(['document', 'fetch', 'xhr']);

/** The request's entry in each step's `calls` (created while under the bound). */
function callsOf(steps: CollectedStep[], request: Request): NetworkCall[] {
  let url: string;
  try {
    const u = new URL(request.url());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return [];
    url = clip(u.origin + u.pathname, MAX_URL);
  } catch {
    return [];
  }
  const method = request.method();
  const out: NetworkCall[] = [];
  for (const s of steps) {
    const calls = (s.network.calls ??= []);
    let c = calls.find((x) => x.url === url && x.method === method);
    if (!c && calls.length < MAX_NETWORK_CALLS) calls.push((c = { method, url, count: 0, status: 0 }));
    if (c) {
      c.count += 1;
      out.push(c);
    }
  }
  return out;
}

function navigationKey(v: PageVitals): string {
  const perDocument = v.navigationType !== 'soft-navigation' && v.navigationType !== 'back-forward-cache';
  return `${v.origin}:${perDocument ? 'document' : v.navigationId}`;
}

export class JourneyCollector {
  private readonly steps: CollectedStep[] = [];
  private readonly open = new Set<CollectedStep>();
  private readonly looseConsole: string[] = [];
  private readonly requests = new WeakMap<Request, RequestRecord>();
  private readonly pages = new Map<Page, PageState>();
  private readonly sizeReads = new Set<Promise<void>>();

  /** Install the page script and the listeners; call before the first page is created. */
  async attach(context: BrowserContext): Promise<void> {
    await context.exposeBinding(VITALS_BINDING, (source: { page: Page | null }, v: PageVitals) => {
      if (source.page) this.onVitals(source.page, v);
    });
    await context.addInitScript({ content: VITALS_INIT_SCRIPT });
    context.on('page', (page) => this.trackPage(page));
    for (const page of context.pages()) this.trackPage(page);
    context.on('request', (r) => this.onRequest(r));
    context.on('response', (r) => this.onResponse(r));
    context.on('requestfailed', (r) => this.onRequestFailed(r));
    context.on('requestfinished', (r) => this.onRequestFinished(r));
    context.on('console', (m) => this.onConsole(m));
    context.on('weberror', (e) => this.onWebError(e));
  }

  begin(title: string, parent: CollectedStep | undefined): CollectedStep {
    const step: CollectedStep = {
      index: this.steps.length,
      title,
      parent: parent ? parent.index : null,
      startedAtMs: Date.now(),
      vitals: [],
      network: { requests: 0, failedRequests: 0, bytes: 0, slowest: [], hosts: [] },
      consoleErrors: [],
    };
    this.steps.push(step);
    this.open.add(step);
    return step;
  }

  /** Record the measured duration, then read vitals of pages that navigated (capped, never throws). */
  async end(step: CollectedStep, durationMs: number): Promise<void> {
    step.durationMs = durationMs;
    try {
      await this.readVitals(step);
      if (this.sizeReads.size) await withCap(Promise.allSettled([...this.sizeReads]), VITALS_READ_CAP_MS);
    } finally {
      this.open.delete(step);
    }
  }

  /** A last read for documents still loading when their step ended (only on a healthy page). */
  async finish(readPending: boolean): Promise<CollectedJourney> {
    if (readPending) await this.readVitals(undefined);
    return { version: 1, steps: this.steps, consoleErrors: this.looseConsole };
  }

  private trackPage(page: Page): void {
    if (this.pages.has(page)) return;
    const state: PageState = { pending: false, docs: new Map(), navOwners: [...this.open] };
    this.pages.set(page, state);
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) return;
      state.pending = true;
      state.navOwners = [...this.open];
    });
    page.on('close', () => this.pages.delete(page));
    page.on('crash', () => {
      for (const s of this.open) s.crashedUrl ??= clip(page.url(), MAX_URL);
      // A crashed tab never answers again: closing it makes pending actions fail now, not at the deadline.
      void page.close().catch(() => undefined);
    });
  }

  private async readVitals(step: CollectedStep | undefined): Promise<void> {
    for (const [page, state] of this.pages) {
      // After a navigation, or on a page whose numbers may still change (INP after a click).
      if ((!state.pending && state.docs.size === 0) || page.isClosed()) continue;
      const list = await withCap(
        page.evaluate(READ_VITALS_EXPRESSION).then((x) => x as PageVitals[] | null, () => null),
        VITALS_READ_CAP_MS,
      );
      if (!list) continue;
      let complete = true;
      for (const v of list) {
        const vitals = this.onVitals(page, v, step);
        if (v.navigationType !== 'soft-navigation' && (vitals.loadMs === undefined || vitals.fcpMs === undefined)) complete = false;
      }
      state.pending = !complete;
    }
  }

  /**
   * One navigation's numbers, from the binding (on every change) or a read: the first report of a
   * navigation creates its entry and gives it to the steps that own it (open at the navigation's
   * commit; for a soft navigation, open now); later reports update it in place.
   */
  private onVitals(page: Page, v: PageVitals, step?: CollectedStep): NavigationVitals {
    this.trackPage(page);
    const state = this.pages.get(page)!;
    const key = navigationKey(v);
    let vitals = state.docs.get(key);
    if (!vitals) {
      vitals = { url: clip(v.url, MAX_URL), ...(v.navigationType ? { navigationType: v.navigationType } : {}) };
      state.docs.set(key, vitals);
      const soft = v.navigationType === 'soft-navigation';
      const owners = soft || state.navOwners.length === 0 ? [...(step ? [step] : []), ...this.open] : state.navOwners;
      for (const s of new Set(owners)) s.vitals.push(vitals);
    }
    const next = toNavigationVitals(v);
    if (next.inpMs !== undefined && next.inpMs !== vitals.inpMs) {
      // The interaction happened in the steps open now: they list this navigation too.
      for (const s of this.open) if (!s.vitals.includes(vitals)) s.vitals.push(vitals);
    }
    Object.assign(vitals, next);
    return vitals;
  }

  private onRequest(request: Request): void {
    if (this.open.size === 0) return;
    const steps = [...this.open];
    const host = hostOf(request.url());
    for (const s of steps) {
      s.network.requests += 1;
      hostEntry(s.network, host).requests += 1;
    }
    this.requests.set(request, { steps, calls: API_RESOURCES.has(request.resourceType()) ? callsOf(steps, request) : [], host, failed: false, sized: false });
  }

  private onResponse(response: Response): void {
    const rec = this.requests.get(response.request());
    if (!rec) return;
    for (const c of rec.calls) c.status = response.status();
    rec.status = response.status();
    if (response.status() >= 400) this.markFailed(rec);
    const length = Number(response.headers()['content-length']);
    if (!Number.isFinite(length) || length < 0) return;
    rec.sized = true;
    addBytes(rec, length);
  }

  private onRequestFailed(request: Request): void {
    const rec = this.requests.get(request);
    if (rec) this.markFailed(rec);
  }

  private onRequestFinished(request: Request): void {
    const rec = this.requests.get(request);
    if (!rec) return;
    const timing = request.timing();
    const ms = timing.responseEnd;
    if (ms >= 0) {
      const url = clip(request.url(), MAX_URL);
      for (const s of rec.steps) {
        if (s.network.slowestMs === undefined || ms > s.network.slowestMs) {
          s.network.slowestMs = round(ms);
          s.network.slowestUrl = url;
        }
        keepSlowest(s.network, { url, ms: round(ms), ...(rec.status !== undefined ? { status: rec.status } : {}) });
      }
    }
    if (rec.sized) return;
    // Chunked responses carry no Content-Length: ask the browser for the encoded size.
    const read = request
      .sizes()
      .then((sizes) => addBytes(rec, sizes.responseBodySize))
      .catch(() => undefined)
      .finally(() => this.sizeReads.delete(read));
    this.sizeReads.add(read);
  }

  private markFailed(rec: RequestRecord): void {
    if (rec.failed) return;
    rec.failed = true;
    for (const s of rec.steps) {
      s.network.failedRequests += 1;
      hostEntry(s.network, rec.host).failedRequests += 1;
    }
  }

  private onConsole(message: ConsoleMessage): void {
    if (message.type() !== 'error') return;
    this.addConsoleError(`console.error: ${message.text()}`);
  }

  private onWebError(error: WebError): void {
    const err = error.error();
    this.addConsoleError(`uncaught ${err.name || 'Error'}: ${err.message}`);
  }

  private addConsoleError(text: string): void {
    const line = clip(text, MAX_TEXT);
    if (this.open.size === 0) {
      if (this.looseConsole.length < MAX_CONSOLE_ERRORS) this.looseConsole.push(line);
      return;
    }
    for (const s of this.open) if (s.consoleErrors.length < MAX_CONSOLE_ERRORS) s.consoleErrors.push(line);
  }
}

function toNavigationVitals(v: PageVitals): Omit<NavigationVitals, 'url'> {
  const out: Omit<NavigationVitals, 'url'> = {};
  if (v.ttfb !== undefined) out.ttfbMs = round(v.ttfb);
  if (v.fcp !== undefined) out.fcpMs = round(v.fcp);
  if (v.lcp !== undefined) out.lcpMs = round(v.lcp);
  if (v.cls !== undefined) out.cls = Math.round(v.cls * 10_000) / 10_000;
  if (v.inp !== undefined) out.inpMs = round(v.inp);
  if (v.domContentLoaded !== undefined) out.domContentLoadedMs = round(v.domContentLoaded);
  if (v.load !== undefined) out.loadMs = round(v.load);
  return out;
}

function addBytes(rec: RequestRecord, bytes: number): void {
  for (const s of rec.steps) {
    s.network.bytes += bytes;
    hostEntry(s.network, rec.host).bytes += bytes;
  }
}

/** `host:port` of a URL; `(no host)` for data:, blob: and the like. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || '(no host)';
  } catch {
    return '(no host)';
  }
}

/** The step's entry for a host; past `MAX_NETWORK_HOSTS - 1` hosts the rest share `other`. */
function hostEntry(n: NetworkSummary, host: string): HostTraffic {
  const hosts = (n.hosts ??= []);
  const seen = hosts.find((x) => x.host === host);
  if (seen) return seen;
  const name = hosts.filter((x) => x.host !== 'other').length >= MAX_NETWORK_HOSTS - 1 ? 'other' : host;
  let e = hosts.find((x) => x.host === name);
  if (!e) {
    e = { host: name, requests: 0, failedRequests: 0, bytes: 0 };
    hosts.push(e);
  }
  return e;
}

/** Keep the step's slowest requests, slowest first, bounded. */
function keepSlowest(n: NetworkSummary, r: { url: string; ms: number; status?: number }): void {
  const list = (n.slowest ??= []);
  if (list.length >= MAX_SLOWEST_REQUESTS && r.ms <= list[list.length - 1].ms) return;
  list.push(r);
  list.sort((a, b) => b.ms - a.ms);
  if (list.length > MAX_SLOWEST_REQUESTS) list.length = MAX_SLOWEST_REQUESTS;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The promise's value, or null when it takes longer than `ms` (the promise is left to settle alone). */
async function withCap<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, cap]);
  } finally {
    clearTimeout(timer);
  }
}
