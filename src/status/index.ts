/** Status page, badges, uptime and SLA reports (issue 18, items 2-3). */
import type { ResolvedConfig } from '../config/types.js';
import type { Store } from '../store/store.js';
import { buildSnapshot, type StatusSnapshot } from './snapshot.js';

export { resolveStatusPage, statusPageSchema, type StatusPageInput, type ResolvedStatusPage } from './config.js';
export { buildSnapshot, type StatusSnapshot, type MonitorStatus, type GroupStatus, type MonitorState } from './snapshot.js';
export { renderStatusPage } from './page-html.js';
export { badgeFor, BADGE_CONTENT_TYPE, BADGE_CACHE_CONTROL } from './badges.js';
export { statusRoutes, type StatusRoutes, type StatusRoutesOptions } from './http.js';
export { writeStatusSite } from './site.js';
export { buildSlaReport, slaMarkdown, monthBounds, SLA_FORMATS, type SlaReport, type SlaFormat } from './sla.js';
export { UPTIME_WINDOWS, formatUptime, uptimePct, windowCounts, dailyCounts, downtimeEpisodes } from './uptime.js';

/** Display names the config knows (checks); journeys and the rest take their newest result's name. */
export function monitorNames(config: Pick<ResolvedConfig, 'checks'>): Map<string, string> {
  return new Map(config.checks.map((c) => [c.id, c.name]));
}

/** The configured status page's snapshot now, or null when the config has no `statusPage`. */
export async function loadStatusSnapshot(store: Store, config: Pick<ResolvedConfig, 'checks' | 'statusPage' | 'environment'>, nowMs: number): Promise<StatusSnapshot | null> {
  if (!config.statusPage) return null;
  return buildSnapshot(store, config.statusPage, { nowMs, environment: config.environment, names: monitorNames(config) });
}
