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

/** `14:15 UTC`, or `2026-11-24 14:15 UTC` when not on the day of `now`. */
export function fmtTime(atMs: number, nowMs: number): string {
  const iso = new Date(atMs).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10);
  return `${sameDay ? '' : iso.slice(0, 10) + ' '}${iso.slice(11, 16)} UTC`;
}

/** `12 runs` / `1 run` */
export function fmtRuns(n: number): string {
  return `${n} run${n === 1 ? '' : 's'}`;
}
