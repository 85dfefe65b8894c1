/**
 * Readings judged against their own history: the rules of the system's golden signals, in one place.
 * - traffic: against its daily/weekly profile — the same hour of the same weekday on earlier weeks
 *   (UTC), else the same hour on earlier days, else the median of recent readings; warning at 1.5x
 *   (or under 0.5x), critical at 2x (or under 0.25x), so the usual morning ramp is not an anomaly;
 * - errors: 5xx ratio warning from 1%, critical from 5%; 4xx warning from 20% and twice its median;
 * - latency: against the median of recent readings, warning at 1.5x, critical at 3x, from the
 *   fifth reading on (a ratio to one or two readings is noise);
 * - saturation: a share of capacity with the risk levels an SRE sets: 70% watch (warning), 80% high
 *   (warning), 90% critical.
 * History per signal is kept in the store (namespace `signals`), bounded.
 */
import type { SaturationRisk, SignalReading, SignalState, SignalStatus } from './types.js';
import { SIGNALS } from './types.js';


/** Readings of history before a latency signal is judged against their median. */
const LATENCY_MIN_READINGS = 5;
export const SIGNALS_STATE_NAMESPACE = 'signals';
const MAX_POINTS = 96;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** One profile slot: mean of earlier periods (EWMA of period means), their count, and the current period's sum. */
type Slot = [mean: number, periods: number, period: number, sum: number, n: number];

export interface SignalHistory {
  points: Array<[number, number]>;
  /** Traffic only: 168 hour-of-week slots and 24 hour-of-day slots (sparse). */
  week?: Record<number, Slot>;
  day?: Record<number, Slot>;
}

/** History is per source too: two sources of one service measure different things (edge logs, app metrics). */
export function readingKey(r: Pick<SignalReading, 'service' | 'route' | 'signal' | 'source'>): string {
  return `${r.service}|${r.source}|${r.route ?? '*'}|${r.signal}`;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Fold a value into a slot; returns the expected value from earlier periods (before this one is added). */
function profile(slots: Record<number, Slot>, index: number, period: number, value: number): { expected: number | null; periods: number } {
  const s = slots[index] ?? [0, 0, period, 0, 0];
  if (s[2] !== period && s[4] > 0) {
    const m = s[3] / s[4];
    s[0] = s[1] === 0 ? m : 0.7 * s[0] + 0.3 * m;
    s[1]++;
    s[3] = 0;
    s[4] = 0;
  }
  s[2] = period;
  const expected = s[1] > 0 ? s[0] : null;
  s[3] += value;
  s[4]++;
  slots[index] = s;
  return { expected, periods: s[1] };
}

export function saturationRisk(share: number): SaturationRisk {
  return share >= 0.9 ? 'critical' : share >= 0.8 ? 'high' : share >= 0.7 ? 'watch' : 'low';
}

function trendOf(v: number | null, b: number | null): SignalState['trend'] {
  if (v === null || b === null) return 'none';
  if (b === 0) return v > 0 ? 'up' : 'flat';
  const c = (v - b) / b;
  return c > 0.1 ? 'up' : c < -0.1 ? 'down' : 'flat';
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

/** Judge one reading against its history (which it then joins); pure apart from mutating `h`. */
export function judge(r: SignalReading, h: SignalHistory, nowMs: number): SignalState {
  const meta = SIGNALS[r.signal];
  const previous = h.points.map((p) => p[1]);
  let baseline: number | null = null;
  let basis = '';
  let status: SignalStatus = 'unknown';
  let note = '';
  let risk: SaturationRisk | undefined;
  const v = r.value;

  if (meta.group === 'traffic') {
    const d = new Date(nowMs);
    const hour = d.getUTCHours();
    const dayIndex = Math.floor(nowMs / 86_400_000);
    const weekIndex = Math.floor((dayIndex + 4) / 7); // weeks starting on Sunday (epoch day 0 was a Thursday)
    const hh = `${String(hour).padStart(2, '0')}:00 UTC`;
    if (v !== null) {
      const w = profile((h.week ??= {}), d.getUTCDay() * 24 + hour, weekIndex, v);
      const dd = profile((h.day ??= {}), hour, dayIndex, v);
      if (w.expected !== null) {
        baseline = w.expected;
        basis = `earlier ${DAY_NAMES[d.getUTCDay()]}s ${hh} (${w.periods} week${w.periods === 1 ? '' : 's'})`;
      } else if (dd.expected !== null) {
        baseline = dd.expected;
        basis = `earlier days ${hh} (${dd.periods} day${dd.periods === 1 ? '' : 's'})`;
      }
    }
    if (baseline === null && previous.length >= 3) {
      baseline = median(previous);
      basis = `median of ${previous.length} readings (no profile for ${hh} yet)`;
    }
    if (v !== null) {
      status = 'ok';
      if (baseline !== null && baseline > 0) {
        const ratio = v / baseline;
        status = ratio >= 2 || ratio <= 0.25 ? 'critical' : ratio >= 1.5 || ratio <= 0.5 ? 'warning' : 'ok';
        note = `${ratio.toFixed(1)}x expected`;
      }
    }
  } else {
    baseline = median(previous);
    if (baseline !== null) basis = `median of ${previous.length} reading${previous.length === 1 ? '' : 's'}`;
    if (v !== null) {
      status = 'ok';
      if (r.signal === 'errors5xx') {
        status = v >= 0.05 ? 'critical' : v >= 0.01 ? 'warning' : 'ok';
        note = `${pct(v)} of requests`;
      } else if (r.signal === 'errors4xx') {
        status = v >= 0.2 && (baseline === null || v >= 2 * baseline) ? 'warning' : 'ok';
        note = `${pct(v)} of requests`;
      } else if (meta.group === 'latency') {
        // A ratio to the median of one or two readings is noise: latency is judged from the fifth reading on.
        if (baseline !== null && baseline > 0 && previous.length < LATENCY_MIN_READINGS) {
          note = `judged from ${LATENCY_MIN_READINGS} readings (${previous.length} so far)`;
        } else if (baseline !== null && baseline > 0) {
          const ratio = v / baseline;
          status = ratio >= 3 ? 'critical' : ratio >= 1.5 ? 'warning' : 'ok';
          note = `${ratio.toFixed(1)}x usual`;
        }
      } else {
        risk = saturationRisk(v);
        status = risk === 'critical' ? 'critical' : risk === 'low' ? 'ok' : 'warning';
        note = `${pct(v)} (${risk === 'low' ? 'below 70%' : risk})`;
      }
    }
  }
  if (v === null) note = 'no data';
  if (v !== null) {
    h.points.push([nowMs, v]);
    if (h.points.length > MAX_POINTS) h.points.splice(0, h.points.length - MAX_POINTS);
  }
  return {
    ...r,
    label: meta.label,
    unit: meta.unit,
    baseline,
    basis,
    status,
    trend: trendOf(v, baseline),
    ...(risk ? { risk } : {}),
    history: h.points.slice(),
    note,
  };
}
