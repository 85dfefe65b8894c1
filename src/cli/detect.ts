/**
 * `observer detect FILE.csv [--format csv|json|changepoints] [--metric NAME]`: stream a
 * `timestamp,value` CSV through the anomaly core (the same one that watches monitors).
 * - csv (default): `timestamp,value,anomaly_score,is_anomaly,kind`, one row per input row, causal;
 * - json: the findings (opened, and resolved when they were), as a JSON array;
 * - changepoints: a JSON array of the 0-based row indices where a new regime starts.
 * Bad input prints one line naming the file and line, and exits 2 (the file is validated in a first
 * pass, so nothing is written then); the second pass streams rows through the core and the output.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AnomalyCore, type ChangePoint } from '../anomaly/index.js';
import { SEVERITIES, type Finding, type SeriesKey } from '../model/findings.js';
import type { FindingChange } from '../anomaly/types.js';
import { UsageError, oneOf, parse } from './args.js';
import { ExitCode } from './exit-codes.js';

const USAGE = `Usage: observer detect FILE.csv [--format csv|json|changepoints] [--metric NAME]

Runs the anomaly core over a time series. FILE.csv has the header "timestamp,value";
timestamps are ISO 8601 (T or space, optional Z or offset; no zone means UTC) or epoch
seconds/milliseconds. Rows must be in strictly increasing time order.

Options:
  --format   csv (default): timestamp,value,anomaly_score,is_anomaly,kind per row
             json: the findings; changepoints: row indices where a new regime starts
  --metric   metric name of the series (default "value"; names ending in Ms are latencies,
             judged upward only)
  -h, --help`;

const FORMATS = ['csv', 'json', 'changepoints'] as const;

/** A problem with the input file: printed as one line, exit 2. */
export class DetectInputError extends Error {
  readonly code = 'ERR_DETECT_INPUT';
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const NUM_RE = /^[+-]?\d+(\.\d+)?$/;

/** Epoch ms of a timestamp cell, or null. Numbers: >= 1e11 are ms, smaller are seconds. */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  if (NUM_RE.test(s)) {
    const n = Number(s);
    return Math.abs(n) >= 1e11 ? n : n * 1000;
  }
  const m = ISO_RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(se) > 60) return null;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(se), frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  if (new Date(ms).getUTCDate() !== day) return null;
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    ms -= sign * offMin * 60_000;
  }
  return ms;
}

function splitRow(line: string): string[] {
  return line.split(',').map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
  });
}

export async function detectCommand(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  let file: string;
  let format: (typeof FORMATS)[number];
  let metric: string;
  try {
    const { values, positionals } = parse(argv, { format: { type: 'string' }, metric: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.stdout.write(USAGE + '\n');
      return ExitCode.Ok;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one FILE.csv, got ${positionals.length} arguments` : 'missing FILE.csv', USAGE);
    file = positionals[0];
    format = oneOf(values.format, 'format', FORMATS) ?? 'csv';
    metric = values.metric ?? 'value';
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(metric)) throw new UsageError(`--metric: expected a name like durationMs, got "${metric}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`observer detect: ${err.message}\n${err.usage ? '\n' + err.usage + '\n' : ''}`);
      return ExitCode.UsageOrConfig;
    }
    throw err;
  }

  try {
    await detectFile(file, format, metric, io.stdout);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof DetectInputError) {
      io.stderr.write(`observer detect: ${err.message}\n`);
      return ExitCode.UsageOrConfig;
    }
    // The reader went away (`| head`): nothing left to say.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return ExitCode.Ok;
    throw err;
  }
}

interface Row {
  text: string;
  lineNo: number;
  cells: string[];
  at: number;
  value: number;
}

/** Stream the rows of a CSV, validated (header, columns, timestamps, values, strict time order). */
async function* readRows(file: string): AsyncGenerator<Row> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let sawHeader = false;
  let prevAt = -Infinity;
  let prevLine = 0;
  let rows = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      if (!sawHeader) {
        const cells = splitRow(line).map((c) => c.toLowerCase());
        if (cells.length !== 2 || cells[0] !== 'timestamp' || cells[1] !== 'value') {
          throw new DetectInputError(`${file}:${lineNo}: expected the header "timestamp,value", got "${line.slice(0, 80)}"`);
        }
        sawHeader = true;
        continue;
      }
      const cells = splitRow(line);
      if (cells.length !== 2) throw new DetectInputError(`${file}:${lineNo}: expected 2 columns (timestamp,value), got ${cells.length}`);
      const at = parseTimestamp(cells[0]);
      if (at === null || !Number.isFinite(at)) throw new DetectInputError(`${file}:${lineNo}: cannot parse timestamp "${cells[0].slice(0, 60)}" (expected ISO 8601 or epoch seconds/milliseconds)`);
      if (cells[1] === '' || !Number.isFinite(Number(cells[1]))) throw new DetectInputError(`${file}:${lineNo}: cannot parse value "${cells[1].slice(0, 60)}" (expected a finite number)`);
      if (at === prevAt) throw new DetectInputError(`${file}:${lineNo}: duplicate timestamp "${cells[0]}" (same as line ${prevLine})`);
      if (at < prevAt) throw new DetectInputError(`${file}:${lineNo}: timestamp "${cells[0]}" is before the one on line ${prevLine} (rows must be sorted by time)`);
      prevAt = at;
      prevLine = lineNo;
      rows++;
      yield { text: line, lineNo, cells, at, value: Number(cells[1]) };
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (!sawHeader) throw new DetectInputError(`${file}: empty file (expected the header "timestamp,value" and rows)`);
  if (rows === 0) throw new DetectInputError(`${file}:${lineNo}: no data rows after the header`);
}

async function checkReadable(file: string): Promise<void> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new DetectInputError(`${file}: not a file`);
  } catch (err) {
    if (err instanceof DetectInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DetectInputError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? 'error'})`}`);
  }
}

/** Write, waiting for the stream to drain when it asks to (bounded memory on big files). */
function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    out.once('error', onError);
    const done = () => {
      out.removeListener('error', onError);
      resolve();
    };
    if (out.write(text)) done();
    else out.once('drain', done);
  });
}

/**
 * The kind of the finding this point pages for, or '' (see `is_anomaly` in the usage): a finding
 * that opens (not `info`, not a level shift taking over the spike that started it) or escalates
 * (its severity rises above the highest it had: a severity flapping back and forth pages once).
 * `highest` keeps each open finding's highest severity (by id).
 */
function pageOf(changes: readonly FindingChange[], findings: Map<string, Finding>, highest: Map<string, number>): string {
  let kind = '';
  for (const c of changes) {
    const f = c.finding;
    findings.set(f.id, f);
    const rank = SEVERITIES.indexOf(f.severity);
    const before = highest.get(f.id);
    if (c.type === 'resolved') highest.delete(f.id);
    else if (before === undefined || rank > before) highest.set(f.id, rank);
    if (kind || f.severity === 'info' || c.type === 'resolved') continue;
    if (c.type === 'opened' ? f.details?.continues === undefined : before !== undefined && rank > before) kind = f.kind;
  }
  return kind;
}

/**
 * Two passes over the file: the first validates it (so bad input never leaves half an output),
 * the second streams it through the core and writes the output in batches.
 */
async function detectFile(file: string, format: (typeof FORMATS)[number], metric: string, out: NodeJS.WritableStream): Promise<void> {
  await checkReadable(file);
  for await (const _row of readRows(file)) {
    // validation only
  }
  const name = path.basename(file).replace(/\.[^.]*$/, '') || 'series';
  const series: SeriesKey = { monitor: name, step: name, metric, location: 'local' };
  const changePoints: number[] = [];
  const core = new AnomalyCore(undefined, { onChangePoint: (cp: ChangePoint) => changePoints.push(cp.index) });
  const findings = new Map<string, Finding>();
  const highest = new Map<string, number>();
  let batch: string[] = format === 'csv' ? ['timestamp,value,anomaly_score,is_anomaly,kind'] : [];
  for await (const row of readRows(file)) {
    const changes = core.observe({ series, at: row.at, value: row.value });
    const kind = pageOf(changes, findings, highest);
    if (format === 'csv') {
      batch.push(`${row.cells[0]},${row.cells[1]},${core.lastScore.toFixed(4)},${kind ? 1 : 0},${kind}`);
      if (batch.length >= 2000) {
        await write(out, batch.join('\n') + '\n');
        batch = [];
      }
    }
  }
  if (format === 'csv') {
    if (batch.length) await write(out, batch.join('\n') + '\n');
    return;
  }
  if (format === 'json') await write(out, JSON.stringify([...findings.values()], null, 2) + '\n');
  else await write(out, JSON.stringify([...new Set(changePoints)].sort((a, b) => a - b)) + '\n');
}
