/**
 * Try `observer detect` on the Numenta Anomaly Benchmark files present under
 * /work/shared/data/nab (or $NAB_DIR): per file, the labelled windows hit (an is_anomaly row inside),
 * how early in the window, and the false positives (is_anomaly rows outside every window).
 * Run: `tsx bench/nab.ts [--metric NAME]`. The data is read in place, never copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { detectCommand, parseTimestamp } from '../src/cli/detect.js';

const dir = process.env.NAB_DIR ?? '/work/shared/data/nab';
const windowsFile = path.join(dir, 'combined_windows.json');
if (!existsSync(windowsFile)) {
  console.log(`NAB data not found under ${dir}: nothing to do`);
  process.exit(0);
}
const windows = JSON.parse(readFileSync(windowsFile, 'utf8')) as Record<string, [string, string][]>;
const extra = process.argv.slice(2);

class Collect extends Writable {
  chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  text(): string {
    return this.chunks.join('');
  }
}

let totalWin = 0;
let totalHit = 0;
let totalFp = 0;
let totalRows = 0;
let earliness = 0;
let probationFp = 0;
const fpKinds = new Map<string, number>();
console.log('file                                              rows  windows hit  early%  fp   fp/1k');
for (const [file, wins] of Object.entries(windows)) {
  const csv = path.join(dir, file);
  if (!existsSync(csv)) continue;
  const out = new Collect();
  const err = new Collect();
  const code = await detectCommand([csv, ...extra], { stdout: out, stderr: err });
  if (code !== 0) {
    console.log(`${file}: exit ${code} ${err.text().trim()}`);
    continue;
  }
  const rows = out.text().trim().split('\n').slice(1).map((l) => l.split(','));
  const ranges = wins.map(([a, b]) => [parseTimestamp(a.replace(/\.0+$/, '')) ?? 0, parseTimestamp(b.replace(/\.0+$/, '')) ?? 0]);
  const hit = new Array<number>(ranges.length).fill(-1);
  let fp = 0;
  const probation = Math.floor(rows.length * 0.15);
  for (const [i, r] of rows.entries()) {
    if (r[3] !== '1') continue;
    const at = parseTimestamp(r[0]) ?? 0;
    const w = ranges.findIndex(([a, b]) => at >= a && at <= b);
    if (w < 0 && i < probation) probationFp++;
    else if (w < 0) {
      fp++;
      fpKinds.set(r[4], (fpKinds.get(r[4]) ?? 0) + 1);
    }
    else if (hit[w] < 0) hit[w] = (at - ranges[w][0]) / Math.max(1, ranges[w][1] - ranges[w][0]);
  }
  const h = hit.filter((x) => x >= 0);
  totalWin += ranges.length;
  totalHit += h.length;
  totalFp += fp;
  totalRows += rows.length;
  earliness += h.reduce((a, b) => a + (1 - b), 0);
  const early = h.length ? (h.reduce((a, b) => a + (1 - b), 0) / h.length) * 100 : 0;
  console.log(`${file.padEnd(48)} ${String(rows.length).padStart(6)} ${String(ranges.length).padStart(5)} ${String(h.length).padStart(4)} ${early.toFixed(0).padStart(6)} ${String(fp).padStart(4)} ${((fp / rows.length) * 1000).toFixed(2).padStart(6)}`);
}
console.log(`\nfalse positives by kind (after NAB's 15% probation; ${probationFp} more inside it): ${[...fpKinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
console.log(`total: ${totalHit}/${totalWin} windows hit (${((totalHit / Math.max(1, totalWin)) * 100).toFixed(0)}%), mean earliness ${((earliness / Math.max(1, totalHit)) * 100).toFixed(0)}% of the window left, ${totalFp} false positives in ${totalRows} rows (${((totalFp / Math.max(1, totalRows)) * 1000).toFixed(2)} per 1,000)`);
