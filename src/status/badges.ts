/**
 * SVG badges for a monitor or a group: its state and its uptime over a window. Drawn by
 * shields.io's own `badge-maker` (its Verdana width table sizes the text the way shields.io does).
 * Every text passes the redactor first; badge-maker escapes it for XML.
 */
import { makeBadge } from 'badge-maker';
import type { MonitorState, StatusSnapshot } from './snapshot.js';
import { formatUptime, UPTIME_WINDOW_NAMES, type UptimeWindow } from './uptime.js';

export const BADGE_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';
/** Badges embedded in READMEs are fetched through caches (GitHub's camo): a minute is fresh enough. */
export const BADGE_CACHE_CONTROL = 'public, max-age=60, s-maxage=60';

const STATE_BADGE: Record<MonitorState, { message: string; color: string }> = {
  up: { message: 'up', color: 'brightgreen' },
  degraded: { message: 'degraded', color: 'yellow' },
  down: { message: 'down', color: 'red' },
  maintenance: { message: 'maintenance', color: 'blue' },
  unknown: { message: 'no data', color: 'lightgrey' },
};

/** shields.io's uptime colours (as on its Uptime Robot badges). */
export function uptimeColor(pct: number | null): string {
  if (pct === null) return 'lightgrey';
  if (pct >= 99.9) return 'brightgreen';
  if (pct >= 99) return 'green';
  if (pct >= 97) return 'yellowgreen';
  if (pct >= 95) return 'yellow';
  if (pct >= 90) return 'orange';
  return 'red';
}

export type BadgeKind = 'status' | 'uptime';

export interface BadgeAnswer {
  status: 200 | 400 | 404;
  svg: string;
}

/** The badge for `/badge/<id>/<kind>.svg[?window=30d]`: a 404 badge for an unknown id, 400 for an unknown window. */
export function badgeFor(snapshot: StatusSnapshot, id: string, kind: BadgeKind, window: string | null, redact: (s: string) => string = (s) => s): BadgeAnswer {
  const label = kind === 'status' ? 'status' : `uptime ${window ?? '30d'}`;
  if (window !== null && !UPTIME_WINDOW_NAMES.includes(window as UptimeWindow)) {
    return { status: 400, svg: makeBadge({ label: 'window', message: `use ${UPTIME_WINDOW_NAMES.join(' ')}`, color: 'lightgrey' }) };
  }
  const subject = snapshot.monitors[id] ?? snapshot.groups.find((g) => g.id === id);
  if (!subject) return { status: 404, svg: notFoundBadge() };
  if (kind === 'status') {
    const s = STATE_BADGE[subject.state];
    return { status: 200, svg: makeBadge({ label: redact(subject.name), message: s.message, color: s.color }) };
  }
  const pct = subject.uptime[(window ?? '30d') as UptimeWindow];
  return { status: 200, svg: makeBadge({ label, message: formatUptime(pct).replace('—', 'no data'), color: uptimeColor(pct) }) };
}

export function notFoundBadge(): string {
  return makeBadge({ label: 'badge', message: 'not found', color: 'lightgrey' });
}

/** When the store cannot be read. */
export function unavailableBadge(): string {
  return makeBadge({ label: 'status', message: 'unavailable', color: 'lightgrey' });
}
