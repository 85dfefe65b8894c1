/**
 * Alert quality from the stored AlertRecords (pure): per rule and per monitor the number of
 * alerts, flaps, mean time to resolve and false-positive rate (from acks), plus recommendations
 * where a rule or monitor is noisy.
 */
import type { AlertRecord } from '../store/store.js';

export interface AlertStatsRow {
  /** Rule (`failures`, `locations`, `finding:<kind>` or `finding:<kind>+<kind>` for one cause seen by several) or monitor id. */
  name: string;
  alerts: number;
  open: number;
  resolved: number;
  /** State changes held back while flapping, summed. */
  flaps: number;
  /** Mean of resolvedAt - openedAt over resolved alerts; null when none resolved. */
  meanTimeToResolveMs: number | null;
  acked: number;
  falsePositives: number;
  /** falsePositives / acked; null when nothing was acked. */
  falsePositiveRate: number | null;
}

export interface Recommendation {
  scope: 'rule' | 'monitor';
  name: string;
  /** What the numbers say, e.g. `3 of 4 acked alerts were false positives (75%)`. */
  reason: string;
  /** What to change in observer.config.ts. */
  advice: string;
}

export interface AlertStats {
  total: number;
  byRule: AlertStatsRow[];
  byMonitor: AlertStatsRow[];
  recommendations: Recommendation[];
}

/** Above this false-positive rate a rule or monitor is noisy. */
export const NOISY_FALSE_POSITIVE_RATE = 0.2;
/** Acks needed before the false-positive rate is trusted. */
export const MIN_ACKS = 3;
/** Flaps per alert from which flap control deserves tuning (with at least MIN_FLAPS flaps). */
export const NOISY_FLAPS_PER_ALERT = 1;
export const MIN_FLAPS = 3;

function row(name: string, alerts: AlertRecord[]): AlertStatsRow {
  const resolved = alerts.filter((a) => a.status === 'resolved' && a.resolvedAt);
  const durations = resolved.map((a) => Date.parse(a.resolvedAt!) - Date.parse(a.openedAt)).filter((d) => Number.isFinite(d) && d >= 0);
  const acked = alerts.filter((a) => a.ack);
  const falsePositives = acked.filter((a) => a.ack!.verdict === 'false_positive').length;
  return {
    name,
    alerts: alerts.length,
    open: alerts.filter((a) => a.status === 'open').length,
    resolved: resolved.length,
    flaps: alerts.reduce((n, a) => n + (a.flaps || 0), 0),
    meanTimeToResolveMs: durations.length ? durations.reduce((s, d) => s + d, 0) / durations.length : null,
    acked: acked.length,
    falsePositives,
    falsePositiveRate: acked.length ? falsePositives / acked.length : null,
  };
}

function group(alerts: AlertRecord[], by: (a: AlertRecord) => string): AlertStatsRow[] {
  const groups = new Map<string, AlertRecord[]>();
  for (const a of alerts) {
    const k = by(a);
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  return [...groups].map(([k, list]) => row(k, list)).sort((a, b) => b.alerts - a.alerts || a.name.localeCompare(b.name));
}

/** The thresholds an alert was opened under (recorded in its details by the manager). */
function rulesOf(alerts: AlertRecord[]): Record<string, unknown> {
  const last = [...alerts].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
  const rules = last?.details?.rules;
  return rules && typeof rules === 'object' ? (rules as Record<string, unknown>) : {};
}

function pct(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function falsePositiveAdvice(rule: string, rules: Record<string, unknown>): string {
  const ft = typeof rules.failureThreshold === 'number' ? rules.failureThreshold : undefined;
  const ml = typeof rules.minLocations === 'number' ? rules.minLocations : undefined;
  if (rule === 'failures') {
    return `raise rules.failureThreshold${ft ? ` from ${ft} to ${ft + 1}` : ''} (require more failures in a row), or set rules.minLocations so one location alone does not page`;
  }
  if (rule === 'locations') return `raise rules.minLocations${ml ? ` from ${ml} to ${ml + 1}` : ''}, or require more failures with rules.failureThreshold`;
  if (rule.startsWith('finding:')) {
    return rules.findingSeverity === 'warning'
      ? 'set rules.findingSeverity to critical so only critical findings alert, or tune the detector in the anomaly config'
      : `tune the ${rule.slice('finding:'.length).split('+').join(' and ')} detector${rule.includes('+') ? 's' : ''} in the anomaly config (wider baseline or higher sensitivity threshold)`;
  }
  return 'raise the rule thresholds';
}

function flapAdvice(rules: Record<string, unknown>): string {
  const st = typeof rules.successThreshold === 'number' ? rules.successThreshold : undefined;
  const flapping = (rules.flapping ?? {}) as { windowRuns?: number };
  return `increase rules.successThreshold${st ? ` from ${st} to ${st + 1}` : ''} and rules.flapping.windowRuns${flapping.windowRuns ? ` from ${flapping.windowRuns} to ${flapping.windowRuns * 2}` : ''} so a recovery must hold before it is announced`;
}

export function computeAlertStats(alerts: AlertRecord[]): AlertStats {
  const byRule = group(alerts, (a) => a.rule);
  const byMonitor = group(alerts, (a) => a.monitor);
  const recommendations: Recommendation[] = [];
  const consider = (scope: Recommendation['scope'], r: AlertStatsRow, list: AlertRecord[]) => {
    const rules = rulesOf(list);
    if (r.falsePositiveRate !== null && r.acked >= MIN_ACKS && r.falsePositiveRate > NOISY_FALSE_POSITIVE_RATE) {
      recommendations.push({
        scope,
        name: r.name,
        reason: `${r.falsePositives} of ${r.acked} acked alerts were false positives (${pct(r.falsePositiveRate)})`,
        advice: scope === 'rule' ? falsePositiveAdvice(r.name, rules) : `fix or retune the check, or mute it (alerts.mute.monitors) while it is unreliable`,
      });
    }
    if (r.flaps >= MIN_FLAPS && r.flaps / r.alerts >= NOISY_FLAPS_PER_ALERT) {
      recommendations.push({
        scope,
        name: r.name,
        reason: `${r.flaps} flaps held back over ${r.alerts} alert${r.alerts === 1 ? '' : 's'}`,
        advice: flapAdvice(rules),
      });
    }
  };
  for (const r of byRule) consider('rule', r, alerts.filter((a) => a.rule === r.name));
  for (const r of byMonitor) consider('monitor', r, alerts.filter((a) => a.monitor === r.name));
  return { total: alerts.length, byRule, byMonitor, recommendations };
}
