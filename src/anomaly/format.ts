/** Number and time formatting for the one-sentence explanations. */

/** `570 ms`, `1.84 s`, `2.5 min` for ms; 3 significant digits otherwise. */
export function fmtValue(x: number, unit: string): string {
  if (!Number.isFinite(x)) return String(x);
  if (unit === 'ms') {
    const a = Math.abs(x);
    if (a >= 120_000) return `${sig(x / 60_000)} min`;
    if (a >= 1000) return `${sig(x / 1000)} s`;
    return `${a >= 100 ? Math.round(x) : sig(x)} ms`;
  }
  if (unit === 'ratio') return `${sig(x * 100)}%`;
  return sig(x);
}

export function sig(x: number, digits = 3): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 10 ** digits) return String(Math.round(x));
  return String(Number(x.toPrecision(digits)));
}

/** `3.2x` */
export function fmtRatio(r: number): string {
  return `${r < 10 ? r.toFixed(1) : sig(r, 2)}x`;
}

/** `+35%` / `-12%` */
export function fmtPct(p: number): string {
  return `${p >= 0 ? '+' : ''}${sig(p, 2)}%`;
}

const DAY_MS = 86_400_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * `Date.prototype.toISOString` without a Date: finding timestamps are written on every update
 * of an open finding, and V8's Date formatting costs microseconds a call. Days to civil date by
 * Howard Hinnant's algorithm; years outside 0-9999 (ISO's expanded form) go through Date.
 */
export function isoTime(time: number): string {
  const ms = Math.trunc(time); // as Date's TimeClip
  const days = Math.floor(ms / DAY_MS);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (!(y >= 0 && y <= 9999)) return new Date(time).toISOString();
  let rest = ms - days * DAY_MS;
  const hh = Math.floor(rest / 3_600_000);
  rest -= hh * 3_600_000;
  const mm = Math.floor(rest / 60_000);
  rest -= mm * 60_000;
  const ss = Math.floor(rest / 1000);
  const milli = Math.floor(rest - ss * 1000);
  const year = y < 1000 ? String(y).padStart(4, '0') : String(y);
  return `${year}-${pad2(m)}-${pad2(d)}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** `14:15 UTC`, or `2026-11-24 14:15 UTC` when not on the day of `now`. */
export function fmtTime(atMs: number, nowMs: number): string {
  const at = Math.trunc(atMs);
  const day = Math.floor(at / DAY_MS);
  const minute = Math.floor((at - day * DAY_MS) / 60_000);
  const hm = `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)} UTC`;
  return day === Math.floor(Math.trunc(nowMs) / DAY_MS) ? hm : `${isoTime(at).slice(0, 10)} ${hm}`;
}

/** `12 runs` / `1 run` */
export function fmtRuns(n: number): string {
  return `${n} run${n === 1 ? '' : 's'}`;
}
