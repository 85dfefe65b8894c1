/**
 * The demo shop's access log, nginx's `combined` format with `$request_time` (seconds) as the last
 * field: what `observer gaps` and the access-log source read as production traffic.
 *   127.0.0.1 - - [04/Dec/2026:09:00:00 +0000] "GET /api/products?q=lamp HTTP/1.1" 200 512 "-" "curl/8.5" 0.012
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `04/Dec/2026:09:00:00 +0000` (UTC). */
export function commonLogTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A quoted field with `"` and `\` escaped (nginx escapes them as \x22 and \x5C). */
function quoted(s: string): string {
  return `"${s.replace(/\\/g, '\\x5C').replace(/"/g, '\\x22')}"`;
}

export class AccessLogWriter {
  private readonly out: WriteStream;

  /** Appends to `file` (created with its folder). */
  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.out = createWriteStream(file, { flags: 'a' });
  }

  write(e: { remote: string; atMs: number; method: string; target: string; status: number; bytes: number; userAgent: string; requestTimeMs: number }): void {
    this.out.write(`${e.remote} - - [${commonLogTime(e.atMs)}] ${quoted(`${e.method} ${e.target} HTTP/1.1`)} ${e.status} ${e.bytes} "-" ${quoted(e.userAgent || '-')} ${(e.requestTimeMs / 1000).toFixed(3)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
