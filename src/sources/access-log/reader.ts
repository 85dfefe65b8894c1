/**
 * Incremental reading of a log file: each run continues where the last one stopped. The position
 * is kept as (inode, offset) in the store, so a run on another day, or after a restart, reads only
 * what was written since. Rotation is handled:
 * - the file was renamed and a new one created (logrotate `create`, nginx USR1): the rest of the old
 *   file is read from its rotated name (`<path>.1`, or any sibling with the old inode), then the new
 *   file from its start;
 * - the file was truncated in place (`copytruncate`): read from the start.
 * Only whole lines are consumed; a half-written last line waits for the next run.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FilePosition {
  inode: number;
  offset: number;
  /** Epoch ms of the read that stored this position. */
  readAt: number;
}

export interface ReadOutcome {
  position: FilePosition;
  bytes: number;
  /** Where the bytes came from, in order (the rotated file first). */
  files: string[];
  /** True when the first read started inside an existing file (its older lines were skipped). */
  skippedOld: boolean;
}

const CHUNK = 4 << 20;

/** Read the complete lines written since `from`, handing them to `onText` in blocks. */
export async function readNewLines(file: string, from: FilePosition | undefined, opts: { maxBytes: number; nowMs: number }, onText: (text: string) => void): Promise<ReadOutcome> {
  const st = await stat(file);
  const inode = st.ino;
  const files: string[] = [];
  let bytes = 0;
  let skippedOld = false;
  let budget = opts.maxBytes;

  let start = 0;
  if (from && from.inode === inode) {
    start = from.offset <= st.size ? from.offset : 0; // smaller: truncated in place
  } else if (from) {
    const rotated = await findByInode(file, from.inode);
    if (rotated) {
      const r = await readRange(rotated, from.offset, budget, onText);
      bytes += r.bytes;
      budget -= r.bytes;
      files.push(rotated);
    }
  } else if (st.size > budget) {
    // First read of a big file: only its newest part (older lines say nothing about now).
    start = st.size - budget;
    skippedOld = true;
  }
  const r = await readRange(file, start, budget, onText, skippedOld);
  bytes += r.bytes;
  files.push(file);
  return { position: { inode, offset: r.end, readAt: opts.nowMs }, bytes, files, skippedOld };
}

/** A sibling of `file` (its rotated name) with this inode: `<name>.1` first, then any `<name>*`. */
async function findByInode(file: string, inode: number): Promise<string | undefined> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const first = `${file}.1`;
  try {
    if ((await stat(first)).ino === inode) return first;
  } catch {
    // not there
  }
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const n of names) {
    if (n === base || !n.startsWith(base) || n.endsWith('.gz')) continue;
    const p = path.join(dir, n);
    try {
      if ((await stat(p)).ino === inode) return p;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * Read whole lines from `start` (at most `budget` bytes); returns the offset after the last newline.
 * `alignToLine`: `start` may be inside a line, skip to the next one.
 */
async function readRange(file: string, start: number, budget: number, onText: (text: string) => void, alignToLine = false): Promise<{ end: number; bytes: number }> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = start;
    let carry: Buffer | null = null;
    let consumed = start;
    let first = alignToLine;
    while (consumed - start < budget) {
      const want = Math.min(CHUNK, budget - (pos - start));
      if (want <= 0) break;
      const { bytesRead } = await fh.read(buf, 0, want, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      let block: Buffer = carry ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const blockStart = pos - block.length;
      if (first) {
        const nl = block.indexOf(10);
        if (nl < 0) {
          carry = null;
          consumed = pos;
          continue;
        }
        block = block.subarray(nl + 1);
        first = false;
        consumed = blockStart + nl + 1;
      }
      const lastNl = block.lastIndexOf(10);
      if (lastNl < 0) {
        carry = Buffer.from(block);
        continue;
      }
      onText(block.toString('utf8', 0, lastNl + 1));
      consumed = pos - (block.length - lastNl - 1);
      carry = lastNl + 1 < block.length ? Buffer.from(block.subarray(lastNl + 1)) : null;
    }
    return { end: consumed, bytes: consumed - start };
  } finally {
    await fh.close();
  }
}
