/**
 * The dashboard's faults of issue 18 and what it now shows, in real Chromium: each test reads what
 * the page drew (the uPlot instances the page made, caught by wrapping the library as it loads, and
 * the canvas pixels) or what it laid out, never the code's own bookkeeping.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeployMarker, Finding, MonitorResult, StepResult } from '../../src/model/index.js';
import { HtmlReporter } from '../../src/reporters/html.js';
import type { ReporterOptions } from '../../src/reporters/options.js';
import type { ReportContext, RunReport } from '../../src/reporters/reporter.js';
import { Redactor } from '../../src/runtime/redact.js';
import { DEPLOY_AT, NOW, scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

const LAUNCH = {
  executablePath: process.env.OBSERVER_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Every uPlot the page constructs lands in `window.__plots` (the page's own code is left as it is). */
const CATCH_PLOTS = `
  window.__plots = [];
  (function () {
    var real;
    Object.defineProperty(window, 'uPlot', {
      configurable: true,
      get: function () { return real; },
      set: function (U) {
        function Caught(opts, data, el) { var u = new U(opts, data, el); window.__plots.push(u); return u; }
        Object.setPrototypeOf(Caught, U);
        Caught.prototype = U.prototype;
        real = Caught;
      }
    });
  })();
`;

let browser: Browser;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  browser = await chromium.launch(LAUNCH);
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

async function write(report: RunReport, context: ReportContext, opts: ReporterOptions = {}): Promise<string> {
  const [file] = await new HtmlReporter(opts).onEnd(report, context);
  return file;
}

async function open(file: string, width = 1360, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1, colorScheme });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript({ content: CATCH_PLOTS });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { __plots: unknown[] }).__plots.length > 0, null, { timeout: 15_000 });
  return { page, problems };
}

/** The chart of a card (by its title text): scales, the canvas box, and the payload spec. */
async function plotOf(page: Page, title: string) {
  return page.evaluate((title) => {
    const card = Array.from(document.querySelectorAll('.chart-card')).find((c) => c.querySelector('h3')!.textContent!.includes(title))!;
    const plots = (window as unknown as { __plots: Array<{ root: HTMLElement; scales: Record<string, { min: number; max: number }>; bbox: { left: number; top: number; width: number; height: number } }> }).__plots;
    const u = plots.find((p) => card.contains(p.root))!;
    const payload = JSON.parse(document.getElementById('observer-data')!.textContent!);
    return { id: card.id, x: u.scales.x, y: u.scales.y, bbox: u.bbox, spec: payload.charts.find((c: { id: string }) => c.id === card.id) };
  }, title);
}

/** Pixels of `rgb` (±tol) in a box of the chart's canvas (canvas pixels, deviceScaleFactor 1). */
async function countColor(page: Page, chartId: string, box: { x0: number; y0: number; x1: number; y1: number }, rgb: [number, number, number], tol = 14): Promise<number> {
  return page.evaluate(
    ({ chartId, box, rgb, tol }) => {
      const c = document.querySelector(`#${chartId} canvas`) as HTMLCanvasElement;
      const copy = document.createElement('canvas');
      copy.width = c.width;
      copy.height = c.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(c, 0, 0);
      const x0 = Math.max(0, Math.floor(box.x0));
      const y0 = Math.max(0, Math.floor(box.y0));
      const w = Math.min(c.width, Math.ceil(box.x1)) - x0;
      const hgt = Math.min(c.height, Math.ceil(box.y1)) - y0;
      if (w <= 0 || hgt <= 0) return 0;
      const d = ctx.getImageData(x0, y0, w, hgt).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol && Math.abs(d[i + 2] - rgb[2]) <= tol) n++;
      return n;
    },
    { chartId, box, rgb, tol },
  );
}

/** Canvas position of a value (uPlot's valToPos with canvas pixels). */
function pos(scale: { min: number; max: number }, v: number, start: number, size: number, invert = false): number {
  const f = (v - scale.min) / (scale.max - scale.min);
  return invert ? start + size - f * size : start + f * size;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('dashboard faults (issue 18) in Chromium', () => {
  it('a chart with one run spans about an hour around it, not years', async () => {
    const { report, context } = scenario(dir);
    context.history = [];
    const file = await write(report, context);
    const { page, problems } = await open(file);
    try {
      const { x, spec } = await plotOf(page, 'Checkout API');
      expect(spec.x).toHaveLength(1);
      const t = spec.x[0];
      expect(x.min).toBeLessThan(t);
      expect(x.max).toBeGreaterThan(t);
      expect(x.max - x.min).toBeLessThanOrEqual(2 * 3600);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("draws each step limit as a line in its step's colour, a nested step's on its top-level step", async () => {
    const { report, context } = scenario(dir);
    // Limits of the purchase journey: one on a top-level step, one on a nested step of "checkout".
    for (const r of context.history) {
      if (r.monitor !== 'purchase') continue;
      const checkout = r.steps[3];
      checkout.steps = [{ name: 'pay', status: 'passed', startedAt: checkout.startedAt, durationMs: checkout.durationMs / 2, error: null }];
    }
    const file = await write(report, context, { sla: { purchase: { search: { maxMs: 1100 }, 'checkout › pay': { maxMs: 2900 } } } });
    const { page } = await open(file);
    try {
      const { id, y, bbox, spec } = await plotOf(page, 'Purchase journey');
      expect(spec.series.map((s: { label: string }) => s.label)).toEqual(['open home', 'search', 'add to cart', 'checkout']);
      // search is line 1 (#0d9488), checkout line 3 (#ea580c).
      const lineAt = (ms: number) => Math.round(pos(y, ms, bbox.top, bbox.height, true));
      const row = (ms: number) => ({ x0: bbox.left, x1: bbox.left + bbox.width, y0: lineAt(ms) - 1, y1: lineAt(ms) + 2 });
      expect(await countColor(page, id, row(1100), [0x0d, 0x94, 0x88])).toBeGreaterThan(bbox.width * 0.3);
      expect(await countColor(page, id, row(2900), [0xea, 0x58, 0x0c])).toBeGreaterThan(bbox.width * 0.3);
    } finally {
      await page.close();
    }
  });

  it('puts a resolved anomaly marker on a drawn point, not floating above the lines', async () => {
    const { report, context } = scenario(dir);
    // A whole-monitor finding of the purchase journey (its step is the monitor's name), started between two runs.
    const purchase = context.history.filter((r) => r.monitor === 'purchase');
    const between = (Date.parse(purchase[10].startedAt) + Date.parse(purchase[11].startedAt)) / 2 + 60_000;
    const resolved: Finding = {
      id: 'f-resolved-purchase',
      kind: 'spike',
      severity: 'warning',
      status: 'resolved',
      series: { monitor: 'purchase', step: 'Purchase journey', metric: 'durationMs', location: 'eu-west' },
      observed: 4000,
      expected: { value: 2200 },
      unit: 'ms',
      magnitude: { ratio: 1.8 },
      startedAt: iso(between),
      updatedAt: iso(between),
      resolvedAt: iso(between + 900_000),
      count: 1,
      explanation: 'Purchase journey took 4000 ms against a usual 2200 ms.',
    };
    context.findings = [resolved];
    report.findings = [];
    const file = await write(report, context);
    const { page } = await open(file);
    try {
      const { id, x, y, bbox, spec } = await plotOf(page, 'Purchase journey');
      // The run nearest the start is purchase[11]; the marker sits on the highest line there.
      const i = spec.x.indexOf(Math.round(Date.parse(purchase[11].startedAt) / 1000));
      expect(i).toBeGreaterThan(0);
      const top = Math.max(...spec.series.map((s: { values: number[] }) => s.values[i]));
      const cx = pos(x, spec.x[i], bbox.left, bbox.width);
      const cy = pos(y, top, bbox.top, bbox.height, true);
      // The ring (radius 6 px, warning colour) around that point.
      const ring = await countColor(page, id, { x0: cx - 9, x1: cx + 9, y0: cy - 9, y1: cy + 9 }, [0xd9, 0x77, 0x06], 20);
      expect(ring).toBeGreaterThan(20);
      // And nothing of it near the top of the plot, where a floating marker used to go.
      const topBand = await countColor(page, id, { x0: bbox.left, x1: bbox.left + bbox.width, y0: bbox.top, y1: bbox.top + 30 }, [0xd9, 0x77, 0x06], 20);
      expect(topBand).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('shows every time in one chosen zone, 24-hour, the same in charts and tables, and says which', async () => {
    const { report, context } = scenario(dir);
    // Tokyo: UTC+9 all year, and the scenario's afternoon hours read 12-hour clocks as "pm".
    const file = await write(report, context, { html: { timeZone: 'Asia/Tokyo' } });
    const { page } = await open(file);
    try {
      expect(await page.locator('#time-zone').textContent()).toBe('Asia/Tokyo');
      // The deploy at 10:00 UTC is 19:00 in Tokyo, in the table and on the chart.
      expect(await page.locator('#deploys td').first().textContent()).toContain('2026-11-25 19:00:00 Asia/Tokyo');
      const { id, spec } = await plotOf(page, 'Purchase journey');
      const deployAt = DEPLOY_AT / 1000;
      const i = spec.x.findIndex((t: number) => t >= deployAt);
      const legend = await page.evaluate(
        ({ id, i }) => {
          const card = document.getElementById(id)!;
          const u = (window as unknown as { __plots: Array<{ root: HTMLElement; setCursor: (c: { left: number; top: number }) => void; valToPos: (v: number, s: string) => number; data: number[][]; axes: Array<{ _values?: string[] }> }> }).__plots.find((p) => card.contains(p.root))!;
          u.setCursor({ left: u.valToPos(u.data[0][i], 'x'), top: 20 });
          return { x: card.querySelector('.u-legend .u-series .u-value')!.textContent, ticks: (u.axes[0]._values ?? []).join(' | ') };
        },
        { id, i },
      );
      const runAt = new Date(spec.x[i] * 1000 + 9 * 3_600_000).toISOString();
      expect(legend.x).toBe(`${runAt.slice(0, 10)} ${runAt.slice(11, 16)}`);
      expect(legend.ticks).toMatch(/\b(1[3-9]|2[0-3]):\d\d\b/);
      expect(legend.ticks).not.toMatch(/am|pm/i);
    } finally {
      await page.close();
    }
  });

  it('an unknown time zone is an error naming the setting', async () => {
    const { report, context } = scenario(dir);
    await expect(write(report, context, { html: { timeZone: 'Mars/Olympus' } })).rejects.toThrow(/html\.timeZone: unknown time zone "Mars\/Olympus"/);
  });

  it('marks a failure that recovered, with when, and lists the ones still failing first', async () => {
    const { report, context } = scenario(dir);
    await mkdir(path.join(dir, 'artifacts/login'), { recursive: true });
    await writeFile(path.join(dir, 'artifacts/login/failure.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    const file = await write(report, context);
    const { page } = await open(file);
    try {
      const cards = page.locator('#failures .failure');
      expect(await cards.count()).toBe(2);
      // Checkout API fails in the current run: still failing, first.
      expect(await cards.nth(0).locator('.mname').textContent()).toBe('Checkout API');
      expect(await cards.nth(0).getAttribute('class')).toContain('open');
      expect(await cards.nth(0).locator('.state').textContent()).toBe('still failing');
      // Login failed at run 9 and passed at run 10.
      const login = cards.nth(1);
      expect(await login.getAttribute('class')).toContain('recovered');
      const nextRun = context.history.find((r) => r.monitor === 'login' && r.runId === 'run-010')!;
      expect(await login.locator('.state').textContent()).toContain(`recovered at ${nextRun.startedAt.slice(0, 19).replace('T', ' ')} UTC`);
      const border = await login.evaluate((el) => getComputedStyle(el).borderLeftColor);
      expect(border).toBe('rgb(22, 163, 74)');
      expect(await page.locator('#failures h2').textContent()).toContain('1 still failing');
    } finally {
      await page.close();
    }
  });

  it('lists every deploy of the window and draws close deploys with labels that do not cover each other', async () => {
    const { report, context } = scenario(dir);
    const deploys: DeployMarker[] = [];
    for (let i = 0; i < 12; i++) deploys.push({ id: `d-${i}`, at: iso(NOW - 5 * 3_600_000 + i * 20 * 60_000), environment: 'production', version: `v3.${i}` });
    // Two deploys four minutes apart: a few pixels on a six-hour chart.
    deploys.push({ id: 'd-a', at: iso(DEPLOY_AT), environment: 'production', version: 'v9.0' }, { id: 'd-b', at: iso(DEPLOY_AT + 4 * 60_000), environment: 'production', version: 'v9.1' });
    context.deploys = deploys;
    const file = await write(report, context);
    const { page } = await open(file);
    try {
      expect(await page.locator('#deploys tbody tr').count()).toBe(14);
      context.deploys = deploys.slice(12);
      const two = await write(report, context);
      await page.goto(pathToFileURL(two).href);
      await page.waitForFunction(() => (window as unknown as { __plots: unknown[] }).__plots.length > 0);
      expect(await page.locator('#deploys tbody tr').count()).toBe(2);
      const { id, x, bbox } = await plotOf(page, 'Catalog API');
      const xa = pos(x, DEPLOY_AT / 1000, bbox.left, bbox.width);
      // Rows of the deploy colour in the label area right of the two lines (the lines' own columns left out).
      const rows: number[] = [];
      for (let yy = bbox.top; yy < bbox.top + 60; yy++) {
        if ((await countColor(page, id, { x0: xa + 6, x1: xa + 40, y0: yy, y1: yy + 1 }, [0x7c, 0x3a, 0xed], 30)) > 0) rows.push(yy);
      }
      // Two labels one under the other span more than one line of text (about 10 px).
      expect(Math.max(...rows) - Math.min(...rows)).toBeGreaterThan(16);
    } finally {
      await page.close();
    }
  });

  it('titles every monitor by its name with its id beside it', async () => {
    const { report, context } = scenario(dir);
    const file = await write(report, context);
    const { page } = await open(file);
    try {
      for (const where of ['.chart-card h3', '#monitors tbody td:first-child', '#anomalies tbody td:nth-child(4)', '#failures h3']) {
        const items = page.locator(where);
        const n = await items.count();
        expect(n, where).toBeGreaterThan(0);
        for (let i = 0; i < n; i++) {
          const name = await items.nth(i).locator('.mname').textContent();
          const id = await items.nth(i).locator('.mid').textContent();
          const r = context.history.find((x) => x.monitor === id)!;
          expect(r, `${where}: ${id}`).toBeDefined();
          expect(name).toBe(r.name);
        }
      }
    } finally {
      await page.close();
    }
  });

  it('fits a 360-pixel phone without sideways scrolling and uses a 1920-pixel wall screen', async () => {
    const { report, context } = scenario(dir);
    await mkdir(path.join(dir, 'artifacts/login'), { recursive: true });
    const file = await write(report, context);
    for (const width of [360, 390, 768, 1280, 1920, 2560]) {
      const { page } = await open(file, width);
      try {
        const m = await page.evaluate(() => {
          const cols = getComputedStyle(document.querySelector('.charts')!).gridTemplateColumns.split(' ').length;
          return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, main: document.querySelector('main')!.getBoundingClientRect().width, cols };
        });
        expect(m.scroll, `width ${width}`).toBeLessThanOrEqual(m.inner);
        if (width >= 1920) {
          expect(m.main).toBeGreaterThan(width * 0.9);
          expect(m.cols).toBeGreaterThanOrEqual(3);
        }
        if (width <= 390) expect(m.cols).toBe(1);
      } finally {
        await page.close();
      }
    }
  });
});

/** A journey step with vitals, network and console errors as the journey runner records them. */
function journeyStep(name: string, startedAt: string, lcpMs: number, extra: Partial<StepResult> = {}): StepResult {
  return {
    name,
    status: 'passed',
    startedAt,
    durationMs: lcpMs + 200,
    error: null,
    vitals: [{ url: `http://127.0.0.1:1/${name}`, navigationType: 'navigate', lcpMs, fcpMs: lcpMs * 0.6, ttfbMs: 90, cls: 0.02, inpMs: 120 }],
    network: {
      requests: 7,
      failedRequests: 1,
      bytes: 20_480,
      slowestUrl: 'http://127.0.0.1:1/api/slow?q=1',
      slowestMs: 850,
      slowest: [
        { url: 'http://127.0.0.1:1/api/slow?q=1', ms: 850, status: 200 },
        { url: `http://cdn.localhost:8080/${name}.js`, ms: 300, status: 404 },
      ],
      hosts: [
        { host: '127.0.0.1:1', requests: 5, failedRequests: 0, bytes: 10_240 },
        { host: 'cdn.localhost:8080', requests: 2, failedRequests: 1, bytes: 10_240 },
      ],
    },
    ...extra,
  };
}

describe('what the dashboard shows of journeys (issue 18 item 2) in Chromium', () => {
  it('draws web-vitals trends per step over the good / needs-improvement / poor bands, and the latest run\'s network and console', async () => {
    const { report, context } = scenario(dir);
    const secret = 'sk_live_51Hsecretvalue';
    const runs: MonitorResult[] = [];
    for (let i = 0; i < 6; i++) {
      const at = NOW - (6 - i) * 15 * 60_000;
      const lcp = i === 5 ? 4600 : 1800 + i * 100;
      runs.push({
        id: `v-${i}:shop-vitals`,
        runId: `v-${i}`,
        monitor: 'shop-vitals',
        name: 'Shop <home> vitals',
        kind: 'journey',
        status: 'passed',
        startedAt: iso(at),
        finishedAt: iso(at + 5000),
        durationMs: 5000,
        attempts: 1,
        error: null,
        steps: [
          journeyStep('open home', iso(at), lcp, i === 5 ? { consoleErrors: [`console.error: <img src=x onerror=alert(1)> token ${secret}`] } : {}),
          journeyStep('search', iso(at + 2500), 900),
        ],
        location: 'eu-west',
        environment: 'production',
        tags: ['vitals'],
      });
    }
    context.history.push(...runs);
    const redactor = new Redactor();
    redactor.add(secret);
    const file = await write(report, context, { redactor });
    const { page, problems } = await open(file);
    try {
      const card = page.locator('.vitals-card', { hasText: 'Shop <home> vitals' });
      expect(await card.locator('.vital').evaluateAll((els) => els.map((e) => e.getAttribute('data-vital')))).toEqual(['lcp', 'inp', 'cls', 'fcp', 'ttfb']);
      // The newest LCP of "open home" is poor (4.6 s > 4 s), of "search" good.
      expect(await card.locator('table.vitals-latest td[data-vital="lcp"]').allTextContents()).toEqual(['4.60 s poor', '900 ms good']);
      // The LCP chart: the three bands behind the lines, and the step's line across them.
      const lcpId = await card.locator('[data-vital="lcp"] .plot').getAttribute('id');
      const stats = await page.evaluate((id) => {
        const u = (window as unknown as { __plots: Array<{ root: HTMLElement; bbox: { left: number; top: number; width: number; height: number }; valToPos: (v: number, s: string, c: boolean) => number; scales: { y: { max: number } } }> }).__plots.find((p) => document.getElementById(id!)!.contains(p.root))!;
        const c = document.querySelector(`#${id} canvas`) as HTMLCanvasElement;
        const copy = document.createElement('canvas');
        copy.width = c.width;
        copy.height = c.height;
        const ctx = copy.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(c, 0, 0);
        const at = (v: number) => ctx.getImageData(u.bbox.left + 3, Math.round(u.valToPos(v, 'y', true)), 1, 1).data;
        return { good: [...at(1000)], ni: [...at(3200)], poor: [...at(Math.min(u.scales.y.max * 0.98, 5000))], ymax: u.scales.y.max };
      }, lcpId);
      expect(stats.ymax).toBeGreaterThanOrEqual(4600);
      const tint = (px: number[]) => (px[1] > px[0] && px[1] > px[2] ? 'green' : px[0] > px[1] && px[1] > px[2] && px[0] - px[2] > 10 && px[1] - px[2] > 4 ? 'orange' : px[0] > px[1] && px[0] > px[2] ? 'red' : 'none');
      expect([tint(stats.good), tint(stats.ni), tint(stats.poor)]).toEqual(['green', 'orange', 'red']);

      // The latest run: per step requests, failed requests, bytes, the slowest request; the console errors, escaped and redacted.
      const latest = page.locator('.latest-run', { hasText: 'Shop <home> vitals' });
      const rows = await latest.locator('table.per-step tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent!.trim())));
      expect(rows).toEqual([
        ['open home', '7', '1', '20.0 KiB', expect.stringContaining('/api/slow?q=1')],
        ['search', '7', '1', '20.0 KiB', expect.stringContaining('850 ms')],
      ]);
      expect(await latest.locator('tfoot td').allTextContents()).toEqual(['whole journey', '14', '2', '40.0 KiB', '']);
      // The journey's slowest requests (each once, slowest first, with status and step), and the traffic per host.
      expect(await latest.locator('.net-block.slow li').allTextContents()).toEqual([
        '850 ms 200 127.0.0.1:1/api/slow?q=1 open home',
        '850 ms 200 127.0.0.1:1/api/slow?q=1 search',
        '300 ms 404 cdn.localhost:8080/open%20home.js open home',
        '300 ms 404 cdn.localhost:8080/search.js search',
      ]);
      const perHost = await latest.locator('table.per-host tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent!.trim())));
      expect(perHost).toEqual([
        ['127.0.0.1:1', '10', '0', '20.0 KiB'],
        ['cdn.localhost:8080', '4', '2', '20.0 KiB'],
      ]);
      expect(await latest.locator('.console li').textContent()).toBe('open home: console.error: <img src=x onerror=alert(1)> token [REDACTED]');
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('blanks secret shapes in request URLs and console errors even with no redactor configured', async () => {
    const { report, context } = scenario(dir);
    const at = NOW - 60_000;
    context.history.push({
      id: 'x:leaky',
      runId: 'x',
      monitor: 'leaky',
      name: 'Leaky',
      kind: 'journey',
      status: 'passed',
      startedAt: iso(at),
      finishedAt: iso(at + 1000),
      durationMs: 1000,
      attempts: 1,
      error: null,
      steps: [
        journeyStep('login', iso(at), 500, {
          network: { requests: 1, failedRequests: 0, bytes: 10, slowestUrl: 'http://127.0.0.1:1/cb?token=tok_live_abcdef123456', slowestMs: 10 },
          consoleErrors: ['console.error: fetch failed with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature'],
        }),
      ],
      location: 'eu-west',
      environment: 'production',
      tags: [],
    });
    const html = await readFile(await write(report, context), 'utf8');
    expect(html).not.toContain('tok_live_abcdef123456');
    expect(html).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(html).toContain('token=[REDACTED]');
  });

  it('follows a dark system theme', async () => {
    const { report, context } = scenario(dir);
    const file = await write(report, context);
    const { page } = await open(file, 1360, 'dark');
    try {
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = bg.match(/\d+/g)!.map(Number);
      expect(r + g + b).toBeLessThan(120);
      const text = await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);
      expect(text.match(/\d+/g)!.map(Number).reduce((a, b) => a + b)).toBeGreaterThan(500);
    } finally {
      await page.close();
    }
  });
});
