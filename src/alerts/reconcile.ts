/**
 * Reconcile an incident with what channels were told: at most one event per incident and
 * evaluation. Pure; the caller renders and enqueues the event.
 *
 * - flapping: nothing is sent and nothing is closed (moves are counted as flaps);
 * - muted / maintenance: only the recovery of an alert already sent goes out;
 * - ok: `open` for an untold open incident, `update` when it got worse than last told (or it
 *   settled after flapping and is still failing), `reminder` when due, `resolved` when over.
 * A resolved incident is closed (dropped from the state) once reconciled outside flapping.
 */
import type { AlertRules } from './config.js';
import type { Gate } from './gate.js';
import { severityRank, type Incident, type Snapshot } from './state.js';
import type { AlertEventType } from './types.js';

export interface Reconciled {
  event: AlertEventType | null;
  /** True when the incident is over and leaves the state. */
  close: boolean;
  /** This message ends a flapping episode. */
  settled: boolean;
}

export function snapshotOf(inc: Incident): Snapshot {
  return { severity: inc.severity, locationCount: inc.locations.length, errorClasses: [...inc.errorClasses] };
}

/** Worse than last told: higher severity, more locations, or an error class not told before. */
export function isWorse(told: Snapshot, now: Snapshot): boolean {
  return (
    severityRank(now.severity) > severityRank(told.severity) ||
    now.locationCount > told.locationCount ||
    now.errorClasses.some((c) => !told.errorClasses.includes(c))
  );
}

export function reconcile(inc: Incident, gate: Gate, rules: AlertRules, nowMs: number): Reconciled {
  const none: Reconciled = { event: null, close: false, settled: false };
  if (gate.kind === 'flapping') return none;
  const settled = inc.flaps > inc.flapsAnnounced;
  if (inc.state === 'resolved') {
    if (inc.announced === 'open') {
      return { event: rules.sendOnResolved ? 'resolved' : null, close: true, settled };
    }
    // Never told: only a flapping episode that settled passing gets its one message.
    const tell = gate.kind === 'ok' && settled && rules.sendOnResolved;
    return { event: tell ? 'resolved' : null, close: true, settled: tell };
  }
  if (gate.kind !== 'ok') return none;
  if (inc.announced !== 'open') return { event: 'open', close: false, settled };
  if (settled || (inc.notified && isWorse(inc.notified, snapshotOf(inc)))) return { event: 'update', close: false, settled };
  if (rules.reminderIntervalMs !== undefined && inc.lastAnnouncedAtMs !== null && nowMs - inc.lastAnnouncedAtMs >= rules.reminderIntervalMs) {
    return { event: 'reminder', close: false, settled: false };
  }
  return none;
}

/** Record that an event about the incident was enqueued. */
export function markAnnounced(inc: Incident, event: AlertEventType, nowMs: number): void {
  inc.version++;
  inc.announced = event === 'resolved' ? 'resolved' : 'open';
  if (event !== 'reminder' && event !== 'escalation') {
    const now = snapshotOf(inc);
    const told = inc.notified;
    // Keep the worst told so far: getting better then slightly worse again is not news.
    inc.notified = told
      ? {
          severity: severityRank(now.severity) > severityRank(told.severity) ? now.severity : told.severity,
          locationCount: Math.max(now.locationCount, told.locationCount),
          errorClasses: [...new Set([...told.errorClasses, ...now.errorClasses])].sort(),
        }
      : now;
  }
  inc.flapsAnnounced = inc.flaps;
  inc.lastAnnouncedAtMs = nowMs;
}
