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
  private readonly counts: Float32Array;
  private offset = NaN;
  /** Weight of values <= 0 (tiny or negative). */
  private zero = 0;
  total = 0;

  /** `counts`: a zeroed view of `SLOTS` float32 slots to keep the buckets in (default: its own). */
  constructor(counts?: Float32Array) {
    if (counts && counts.length !== BUCKETS) throw new RangeError(`sketch: ${BUCKETS} slots needed, got ${counts.length}`);
    this.counts = counts ?? new Float32Array(BUCKETS);
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
    this.counts[i] += weight;
  }

  /** Drop the `d` lowest buckets into the next one. */
  private collapse(d: number): void {
    if (d >= BUCKETS) {
      let s = 0;
      for (let i = 0; i < BUCKETS; i++) s += this.counts[i];
      this.counts.fill(0);
      this.counts[0] = s;
    } else {
      let low = 0;
      for (let i = 0; i <= d; i++) low += this.counts[i];
      this.counts.copyWithin(0, d);
      this.counts.fill(0, BUCKETS - d);
      this.counts[0] = low;
    }
    this.offset += d;
  }

  decay(factor: number): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] *= factor;
    this.zero *= factor;
    this.total *= factor;
  }

  merge(other: LogSketch): void {
    if (Number.isNaN(other.offset)) {
      this.zero += other.zero;
      this.total += other.zero;
      return;
    }
    for (let i = 0; i < BUCKETS; i++) if (other.counts[i] > 0) this.add(Math.pow(GAMMA, other.offset + i) / ((GAMMA + 1) / 2), other.counts[i]);
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
      if (this.counts[i] === 0) continue;
      seen += this.counts[i];
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
      seen += this.counts[i];
      if (seen > rank) return (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
    }
    for (let i = BUCKETS - 1; i >= 0; i--) if (this.counts[i] > 0) return (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
    return 0;
  }

  toJSON(): SketchJSON {
    const c: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 1e-3) c.push([i, roundSig(this.counts[i], 4)]);
    return { o: this.offset, z: roundSig(this.zero, 4), c };
  }

  static fromJSON(j: SketchJSON, counts?: Float32Array): LogSketch {
    const s = new LogSketch(counts);
    s.offset = j.o ?? NaN;
    s.zero = j.z;
    s.total = j.z;
    for (const [i, n] of j.c) {
      if (i >= 0 && i < BUCKETS) {
        s.counts[i] = n;
        s.total += n;
      }
    }
    return s;
  }
}
