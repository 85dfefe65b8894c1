import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorDefinition } from '../../src/model/index.js';
import { HtmlReporter } from '../../src/reporters/html.js';
import { Redactor } from '../../src/runtime/redact.js';
import { scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

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

const definitions: MonitorDefinition[] = [
  {
    kind: 'api',
    id: 'checkout-api',
    name: 'Checkout API',
    file: 'checks/checkout.check.yaml',
    request: { method: 'POST', url: 'http://127.0.0.1/api/checkout', headers: {} },
    expect: { status: [200], headers: [], body: [], maxResponseTimeMs: 400, degradedResponseTimeMs: 300 },
    retries: 2,
    timeoutMs: 10_000,
    maxBodyBytes: 10_485_760,
    tags: ['api', 'checkout'],
  },
  {
    kind: 'journey',
    id: 'purchase',
    name: 'Purchase journey',
    file: 'journeys/purchase.journey.ts',
    retries: 0,
    timeoutMs: 60_000,
    stepTimeoutMs: 15_000,
    steps: { checkout: { maxMs: 2500, degradedMs: 1500 } },
    tags: ['checkout', 'journey'],
  },
];

interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const requests: string[] = [];
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, problems, dialogs };
}

/** A real PNG: Chromium's screenshot of a small "failed login" page. */
async function failureScreenshot(): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 480, height: 300 } });
  try {
    await page.setContent('<body style="font:16px sans-serif;margin:24px"><h2>Sign in</h2><p style="color:#b91c1c">Something went wrong</p><button disabled>Submit</button></body>');
    return await page.screenshot();
  } finally {
    await page.close();
  }
}

/** Per canvas: size, and how many pixels are drawn at all and in the first series' color. */
async function canvasStats(page: Page): Promise<{ w: number; h: number; drawn: number; series: number }[]> {
  return page.$$eval('.chart-card .uplot canvas', (canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      // Read back through a copy made for it, so the page's own canvases are left alone.
      const copy = document.createElement('canvas');
      copy.width = c.width;
      copy.height = c.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(c, 0, 0);
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      let series = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        drawn++;
        if (Math.abs(data[i] - 37) < 24 && Math.abs(data[i + 1] - 99) < 24 && Math.abs(data[i + 2] - 235) < 24) series++;
      }
      return { w: c.width, h: c.height, drawn, series };
    }),
  );
}

describe('html reporter (index.html) in Chromium', () => {
  it('opens from disk with charts drawn, working filters, no console errors and no network request', async () => {
    const { report, context } = scenario(dir);
    await mkdir(path.join(dir, 'artifacts/login'), { recursive: true });
    await writeFile(path.join(dir, 'artifacts/login/failure.png'), await failureScreenshot());
    // Names and messages come from the outside world: try to break out of the markup and the JSON.
    const evil = 'Login | SSO </script><!-- <img src=x onerror=alert(1)>';
    for (const r of context.history) if (r.monitor === 'login') r.name = evil;

    const reporter = new HtmlReporter({ sla: { login: { 'submit credentials': { maxMs: 1200 } } } });
    reporter.onBegin(report.run, definitions);
    const [file] = await reporter.onEnd(report, context);
    expect(path.basename(file)).toBe('index.html');
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<(script|link)[^>]+src=/i);
    expect(html).not.toMatch(/(src|href|action)\s*=\s*["']?(https?:|\/\/)/i);

    const { page, requests, problems, dialogs } = await open(file);
    try {
      await page.waitForFunction(() => document.querySelectorAll('.chart-card .uplot canvas').length === 5, null, { timeout: 15_000 });
      expect(await page.locator('#overall-status').textContent()).toBe('down');

      const stats = await canvasStats(page);
      expect(stats).toHaveLength(5);
      for (const s of stats) {
        expect(s.w).toBeGreaterThan(300);
        expect(s.h).toBeGreaterThan(150);
        expect(s.drawn).toBeGreaterThan(s.w * s.h * 0.005);
        expect(s.series).toBeGreaterThan(50);
      }

      // Payload: SLA lines from the definitions and the option, anomaly and deploy markers.
      const payload = JSON.parse((await page.locator('#observer-data').textContent())!);
      const purchase = payload.charts.find((c: { monitor: string }) => c.monitor === 'purchase');
      expect(purchase.series.map((s: { label: string }) => s.label)).toEqual(['open home', 'search', 'add to cart', 'checkout']);
      expect(purchase.sla).toEqual([
        { label: 'checkout degraded 1500 ms', ms: 1500, level: 'degraded', series: 3 },
        { label: 'checkout max 2500 ms', ms: 2500, level: 'max', series: 3 },
      ]);
      expect(purchase.anomalies).toEqual([expect.objectContaining({ severity: 'critical', series: 3, kind: 'regression', resolved: false })]);
      const checkout = payload.charts.find((c: { monitor: string }) => c.monitor === 'checkout-api');
      expect(checkout.sla.map((s: { ms: number }) => s.ms)).toEqual([300, 400]);
      expect(payload.charts.find((c: { monitor: string }) => c.monitor === 'login').sla).toEqual([{ label: 'submit credentials max 1200 ms', ms: 1200, level: 'max', series: 1 }]);
      expect(payload.deploys).toEqual([{ at: Date.parse('2026-11-25T10:00:00Z') / 1000, label: 'v2.4.1' }]);

      // Outside text shows literally and runs nothing.
      expect(dialogs).toEqual([]);
      await expect.poll(() => page.locator('.chart-card h3', { hasText: '</script><!-- <img src=x onerror=alert(1)>' }).count()).toBe(1);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('#monitors td.err', { hasText: '<script>alert("x")</script>' }).count()).toBe(1);

      // Failure card: inlined screenshot thumbnail, trace link and the show-trace hint.
      const failure = page.locator('#failures .failure', { hasText: 'locator("#submit") not visible' });
      expect(await failure.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,iVBOR/);
      expect(await failure.locator('a', { hasText: 'trace' }).getAttribute('href')).toBe('artifacts/login/trace.zip');
      expect(await failure.locator('code').textContent()).toBe('npx playwright show-trace artifacts/login/trace.zip');
      expect(await failure.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(480);

      // Hovering the anomaly marker explains it under the chart.
      const card = page.locator('#' + purchase.id);
      await card.scrollIntoViewIfNeeded();
      const over = (await card.locator('.u-over').boundingBox())!;
      const [x0, x1] = [purchase.x[0], purchase.x[purchase.x.length - 1]];
      const markerX = over.x + ((purchase.anomalies[0].at - x0) / (x1 - x0)) * over.width;
      await page.mouse.move(markerX, over.y + over.height / 2);
      await expect.poll(() => card.locator('.marker-note').textContent()).toMatch(/^critical regression: Step "checkout" of Purchase journey is 1\.9x slower .* · deploy v2\.4\.1 at 2026-11-25 10:00 UTC$/);
      await page.mouse.move(over.x + 5, over.y + over.height / 2);
      await expect.poll(() => card.locator('.marker-note').isVisible()).toBe(false);
      await page.mouse.move(markerX, over.y + over.height / 2);

      await page.screenshot({ path: 'test-results/html-report.png', fullPage: true });

      // Filters: one monitor hides the other charts and rows.
      const visibleCharts = () => page.locator('.chart-card:visible').count();
      expect(await visibleCharts()).toBe(5);
      await page.selectOption('#filter-monitor', 'purchase');
      expect(await visibleCharts()).toBe(1);
      expect(await page.locator('.chart-card:visible h3').textContent()).toContain('Purchase journey');
      expect(await page.locator('#monitors tbody tr:visible').count()).toBe(1);
      expect(await page.locator('#anomalies tbody tr:visible').count()).toBe(1);
      expect(page.url()).toMatch(/#monitor=purchase$/);
      // The signals follow the filter too: the purchase journey's own latency, not the pooled one.
      expect(await page.locator('#signals [data-unfiltered]').isVisible()).toBe(false);
      const ownSignals = page.locator('#signals .monitor-signals:visible');
      expect(await ownSignals.count()).toBe(1);
      expect(await ownSignals.locator('h3 .mname').textContent()).toBe('Purchase journey');
      expect(await ownSignals.locator('h3 .mid').textContent()).toBe('purchase');
      expect(await ownSignals.locator('.signal .label span:first-child').allTextContents()).toEqual(['Latency p50 · journeys', 'Latency p99 · journeys', 'Error rate']);

      await page.selectOption('#filter-monitor', '');
      await page.selectOption('#filter-tag', 'api');
      expect(await visibleCharts()).toBe(3);
      await page.selectOption('#filter-location', 'us-east');
      expect(await visibleCharts()).toBe(1);
      expect(await page.locator('.chart-card:visible h3').textContent()).toContain('us-east');
      await page.selectOption('#filter-tag', 'auth');
      expect(await visibleCharts()).toBe(0);
      expect(await page.locator('#charts-empty').isVisible()).toBe(true);
      await page.click('#filter-reset');
      expect(await visibleCharts()).toBe(5);
      expect(await page.locator('#signals [data-unfiltered]').isVisible()).toBe(true);
      expect(await page.locator('#signals .monitor-signals:visible').count()).toBe(0);
      // A shown chart still has its size after being hidden.
      const after = await canvasStats(page);
      expect(after.every((s) => s.w > 300)).toBe(true);

      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.close();
    }
  });

  it('restores filters from the URL hash', async () => {
    const { report, context } = scenario(dir);
    const [file] = await new HtmlReporter().onEnd(report, context);
    const page = await browser.newPage();
    try {
      await page.goto(`${pathToFileURL(file).href}#tag=auth`);
      await page.waitForSelector('.chart-card .uplot canvas', { state: 'attached' });
      expect(await page.locator('#filter-tag').inputValue()).toBe('auth');
      expect(await page.locator('.chart-card:visible').count()).toBe(1);
    } finally {
      await page.close();
    }
  });

  it('renders a first run without history, findings or deploys', async () => {
    const { report, context } = scenario(dir);
    context.history = [];
    context.findings = [];
    context.deploys = [];
    report.findings = [];
    const [file] = await new HtmlReporter().onEnd(report, context);
    const { page, requests, problems } = await open(file);
    try {
      await page.waitForFunction(() => document.querySelectorAll('.chart-card .uplot canvas').length === 4, null, { timeout: 15_000 });
      // One run: each chart still shows its single point.
      for (const s of await canvasStats(page)) expect(s.series).toBeGreaterThan(5);
      expect(await page.locator('#anomalies .empty').textContent()).toBe('No active anomalies.');
      expect(await page.locator('#deploys .empty').textContent()).toBe('No deploys in the window.');
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await page.close();
    }
  });

  it('redacts secrets in everything it writes, the embedded data included', async () => {
    const { report, context } = scenario(dir);
    const secret = 'Bearer eyJhbGciOi.secret-token';
    context.history[context.history.length - 3].error!.message = `401 with ${secret}`;
    context.deploys[0].description = `deployed by ${secret}`;
    const redactor = new Redactor();
    redactor.add(secret);
    const [file] = await new HtmlReporter({ redactor }).onEnd(report, context);
    const html = await readFile(file, 'utf8');
    expect(html).not.toContain('eyJhbGciOi');
    expect(html).toContain('401 with [REDACTED]');
    expect(html).toContain('deployed by [REDACTED]');
  });

  it('links an artifact outside the reports folder as text only, never reading it', async () => {
    const { report, context } = scenario(dir);
    const login = context.history.find((r) => r.artifacts)!;
    login.artifacts = { screenshot: '../../etc/passwd.png', trace: 'javascript:alert(1)' };
    const [file] = await new HtmlReporter().onEnd(report, context);
    const html = await readFile(file, 'utf8');
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toContain('href="../');
    expect(html).toContain('trace javascript:alert(1)');
  });
});
