/**
 * SLO burn rate, the multi-window multi-burn-rate rule (Google SRE workbook): fast burn when the
 * bad-event rate over both 1 h and 5 min is >= `fastBurn` x the error budget (critical); slow burn
 * when both 6 h and 30 min are >= `slowBurn` x budget (warning). Windows are in time, from the
 * observation timestamps: 30 one-minute buckets (5 min, 30 min) and 36 ten-minute buckets (1 h, 6 h);
 * the 5 min window reaches back further (up to 30 min) until it holds 3 runs (sparse traffic).
 * A finding is open exactly while a rule holds: both its windows over its factor. The long window
 * says the budget is really being spent, the short one that it still is: when the short windows
 * drop below, the detector resolves the finding (`burn stopped`), minutes after a recovery, while
 * the long windows still remember the outage. A fast burn that ends while the slow rule still
 * holds goes on as a warning. `minBadEvents` bad events in the long window are needed to open
 * (sparse synthetic traffic), not to stay open.
 * A long window is only as long as the monitor's history: a monitor 20 minutes old has no 6 h of
 * runs, and 4 failures of its 21 runs are not 19x the budget of 6 hours. A long window not yet
 * covered counts its bad runs against the runs a full window would hold at the monitor's rate
 * (what the rule means: the share of the budget spent in the window), so a young monitor needs as
 * many failures as an old one to burn, and a short outage does not hold it for 30 minutes.
 * Availability objective on `outcome` series; latency objective where a threshold is known.
 */
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { fmtValue } from '../format.js';
import type { SeriesContext } from '../types.js';

const FINE_MS = 60_000;
const FINE_N = 30;
const COARSE_MS = 600_000;
const COARSE_N = 36;

export interface SloState {
  /** Bucket counts: [total, bad] interleaved. */
  fine: number[];
  coarse: number[];
  fineAt: number;
  coarseAt: number;
  /** Minute of the first observation (-1: unknown, a state saved before it was kept). */
  since: number;
}

/** Buckets are allocated on first use: latency series without a threshold never pay for them. */
function fresh(): SloState {
  return { fine: [], coarse: [], fineAt: -1, coarseAt: -1, since: -1 };
}

function advance(buckets: number[], n: number, last: number, now: number): number {
  if (last < 0 || now - last >= n) buckets.fill(0);
  else for (let b = last + 1; b <= now; b++) {
    const i = (b % n) * 2;
    buckets[i] = 0;
    buckets[i + 1] = 0;
  }
  return Math.max(now, last);
}

function sum(buckets: number[], n: number, now: number, count: number): [number, number] {
  let total = 0;
  let bad = 0;
  for (let b = now - count + 1; b <= now; b++) {
    const i = (((b % n) + n) % n) * 2;
    total += buckets[i];
    bad += buckets[i + 1];
  }
  return [total, bad];
}

/**
 * Runs a short window must hold before its rate means anything: on sparse synthetic traffic (a run
 * every 5 minutes) a 5 min window holds one run, and one passing run between two failures would end
 * the finding. The short window reaches back (within 30 min) until it holds this many runs.
 */
const SHORT_MIN_RUNS = 3;

/** The last `count` fine buckets, or more (at most all of them) until they hold `SHORT_MIN_RUNS` runs: [total, bad, minutes]. */
function shortWindow(buckets: number[], now: number, count: number): [number, number, number] {
  let total = 0;
  let bad = 0;
  let k = 0;
  for (; k < FINE_N && (k < count || total < SHORT_MIN_RUNS); k++) {
    const i = ((((now - k) % FINE_N) + FINE_N) % FINE_N) * 2;
    total += buckets[i];
    bad += buckets[i + 1];
  }
  return [total, bad, k];
}

function latencyThreshold(input: DetectorInput): number | undefined {
  return input.ctx.config.detectors.slo.latencyThresholdMs ?? input.obs.sla?.degradedMs;
}

export const sloDetector: Detector<SloState> = {
  name: 'slo',
  kinds: ['slo_burn'],
  applies: (ctx: SeriesContext) => ctx.config.detectors.slo.enabled && (ctx.outcome || ctx.latency),
  create: fresh,
  save: (s) => s,
  load(raw) {
    const r = raw as Partial<SloState> | null;
    if (!r || !Array.isArray(r.fine) || r.fine.length !== FINE_N * 2 || !Array.isArray(r.coarse) || r.coarse.length !== COARSE_N * 2 || typeof r.fineAt !== 'number') return fresh();
    return { ...fresh(), ...r };
  },
  observe(s, input: DetectorInput) {
    // Latency series without a threshold (most) stop here: the per-point part stays small enough
    // to be inlined into the detector runner beside the others.
    const threshold = input.ctx.outcome ? NaN : latencyThreshold(input);
    if (threshold === undefined) return;
    burnRate(s, input, threshold);
  },
};

/**
 * A point of an outcome series (`threshold` NaN) or of a latency series with a threshold (out of
 * line, see `observe`).
 */
function burnRate(s: SloState, input: DetectorInput, threshold: number): void {
  const { ctx, obs } = input;
  const cfg = ctx.config.detectors.slo;
  const bad = ctx.outcome ? (obs.value >= 0.5 ? 1 : 0) : obs.value > threshold ? 1 : 0;
  const target = ctx.outcome ? cfg.availability : cfg.latencyTarget;
  const budget = 1 - target;
  if (!(budget > 0)) return;
  input.evaluated(KIND_BIT.slo_burn);
  // Bucket numbers as int32 (minutes since 1970 fit until the year 6053): integer modulo below.
  const f = Math.floor(obs.at / FINE_MS) | 0;
  const c = Math.floor(obs.at / COARSE_MS) | 0;
  if (f < s.fineAt) return; // out of order: ignore for windows
  if (s.fine.length === 0) {
    s.fine = new Array<number>(FINE_N * 2).fill(0);
    s.coarse = new Array<number>(COARSE_N * 2).fill(0);
  }
  if (s.since < 0 && s.fineAt < 0) s.since = f;
  s.fineAt = advance(s.fine, FINE_N, s.fineAt, f);
  s.coarseAt = advance(s.coarse, COARSE_N, s.coarseAt, c);
  s.fine[(f % FINE_N) * 2] += 1;
  s.fine[(f % FINE_N) * 2 + 1] += bad;
  s.coarse[(c % COARSE_N) * 2] += 1;
  s.coarse[(c % COARSE_N) * 2 + 1] += bad;

  const [t5, b5, m5] = shortWindow(s.fine, f, 5);
  const [t30, b30] = sum(s.fine, FINE_N, f, 30);
  const [t60, b60] = sum(s.coarse, COARSE_N, c, 6);
  const [t360, b360] = sum(s.coarse, COARSE_N, c, 36);
  // Minutes of history (a state without `since` is taken as old enough).
  const age = s.since < 0 ? Infinity : f - s.since + 1;
  const full = (t: number, minutes: number) => (age < minutes ? (t * minutes) / age : t);
  const burn = (b: number, t: number) => (t > 0 ? b / t / budget : 0);
  const burn60 = burn(b60, full(t60, 60));
  const burn360 = burn(b360, full(t360, 360));
  const fast = Math.min(burn60, burn(b5, t5));
  const slow = Math.min(burn360, burn(b30, t30));
  input.score(fast, cfg.fastBurn);
  input.score(slow, cfg.slowBurn);
  const fastHolds = fast >= cfg.fastBurn;
  const slowHolds = slow >= cfg.slowBurn;
  const isOpen = input.isOpen(KIND_BIT.slo_burn);
  if (!fastHolds && !slowHolds) {
    if (isOpen) resolveBurn(input, burn(b5, t5), m5, burn(b30, t30), cfg.fastBurn, cfg.slowBurn);
    return;
  }
  const isFast = fastHolds;
  if (!isOpen && (isFast ? b60 : b360) < cfg.minBadEvents) return;
  const rate = isFast ? burn60 : burn360;
  const minutes = isFast ? 60 : 360;
  // A young monitor: its whole history, counted against a full window.
  const win = age < minutes ? `its first ${age} min (against the runs of a full ${isFast ? '1 h' : '6 h'})` : isFast ? 'last 1 h' : 'last 6 h';
  const [bb, tt] = isFast ? [b60, t60] : [b360, t360];
  input.emit({
    kind: 'slo_burn',
    level: 'open',
    severity: isFast ? 'critical' : 'warning',
    observed: rate,
    expected: { high: isFast ? cfg.fastBurn : cfg.slowBurn },
    unit: 'burn rate',
    magnitude: { ratio: rate },
    details: { objective: target, window: isFast ? '1 h' : '6 h', bad: bb, total: tt, burn5m: burn(b5, t5), burn30m: burn(b30, t30), burn1h: burn60, burn6h: burn360 },
    explain: (e) =>
      `${e.subject} burns its ${(target * 100).toFixed(target >= 0.999 ? 2 : 1)}% objective ${rate.toFixed(1)}x too fast: ${bb} of ${tt} ${ctx.outcome ? 'failed runs' : `runs slower than ${fmtValue(threshold, 'ms')}`} in ${win} (${isFast ? 'fast' : 'slow'} burn, since ${e.since}).`,
  });
}

/** Neither rule holds any more: the short windows ended the burn. */
function resolveBurn(input: DetectorInput, burn5m: number, minutes: number, burn30m: number, fastBurn: number, slowBurn: number): void {
  input.emit({
    kind: 'slo_burn',
    level: 'resolve',
    severity: 'warning',
    observed: burn5m,
    expected: { high: fastBurn },
    unit: 'burn rate',
    magnitude: { ratio: burn5m },
    note: 'burn stopped',
    details: { burn5m, burn30m },
    explain: (e) =>
      `${e.subject} stopped burning its error budget: ${burn5m.toFixed(1)}x over the last ${minutes} min (fast rule ${fastBurn}x) and ${burn30m.toFixed(1)}x over the last 30 min (slow rule ${slowBurn}x); it burned since ${e.since}.`,
  });
}
