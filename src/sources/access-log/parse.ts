/**
 * Access-log lines → requests. Two formats:
 * - `combined` (nginx and Apache): `addr - user [10/Oct/2000:13:55:36 -0700] "GET /a?b HTTP/1.1" 200 2326 "referer" "agent"`,
 *   optionally followed by a request time as the last field (nginx `$request_time`, Apache `%D` / `%T`);
 * - `json` lines (envoy, nginx `escape=json`, anything else) with a field mapping.
 * The combined parser scans with indexOf and char codes: it runs on every line of the log.
 * Lines that do not parse are counted (`malformed`), never guessed at.
 */
import type { AccessLogSourceConfig } from '../types.js';
import type { RequestAggregate } from './aggregate.js';

/**
 * Where parsed requests go: one call per request with primitives (no object per line). `path` is the
 * request target as logged (query included); `time` the line's own timestamp as written (a string in
 * the common log format or ISO 8601, a number of s or ms), or undefined; parse it only when needed.
 */
export interface RequestSink {
  request(method: string, path: string, status: number, bytes: number, requestTimeMs: number, time: string | number | undefined): void;
  /** Epoch ms of a request whose time was read (the span's ends). */
  seen(atMs: number): void;
}

/** Requests → a service's aggregate: routes folded (`/orders/123` → `/orders/:id`). */
class AggregateSink implements RequestSink {
  private readonly routes = new RouteNormalizer();
  constructor(private readonly agg: RequestAggregate) {}
  request(_method: string, path: string, status: number, bytes: number, requestTimeMs: number): void {
    this.agg.add(this.routes.route(path), status, bytes, requestTimeMs);
  }
  seen(atMs: number): void {
    this.agg.seen(atMs);
  }
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** `10/Oct/2000:13:55:36 -0700` → epoch ms; NaN when malformed. */
export function parseCommonLogTime(s: string): number {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  const month = MONTHS[m[2]];
  if (month === undefined) return Number.NaN;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return m[7] === '+' ? utc - offset : utc + offset;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^(?=.*\d)[0-9a-f]{7,}$/i;
const TOKEN = /^(?=.*\d)[A-Za-z0-9_-]{16,}$/;

/** A path segment that names one thing among many: a number, a UUID, hex of 7+ digits (a commit), a long letter-digit token. */
export function isIdSegment(seg: string): boolean {
  const c = seg.charCodeAt(0);
  if (c >= 48 && c <= 57 && /^\d+$/.test(seg)) return true;
  return seg.length >= 7 && (UUID.test(seg) || HEX_ID.test(seg) || TOKEN.test(seg));
}

/**
 * Path → route: query dropped, ids folded (`/orders/123` → `/orders/:id`; see isIdSegment), so routes
 * stay few. Cached per raw path.
 */
export class RouteNormalizer {
  private cache = new Map<string, string>();

  route(path: string): string {
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit;
    const q = path.indexOf('?');
    const bare = q >= 0 ? path.slice(0, q) : path;
    const route = bare
      .split('/')
      .map((seg) => (isIdSegment(seg) ? ':id' : seg))
      .join('/');
    if (this.cache.size >= 10_000) this.cache = new Map();
    this.cache.set(path, route || '/');
    return route || '/';
  }
}

/** A log line's own time (common log format, ISO 8601, epoch s or ms) → epoch ms; NaN when unreadable. */
export function logTimeMs(time: string | number): number {
  if (typeof time === 'number') return time > 1e12 ? time : time * 1000;
  return /^\d{2}\/\w{3}\//.test(time) ? parseCommonLogTime(time) : Date.parse(time);
}

const UNIT_MS = { s: 1000, ms: 1, us: 0.001 } as const;

export interface LineParser {
  /** Parse one line (no newline) into the aggregate; false when it is not a request line. */
  line(text: string): boolean;
  /** End of a block of lines. */
  flush(): void;
}

export function createParser(config: Pick<AccessLogSourceConfig, 'format' | 'fields' | 'requestTimeUnit'>, agg: RequestAggregate): LineParser {
  return createRequestParser(config, new AggregateSink(agg));
}

/** A parser handing every request, unfolded and with its method, to `sink` (src/gaps reads logs this way). */
export function createRequestParser(config: Pick<AccessLogSourceConfig, 'format' | 'fields' | 'requestTimeUnit'>, sink: RequestSink): LineParser {
  const unit = UNIT_MS[config.requestTimeUnit ?? 's'];
  return config.format === 'json' ? new JsonLineParser(sink, unit, config.fields ?? {}) : new CombinedParser(sink, unit);
}

/** One combined-format request line, as scanned (fields reused between lines: copy what you keep). */
export interface CombinedLine {
  /** `GET` as written (not upper-cased). */
  method: string;
  /** The request target as written: `/a/b?x=1` (or an absolute URL from a proxy log). */
  target: string;
  status: number;
  bytes: number;
  /** Request time in ms, -1 when the line has none. */
  requestTimeMs: number;
  /** Start and end (exclusive) of the `[time]` text, parsed only when needed (parseCommonLogTime). */
  timeStart: number;
  timeEnd: number;
}

/** A reusable CombinedLine for scanCombinedLine. */
export function newCombinedLine(): CombinedLine {
  return { method: '', target: '', status: 0, bytes: 0, requestTimeMs: -1, timeStart: 0, timeEnd: 0 };
}

/**
 * Scans one combined-format line into `out` with indexOf and char codes; false when it is not a
 * request line. `unitMs`: what a trailing request time is in (1000 for nginx seconds).
 */
export function scanCombinedLine(s: string, unitMs: number, out: CombinedLine): boolean {
  const t0 = s.indexOf('[');
  if (t0 < 0) return false;
  const t1 = s.indexOf(']', t0);
  if (t1 < 0) return false;
  const q0 = s.indexOf('"', t1);
  if (q0 < 0) return false;
  const m1 = s.indexOf(' ', q0 + 1);
  if (m1 < 0) return false;
  let p1 = s.indexOf(' ', m1 + 1);
  // The request line ends at `" ` followed by the status.
  const q1 = s.indexOf('" ', m1 + 1);
  if (q1 < 0) return false;
  if (p1 < 0 || p1 > q1) p1 = q1;
  const st = q1 + 2;
  const c0 = s.charCodeAt(st) - 48;
  const c1 = s.charCodeAt(st + 1) - 48;
  const c2 = s.charCodeAt(st + 2) - 48;
  if (c0 < 1 || c0 > 5 || c1 < 0 || c1 > 9 || c2 < 0 || c2 > 9 || s.charCodeAt(st + 3) !== 32) return false;
  let bytes = 0;
  let i = st + 4;
  for (let c = s.charCodeAt(i) - 48; c >= 0 && c <= 9; c = s.charCodeAt(++i) - 48) bytes = bytes * 10 + c;
  // Request time: a number as the last field, after the user agent's closing quote.
  let rt = -1;
  const last = s.length - 1;
  const lc = s.charCodeAt(last);
  if (lc >= 48 && lc <= 57) {
    const sp = s.lastIndexOf(' ');
    if (sp > i && s.charCodeAt(sp - 1) === 34) {
      const v = +s.slice(sp + 1);
      if (v >= 0) rt = v * unitMs;
    }
  }
  out.method = s.slice(q0 + 1, m1);
  out.target = s.slice(m1 + 1, p1);
  out.status = c0 * 100 + c1 * 10 + c2;
  out.bytes = bytes;
  out.requestTimeMs = rt;
  out.timeStart = t0 + 1;
  out.timeEnd = t1;
  return true;
}

class CombinedParser implements LineParser {
  /** Only the first and last line's time are parsed (for the span); the string is kept, not parsed per line. */
  private firstTime = '';
  private lastTime = '';
  private readonly scanned = newCombinedLine();

  constructor(
    private readonly sink: RequestSink,
    private readonly unitMs: number,
  ) {}

  line(s: string): boolean {
    const r = this.scanned;
    if (!scanCombinedLine(s, this.unitMs, r)) return false;
    const time = s.slice(r.timeStart, r.timeEnd);
    this.sink.request(r.method, r.target, r.status, r.bytes, r.requestTimeMs, time);
    if (this.firstTime === '') this.firstTime = time;
    else this.lastTime = time;
    return true;
  }

  /** Called once per batch: the span's ends are parsed here, not per line. */
  flush(): void {
    if (this.firstTime) this.sink.seen(parseCommonLogTime(this.firstTime));
    if (this.lastTime) this.sink.seen(parseCommonLogTime(this.lastTime));
    this.firstTime = '';
    this.lastTime = '';
  }
}

const JSON_DEFAULTS = {
  route: ['route', 'path', 'uri', 'request_uri', 'url', 'request'],
  method: ['method', 'request_method'],
  status: ['status', 'response_code', 'status_code', 'code'],
  bytes: ['bytes', 'body_bytes_sent', 'bytes_sent', 'bytes_out'],
  requestTime: ['request_time', 'duration', 'latency'],
  time: ['time', 'time_iso8601', 'time_local', 'timestamp', 'start_time', '@timestamp'],
} as const;

type FieldName = keyof typeof JSON_DEFAULTS;

class JsonLineParser implements LineParser {
  private readonly getters: Record<FieldName, (o: Record<string, unknown>) => unknown>;

  constructor(
    private readonly sink: RequestSink,
    private readonly unitMs: number,
    fields: NonNullable<AccessLogSourceConfig['fields']>,
  ) {
    const getter = (name: FieldName) => {
      const mapped = fields[name];
      if (mapped) {
        const parts = mapped.split('.');
        return (o: Record<string, unknown>) => {
          let v: unknown = o;
          for (const p of parts) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
          return v;
        };
      }
      const names = JSON_DEFAULTS[name];
      return (o: Record<string, unknown>) => {
        for (const n of names) if (o[n] !== undefined && o[n] !== '' && o[n] !== '-') return o[n];
        return undefined;
      };
    };
    this.getters = { route: getter('route'), method: getter('method'), status: getter('status'), bytes: getter('bytes'), requestTime: getter('requestTime'), time: getter('time') };
  }

  line(s: string): boolean {
    if (s.charCodeAt(0) !== 123) return false;
    let o: unknown;
    try {
      o = JSON.parse(s);
    } catch {
      return false;
    }
    if (o === null || typeof o !== 'object') return false;
    const rec = o as Record<string, unknown>;
    const status = Number(this.getters.status(rec));
    if (!Number.isInteger(status) || status < 100 || status > 599) return false;
    let path = this.getters.route(rec);
    if (typeof path !== 'string' || path === '') return false;
    let method = this.getters.method(rec);
    // nginx `$request` is the whole request line: `GET /a HTTP/1.1`.
    const sp = path.indexOf(' ');
    if (sp > 0 && path.charCodeAt(0) !== 47) {
      if (method === undefined) method = path.slice(0, sp);
      path = path.slice(sp + 1).split(' ')[0];
    }
    // Absolute URLs keep only their path.
    if (/^https?:\/\//.test(path as string)) path = (path as string).replace(/^https?:\/\/[^/]*/, '') || '/';
    const bytes = Number(this.getters.bytes(rec));
    const rtRaw = this.getters.requestTime(rec);
    const rt = rtRaw === undefined || rtRaw === null || rtRaw === '' ? -1 : Number(rtRaw);
    const time = this.getters.time(rec);
    const at = typeof time === 'number' || typeof time === 'string' ? time : undefined;
    this.sink.request(typeof method === 'string' ? method : '', path as string, status, Number.isFinite(bytes) ? bytes : 0, Number.isFinite(rt) && rt >= 0 ? rt * this.unitMs : -1, at);
    if (at !== undefined) this.sink.seen(logTimeMs(at));
    return true;
  }

  flush(): void {}
}

/** Parse a whole block of text (many lines); returns [parsed, malformed]. Empty lines are skipped. */
export function parseBlock(parser: LineParser, text: string): [number, number] {
  let ok = 0;
  let bad = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) {
      if (parser.line(text.slice(start, stop))) ok++;
      else bad++;
    }
    start = end + 1;
  }
  parser.flush();
  return [ok, bad];
}
