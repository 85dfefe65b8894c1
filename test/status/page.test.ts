/**
 * The status page from a real SQLite store, rendered in a real Chromium: snapshot numbers, the
 * states, incidents and maintenance it lists, escaping, and the layout at 360 px (a phone) and
 * 1920 px (a wall screen) in light and dark: no horizontal overflow, the right number of bars,
 * groups side by side on the wall. Screenshots go to OBSERVER_STATUS_SHOTS (default a temp folder).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshot, type StatusSnapshot } from '../../src/status/snapshot.js';
import { renderStatusPage } from '../../src/status/page-html.js';
import type { Store } from '../../src/store/store.js';
import { NOW, at } from './history.js';
import { EVIL_NAME, scenePage, sceneStore } from './scene.js';

const LAUNCH = {
  executablePath: process.env.OBSERVER_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
const SHOTS = process.env.OBSERVER_STATUS_SHOTS ?? mkdtempSync(path.join(tmpdir(), 'observer-status-shots-'));

let store: Store;
let dispose: () => Promise<void>;
let snapshot: StatusSnapshot;
let browser: Browser;
let pageFile: string;

beforeAll(async () => {
  ({ store, dispose } = await sceneStore());
  snapshot = await buildSnapshot(store, scenePage(), { nowMs: NOW, environment: 'prod', names: new Map([['api', 'Public API']]) });
  mkdirSync(SHOTS, { recursive: true });
  pageFile = path.join(SHOTS, 'index.html');
  writeFileSync(pageFile, renderStatusPage(snapshot));
  browser = await chromium.launch(LAUNCH);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await dispose?.();
});

describe('status snapshot', () => {
  it('has each monitor state, uptime and bars from the store', () => {
    const { api, web, search } = snapshot.monitors;
    expect(api).toMatchObject({ name: 'Public API', state: 'up', slo: 99.9, lastRunAt: new Date(at(0)).toISOString() });
    expect(api!.uptime['30d']).toBeCloseTo((349 / 359) * 100, 10);
    expect(api!.uptime['24h']).toBeCloseTo((10 / 11) * 100, 10);
    expect(api!.days).toHaveLength(90);
    // web: under maintenance now (NOW-1h..NOW+2h, which leaves k=0 out); its k=40..44 failures count here.
    expect(web).toMatchObject({ state: 'maintenance', slo: 99.5 });
    expect(web!.counts['90d']).toEqual({ passed: 1074, degraded: 0, failed: 5 });
    expect(web!.uptime['90d']).toBeCloseTo((1074 / 1079) * 100, 10);
    expect(web!.days[89]).toMatchObject({ maintenance: true, counts: { passed: 5, degraded: 0, failed: 0 } });
    expect(search).toMatchObject({ name: EVIL_NAME, state: 'down', lastError: 'status (503) == 200 at k=0' });
    expect(snapshot.groups.map((g) => [g.id, g.state])).toEqual([
      ['core', 'down'],
      ['web-shop', 'maintenance'],
    ]);
    // The group's uptime is its members' mean.
    expect(snapshot.groups[0]!.uptime['7d']).toBeCloseTo((api!.uptime['7d']! + search!.uptime['7d']!) / 2, 10);
    expect(snapshot.overall).toEqual({ state: 'partial_outage', text: 'Partial outage' });
  });

  it('lists incidents (ongoing first) and maintenance (active first)', () => {
    const [first] = snapshot.incidents;
    expect(first).toMatchObject({ source: 'detected', status: 'investigating', resolvedAt: null, title: `${EVIL_NAME} down` });
    const posted = snapshot.incidents.find((i) => i.source === 'posted')!;
    expect(posted.updates.map((u) => u.status)).toEqual(['resolved', 'identified', 'investigating']);
    expect(posted.monitors).toEqual(['Web shop']);
    // api's episodes within 14 days: k=105..100, k=22..20, k=3 (k=507.. is older).
    const apiDown = snapshot.incidents.filter((i) => i.source === 'detected' && i.monitors.includes('Public API'));
    expect(apiDown.map((i) => i.startedAt)).toEqual([at(3), at(22), at(105)].map((t) => new Date(t).toISOString()));
    expect(apiDown[0]!.updates[1]!.message).toBe('Public API is down from eu-west (http_status: status (503) == 200 at k=3).');
    expect(snapshot.maintenance.map((m) => [m.active, m.monitors])).toEqual([
      [true, ['Web shop']],
      [false, ['Public API', EVIL_NAME]],
    ]);
  });
});

describe('status page in Chromium', () => {
  const layouts = [
    { name: 'phone', width: 360, height: 780, bars: 30 },
    { name: 'wall', width: 1920, height: 1080, bars: 90 },
  ] as const;
  for (const layout of layouts) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`fits ${layout.width} px in ${colorScheme} with ${layout.bars} bars per monitor`, async () => {
        const page = await browser.newPage({ viewport: { width: layout.width, height: layout.height } });
        const external: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) external.push(r.url());
        });
        try {
          await page.emulateMedia({ colorScheme });
          await page.goto(pathToFileURL(pageFile).href);
          const m = await page.evaluate(() => {
            const firstBars = document.querySelector('.bars')!;
            const visible = Array.from(firstBars.querySelectorAll('.bar')).filter((b) => (b as HTMLElement).offsetWidth > 0);
            const groups = Array.from(document.querySelectorAll('.group')).map((g) => g.getBoundingClientRect());
            return {
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
              bars: visible.length,
              barWidth: visible[0]?.getBoundingClientRect().width ?? 0,
              lastTitle: visible[visible.length - 1]?.getAttribute('title'),
              bg: getComputedStyle(document.body).backgroundColor,
              groupTops: groups.map((r) => Math.round(r.top)),
              images: document.images.length,
              banner: document.querySelector('.banner')!.textContent,
            };
          });
          await page.screenshot({ path: path.join(SHOTS, `status-${layout.name}-${colorScheme}.png`), fullPage: layout.name === 'phone' });
          expect(m.scrollWidth).toBeLessThanOrEqual(m.innerWidth);
          expect(m.bars).toBe(layout.bars);
          expect(m.barWidth).toBeGreaterThan(2);
          expect(m.lastTitle).toBe('2026-11-30: 83.33% up: 6 runs, 1 failed, 1 degraded');
          expect(m.bg).toBe(colorScheme === 'dark' ? 'rgb(11, 18, 32)' : 'rgb(245, 247, 250)');
          expect(m.images).toBe(0);
          expect(m.banner).toBe('Partial outage');
          // Side by side on the wall, stacked on the phone.
          if (layout.name === 'wall') expect(m.groupTops[0]).toBe(m.groupTops[1]);
          else expect(m.groupTops[1]).toBeGreaterThan(m.groupTops[0]!);
          expect(external).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }
  }

  it('shows a hostile monitor name as text', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(pageFile).href);
      const name = await page.locator('#monitor-search .mname').textContent();
      expect(name).toBe(EVIL_NAME);
      expect(await page.locator('img').count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});
