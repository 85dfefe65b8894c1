/**
 * Errors on `outcome` series (1 failed, 0 passed):
 * - `error_rate`: the failure rate of the last `window` runs, by its Wilson score lower bound, is
 *   above the monitor's own baseline rate plus `margin` (no fixed count: 2 failures of 3 runs and
 *   5 of 20 both speak, 1 of 20 does not). A finding describes the present: it opens and is kept
 *   on a failing run, every failing run keeps it, and `resolveAfter` passing runs in a row resolve it (`passing again`);
 *   the window then starts afresh, so the failures of an episode that is over never open another.
 * - The baseline is learned from the series' history: a decayed count (half-life ~500 runs) of the
 *   runs that left the window, plus a prior of 1% worth `PRIOR_RUNS` runs that a new monitor starts
 *   from and its history soon outweighs. It is frozen while the finding is open, and the runs of
 *   an episode never enter it.
 * - `new_error`: a failure whose normalized signature (see signature.ts) this series has not seen;
 *   signatures keep first seen / last seen / count (the 8 most recent are kept).
 */
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { fmtValue, isoTime } from '../format.js';
import { errorFingerprint } from '../signature.js';
import { wilson } from '../stats.js';
import type { SeriesContext } from '../types.js';

const MAX_SIGNATURES = 8;
const DECAY = Math.pow(0.5, 1 / 500);
/**
 * Prior of a new monitor: a 1% failure rate (what a synthetic check of a healthy service shows)
 * worth 20 runs; after 20 runs of its own history the monitor's rate weighs as much as the prior.
 */
const PRIOR_RATE = 0.01;
const PRIOR_RUNS = 20;

export interface SignatureStat {
  fp: string;
  cls: string;
  sig: string;
  first: number;
  last: number;
  count: number;
}

export interface ErrorsState {
  bits: number;
  rn: number;
  rk: number;
  bk: number;
  bn: number;
  n: number;
  /** Passing runs in a row (resolves an open `error_rate`). */
  pass: number;
  sigs: SignatureStat[];
  /** Fingerprint of the open `new_error` finding. */
  openFp: string | null;
}

function fresh(): ErrorsState {
  return { bits: 0, rn: 0, rk: 0, bk: 0, bn: 0, n: 0, pass: 0, sigs: [], openFp: null };
}

export const errorsDetector: Detector<ErrorsState> = {
  name: 'errors',
  kinds: ['error_rate', 'new_error'],
  applies: (ctx: SeriesContext) => ctx.outcome && ctx.config.detectors.errors.enabled,
  create: fresh,
  save: (s) => s,
  load(raw) {
    const r = raw as Partial<ErrorsState> | null;
    if (!r || typeof r.rn !== 'number' || !Array.isArray(r.sigs)) return fresh();
    return { ...fresh(), ...r };
  },
  observe(s, input: DetectorInput) {
    const { ctx, obs } = input;
    const cfg = ctx.config.detectors.errors;
    const failed = obs.value >= 0.5 ? 1 : 0;
    const window = Math.min(Math.max(cfg.window, 5), 30);
    // Recent window as a bit mask (bit 0 = newest).
    const rateOpen = input.isOpen(KIND_BIT.error_rate);
    if (s.rn === window) {
      const oldest = (s.bits >>> (window - 1)) & 1;
      s.rk -= oldest;
      s.rn--;
      // The baseline is the history before the recent window, frozen while a finding is open.
      if (!rateOpen) {
        s.bk = s.bk * DECAY + oldest;
        s.bn = s.bn * DECAY + 1;
      }
    }
    s.bits = ((s.bits << 1) | failed) & ((1 << window) - 1);
    s.rn++;
    s.rk += failed;
    s.n++;

    s.pass = failed ? 0 : s.pass + 1;

    const baseRate = (s.bk + PRIOR_RATE * PRIOR_RUNS) / (s.bn + PRIOR_RUNS);
    if (s.rn >= Math.min(window, 10)) {
      input.evaluated(KIND_BIT.error_rate);
      const threshold = baseRate + cfg.margin;
      const lowOpen = wilson(s.rk, s.rn, cfg.zOpen).low;
      input.score(failed ? lowOpen : 0, threshold);
      if (rateOpen && s.pass >= ctx.config.resolveAfter) {
        resolveRate(input, s, baseRate);
      } else if (failed) {
        // While open, every failing run keeps it (the monitor is failing now): only the passing
        // streak above ends it, and the lifecycle's count of normal points agrees with it.
        const level = lowOpen > threshold ? 'open' : rateOpen ? 'hold' : null;
        if (level) emitRate(input, s, level, baseRate, threshold, lowOpen);
      }
    }

    if (!cfg.newSignatures) return;
    input.evaluated(KIND_BIT.new_error);
    if (!failed) return;
    const cls = obs.error?.class ?? 'unknown';
    const { fingerprint, signature } = errorFingerprint(cls, obs.error?.message ?? '');
    let stat = s.sigs.find((x) => x.fp === fingerprint);
    if (stat) {
      stat.last = obs.at;
      stat.count++;
      if (s.openFp === fingerprint && input.isOpen(KIND_BIT.new_error)) emitNew(input, stat, 'hold');
      return;
    }
    stat = { fp: fingerprint, cls, sig: signature.length > 160 ? signature.slice(0, 157) + '...' : signature, first: obs.at, last: obs.at, count: 1 };
    s.sigs.push(stat);
    if (s.sigs.length > MAX_SIGNATURES) {
      s.sigs.sort((a, b) => b.last - a.last);
      s.sigs.length = MAX_SIGNATURES;
    }
    // The very first runs of a series have no history to call anything new against.
    if (s.n > 5) {
      s.openFp = fingerprint;
      emitNew(input, stat, 'open');
    }
  },
};

function clearWindow(s: ErrorsState): void {
  s.bits = 0;
  s.rk = 0;
  s.rn = 0;
}

/** Learned from how many runs of the series' own history (decayed), for explanations. */
function baselineText(s: ErrorsState, baseRate: number): string {
  const runs = Math.round(s.bn);
  return runs === 0 ? `the prior failure rate of a new monitor (${fmtValue(baseRate, 'ratio')}; no history yet)` : `its baseline failure rate of ${fmtValue(baseRate, 'ratio')} (learned from ${runs} earlier run${runs === 1 ? '' : 's'})`;
}

function emitRate(input: DetectorInput, s: ErrorsState, level: 'open' | 'hold', baseRate: number, threshold: number, lowOpen: number): void {
  const rate = s.rk / s.rn;
  const rk = s.rk;
  const rn = s.rn;
  const base = baselineText(s, baseRate);
  input.emit({
    kind: 'error_rate',
    level,
    severity: lowOpen > 0.5 || rate >= 0.9 ? 'critical' : 'warning',
    observed: rate,
    expected: { value: baseRate, high: threshold },
    unit: 'ratio',
    magnitude: { ratio: rate / baseRate, delta: rate - baseRate },
    details: { failures: rk, runs: rn, wilsonLow: lowOpen, baselineRuns: Math.round(s.bn) },
    explain: (e) =>
      `${e.subject} failed ${rk} of the last ${rn} runs (${fmtValue(rate, 'ratio')}, at least ${fmtValue(lowOpen, 'ratio')} at 99% confidence) against ${base}, since ${e.since}.`,
  });
}

/**
 * `resolveAfter` passing runs in a row: the episode is over. The recent window starts afresh (its
 * failures belong to the episode: they neither reopen a finding nor enter the baseline).
 */
function resolveRate(input: DetectorInput, s: ErrorsState, baseRate: number): void {
  const passes = s.pass;
  const base = baselineText(s, baseRate);
  clearWindow(s);
  input.emit({
    kind: 'error_rate',
    level: 'resolve',
    severity: 'warning',
    observed: 0,
    expected: { value: baseRate },
    unit: 'ratio',
    magnitude: {},
    note: 'passing again',
    explain: (e) => `${e.subject} is passing again (${passes} runs in a row); its failure rate was above ${base} since ${e.since}.`,
  });
}

function emitNew(input: DetectorInput, stat: SignatureStat, level: 'open' | 'hold'): void {
  const snapshot = { ...stat };
  input.emit({
    kind: 'new_error',
    level,
    severity: 'warning',
    observed: snapshot.count,
    expected: { value: 0 },
    unit: 'count',
    magnitude: { delta: snapshot.count },
    details: {
      fingerprint: snapshot.fp,
      errorClass: snapshot.cls,
      signature: snapshot.sig,
      firstSeen: isoTime(snapshot.first),
      lastSeen: isoTime(snapshot.last),
      count: snapshot.count,
    },
    explain: (e) => `${e.subject} fails with a new error (${snapshot.cls}: ${snapshot.sig}) first seen ${e.since}, ${snapshot.count} time${snapshot.count === 1 ? '' : 's'} so far.`,
  });
}
