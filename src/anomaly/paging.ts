/**
 * The page gate of a value series: which detector openings become findings (pages). Detectors say
 * what is unusual about one point or one stretch; whether that deserves waking someone is judged
 * against the series' own recent history, in the spirit of Numenta's anomaly likelihood (a raw score
 * judged against the distribution of the series' own recent scores) and of the post-alarm
 * suppression of the strongest NAB entries (one episode, one page). Rules (see the anomaly README):
 *
 * 1. Rarity: a spike or an anomalous period opens only when this point's robust |z| is at least
 *    `RARITY` x the largest |z| of the series' recent points (capped at 1,000, decaying with a
 *    half-life of `RARITY_HALF_LIFE_MS`). A series that is always jumpy stops paging on its
 *    usual jumps; a quiet one pages on its first.
 * 2. Episodes: an opening within `EPISODE_MS` of the last page (or of a change of the baseline's
 *    model) belongs to the same episode and is folded into it: no second page. A level shift that
 *    a paged spike turned out to start takes the spike's place (a finding, not a page).
 * 3. Known regimes: a level shift to a level the series held within the last `KNOWN_LEVEL_MS` (a
 *    square wave, a daily cycle before the seasonal profile is learned, a return to a previous
 *    level), or one smaller than `MATERIAL` of the range of those levels, is not a new regime: it
 *    is not paged.
 *
 * Only alarm kinds of value series pass the gate (spike, regression, anomalous_period); SLA
 * breaches (thresholds set by a user) and outcome series (errors, SLO) are not gated here.
 */
import type { FindingKind } from '../model/findings.js';
import { Z_MEMORY_CAP } from './detectors/spike.js';
import type { DetectorSignal } from './types.js';

/** An episode lasts this long after its page: half a day. */
export const EPISODE_MS = 12 * 3_600_000;
/**
 * How far above the series' recent largest |z| a spike or anomalous period must be: 30% (chosen on
 * the shared NAB files, where 1.2 to 1.35 score within 2 points of each other; see the README).
 */
export const RARITY = 1.3;
/** Half-life of the recent largest |z|: ten days (a series that jumps weekly keeps its bar between jumps). */
export const RARITY_HALF_LIFE_MS = 240 * 3_600_000;
/** How long a level the series held stays known: one week (daily and weekly cycles). */
export const KNOWN_LEVEL_MS = 168 * 3_600_000;
/** A shift smaller than this fraction of the range of the recently held levels is not material. */
export const MATERIAL = 0.2;
/** A move repeating one made this long ago (within CYCLE_TOLERANCE_MS) is a cycle: a day, a week. */
const CYCLES_MS = [86_400_000, 7 * 86_400_000];
const CYCLE_TOLERANCE_MS = 2 * 3_600_000;
/** Level moves kept per series ((from, to, time) triples). */
const MOVES = 12;
/** Known levels kept per series ((level, time) pairs). */
const KNOWN_LEVELS = 16;
/** |z| below this never matters to the rarity rule (the spike detector's hold threshold). */
const TRACK_FROM = 3;

const GATED: Partial<Record<FindingKind, 1>> = { spike: 1, regression: 1, anomalous_period: 1 };

/** Whether openings of `kind` pass the gate. */
export function isGated(kind: FindingKind): boolean {
  return GATED[kind] === 1;
}

export interface PageGateJSON {
  level: number;
  levelAt: number;
  last: number;
  model: number;
  known: number[];
  moves: number[];
}

export class PageGate {
  /** Largest |z| of recent points, as of time `levelAt` (it decays from there). */
  private level = 0;
  private levelAt = 0;
  /** The recent largest |z| before this point (NaN: unchanged by this point, compute it). */
  private before = NaN;
  /** Time of the last candidate opening that was paged, or of the last change of the baseline's model. */
  private last = -Infinity;
  /** The baseline's seasonal model (0 none, 1 daily, 2 weekly) as of the last point, and when it last changed. */
  private model = 0;
  private modelAt = -Infinity;
  /** Known levels: (level, time it was last held) pairs, at most KNOWN_LEVELS. */
  private known: number[] = [];
  /** Recent level moves: (from, to, time) triples, at most MOVES. */
  private moves: number[] = [];
  /** Whether a shift on this point starts a new regime (not a cycle's move, not a model change). */
  newRegime = false;

  /** The recent largest |z| at time `at`. */
  private recentLevel(at: number): number {
    return this.level * Math.pow(2, -(at - this.levelAt) / RARITY_HALF_LIFE_MS);
  }

  /**
   * Every point, before its openings are judged: its |z| (NaN before the baseline speaks) and the
   * baseline's seasonal model. A change of model (the seasonal profile switching on) moves every
   * adjusted level: it starts an episode and forgets the known levels (they were in the old scale).
   */
  track(absZ: number, at: number, model: number): void {
    if (model !== this.model) {
      this.model = model;
      this.modelAt = at;
      this.last = at;
      this.known.length = 0;
    }
    this.before = NaN;
    this.newRegime = false;
    if (!(absZ >= TRACK_FROM)) return;
    const z = absZ < Z_MEMORY_CAP ? absZ : Z_MEMORY_CAP;
    const now = this.recentLevel(at);
    if (z > now) {
      this.before = now;
      this.level = z;
      this.levelAt = at;
    }
  }

  /** Remember that the series held `level` at time `at`. */
  private hold(level: number, at: number): void {
    const k = this.known;
    let oldest = -1;
    for (let i = 0; i < k.length; i += 2) {
      if (k[i] === level) {
        k[i + 1] = at;
        return;
      }
      if (oldest < 0 || k[i + 1] < k[oldest + 1]) oldest = i;
    }
    if (k.length < 2 * KNOWN_LEVELS) k.push(level, at);
    else {
      k[oldest] = level;
      k[oldest + 1] = at;
    }
  }

  /**
   * A level the series already knows: closer to a level it held within KNOWN_LEVEL_MS than half
   * the shift from `ref`, or a shift smaller than MATERIAL of the range of those levels; never a
   * new extreme (beyond every level held by more than MATERIAL of their range).
   */
  private isKnown(level: number, ref: number, at: number): boolean {
    const k = this.known;
    const shift = Math.abs(level - ref);
    let lo = Infinity;
    let hi = -Infinity;
    let near = false;
    for (let i = 0; i < k.length; i += 2) {
      if (at - k[i + 1] > KNOWN_LEVEL_MS) continue;
      if (Math.abs(level - k[i]) <= shift / 2) near = true;
      if (k[i] < lo) lo = k[i];
      if (k[i] > hi) hi = k[i];
    }
    if (lo > hi) return false;
    const range = Math.max(hi, level, ref) - Math.min(lo, level, ref);
    // A new extreme (beyond every level held, by more than MATERIAL of their range) is news.
    const margin = MATERIAL * (hi - lo);
    if (level > hi + margin || level < lo - margin) return false;
    return near || shift < MATERIAL * range;
  }

  /**
   * Whether an `open` signal of a gated kind, with nothing of its kind open, becomes a finding (a
   * page) at time `at`, where the point's |z| is `absZ`. Records the levels a shift moves between.
   */
  admit(signal: DetectorSignal, absZ: number, at: number): boolean {
    const inEpisode = at - this.last <= EPISODE_MS;
    let ok: boolean;
    if (signal.kind === 'regression') {
      // The shift's levels are recorded in an episode as well (no short circuit).
      const known = this.shift(signal, at);
      ok = !inEpisode && !known;
    } else {
      const before = this.before === this.before ? this.before : this.recentLevel(at);
      ok = !inEpisode && absZ >= RARITY * before;
    }
    if (ok) this.last = at;
    return ok;
  }

  /**
   * A drift warning (a two-sided trend that moved the level by half): kept a warning only outside
   * an episode and when its level is a new extreme (beyond every level held in the week by MATERIAL
   * of their range); otherwise it informs. Returns whether it stays a warning (then a page).
   */
  drift(level: number, at: number): boolean {
    if (at - this.last <= EPISODE_MS) return false;
    const k = this.known;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < k.length; i += 2) {
      if (at - k[i + 1] > KNOWN_LEVEL_MS) continue;
      if (k[i] < lo) lo = k[i];
      if (k[i] > hi) hi = k[i];
    }
    const margin = MATERIAL * (hi - lo);
    const ok = lo > hi || level > hi + margin || level < lo - margin;
    if (ok) this.last = at;
    return ok;
  }

  /** Whether a move from `from` to `to` at `at` repeats one made a day or a week earlier (a cycle). */
  private cyclic(from: number, to: number, at: number): boolean {
    const m = this.moves;
    const band = Math.abs(to - from) / 2;
    for (let i = 0; i < m.length; i += 3) {
      if (Math.abs(m[i] - from) > band || Math.abs(m[i + 1] - to) > band) continue;
      const ago = at - m[i + 2];
      for (const cycle of CYCLES_MS) if (Math.abs(ago - cycle) <= CYCLE_TOLERANCE_MS) return true;
    }
    return false;
  }

  /** A confirmed shift: whether its level is known (see isKnown); records both levels, the move and `newRegime`. */
  private shift(signal: DetectorSignal, at: number): boolean {
    const ref = signal.expected.value;
    const level = signal.observed;
    const hasRef = ref !== undefined && Number.isFinite(ref);
    const known = hasRef && Number.isFinite(level) && this.isKnown(level, ref, at);
    if (hasRef) this.hold(ref, at);
    if (Number.isFinite(level)) this.hold(level, at);
    if (hasRef && Number.isFinite(level)) {
      // Right after a change of the baseline's model, adjusted levels move without the series moving.
      if (!this.cyclic(ref, level, at) && at - this.modelAt > EPISODE_MS) this.newRegime = true;
      if (this.moves.length >= 3 * MOVES) this.moves.splice(0, 3);
      this.moves.push(ref, level, at);
    }
    return known;
  }

  /**
   * A signal that is not a new opening: a shift re-confirmed while its finding is open (`open`)
   * and a resolution keep the levels the series moves between known.
   */
  note(signal: DetectorSignal, at: number): void {
    if (signal.kind !== 'regression' || signal.level === 'hold') return;
    if (signal.level === 'open') this.shift(signal, at);
    else if (Number.isFinite(signal.observed)) this.hold(signal.observed, at);
  }

  toJSON(): PageGateJSON {
    return { level: Number(this.level.toPrecision(6)), levelAt: this.levelAt, last: Number.isFinite(this.last) ? this.last : -1e15, model: this.model, known: this.known.slice(), moves: this.moves.slice() };
  }

  load(raw: unknown): void {
    const r = raw as Partial<PageGateJSON> | null;
    if (!r || typeof r !== 'object') return;
    const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    if (num(r.level)) this.level = r.level;
    if (num(r.levelAt)) this.levelAt = r.levelAt;
    if (num(r.last)) this.last = r.last;
    if (num(r.model)) this.model = r.model;
    if (Array.isArray(r.known)) this.known = r.known.filter(num).slice(0, 2 * KNOWN_LEVELS);
    if (Array.isArray(r.moves)) this.moves = r.moves.filter(num).slice(0, 3 * MOVES);
  }
}
