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

  const bad: [string, string, RegExp][] = [
    ['missing header', '2024-05-01 00:00:00,1\n', /missing\.csv|:1: expected the header "timestamp,value"/],
    ['bad timestamp', 'timestamp,value\n2024-05-01 00:00:00,1\nnot-a-time,2\n', /:3: cannot parse timestamp "not-a-time"/],
    ['bad value', 'timestamp,value\n2024-05-01 00:00:00,abc\n', /:2: cannot parse value "abc"/],
    ['unsorted', 'timestamp,value\n2024-05-01 00:05:00,1\n2024-05-01 00:00:00,2\n', /:3: timestamp "2024-05-01 00:00:00" is before the one on line 2/],
    ['duplicate', 'timestamp,value\n2024-05-01 00:05:00,1\n2024-05-01T00:05:00Z,2\n', /:3: duplicate timestamp "2024-05-01T00:05:00Z" \(same as line 2\)/],
    ['empty', '', /: empty file/],
    ['header only', 'timestamp,value\n', /:1: no data rows/],
    ['three columns', 'timestamp,value\n2024-05-01 00:00:00,1,2\n', /:2: expected 2 columns/],
  ];
  for (const [name, content, message] of bad) {
    it(`rejects ${name} with one line naming the line, exit 2`, async () => {
      const { code, out, err } = await detect([file(`${name.replace(/ /g, '-')}.csv`, content)]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(message);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).not.toMatch(/\n\s+at /);
    });
  }

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
