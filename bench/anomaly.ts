/**
 * Anomaly core throughput and memory: 10,000 series (latency-like, with noise, a few shifts and
 * spikes), observations interleaved across series as a runner would produce them (so every
 * observation finds its series' state cold in the CPU caches, as in production).
 * Prints observations/s through the whole core vs a bare rolling mean/std z-score loop (the
 * baseline: same pre-generated input, same lookup by key object), the ratio, the memory retained
 * per series (JS heap plus typed-array buffers, which live outside the heap) and the serialized
 * state per series. Inputs are generated before the clock starts. Wall-clock rates suffer on a
 * shared machine; the rate per CPU second (this process's user+system time) is printed beside them.
 * Run: `tsx bench/anomaly.ts [--series N] [--points N] [--two-sided]` (--two-sided: generic metrics instead of latencies).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AnomalyCore, type Observation } from '../src/anomaly/index.js';
import type { SeriesKey } from '../src/model/findings.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SERIES = arg('series', 10_000);
const POINTS = arg('points', 100);
/** `--two-sided`: generic metrics (judged both ways, through the page gate) instead of latencies. */
const TWO_SIDED = process.argv.includes('--two-sided');
const WARMUP = 80;
const STEP_MS = 60_000;
const T0 = Date.UTC(2026, 0, 5);

let seed = 12345;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const keys: SeriesKey[] = [];
const levels = new Float64Array(SERIES);
for (let i = 0; i < SERIES; i++) {
  keys.push({ monitor: `m${i % 500}`, step: `step-${i}`, metric: TWO_SIDED ? (i % 4 === 0 ? 'queueDepth' : 'requests') : i % 4 === 0 ? 'firstByteMs' : 'durationMs', location: `loc-${i % 3}` });
  levels[i] = 50 + rand() * 1000;
}

function value(i: number, t: number): number {
  const shifted = i % 50 === 0 && t > WARMUP + POINTS / 2 ? 1.5 : 1;
  const spike = rand() < 0.002 ? 5 : 1;
  return levels[i] * shifted * spike * (1 + 0.05 * (rand() + rand() + rand() - 1.5));
}

/** The baseline: a rolling mean/std z-score per series, ring of 64, looked up by key object as the core does. */
class Bare {
  private readonly series = new WeakMap<SeriesKey, { ring: Float64Array; head: number; n: number; sum: number; sum2: number }>();
  alarms = 0;
  observe(o: Observation): void {
    let s = this.series.get(o.series);
    if (!s) {
      s = { ring: new Float64Array(64), head: 0, n: 0, sum: 0, sum2: 0 };
      this.series.set(o.series, s);
    }
    if (s.n >= 20) {
      const m = s.sum / Math.min(s.n, 64);
      const sd = Math.sqrt(Math.max(1e-12, s.sum2 / Math.min(s.n, 64) - m * m));
      if (Math.abs(o.value - m) / sd > 4) this.alarms++;
    }
    if (s.n >= 64) {
      const old = s.ring[s.head];
      s.sum -= old;
      s.sum2 -= old * old;
    }
    s.ring[s.head] = o.value;
    s.head = (s.head + 1) % 64;
    s.sum += o.value;
    s.sum2 += o.value * o.value;
    s.n++;
  }
}

/** The observations of time step `t`, interleaved across series. */
function step(t: number): Observation[] {
  const out: Observation[] = [];
  const at = T0 + t * STEP_MS;
  for (let i = 0; i < SERIES; i++) out.push({ series: keys[i], at: at + i, value: value(i, t) });
  return out;
}

interface Timed {
  n: number;
  wallMs: number;
  cpuUs: number;
}

/**
 * Feed time steps [from, to). Each step's observations are generated before its clocks start and
 * dropped after, so neither input generation nor a heap full of pending inputs is measured.
 */
function feed(sink: { observe(o: Observation): unknown }, from: number, to: number): Timed {
  const timed: Timed = { n: 0, wallMs: 0, cpuUs: 0 };
  for (let t = from; t < to; t++) {
    const input = step(t);
    const c = process.cpuUsage();
    const w = performance.now();
    for (let i = 0; i < input.length; i++) sink.observe(input[i]);
    timed.wallMs += performance.now() - w;
    const u = process.cpuUsage(c);
    timed.cpuUs += u.user + u.system;
    timed.n += input.length;
  }
  return timed;
}

/** JS heap plus typed-array backing stores (which live outside the heap but are memory all the same). */
function heapMb(): number {
  gc();
  gc();
  const u = process.memoryUsage();
  return (u.heapUsed + u.arrayBuffers) / 1048576;
}

// Our core.
const FEED_SEED = seed;
const heapBefore = heapMb();
const core = new AnomalyCore();
let changes = 0;
const counting = { observe: (o: Observation) => (changes += core.observe(o).length) };
feed(counting, 0, WARMUP);
const heapAfter = heapMb();
const ours = feed(counting, WARMUP, WARMUP + POINTS);

// Baseline, same input (the generator is reset to the same seed).
const bare = new Bare();
seed = FEED_SEED;
feed(bare, 0, WARMUP);
const theirs = feed(bare, WARMUP, WARMUP + POINTS);

const state = core.exportState();
let bytes = 0;
for (const v of state.values()) bytes += JSON.stringify(v).length;

const wallRate = (t: Timed) => t.n / (t.wallMs / 1000);
const cpuRate = (t: Timed) => t.n / (t.cpuUs / 1e6);
const coreRate = wallRate(ours);
const bareRate = wallRate(theirs);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`anomaly core: ${SERIES.toLocaleString('en-US')} series, ${POINTS} timed points each after ${WARMUP} warm-up points`);
console.log(`  core       ${fmt(coreRate).padStart(12)} observations/s wall, ${fmt(cpuRate(ours)).padStart(12)} per CPU second  (${fmt(ours.n)} in ${ours.wallMs.toFixed(0)} ms, ${changes} finding changes, ${core.openFindings().length} open)`);
console.log(`  bare z     ${fmt(bareRate).padStart(12)} observations/s wall, ${fmt(cpuRate(theirs)).padStart(12)} per CPU second  (rolling mean/std, ${bare.alarms} alarms)`);
console.log(`  ratio      ${(coreRate / bareRate).toFixed(2)}x of the bare loop's throughput (${(cpuRate(ours) / cpuRate(theirs)).toFixed(2)}x per CPU second)`);
console.log(`  memory     ${(((heapAfter - heapBefore) * 1048576) / SERIES / 1024).toFixed(2)} KB retained per series (heap + array buffers), ${(bytes / SERIES / 1024).toFixed(2)} KB serialized state per series`);
console.log(`  goals      >= 1,000,000 observations/s: ${coreRate >= 1e6 ? 'met' : 'NOT met'}; < 4 KB per series: ${(heapAfter - heapBefore) * 1048576 / SERIES < 4096 && bytes / SERIES < 4096 ? 'met' : 'NOT met'}`);
