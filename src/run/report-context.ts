/** Reads what report writers need from the store: the window's history, findings and deploy markers. */
import { parseDurationMs, type Finding, type MonitorResult } from '../model/index.js';
import type { ReportContext } from '../reporters/reporter.js';
import type { ReporterOptions } from '../reporters/options.js';
import type { ResolvedDashboardConfig } from '../config/types.js';
import type { Store } from '../store/store.js';
import { isoAt } from '../runtime/clock.js';
import { crossLocationSummary } from '../anomaly/index.js';

/** `24h`, `90m`, `7d`, `30s` → milliseconds; undefined when malformed. */
export const parseWindow = parseDurationMs;

export async function buildReportContext(
  store: Store,
  opts: { outDir: string; window: string; nowMs: number; current?: MonitorResult[]; environment?: string },
): Promise<ReportContext> {
  const windowMs = parseWindow(opts.window) ?? 86_400_000;
  const since = isoAt(opts.nowMs - windowMs);
  const [history, open, recent, deploys] = await Promise.all([
    store.listResults({ since, ...(opts.environment ? { environment: opts.environment } : {}) }),
    store.listFindings({ status: 'open' }),
    store.listFindings({ since }),
    store.listDeployMarkers({ since, ...(opts.environment ? { environment: opts.environment } : {}) }),
  ]);
  // The current run's results are in the store already unless a write failed: merge by id.
  const byId = new Map<string, MonitorResult>();
  for (const r of history) byId.set(r.id, r);
  for (const r of opts.current ?? []) if (!byId.has(r.id)) byId.set(r.id, r);
  const findings = new Map<string, Finding>();
  for (const f of [...recent, ...open]) findings.set(f.id, f);
  const all = [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  // Fleet view: one open finding per monitor/step/metric and kind, saying which locations it affects.
  const locations = [...new Set(all.map((r) => r.location))];
  const openFleet = crossLocationSummary([...findings.values()].filter((f) => f.status === 'open'), locations);
  const resolved = [...findings.values()].filter((f) => f.status !== 'open');
  return {
    outDir: opts.outDir,
    history: all,
    findings: [...openFleet, ...resolved],
    deploys,
    window: opts.window,
    generatedAt: isoAt(opts.nowMs),
  };
}

/** The html dashboard's options from the config's `dashboard` section (only what the page shows: never its token). */
export function dashboardHtmlOptions(d: Pick<ResolvedDashboardConfig, 'title' | 'timeZone'>): NonNullable<ReporterOptions['html']> {
  return { ...(d.title !== undefined ? { title: d.title } : {}), ...(d.timeZone !== undefined ? { timeZone: d.timeZone } : {}) };
}
