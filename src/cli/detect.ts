/**
 * `observer detect FILE.csv [--format csv|json|changepoints] [--metric NAME] [--strict]`: stream a
 * `timestamp,value` CSV through the anomaly core (the same one that watches monitors).
 * - csv (default): `timestamp,value,anomaly_score,is_anomaly,kind`, one row per input row, causal;
 * - json: the findings (opened, and resolved when they were), as a JSON array;
 * - changepoints: a JSON array of the 0-based row indices where a new regime starts.
 * A file that is not a time series prints one line naming the file and line, and exits 2 (the file
 * is read in a first pass, so nothing is written then). Messy rows (repeated or out-of-order
 * timestamps, gaps, unreadable rows) are processed and counted in one warning line; `--strict`
 * refuses them instead. The second pass streams rows through the core and the output.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AnomalyCore, EPISODE_MS, type ChangePoint } from '../anomaly/index.js';
import { SEVERITIES, type Finding, type SeriesKey } from '../model/findings.js';
import type { FindingChange } from '../anomaly/types.js';
import { UsageError, oneOf, parse } from './args.js';
import { ExitCode } from './exit-codes.js';

const USAGE = `Usage: observer detect FILE.csv [--format csv|json|changepoints] [--metric NAME] [--strict]

Runs the anomaly core over a time series. FILE.csv has the header "timestamp,value";
timestamps are ISO 8601 (T or space, optional Z or offset; no zone means UTC) or epoch
seconds/milliseconds; values are decimal numbers.

Messy rows are processed, not refused, and counted in one warning line on stderr: a repeated
timestamp is another observation at that time, a row a little out of order is taken in file
order at the latest time seen, an empty or non-numeric value (NaN, "") is a gap (never a zero),
an unreadable row is skipped. The output still has one row per input row, in input order.

Options:
  --format   csv (default): timestamp,value,anomaly_score,is_anomaly,kind per row
               anomaly_score  how unusual the row is, in [0, 1], to rank rows: 0.5 and above
                              on rows that page (is_anomaly 1), below 0.5 on the others (then
                              0.25 = a detector's open threshold); 0 for gaps and skipped rows
               is_anomaly     1 on the row where a finding opens or escalates (where an alert
                              would be sent; one episode is one page: an escalation within 12 h
                              of the last page is not another), 0 while it stays open
               kind           the kind of that finding (spike, regression, ...)
             json: the findings; changepoints: row indices where a new regime starts
  --metric   metric name of the series (default "value"; names ending in Ms are latencies,
             judged upward only)
  --strict   refuse a file with any messy row (exit 2, naming the line)
  -h, --help`;

const FORMATS = ['csv', 'json', 'changepoints'] as const;

/** A problem with the input file: printed as one line, exit 2. */
export class DetectInputError extends Error {
  readonly code = 'ERR_DETECT_INPUT';
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
/** Epoch seconds or milliseconds: decimal digits, an optional fraction and exponent (never hex). */
const EPOCH_RE = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
/** A decimal value (never hex, binary or "Infinity"). */
const VALUE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** The largest time a Date holds (ms from the epoch either way). */
const MAX_TIME_MS = 8.64e15;

/** Epoch ms of a timestamp cell, or null. Numbers: >= 1e11 are ms, smaller are seconds; out of a Date's range is null. */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  if (EPOCH_RE.test(s)) {
    const n = Number(s);
    const ms = Math.abs(n) >= 1e11 ? n : n * 1000;
    return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : null;
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

/** A value cell as a number; NaN for a gap (empty, NaN, anything not a finite decimal number). */
export function parseValue(text: string): number {
  if (!VALUE_RE.test(text)) return NaN;
  const n = Number(text);
  return Number.isFinite(n) ? n : NaN;
}

/**
 * Input text as it may be shown on a terminal: control characters, DEL, C1 controls and
 * undecodable bytes (U+FFFD) escaped as \xNN / \u{...}, cut to `max` characters.
 */
export function printable(text: string, max = 60): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  // eslint-disable-next-line no-control-regex
  const esc = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd\\]/g, (c) => {
    if (c === '\\') return '\\\\';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  return text.length > max ? `${esc}...` : esc;
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
  let strict: boolean;
  try {
    const { values, positionals } = parse(argv, { format: { type: 'string' }, metric: { type: 'string' }, strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.stdout.write(USAGE + '\n');
      return ExitCode.Ok;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one FILE.csv, got ${positionals.length} arguments` : 'missing FILE.csv', USAGE);
    file = positionals[0];
    format = oneOf(values.format, 'format', FORMATS) ?? 'csv';
    metric = values.metric ?? 'value';
    strict = values.strict === true;
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(metric)) throw new UsageError(`--metric: expected a name like durationMs, got "${metric}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`observer detect: ${err.message}\n${err.usage ? '\n' + err.usage + '\n' : ''}`);
      return ExitCode.UsageOrConfig;
    }
    throw err;
  }

  try {
    await detectFile(file, format, metric, strict, io.stdout, io.stderr);
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

/** What is messy about a row (processed, and counted in the warning line; refused with --strict). */
type Mess = 'repeated' | 'outOfOrder' | 'gap' | 'unreadable';

const MESS_LABEL: Record<Mess, [one: string, many: string]> = {
  repeated: ['repeated timestamp', 'repeated timestamps'],
  outOfOrder: ['timestamp out of order', 'timestamps out of order'],
  gap: ['empty or non-numeric value (a gap)', 'empty or non-numeric values (gaps)'],
  unreadable: ['unreadable row (skipped)', 'unreadable rows (skipped)'],
};

interface Row {
  lineNo: number;
  cells: string[];
  /** Epoch ms, NaN when unreadable. */
  at: number;
  /** NaN for a gap. */
  value: number;
  mess: Mess | null;
  /** Why the row is messy, as --strict says it. */
  why: string;
}

/** Counts of each kind of messy row and the line of the first. */
class MessCount {
  readonly count = new Map<Mess, { n: number; first: number }>();
  add(mess: Mess, lineNo: number): void {
    const c = this.count.get(mess);
    if (c) c.n++;
    else this.count.set(mess, { n: 1, first: lineNo });
  }
  /** `12 repeated timestamps (first at line 2121), ...`, or '' when the file was clean. */
  summary(): string {
    return [...this.count]
      .map(([mess, { n, first }]) => `${n} ${MESS_LABEL[mess][n === 1 ? 0 : 1]} (first at line ${first})`)
      .join(', ');
  }
}

/**
 * Stream the rows of a CSV: the header and the file's kind are checked (not a time series: a
 * DetectInputError); each row is classified. With `strict`, the first messy row is an error.
 */
async function* readRows(file: string, strict: boolean): AsyncGenerator<Row> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let sawHeader = false;
  let latest = -Infinity;
  let latestLine = 0;
  let rows = 0;
  let readable = 0;
  try {
    for await (const raw of lines) {
      lineNo++;
      const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      if (!sawHeader) {
        const cells = splitRow(line).map((c) => c.toLowerCase());
        if (cells.length !== 2 || cells[0] !== 'timestamp' || cells[1] !== 'value') {
          // eslint-disable-next-line no-control-regex
          throw new DetectInputError(`${file}:${lineNo}: expected the header "timestamp,value", got "${printable(line, 80)}"${/[\u0000\ufffd]/.test(line) ? ' (a binary file?)' : ''}`);
        }
        sawHeader = true;
        continue;
      }
      rows++;
      const cells = splitRow(line);
      const row: Row = { lineNo, cells, at: NaN, value: NaN, mess: null, why: '' };
      if (cells.length !== 2) {
        row.mess = 'unreadable';
        row.why = `expected 2 columns (timestamp,value), got ${cells.length}`;
      } else {
        const at = parseTimestamp(cells[0]);
        if (at === null) {
          row.mess = 'unreadable';
          row.why = EPOCH_RE.test(cells[0].trim())
            ? `timestamp "${printable(cells[0])}" is out of range (epoch seconds or milliseconds within +-275,000 years)`
            : `cannot parse timestamp "${printable(cells[0])}" (expected ISO 8601 or epoch seconds/milliseconds)`;
        } else {
          row.at = at;
          row.value = parseValue(cells[1]);
          if (at === latest) {
            row.mess = 'repeated';
            row.why = `duplicate timestamp "${printable(cells[0])}" (same as line ${latestLine})`;
          } else if (at < latest) {
            row.mess = 'outOfOrder';
            row.why = `timestamp "${printable(cells[0])}" is before the one on line ${latestLine} (rows must be sorted by time)`;
          } else {
            latest = at;
            latestLine = lineNo;
          }
          if (row.value !== row.value && row.mess === null) {
            row.mess = 'gap';
            row.why = `cannot parse value "${printable(cells[1])}" (expected a finite decimal number)`;
          }
          readable++;
        }
      }
      if (strict && row.mess) throw new DetectInputError(`${file}:${lineNo}: ${row.why}`);
      yield row;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (!sawHeader) throw new DetectInputError(`${file}: empty file (expected the header "timestamp,value" and rows)`);
  if (rows === 0) throw new DetectInputError(`${file}:${lineNo}: no data rows after the header`);
  if (readable === 0) throw new DetectInputError(`${file}: no row has a readable timestamp (expected ISO 8601 or epoch seconds/milliseconds)`);
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

/** What `pageOf` keeps between rows: each open finding's highest severity, and when the series last paged. */
interface PageState {
  highest: Map<string, number>;
  lastPageAt: number;
}

/**
 * The kind of the finding this point pages for, or '' (see `is_anomaly` in the usage): a finding
 * that opens (not `info`, not a level shift taking over the spike that started it) or escalates
 * (its severity rises above the highest it had: a severity flapping back and forth pages once;
 * and not within EPISODE_MS of the series' last page: one episode, one page).
 */
function pageOf(changes: readonly FindingChange[], findings: Map<string, Finding>, state: PageState, at: number): string {
  let kind = '';
  for (const c of changes) {
    const f = c.finding;
    findings.set(f.id, f);
    const rank = SEVERITIES.indexOf(f.severity);
    const before = state.highest.get(f.id);
    if (c.type === 'resolved') state.highest.delete(f.id);
    else if (before === undefined || rank > before) state.highest.set(f.id, rank);
    if (kind || f.severity === 'info' || c.type === 'resolved') continue;
    if (c.type === 'opened' ? f.details?.continues === undefined : before !== undefined && rank > before && at - state.lastPageAt > EPISODE_MS) kind = f.kind;
  }
  if (kind) state.lastPageAt = at;
  return kind;
}

/** A cell echoed into the output: as is, or escaped when it holds control characters or undecodable bytes. */
function cell(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/.test(text) ? printable(text, Infinity) : text;
}

/**
 * Two passes over the file: the first validates it and counts its messy rows (so bad input never
 * leaves half an output, and the warning comes first), the second streams it through the core and
 * writes the output in batches, one row per input row.
 */
async function detectFile(file: string, format: (typeof FORMATS)[number], metric: string, strict: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  await checkReadable(file);
  const mess = new MessCount();
  for await (const row of readRows(file, strict)) if (row.mess) mess.add(row.mess, row.lineNo);
  const summary = mess.summary();
  if (summary) err.write(`observer detect: ${printable(file, 200)}: ${summary}: processed (use --strict to refuse such files)\n`);
  const name = path.basename(file).replace(/\.[^.]*$/, '') || 'series';
  const series: SeriesKey = { monitor: name, step: name, metric, location: 'local' };
  const changePoints: number[] = [];
  // The core numbers the points it takes; change points are reported as input rows.
  const rowOfPoint: number[] = [];
  const core = new AnomalyCore(undefined, { onChangePoint: (cp: ChangePoint) => changePoints.push(rowOfPoint[cp.index] ?? cp.index) });
  const findings = new Map<string, Finding>();
  const pages: PageState = { highest: new Map(), lastPageAt: -Infinity };
  let batch: string[] = format === 'csv' ? ['timestamp,value,anomaly_score,is_anomaly,kind'] : [];
  let latest = -Infinity;
  let rowIndex = -1;
  for await (const row of readRows(file, strict)) {
    rowIndex++;
    let kind = '';
    let score = 0;
    if (row.at === row.at && row.value === row.value) {
      // Out of order: taken in file order at the latest time seen (the core moves forward in time only).
      if (row.at > latest) latest = row.at;
      rowOfPoint.push(rowIndex);
      const changes = core.observe({ series, at: latest, value: row.value });
      kind = pageOf(changes, findings, pages, latest);
      // Pages rank above every other row; within each group, the detectors' score ranks.
      score = kind ? 0.5 + core.lastScore / 2 : core.lastScore / 2;
    }
    if (format === 'csv') {
      batch.push(`${cell(row.cells[0] ?? '')},${cell(row.cells.slice(1).join(','))},${score.toFixed(4)},${kind ? 1 : 0},${kind}`);
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
