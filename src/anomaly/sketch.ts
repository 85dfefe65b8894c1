/**
 * A small mergeable quantile sketch (DDSketch-style log buckets, 3% relative accuracy) with bounded
 * memory: 128 float32 buckets, the lowest collapsed when the range grows (high quantiles stay exact to 3%),
 * and exponential decay so it describes a recent window of a long series. Its buckets and scalars
 * can live in a series' arena block: `bind` points one sketch object at them (see distribution.ts).
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
  /** Float32 slots of a sketch's buckets and float64 slots of its scalars (see `bind`). */
  static readonly SLOTS = BUCKETS;
  static readonly SCALARS = 3;
  /** The buckets are `c[co .. co + BUCKETS)`; the scalars (offset, zero weight, total) `s[so .. so + 3)`. */
  private c: Float32Array;
  private co: number;
  private s: Float64Array;
  private so: number;

  /** A sketch with memory of its own. */
  constructor() {
    this.c = new Float32Array(BUCKETS);
    this.co = 0;
    this.s = new Float64Array(LogSketch.SCALARS);
    this.so = 0;
    this.s[0] = NaN;
  }

  /**
   * Point this sketch at state kept elsewhere (a series' block): one sketch object can then serve
   * many series, bound to each in turn. `fresh` initializes that state as an empty sketch.
   */
  bind(counts: Float32Array, countsAt: number, scalars: Float64Array, scalarsAt: number, fresh = false): this {
    this.c = counts;
    this.co = countsAt;
    this.s = scalars;
    this.so = scalarsAt;
    if (fresh) {
      counts.fill(0, countsAt, countsAt + BUCKETS);
      scalars[scalarsAt] = NaN;
      scalars[scalarsAt + 1] = 0;
      scalars[scalarsAt + 2] = 0;
    }
    return this;
  }

  /** Lowest bucket's index (NaN while empty). */
  private get offset(): number {
    return this.s[this.so];
  }
  private set offset(v: number) {
    this.s[this.so] = v;
  }
  /** Weight of values <= 0 (tiny or negative). */
  private get zero(): number {
    return this.s[this.so + 1];
  }
  private set zero(v: number) {
    this.s[this.so + 1] = v;
  }
  /** Total weight. */
  get total(): number {
    return this.s[this.so + 2];
  }
  private set total(v: number) {
    this.s[this.so + 2] = v;
  }

  add(x: number, weight = 1): void {
    this.addLog(x, x > MIN_POSITIVE ? Math.log(x) : NaN, weight);
  }

  /** `add(x)` for a caller that has `ln x` already (`lnX`: `Math.log(x)`, anything when x <= 0). */
  addLog(x: number, lnX: number, weight = 1): void {
    this.total += weight;
    if (!(x > MIN_POSITIVE)) {
      this.zero += weight;
      return;
    }
    const idx = Math.ceil(lnX / LN_GAMMA);
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
    const total = this.total;
    for (let i = 0; i < BUCKETS && j < qs.length; i++) {
      const count = this.c[this.co + i];
      if (count === 0) continue;
      seen += count;
      if (!(qs[j] * total < seen)) continue;
      // A bucket's value only where a quantile falls in it (a power per bucket was most of the cost).
      const v = (2 * Math.pow(GAMMA, this.offset + i)) / (GAMMA + 1);
      while (j < qs.length && qs[j] * total < seen) {
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

  static fromJSON(j: SketchJSON): LogSketch {
    return new LogSketch().load(j);
  }

  /** Replace this sketch's state with a saved one. */
  load(j: SketchJSON): this {
    const s = this.bind(this.c, this.co, this.s, this.so, true);
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
