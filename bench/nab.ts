/**
 * `observer detect` on the Numenta Anomaly Benchmark files present under ../shared/data/nab
 * (relative to the repository; or $NAB_DIR), scored with NAB's own rules (bench/nab-score.ts):
 * - the product's yes/no (`is_anomaly`) per cost profile, overall and per category;
 * - false detections per 1,000 rows after probation, outside every window (real series apart);
 * - alarms after probation on artificialNoAnomaly (there should be none);
 * - NAB's threshold sweep over `anomaly_score` (the best single threshold for the whole set).
 * Run: `tsx bench/nab.ts [--metric NAME] [--files] [--quick]` (--files: a line per file; --quick: no sweep). The data is read in place, never copied.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { detectCommand, parseTimestamp } from '../src/cli/detect.js';
import { PROFILES, PROFILE_NAMES, normalise, probationRows, rowWindows, scoreFile, sweepThreshold, type FileScore, type RowWindow } from './nab-score.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** ../shared/data/nab beside the repository; in a git worktree, beside the main checkout as well. */
function nabDir(): string {
  if (process.env.NAB_DIR) return process.env.NAB_DIR;
  const beside = (root: string) => path.join(root, '..', 'shared', 'data', 'nab');
  if (existsSync(beside(repoRoot))) return beside(repoRoot);
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (existsSync(beside(path.dirname(common)))) return beside(path.dirname(common));
  } catch {
    // not a git checkout: only the path beside the repository applies
  }
  return beside(repoRoot);
}
const dir = nabDir();
const windowsFile = path.join(dir, 'combined_windows.json');
if (!existsSync(windowsFile)) {
  console.log(`NAB data not found under ${dir} (set NAB_DIR): nothing to do`);
  process.exit(0);
}
const labelled = JSON.parse(readFileSync(windowsFile, 'utf8')) as Record<string, [string, string][]>;
const args = process.argv.slice(2);
const perFile = args.includes('--files');
const quick = args.includes('--quick');
const extra = args.filter((a) => a !== '--files' && a !== '--quick');

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

interface FileRun {
  file: string;
  category: string;
  rows: number;
  windows: RowWindow[];
  alarms: Uint8Array;
  scores: Float64Array;
  kinds: string[];
}

const runs: FileRun[] = [];
const failed: string[] = [];
for (const [file, wins] of Object.entries(labelled)) {
  const csv = path.join(dir, file);
  if (!existsSync(csv)) continue;
  const out = new Collect();
  const err = new Collect();
  const code = await detectCommand([csv, ...extra], { stdout: out, stderr: err });
  if (code !== 0) {
    failed.push(`${file}: exit ${code} ${err.text().trim()}`);
    continue;
  }
  const lines = out.text().trim().split('\n').slice(1);
  const rows = lines.length;
  const times: number[] = new Array(rows);
  const alarms = new Uint8Array(rows);
  const scores = new Float64Array(rows);
  const kinds: string[] = new Array(rows);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    times[i] = parseTimestamp(cells[0]) ?? NaN;
    scores[i] = Number(cells[2]);
    alarms[i] = cells[3] === '1' ? 1 : 0;
    kinds[i] = cells[4] ?? '';
  });
  const ranges = wins.map(([a, b]) => [parseTimestamp(a) ?? NaN, parseTimestamp(b) ?? NaN] as [number, number]);
  runs.push({ file, category: file.split('/')[0], rows, windows: rowWindows(times, ranges), alarms, scores, kinds });
}

/** False detections after probation outside every window, and the rows they are counted over. */
function falseAlarms(r: FileRun): { count: number; rows: number; byKind: Map<string, number> } {
  const probation = probationRows(r.rows);
  const byKind = new Map<string, number>();
  let count = 0;
  for (let i = probation; i < r.rows; i++) {
    if (!r.alarms[i] || r.windows.some(([a, b]) => i >= a && i <= b)) continue;
    count++;
    byKind.set(r.kinds[i], (byKind.get(r.kinds[i]) ?? 0) + 1);
  }
  return { count, rows: r.rows - probation, byKind };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const scored = (set: FileRun[], profile: (typeof PROFILES)[keyof typeof PROFILES]): FileScore[] => set.map((r) => scoreFile(r.rows, r.windows, (i) => r.alarms[i] === 1, profile));

if (perFile) {
  console.log('file                                                    rows  win  hit  fp(after probation)  standard raw');
  for (const r of runs) {
    const s = scoreFile(r.rows, r.windows, (i) => r.alarms[i] === 1, PROFILES.standard);
    console.log(`${r.file.padEnd(54)} ${String(r.rows).padStart(6)} ${String(r.windows.length).padStart(4)} ${String(s.truePositives).padStart(4)} ${String(falseAlarms(r).count).padStart(6)}  ${s.score.toFixed(3).padStart(16)}`);
  }
  console.log('');
}
for (const f of failed) console.log(`not scored: ${f}`);

const categories = [...new Set(runs.map((r) => r.category))];
const withWindows = categories.filter((c) => runs.some((r) => r.category === c && r.windows.length));
console.log(`NAB score of is_anomaly (${runs.length} files, ${runs.reduce((a, r) => a + r.rows, 0)} rows; 0 = never fires, 100 = perfect)`);
// "labelled" = the categories with windows (the set NAB's published figures for this part are on);
// "all" adds the files without any anomaly, where every detection costs.
const labelledRuns = runs.filter((r) => withWindows.includes(r.category));
console.log(`${'profile'.padEnd(20)} ${'labelled'.padStart(9)} ${'all'.padStart(7)} ${withWindows.map((c) => c.padStart(22)).join('')}`);
for (const name of PROFILE_NAMES) {
  const p = PROFILES[name];
  const cells = withWindows.map((c) => fmt(normalise(scored(runs.filter((r) => r.category === c), p), p)).padStart(22));
  console.log(`${name.padEnd(20)} ${fmt(normalise(scored(labelledRuns, p), p)).padStart(9)} ${fmt(normalise(scored(runs, p), p)).padStart(7)} ${cells.join('')}`);
}

const fpLine = (label: string, set: FileRun[]) => {
  let count = 0;
  let rows = 0;
  const kinds = new Map<string, number>();
  for (const r of set) {
    const fa = falseAlarms(r);
    count += fa.count;
    rows += fa.rows;
    for (const [k, n] of fa.byKind) kinds.set(k, (kinds.get(k) ?? 0) + n);
  }
  const by = [...kinds].map(([k, n]) => `${k || '?'} ${n}`).join(', ');
  console.log(`false detections after probation, outside windows, ${label}: ${count} in ${rows} rows = ${((count / Math.max(1, rows)) * 1000).toFixed(2)} per 1,000${by ? ` (${by})` : ''}`);
};
fpLine('all files', runs);
fpLine('real series', runs.filter((r) => r.category.startsWith('real')));
for (const c of categories) fpLine(c, runs.filter((r) => r.category === c));

if (!quick) {
  console.log(`\nNAB threshold sweep over anomaly_score (labelled categories, one threshold for the whole set, per profile)`);
  for (const name of PROFILE_NAMES) {
    const best = sweepThreshold(
      labelledRuns.map((r) => ({ rows: r.rows, windows: r.windows, scores: r.scores })),
      PROFILES[name],
    );
    console.log(`${name.padEnd(20)} ${fmt(best.score).padStart(7)}  at anomaly_score >= ${best.threshold.toFixed(4)}`);
  }
}
