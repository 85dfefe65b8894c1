/** The journey collector's network summary per step in real Chromium: per host, and the slowest requests with their status. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JourneyCollector } from '../../src/journeys/collector.js';
import { MAX_NETWORK_HOSTS, MAX_SLOWEST_REQUESTS } from '../../src/model/results.js';

let browser: Browser;
const servers: http.Server[] = [];

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.OBSERVER_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('JourneyCollector network summary', () => {
  it('counts requests, failures and bytes per host and keeps the slowest requests with their status', async () => {
    // A second origin (another port: another host:port) serves an image and a missing script.
    const cdn = await serve((req, res) => {
      if (req.url === '/logo.svg') {
        res.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': '44' });
        res.end('<svg xmlns="http://www.w3.org/2000/svg"/>   ');
      } else {
        res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '9' });
        res.end('not found');
      }
    });
    const site = await serve((req, res) => {
      if (req.url === '/') {
        const body = `<!doctype html><link rel="stylesheet" href="/slow.css"><img src="${cdn}/logo.svg"><script src="${cdn}/missing.js"></script><p>hi</p>`;
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else if (req.url === '/slow.css') {
        // Held back so it is the slowest by far (an order, not a time, is asserted).
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/css', 'content-length': '14' });
          res.end('p{color:red}\n\n');
        }, 600);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    const context = await browser.newContext();
    try {
      const collector = new JourneyCollector();
      await collector.attach(context);
      const page = await context.newPage();
      const step = collector.begin('Open home', undefined);
      await page.goto(`${site}/`, { waitUntil: 'load' });
      await collector.end(step, 1);
      const n = step.network;
      const siteHost = new URL(site).host;
      const cdnHost = new URL(cdn).host;
      expect(n.requests).toBeGreaterThanOrEqual(4);
      expect(n.failedRequests).toBe(1);
      const hosts = Object.fromEntries((n.hosts ?? []).map((x) => [x.host, x]));
      expect(Object.keys(hosts).sort()).toEqual([cdnHost, siteHost].sort());
      expect(hosts[cdnHost]).toMatchObject({ requests: 2, failedRequests: 1 });
      expect(hosts[siteHost]).toMatchObject({ failedRequests: 0 });
      expect(hosts[siteHost].requests).toBeGreaterThanOrEqual(2);
      expect(hosts[cdnHost].bytes).toBeGreaterThanOrEqual(44);
      expect(hosts[siteHost].bytes + hosts[cdnHost].bytes).toBe(n.bytes);
      // Slowest first, bounded, with the status of each.
      const slowest = n.slowest ?? [];
      expect(slowest.length).toBeGreaterThanOrEqual(3);
      expect(slowest.length).toBeLessThanOrEqual(MAX_SLOWEST_REQUESTS);
      expect(slowest[0]).toMatchObject({ url: `${site}/slow.css`, status: 200 });
      expect(slowest.map((q) => q.ms)).toEqual([...slowest.map((q) => q.ms)].sort((a, b) => b - a));
      expect(slowest.find((q) => q.url === `${cdn}/logo.svg`)).toMatchObject({ status: 200 });
      for (const q of slowest) expect(q.status).toBeGreaterThanOrEqual(200);
      expect(n.slowestUrl).toBe(`${site}/slow.css`);
    } finally {
      await context.close();
    }
  });

  it(`folds hosts past ${MAX_NETWORK_HOSTS - 1} into "other"`, async () => {
    const origins: string[] = [];
    for (let i = 0; i < MAX_NETWORK_HOSTS + 2; i++) origins.push(await serve((_req, res) => res.end('x')));
    const list = origins.map((o) => `<img src="${o}/i.png">`).join('');
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html>${list}`);
    });
    const context = await browser.newContext();
    try {
      const collector = new JourneyCollector();
      await collector.attach(context);
      const page = await context.newPage();
      const step = collector.begin('Many hosts', undefined);
      await page.goto(`${site}/`, { waitUntil: 'load' });
      await collector.end(step, 1);
      const hosts = step.network.hosts ?? [];
      expect(hosts).toHaveLength(MAX_NETWORK_HOSTS);
      expect(hosts.filter((x) => x.host === 'other')).toHaveLength(1);
      expect(hosts.reduce((a, x) => a + x.requests, 0)).toBe(step.network.requests);
    } finally {
      await context.close();
    }
  });
});
