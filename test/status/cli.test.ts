/**
 * The real CLI on fixture folders: `observer report --sla` (Markdown and JSON, numbers worked by
 * hand from history.ts), `observer report --status-page DIR` (index.html and badges that parse as
 * SVG), and a statusPage full of mistakes (exit 2, each named with file, field and expectation).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { makeSandbox, runCli } from '../e2e/sandbox.js';
import { HOUR, at, fill } from './history.js';

describe('observer report --sla and --status-page', () => {
  let sandbox: { dir: string; cleanup(): void };
  beforeAll(async () => {
    sandbox = makeSandbox('status-page');
    const store = await openStore({ path: path.join(sandbox.dir, '.observer', 'observer.db') });
    await fill(store);
    await store.close();
  }, 120_000);
  afterAll(() => sandbox.cleanup());

  it('prints November 2026 as JSON: uptime, target, met, error budget, downtime episodes', async () => {
    const r = await runCli(['report', '--sla', '2026-11', '--format', 'json'], { cwd: sandbox.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ month: '2026-11', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', complete: true, environment: 'prod' });
    const api = report.monitors.find((m: { id: string }) => m.id === 'api');
    // November holds k=0..353 (354 runs); k=7 aborted is not counted: 353. Failed: k=3, 20-22, 100-105.
    expect(api.runs).toEqual({ passed: 342, degraded: 1, failed: 10 });
    expect(api.uptimePct).toBeCloseTo((343 / 353) * 100, 10);
    expect(api).toMatchObject({ name: 'Public API', target: 99.9, met: false });
    expect(api.errorBudget.usedPct).toBeCloseTo(((100 - (343 / 353) * 100) / 0.1) * 100, 6);
    // 30 days at 99.9%: 43.2 minutes allowed.
    expect(api.errorBudget.allowedDowntimeMs).toBe(43.2 * 60_000);
    // Episodes, oldest first: k=105..100 down until k=99 (12 h), k=22..20 until k=19 (6 h), k=3 until k=2 (2 h).
    expect(api.incidents.map((i: { start: string; durationMs: number }) => [i.start, i.durationMs / HOUR])).toEqual([
      [new Date(at(105)).toISOString(), 12],
      [new Date(at(22)).toISOString(), 6],
      [new Date(at(3)).toISOString(), 2],
    ]);
    expect(api.incidents[0]).toMatchObject({ location: 'eu-west', cause: 'http_status: status (503) == 200 at k=105' });
    expect(api.downtimeMs).toBe(20 * HOUR);
    // web failed only inside its maintenance window: 100%, the window's 5 runs not counted.
    const web = report.monitors.find((m: { id: string }) => m.id === 'web');
    expect(web).toMatchObject({ uptimePct: 100, runs: { passed: 349, degraded: 0, failed: 0 }, target: 99.5, met: true, incidents: [] });
    expect(report.groups).toEqual([
      { id: 'core', name: 'Core API', monitors: ['api'], uptimePct: api.uptimePct, target: 99.9, met: false },
      { id: 'web-shop', name: 'Web shop', monitors: ['web'], uptimePct: 100, target: 99.5, met: true },
    ]);
    expect(report.maintenance).toEqual([{ start: '2026-11-26T18:59:00.000Z', end: '2026-11-27T03:01:00.000Z', monitors: ['web'], message: 'Database upgrade' }]);
  });

  it('prints the same month as Markdown for a customer', async () => {
    const r = await runCli(['report', '--sla', '2026-11'], { cwd: sandbox.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# SLA report: November 2026');
    expect(r.stdout).toContain('| Core API | 97.16% | 99.9% | **missed** |');
    expect(r.stdout).toContain('| Web shop | 100% | 99.5% | met |');
    expect(r.stdout).toContain('| Public API (`api`) | 97.16% | 353 | 10 | 1 | 99.9% | **missed** | 2832.9% | 20h |');
    expect(r.stdout).toContain('| 2026-11-21 17:00:00 UTC | 2026-11-22 05:00:00 UTC | 12h | eu-west | http\\_status: status (503) == 200 at k=105 |');
    expect(r.stdout).toContain('## Maintenance (not counted)');
  });

  it('refuses a malformed month and an unknown format with exit 2', async () => {
    const bad = await runCli(['report', '--sla', '2026-13'], { cwd: sandbox.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sla: expected a month as YYYY-MM');
    const fmt = await runCli(['report', '--sla', '2026-11', '--format', 'pdf'], { cwd: sandbox.dir });
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain('--format: expected one of md, json, got "pdf"');
    expect(fmt.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes the static status page with a badge per group and monitor, each a valid SVG', async () => {
    const r = await runCli(['report', '--status-page', 'public'], { cwd: sandbox.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^status page: public\/index\.html \(.+; 2 group\(s\), 2 monitor\(s\), 24 badge\(s\)\)/);
    const html = readFileSync(path.join(sandbox.dir, 'public', 'index.html'), 'utf8');
    expect(html).toContain('<title>Example &lt;Shop&gt; status: ');
    expect(html).not.toContain('<Shop>');
    expect(html).toContain('Checkout errors for some cards');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    for (const id of ['core', 'web-shop', 'api', 'web']) {
      for (const f of ['status.svg', 'uptime.svg', 'uptime-24h.svg', 'uptime-7d.svg', 'uptime-30d.svg', 'uptime-90d.svg']) {
        const file = path.join(sandbox.dir, 'public', 'badge', id, f);
        expect(existsSync(file), file).toBe(true);
        const svg = readFileSync(file, 'utf8');
        expect(XMLValidator.validate(svg), `${id}/${f}`).toBe(true);
        expect(new XMLParser({ ignoreAttributes: false }).parse(svg).svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
      }
    }
    expect(readFileSync(path.join(sandbox.dir, 'public', 'badge', 'web', 'status.svg'), 'utf8')).toContain('aria-label="Web shop: ');
  });
});

describe('a statusPage with mistakes', () => {
  it('exits 2 naming the file, each field and what was expected, without a stack trace', async () => {
    const sandbox = makeSandbox('status-page-invalid');
    try {
      const r = await runCli(['report', '--status-page', 'out'], { cwd: sandbox.dir });
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n');
      const has = (field: string, text: RegExp) => expect(lines.some((l) => l.startsWith('observer.config.ts') && l.includes(field) && text.test(l)), `${field} ${text}: ${r.stderr}`).toBe(true);
      has('statusPage.slo', /must be < 100 \(got 100\)/);
      has('statusPage.groups[1].monitors', /at least 1|fewer than 1|must NOT have fewer/i);
      has('statusPage.maintenance[1].start', /ISO 8601 instant with a time zone/);
      has('statusPage.incidents[0].updates[0].status', /investigating/);
      has('statusPage', /colour/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(path.join(sandbox.dir, 'out'))).toBe(false);
    } finally {
      sandbox.cleanup();
    }
  });
});
