/** Human formatting shared by the markdown and html boards. Pure, locale-independent (UTC). */
import type { Finding, Status } from '../model/index.js';
import type { GoldenSignal, OverallStatus, SignalStatus, Trend } from './board.js';
import { epochMs } from './stats.js';
import { formatMs } from '../model/duration.js';

/** `2026-11-25 19:27:06 UTC` (or `—`). */
export function formatInstant(iso: string | null | undefined): string {
  const t = epochMs(iso);
  if (t === null) return '—';
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** `just now`, `12 min ago`, `3 h ago`, `2 d ago` relative to `now`. */
export function formatAgo(iso: string | null | undefined, nowIso: string): string {
  const t = epochMs(iso);
  const now = epochMs(nowIso);
  if (t === null || now === null) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export { formatMs };

/** `0%`, `2.5%`, `100%`. */
export function formatPct(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  if (pct === 0 || pct === 100) return `${pct}%`;
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

export function formatRate(perMin: number | null | undefined): string {
  if (perMin === null || perMin === undefined || !Number.isFinite(perMin)) return '—';
  return `${perMin < 10 ? perMin.toFixed(2) : perMin.toFixed(1)}/min`;
}

export const TREND_ARROW: Record<Trend, string> = { up: '↑', down: '↓', flat: '→', none: '' };

export const OVERALL_EMOJI: Record<OverallStatus, string> = { healthy: '🟢', degraded: '🟡', down: '🔴' };

export const SIGNAL_LABEL: Record<SignalStatus, string> = { ok: '🟢 ok', warning: '🟡 warning', critical: '🔴 critical', unknown: '⚪ n/a' };

export const STATUS_LABEL: Record<Status, string> = { passed: '✅ passed', degraded: '⚠️ degraded', failed: '❌ failed', skipped: '⏭️ skipped' };

export const SEVERITY_LABEL: Record<Finding['severity'], string> = { critical: '🔴 critical', warning: '🟡 warning', info: '🔵 info' };


/** A golden signal's current or baseline value in its unit. */
export function formatSignalValue(s: GoldenSignal, v: number | null): string {
  switch (s.unit) {
    case 'ms':
      return formatMs(v);
    case 'ratio':
      return formatPct(v);
    case 'perMin':
      return formatRate(v);
    case 'inFlight':
      return v === null ? '—' : `${v.toFixed(2)} in flight`;
  }
}
