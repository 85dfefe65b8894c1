/**
 * A small mergeable quantile sketch (DDSketch-style log buckets, 3% relative accuracy) with bounded
 * memory: 128 float32 buckets, the lowest collapsed when the range grows (high quantiles stay exact to 3%),
 * and exponential decay so it describes a recent window of a long series.
 */
import { roundSig } from './stats.js';

const GAMMA = 1.0619;
const LN_GAMMA = Math.log(GAMMA);
const BUCKETS = 128;
const MIN_POSITIVE = 1e-9;

export interface SketchJSON {
  o: number;
  z: number;
  c: [number, number][];
}

export class LogSketch {
  /** Slots a sketch needs (its counts may live in a caller's buffer, see the constructor). */
  static readonly SLOTS = BUCKETS;
  /** The buckets are `c[co .. co + BUCKETS)`. */
  private readonly c: Float32Array;
  private readonly co: number;
  private offset = NaN;
  /** Weight of values <= 0 (tiny or negative). */
  private zero = 0;
  total = 0;

  /** Keep the buckets in `SLOTS` zeroed slots of `memory` from `at` (default: an array of its own). */
  constructor(memory?: Float32Array, at = 0) {
    if (memory && at + BUCKETS > memory.length) throw new RangeError(`sketch: ${BUCKETS} slots needed from ${at}, the buffer has ${memory.length}`);
    this.c = memory ?? new Float32Array(BUCKETS);
    this.co = memory ? at : 0;
  }

  add(x: number, weight = 1): void {
    this.total += weight;
    if (!(x > MIN_POSITIVE)) {
      this.zero += weight;
      return;
    }
    const idx = Math.ceil(Math.log(x) / LN_GAMMA);
    if (Number.isNaN(this.offset)) this.offset = idx - (BUCKETS >> 2);
    let i = idx - this.offset;
    if (i >= BUCKETS) {
      this.collapse(i - BUCKETS + 1);
      i = BUCKETS - 1;
    }
    if (i < 0) i = 0;
    this.c[this.co + i] += weight;
  }

  /** Drop the `d` lowest buckets into the next one. */
  private collapse(d: number): void {
    if (d >= BUCKETS) {
      let s = 0;
      for (let i = 0; i < BUCKETS; i++) s += this.c[this.co + i];
      this.c.fill(0, this.co, this.co + BUCKETS);
      this.c[this.co + 0] = s;
    } else {
      let low = 0;
      for (let i = 0; i <= d; i++) low += this.c[this.co + i];
      this.c.copyWithin(this.co, this.co + d, this.co + BUCKETS);
      this.c.fill(0, this.co + BUCKETS - d, this.co + BUCKETS);
      this.c[this.co + 0] = low;
    }
    this.offset += d;
  }

  decay(factor: number): void {
    for (let i = 0; i < BUCKETS; i++) this.c[this.co + i] *= factor;
    this.zero *= factor;
    this.total *= factor;
  }

  merge(other: LogSketch): void {
    if (Number.isNaN(other.offset)) {
      this.zero += other.zero;
      this.total += other.zero;
      return;
    }
    for (let i = 0; i < BUCKETS; i++) if (other.c[other.co + i] > 0) this.add(Math.pow(GAMMA, other.offset + i) / ((GAMMA + 1) / 2), other.c[other.co + i]);
    this.zero += other.zero;
    this.total += other.zero;
  }

  /** Several quantiles (ascending qs) in one pass over the buckets. */
  quantiles(qs: readonly number[], out: number[]): number[] {
    out.length = 0;
    if (!(this.total > 0)) {
      for (let j = 0; j < qs.length; j++) out.push(NaN);
      return out;
    }
    let j = 0;
    let seen = this.zero;
    while (j < qs.length && qs[j] * this.total < seen) {
      out.push(0);
      j++;
    }
    for (let i = 0; i < BUCKETS && j < qs.length; i++) {
      if (this.c[this.co + i] === 0) continue;
      seen += this.c[this.co + i];
      const v = (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
      while (j < qs.length && qs[j] * this.total < seen) {
        out.push(v);
        j++;
      }
    }
    while (j < qs.length) {
      out.push(this.quantile(qs[j]));
      j++;
    }
    return out;
  }

  /** Quantile q in [0,1] (NaN when empty); values <= 0 count as 0. */
  quantile(q: number): number {
    if (!(this.total > 0)) return NaN;
    const rank = q * this.total;
    let seen = this.zero;
    if (rank < seen) return 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.c[this.co + i];
      if (seen > rank) return (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
    }
    for (let i = BUCKETS - 1; i >= 0; i--) if (this.c[this.co + i] > 0) return (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
    return 0;
  }

  toJSON(): SketchJSON {
    const c: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.c[this.co + i] > 1e-3) c.push([i, roundSig(this.c[this.co + i], 4)]);
    return { o: this.offset, z: roundSig(this.zero, 4), c };
  }

  static fromJSON(j: SketchJSON, memory?: Float32Array, at = 0): LogSketch {
    const s = new LogSketch(memory, at);
    s.offset = j.o ?? NaN;
    s.zero = j.z;
    s.total = j.z;
    for (const [i, n] of j.c) {
      if (i >= 0 && i < BUCKETS) {
        s.c[s.co + i] = n;
        s.total += n;
      }
    }
    return s;
  }
}
