import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MarkdownReporter, mdCell, STEP_SUMMARY_LIMIT_BYTES } from '../../src/reporters/markdown.js';
import { Redactor } from '../../src/runtime/redact.js';
import { scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** The rows of the markdown table that follows `heading`. */
function tableAfter(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (rows.length) break;
      continue;
    }
    // Split on pipes that are not escaped.
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

describe('markdown reporter (status.md)', () => {
  it('writes the health board: overall status, golden signals, anomalies, monitors and deploys', async () => {
    const { report, context } = scenario(dir);
    const files = await new MarkdownReporter({ env: {} }).onEnd(report, context);
    expect(files.map((f) => path.basename(f))).toEqual(['status.md']);
    const md = await readFile(files[0], 'utf8');
    expect(md.split('\n')[0]).toBe('# 🔴 Production health: down');
    expect(md).toContain('**As of** 2026-11-25 12:00:00 UTC');
    expect(md).toContain('- 1 monitor failed: Checkout API.');

    const signals = tableAfter(md, '## Golden signals');
    expect(signals[0]).toEqual(['Signal', 'Current', 'Baseline', 'Status', 'Trend', 'Meaning']);
    expect(signals.slice(2).map((r) => r[0])).toEqual(['Latency p50 · API checks', 'Latency p99 · API checks', 'Latency p50 · journeys', 'Latency p99 · journeys', 'Error rate']);
    // The runner's own traffic and saturation are on their own line, in fixed units.
    expect(md).toMatch(/\*\*Runner:\*\* traffic [\d.]+\/min .* · saturation \d+\.\d\d in flight/);
    const errorRate = signals.find((r) => r[0] === 'Error rate')!;
    expect(errorRate.slice(1, 5)).toEqual(['25%', '0.9%', '🔴 critical', '↑']);
    for (const r of signals.slice(2)) expect(['↑', '↓', '→', '—']).toContain(r[4]);

    const anomalies = tableAfter(md, '## Active anomalies (2)');
    expect(anomalies.slice(2).map((r) => r[0])).toEqual(['🔴 critical', '🟡 warning']);
    expect(anomalies[2][1]).toBe('2026-11-25 10:01:00 UTC (2 h ago)');
    expect(anomalies[2][3]).toBe('Purchase journey › checkout › eu-west');
    expect(anomalies[2][4]).toContain('1.9x slower');

    const monitors = tableAfter(md, '## Monitors (last 6h)');
    expect(monitors[0]).toEqual(['Monitor', 'Kind', 'Location', 'Runs', 'Success', 'Avg', 'p95', 'Last run', 'Last error']);
    expect(monitors).toHaveLength(2 + 5);
    expect(monitors[2][0]).toBe('**Checkout API**');
    expect(monitors[2][4]).toBe('96%');
    expect(monitors[2][7]).toBe('❌ failed 1 min ago');
    expect(monitors[2][8]).toContain('body: &lt;script&gt;alert("x")&lt;/script&gt;');
    expect(md).not.toContain('<script>');

    const deploys = tableAfter(md, '## Recent deploys');
    expect(deploys[2]).toEqual(['2026-11-25 10:00:00 UTC (2 h ago)', 'v2.4.1', 'production', 'checkout: new payment provider']);
  });

  it('escapes pipes, newlines and markup in table cells', async () => {
    const { report, context } = scenario(dir);
    const failed = context.history.find((r) => r.id === report.results[1].id)!;
    failed.error = { class: 'assertion', message: 'line one | col\nline two `code` *bold* [link](x)' };
    const md = await new MarkdownReporter({ env: {} }).onEnd(report, context).then((f) => readFile(f[0], 'utf8'));
    const monitors = tableAfter(md, '## Monitors');
    // Every row keeps the header's 9 cells: no pipe leaked from a name or a message.
    for (const row of monitors) expect(row).toHaveLength(9);
    expect(monitors.find((r) => r[0] === '**Login \\| SSO**')).toBeDefined();
    const checkout = monitors.find((r) => r[0] === '**Checkout API**')!;
    expect(checkout[8]).toBe('assertion: line one \\| col<br>line two \\`code\\` \\*bold\\* \\[link\\](x) (1 min ago)');
    expect(mdCell('a|b\r\nc')).toBe('a\\|b<br>c');
  });

  it('says healthy when everything passed and no anomaly is open, degraded on a warning finding', async () => {
    const { report, context } = scenario(dir);
    for (const r of report.results) {
      r.status = 'passed';
      r.error = null;
      for (const s of r.steps) s.status = 'passed';
    }
    report.findings = [];
    context.findings = context.findings.filter((f) => f.status === 'resolved');
    const reporter = new MarkdownReporter({ env: {} });
    let md = await reporter.onEnd(report, context).then((f) => readFile(f[0], 'utf8'));
    expect(md.split('\n')[0]).toBe('# 🟢 Production health: healthy');
    expect(md).toContain('_No active anomalies._');

    context.findings.push({ ...context.findings[0], id: 'f-open', status: 'open', resolvedAt: null, severity: 'info' });
    md = await reporter.onEnd(report, context).then((f) => readFile(f[0], 'utf8'));
    expect(md.split('\n')[0]).toBe('# 🟢 Production health: healthy');

    context.findings[context.findings.length - 1].severity = 'warning';
    md = await reporter.onEnd(report, context).then((f) => readFile(f[0], 'utf8'));
    expect(md.split('\n')[0]).toBe('# 🟡 Production health: degraded');
    expect(md).toContain('- 1 warning anomaly open (Catalog API).');
  });

  it('does not call the target down when the runner could not measure it', async () => {
    const { report, context } = scenario(dir);
    report.results[1].error = { class: 'aborted', message: 'aborted while running' };
    const md = await new MarkdownReporter({ env: {} }).onEnd(report, context).then((f) => readFile(f[0], 'utf8'));
    expect(md.split('\n')[0]).toBe('# 🟡 Production health: degraded');
    expect(md).toContain('could not be measured');
  });

  it('appends the board to $GITHUB_STEP_SUMMARY from the env option, keeping what was there', async () => {
    const { report, context } = scenario(dir);
    const summary = path.join(dir, 'step-summary.md');
    await writeFile(summary, '## Earlier step\n\n');
    const reporter = new MarkdownReporter({ env: { GITHUB_STEP_SUMMARY: summary } });
    const files = await reporter.onEnd(report, context);
    expect(files).toEqual([path.join(dir, 'status.md'), summary]);
    await reporter.onEnd(report, context);
    const text = await readFile(summary, 'utf8');
    const status = await readFile(path.join(dir, 'status.md'), 'utf8');
    expect(text.startsWith('## Earlier step\n\n')).toBe(true);
    expect(text.split('# 🔴 Production health: down')).toHaveLength(3);
    expect(text).toBe(`## Earlier step\n\n${status}\n${status}\n`);
  });

  it('leaves $GITHUB_STEP_SUMMARY alone when the env option has none', async () => {
    const { report, context } = scenario(dir);
    const files = await new MarkdownReporter({ env: {} }).onEnd(report, context);
    expect(files).toHaveLength(1);
  });

  it('truncates the step summary under GitHub’s 1 MiB limit', async () => {
    const { report, context } = scenario(dir);
    context.findings[0].explanation = 'x'.repeat(STEP_SUMMARY_LIMIT_BYTES + 10);
    const summary = path.join(dir, 'big-summary.md');
    await new MarkdownReporter({ env: { GITHUB_STEP_SUMMARY: summary } }).onEnd(report, context);
    const text = await readFile(summary, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT_BYTES);
    expect(text).toContain('(truncated: the full board is in status.md)');
  });

  it('redacts secrets before escaping them', async () => {
    const { report, context } = scenario(dir);
    const secret = 'hunter2|pipe*star';
    context.history.find((r) => r.id === report.results[1].id)!.error!.message = `login with ${secret} refused`;
    const redactor = new Redactor();
    redactor.add(secret);
    const md = await new MarkdownReporter({ env: {}, redactor }).onEnd(report, context).then((f) => readFile(f[0], 'utf8'));
    expect(md).not.toContain('hunter2');
    expect(md).toContain('login with \\[REDACTED\\] refused');
  });
});
