/** `observer detect`: CSV in, scores/findings/change points out; bad input is one line and exit 2. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { detectCommand, parseTimestamp } from '../../src/cli/detect.js';
import { gaussian, mulberry32 } from './scenarios.js';

const dir = mkdtempSync(path.join(tmpdir(), 'observer-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function detect(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await detectCommand(args, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** 600 points every 5 minutes, level 100 then 160 from row 300, a spike at row 150. */
function shiftCsv(): string {
  const r = mulberry32(42);
  const rows = ['timestamp,value'];
  for (let i = 0; i < 600; i++) {
    const t = new Date(Date.UTC(2024, 4, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    const v = i === 150 ? 400 : (i >= 300 ? 160 : 100) + 3 * gaussian(r);
    rows.push(`${t},${v.toFixed(3)}`);
  }
  return rows.join('\n') + '\n';
}

describe('observer detect', () => {
  const csv = file('shift.csv', shiftCsv());

  it('writes one scored row per input row and flags the spike and the shift causally', async () => {
    const { code, out, err } = await detect([csv]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score,is_anomaly,kind');
    expect(lines).toHaveLength(601);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const r of rows) {
      const s = Number(r[2]);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(r[3]);
    }
    const flagged = rows.flatMap((r, i) => (r[3] === '1' ? [[i, r[4]] as const] : []));
    expect(flagged).toContainEqual([150, 'spike']);
    const shift = flagged.find(([i, k]) => k === 'regression' || (k === 'spike' && i >= 300));
    expect(shift?.[0]).toBeGreaterThanOrEqual(300);
    expect(shift?.[0]).toBeLessThanOrEqual(305);
    expect(Number(rows[150][2])).toBeGreaterThan(0.5);
    expect(flagged.filter(([i]) => i < 300 && i !== 150)).toEqual([]);
    // Causal: the first 300 rows score the same when the file stops at row 300.
    const head = file('head.csv', shiftCsv().split('\n').slice(0, 301).join('\n') + '\n');
    const headOut = (await detect([head])).out.trim().split('\n');
    expect(headOut).toEqual(lines.slice(0, 301));
  });

  it('lists the change points and the findings', async () => {
    const cps = await detect([csv, '--format', 'changepoints']);
    expect(cps.code).toBe(0);
    const idx = JSON.parse(cps.out) as number[];
    expect(idx.some((i) => i >= 298 && i <= 302)).toBe(true);
    const json = await detect([csv, '--format', 'json']);
    const findings = JSON.parse(json.out) as { kind: string; startedAt: string; explanation: string; status: string; details?: { resolution?: string } }[];
    const reg = findings.find((f) => f.kind === 'regression');
    // Row 300 is 2024-05-02 01:00 UTC; the shift lasts past acceptAfterPoints (288): the new normal.
    expect(reg?.startedAt).toBe('2024-05-02T01:00:00.000Z');
    expect(reg?.status).toBe('resolved');
    expect(reg?.details?.resolution).toBe('accepted as new baseline');
    expect(reg?.explanation).toMatch(/^shift value has stayed at 1\d\d \(\+\d+% vs 100\) since 2024-05-02 01:00 UTC for \d+ points: accepted as new baseline\.$/);
    expect(findings.find((f) => f.kind === 'spike')?.status).toBe('resolved');
  });

  it('reads ISO with T or space, offsets, no zone as UTC, epoch seconds and milliseconds', () => {
    const utc = Date.UTC(2024, 4, 1, 12, 30, 0);
    expect(parseTimestamp('2024-05-01 12:30:00')).toBe(utc);
    expect(parseTimestamp('2024-05-01T12:30:00Z')).toBe(utc);
    expect(parseTimestamp('2024-05-01T14:30:00+02:00')).toBe(utc);
    expect(parseTimestamp('2024-05-01T07:30:00-0500')).toBe(utc);
    expect(parseTimestamp('2024-05-01T12:30:00.250Z')).toBe(utc + 250);
    expect(parseTimestamp(String(utc / 1000))).toBe(utc);
    expect(parseTimestamp(String(utc))).toBe(utc);
    expect(parseTimestamp('2024-02-30 00:00:00')).toBeNull();
    expect(parseTimestamp('yesterday')).toBeNull();
  });

  it('handles zero and negative values of generic series', async () => {
    const rows = ['timestamp,value'];
    for (let i = 0; i < 200; i++) rows.push(`${1714521600 + i * 60},${i === 120 ? -50 : (i % 5) - 2}`);
    const { code, out } = await detect([file('neg.csv', rows.join('\n'))]);
    expect(code).toBe(0);
    const flagged = out.trim().split('\n').slice(1).flatMap((l, i) => (l.split(',')[3] === '1' ? [i] : []));
    expect(flagged).toEqual([120]);
  });

  // Refused with --strict (one line naming the line, exit 2); processed and counted without it.
  const messy: [string, string, RegExp, RegExp][] = [
    ['bad timestamp', 'timestamp,value\n2024-05-01 00:00:00,1\nnot-a-time,2\n', /:3: cannot parse timestamp "not-a-time"/, /1 unreadable row \(skipped\) \(first at line 3\)/],
    ['bad value', 'timestamp,value\n2024-05-01 00:00:00,abc\n', /:2: cannot parse value "abc"/, /1 empty or non-numeric value \(a gap\) \(first at line 2\)/],
    ['hex value', 'timestamp,value\n2024-05-01 00:00:00,0x10\n', /:2: cannot parse value "0x10"/, /1 empty or non-numeric value/],
    ['unsorted', 'timestamp,value\n2024-05-01 00:05:00,1\n2024-05-01 00:00:00,2\n', /:3: timestamp "2024-05-01 00:00:00" is before the one on line 2/, /1 timestamp out of order \(first at line 3\)/],
    ['duplicate', 'timestamp,value\n2024-05-01 00:05:00,1\n2024-05-01T00:05:00Z,2\n', /:3: duplicate timestamp "2024-05-01T00:05:00Z" \(same as line 2\)/, /1 repeated timestamp \(first at line 3\)/],
    ['three columns', 'timestamp,value\n2024-05-01 00:00:00,1\n2024-05-01 00:05:00,1,2\n', /:3: expected 2 columns/, /1 unreadable row/],
    ['out-of-range timestamp', 'timestamp,value\n2024-05-01 00:00:00,1\n1e20,2\n100000000000000000000,3\n', /:3: timestamp "1e20" is out of range/, /2 unreadable rows \(skipped\) \(first at line 3\)/],
  ];
  for (const [name, content, strictMessage, warning] of messy) {
    it(`${name}: refused with --strict naming the line (exit 2), processed and counted without it`, async () => {
      const csvFile = file(`${name.replace(/ /g, '-')}.csv`, content);
      const strict = await detect([csvFile, '--strict']);
      expect(strict.code).toBe(2);
      expect(strict.out).toBe('');
      expect(strict.err).toMatch(strictMessage);
      expect(strict.err.trim().split('\n')).toHaveLength(1);
      expect(strict.err).not.toMatch(/\n\s+at /);
      const lenient = await detect([csvFile]);
      expect(lenient.code).toBe(0);
      expect(lenient.err.trim().split('\n')).toHaveLength(1);
      expect(lenient.err).toMatch(warning);
      expect(lenient.out.trim().split('\n')).toHaveLength(content.trim().split('\n').length);
    });
  }

  const bad: [string, string, RegExp][] = [
    ['missing header', '2024-05-01 00:00:00,1\n', /missing-header\.csv:1: expected the header "timestamp,value"/],
    ['empty', '', /: empty file/],
    ['header only', 'timestamp,value\n', /:1: no data rows/],
    ['no readable row', 'timestamp,value\nyesterday,1\ntoday,2\n', /no row has a readable timestamp/],
    ['binary', '\u0000\u0001\u001b[31mPK\u0003\u0004,\u0007\n\u0000\u0000\n', /:1: expected the header "timestamp,value", got "\\x00\\x01\\x1b\[31mPK\\x03\\x04,\\x07" \(a binary file\?\)/],
  ];
  for (const [name, content, message] of bad) {
    it(`rejects ${name} with one line naming the line, exit 2 (also without --strict)`, async () => {
      const { code, out, err } = await detect([file(`${name.replace(/ /g, '-')}.csv`, content)]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).not.toMatch(/\n\s+at /);
      // eslint-disable-next-line no-control-regex
      expect(err.replace(/\n$/, '')).not.toMatch(/[\u0000-\u001f\u007f]/);
    });
  }

  it('processes a messy export: one warning line counting each kind, one output row per input row in input order, gaps are not zeros', async () => {
    const r = mulberry32(7);
    const rows = ['timestamp,value'];
    const t0 = Date.UTC(2024, 9, 27, 0, 0, 0);
    const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
    for (let i = 0; i < 400; i++) {
      const v = (100 + 3 * gaussian(r)).toFixed(2);
      if (i === 100 || i === 101) rows.push(`${iso(t0 + 99 * 300_000)},${v}`); // a collector's retry and a clock change repeat a time
      else if (i === 200) rows.push(`${iso(t0 + 198 * 300_000)},${v}`); // a row a little out of order
      else rows.push(`${iso(t0 + i * 300_000)},${i === 150 ? '' : i === 151 ? 'NaN' : i === 152 ? '0x10' : v}`);
    }
    const { code, out, err } = await detect([file('messy.csv', rows.join('\n') + '\n')]);
    expect(code).toBe(0);
    expect(err.trim().split('\n')).toEqual([expect.stringMatching(/messy\.csv: 2 repeated timestamps \(first at line 102\), 3 empty or non-numeric values \(gaps\) \(first at line 152\), 1 timestamp out of order \(first at line 202\): processed/)]);
    const lines = out.trim().split('\n').slice(1);
    expect(lines).toHaveLength(400);
    expect(lines.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(rows.slice(1));
    // Gaps score 0 and alarm nothing; a zero would have been a spike on this level.
    for (const i of [150, 151, 152]) expect(lines[i].split(',').slice(2)).toEqual(['0.0000', '0', '']);
    expect(lines.filter((l) => l.split(',')[3] === '1')).toEqual([]);
  });

  it('one extreme value (1e308) does not disable spike detection for the rest of the series', async () => {
    const r = mulberry32(11);
    const rows = ['timestamp,value'];
    for (let i = 0; i < 2400; i++) rows.push(`${1714521600 + i * 300},${i === 500 ? '1e308' : i === 2000 ? '10000' : (100 + 3 * gaussian(r)).toFixed(2)}`);
    const { code, out } = await detect([file('extreme.csv', rows.join('\n') + '\n')]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(Number(lines[2000][2])).toBeGreaterThan(0.99);
    expect(lines[2000][3]).toBe('1');
  });

  it('pages once for a regime change of a quantised, bursty series and stays quiet on its usual bursts', async () => {
    const r = mulberry32(5);
    const rows = ['timestamp,value'];
    for (let i = 0; i < 4000; i++) {
      // CPU % in whole numbers: level 20, then 45 from row 2500; a short burst to about 60 now and then.
      const level = i >= 2500 ? 45 : 20;
      const burst = r() < 0.01 ? 25 + 15 * r() : 0;
      rows.push(`${1714521600 + i * 300},${Math.max(0, Math.min(100, Math.round(level + burst + 3 * gaussian(r))))}`);
    }
    const { code, out } = await detect([file('cpu.csv', rows.join('\n') + '\n')]);
    expect(code).toBe(0);
    const pages = out.trim().split('\n').slice(1).flatMap((l, i) => (l.split(',')[3] === '1' ? [i] : []));
    // After a warm-up of 15% (NAB's probation): one page at the regime change and none for the
    // rest of its episode (no spike per point, no second page when the shift's severity rises); its
    // usual bursts page at most once per 1,000 rows.
    const afterWarmup = pages.filter((i) => i >= 600);
    expect(afterWarmup.filter((i) => i >= 2500 && i <= 2510)).toHaveLength(1);
    expect(afterWarmup.filter((i) => i > 2510 && i < 2800)).toEqual([]);
    expect(afterWarmup.filter((i) => i < 2500 || i >= 2800).length).toBeLessThanOrEqual(3);
  });

  it('explains is_anomaly and anomaly_score in --help', async () => {
    const { code, out } = await detect(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/is_anomaly +1 on the row where a finding opens or escalates/);
    expect(out).toMatch(/anomaly_score +how unusual the row is, in \[0, 1\]/);
    expect(out).toMatch(/--strict/);
  });

  it('rejects a missing file and bad options with exit 2', async () => {
    const missing = await detect([path.join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.csv: no such file/);
    const fmt = await detect([csv, '--format', 'xml']);
    expect(fmt.code).toBe(2);
    expect(fmt.err).toMatch(/--format: expected one of csv, json, changepoints, got "xml"/);
    expect((await detect([])).code).toBe(2);
  });
});
