/**
 * The per-monitor alert state machine (pure: no I/O, no clock reads; `nowMs` is passed in).
 *
 * A monitor's state holds, per location, the run counters and the last `windowRuns` outcomes
 * (for flap detection), plus its incidents: at most one `down` incident (opened by the
 * `failures` or `locations` rule) and one per finding cause. An incident's `state` is the truth;
 * `announced` is what channels were last told. The reconcile step (reconcile.ts) turns the
 * difference into at most one event per incident and evaluation.
 *
 * One page per cause:
 * - A finding's cause is its series and kind, except on a monitor's `outcome` (1 failed / 0
 *   passed) where it is the series alone: SLO burn, failure rate and new error findings of one
 *   step at one location are one incident, whose rule names every kind that joined it
 *   (`finding:error_rate+slo_burn`). The incident is open while one of its findings is open at or
 *   above `findingSeverity`, and resolves when the last of them resolves or drops below it.
 * - An outcome finding that comes while the monitor's down incident is open is part of it
 *   (folded): it opens nothing, for as long as it lives, also after the down incident ends.
 * - A down incident that opens while an outcome finding incident of the monitor is open takes it
 *   over (same alert id, what was told carries over): the page already sent was about this failure.
 */
import type { FindingChange, AlertRule } from './types.js';
import type { AlertRules } from './config.js';
import type { MonitorResult, Severity } from '../model/index.js';
import { severityRank } from '../model/index.js';
import { createHash } from 'node:crypto';

export const STATE_VERSION = 1;

export interface LocationState {
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** `f`/`p` per run, oldest first, at most windowRuns. */
  history: string;
  lastFailed: boolean;
  lastAt: string;
  lastResultId: string;
  errorClass?: string;
  errorMessage?: string;
  artifacts?: { screenshot?: string; trace?: string };
}

/** What channels were last told (to detect worsening). */
export interface Snapshot {
  severity: Severity;
  locationCount: number;
  errorClasses: string[];
}

export interface Incident {
  alertId: string;
  key: string;
  rule: AlertRule;
  cause: string;
  severity: Severity;
  state: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  /** Locations affected now. */
  locations: string[];
  /** Locations that failed at some point of the incident (all must recover). */
  affected: string[];
  /** Error classes seen during the incident. */
  errorClasses: string[];
  explanation: string;
  announced: 'open' | 'resolved' | null;
  notified: Snapshot | null;
  /** Messages enqueued so far. */
  version: number;
  /** State changes held back while flapping. */
  flaps: number;
  /** flaps at the last message (a settle message is due when flaps grew since). */
  flapsAnnounced: number;
  lastAnnouncedAtMs: number | null;
  /** Finding incidents: the finding's numbers for messages (the latest change). */
  finding?: FindingSnapshot;
  /**
   * Finding incidents: the open findings it stands for, by kind (a series has at most one open
   * finding per kind: a new id of a kind replaces the old one, so a finding whose end was never
   * heard of cannot hold the incident open).
   */
  members?: Record<string, Member>;
  /**
   * Set when this alert opened inside an incident (src/incidents) another alert already paged for:
   * it sends nothing of its own (one page per incident); the paging alert's messages list it.
   */
  joined?: { incident: string; alertId: string };
  /** Channels told about this alert so far (routing): its resolve goes to every one of them. */
  channels?: string[];
  /** When the first page about it was queued (escalation steps count from here). */
  pagedAtMs?: number;
  /** Escalation steps fired (`stepId`), each once per alert. */
  escalated?: string[];
}

/** One finding of a finding incident. */
export interface Member {
  id: string;
  kind: string;
  severity: Severity;
  explanation: string;
}

export type FindingSnapshot = NonNullable<import('./types.js').AlertEvent['finding']>;

export interface MonitorState {
  v: typeof STATE_VERSION;
  monitor: string;
  name: string;
  tags: string[];
  locations: Record<string, LocationState>;
  flapping: boolean;
  down: Incident | null;
  findings: Record<string, Incident>;
  /** Open outcome findings folded into a down incident (finding id -> that incident's alert id): they never page. */
  folded?: Record<string, string>;
}

export function emptyState(monitor: string): MonitorState {
  return { v: STATE_VERSION, monitor, name: monitor, tags: [], locations: {}, flapping: false, down: null, findings: {} };
}

/** Read a stored state; anything of another shape or version starts fresh. */
export function parseState(monitor: string, raw: unknown): MonitorState {
  if (raw && typeof raw === 'object' && (raw as { v?: unknown }).v === STATE_VERSION && (raw as { monitor?: unknown }).monitor === monitor) {
    return raw as MonitorState;
  }
  return emptyState(monitor);
}

export { severityRank };

/** Pass/fail changes in a history string. */
export function transitions(history: string): number {
  let n = 0;
  for (let i = 1; i < history.length; i++) if (history[i] !== history[i - 1]) n++;
  return n;
}

export function alertId(key: string, origin: string): string {
  return 'al_' + createHash('sha256').update(`${key}\u0000${origin}`).digest('hex').slice(0, 20);
}

export const DOWN_CAUSE = 'failing';

function newIncident(fields: Pick<Incident, 'alertId' | 'key' | 'rule' | 'cause' | 'severity' | 'openedAt' | 'locations' | 'errorClasses' | 'explanation'>): Incident {
  return {
    ...fields,
    state: 'open',
    resolvedAt: null,
    affected: [...fields.locations],
    announced: null,
    notified: null,
    version: 0,
    flaps: 0,
    flapsAnnounced: 0,
    lastAnnouncedAtMs: null,
  };
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/** The incident moves between open and resolved; while flapping every move is a held-back flap. */
function move(inc: Incident, to: 'open' | 'resolved', at: string, flapping: boolean): void {
  if (inc.state === to) return;
  inc.state = to;
  inc.resolvedAt = to === 'resolved' ? at : null;
  if (flapping) inc.flaps++;
}

function downExplanation(state: MonitorState, failing: string[]): string {
  return failing
    .map((loc) => {
      const l = state.locations[loc];
      const what = l.errorClass ? `${l.errorClass}: ${l.errorMessage ?? ''}`.trim() : 'failed';
      return `${loc}: ${what} (${l.consecutiveFailures} failed in a row)`;
    })
    .join('; ');
}

/**
 * Apply one result (in startedAt order) to the monitor's state: counters, flap window and the
 * down incident. `at` is the evaluation instant used for openedAt/resolvedAt.
 */
export function applyResult(state: MonitorState, r: MonitorResult, rules: AlertRules, at: string): void {
  state.name = r.name || state.name;
  state.tags = [...r.tags];
  const failed = r.status === 'failed';
  const loc = (state.locations[r.location] ??= {
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    history: '',
    lastFailed: false,
    lastAt: r.startedAt,
    lastResultId: r.id,
  });
  if (loc.lastResultId === r.id && loc.history.length) return; // the same result twice: once is enough
  loc.consecutiveFailures = failed ? loc.consecutiveFailures + 1 : 0;
  loc.consecutiveSuccesses = failed ? 0 : loc.consecutiveSuccesses + 1;
  loc.history = (loc.history + (failed ? 'f' : 'p')).slice(-rules.flapping.windowRuns);
  loc.lastFailed = failed;
  loc.lastAt = r.startedAt;
  loc.lastResultId = r.id;
  if (failed && r.error) {
    loc.errorClass = r.error.class;
    loc.errorMessage = r.error.message;
  } else if (!failed) {
    delete loc.errorClass;
    delete loc.errorMessage;
  }
  if (r.artifacts && (r.artifacts.screenshot || r.artifacts.trace)) loc.artifacts = { ...r.artifacts };
  else delete loc.artifacts;

  // Forget locations that stopped reporting, so a retired location cannot hold an incident open.
  const nowAt = Date.parse(r.startedAt);
  for (const [name, l] of Object.entries(state.locations)) {
    if (nowAt - Date.parse(l.lastAt) > rules.staleLocationMs) delete state.locations[name];
  }

  state.flapping = Object.values(state.locations).some((l) => transitions(l.history) >= rules.flapping.maxTransitions);

  const names = Object.keys(state.locations).sort();
  const failing = names.filter((n) => state.locations[n].lastFailed);
  const classes = failing.map((n) => state.locations[n].errorClass).filter((c): c is string => !!c);
  const streak = failing.some((n) => state.locations[n].consecutiveFailures >= rules.failureThreshold);
  const spread = rules.minLocations !== undefined && failing.length >= rules.minLocations;
  const rule: AlertRule | null = streak ? 'failures' : spread ? 'locations' : null;

  let inc = state.down;
  if (!inc) {
    if (!rule) return;
    const taken = takeOverOutcomeIncident(state);
    inc = state.down = newIncident({
      alertId: alertId(`${state.monitor}|${DOWN_CAUSE}`, r.id),
      key: `${state.monitor}|${DOWN_CAUSE}`,
      rule,
      cause: DOWN_CAUSE,
      severity: 'critical',
      openedAt: at,
      locations: failing,
      errorClasses: union([], classes),
      explanation: downExplanation(state, failing),
    });
    if (taken) continueIncident(inc, taken, state);
    if (state.flapping) inc.flaps++;
    return;
  }
  inc.locations = failing;
  inc.affected = union(inc.affected.filter((n) => n in state.locations), failing);
  inc.errorClasses = union(inc.errorClasses, classes);
  if (failing.length) inc.explanation = downExplanation(state, failing);
  const healthy = failing.length === 0 && inc.affected.every((n) => (state.locations[n]?.consecutiveSuccesses ?? rules.successThreshold) >= rules.successThreshold);
  if (inc.state === 'open' && healthy) {
    const was = inc.explanation.replace(/ \(\d+ failed in a row\)/g, '');
    inc.explanation = `passing again at ${inc.affected.join(', ') || 'every location'} (${rules.successThreshold} run${rules.successThreshold === 1 ? '' : 's'} in a row); it was ${was}`;
    move(inc, 'resolved', at, state.flapping);
  } else if (inc.state === 'resolved' && rule) {
    // Only reachable while the incident is kept open across a flapping episode.
    inc.affected = failing;
    move(inc, 'open', at, state.flapping);
  }
}

export function findingCause(change: FindingChange): string {
  const s = change.finding.series;
  // A monitor's outcome: SLO burn, failure rate and new error are views of one cause.
  if (s.metric === 'outcome') return `finding:outcome:${s.step}:${s.location}`;
  return `finding:${change.finding.kind}:${s.step}:${s.metric}:${s.location}`;
}

const isOutcomeCause = (cause: string) => cause.startsWith('finding:outcome:');

/** Folded findings kept at most (oldest dropped first): a finding whose end is never heard of cannot grow the state forever. */
const MAX_FOLDED = 64;

function fold(state: MonitorState, findingId: string, alert: string): void {
  const folded = (state.folded ??= {});
  folded[findingId] = alert;
  const ids = Object.keys(folded);
  for (let i = 0; i < ids.length - MAX_FOLDED; i++) delete folded[ids[i]];
}

/** `finding:error_rate+slo_burn`: every kind that joined the incident, in a stable order. */
function findingRule(kinds: Iterable<string>): AlertRule {
  return `finding:${[...new Set(kinds)].sort().join('+')}`;
}

export function kindsOf(rule: string): string[] {
  return rule.startsWith('finding:') ? rule.slice('finding:'.length).split('+') : [];
}

/** An open outcome finding incident of the monitor (the down incident is about to open). */
function takeOverOutcomeIncident(state: MonitorState): Incident | undefined {
  for (const [cause, inc] of Object.entries(state.findings)) {
    if (!isOutcomeCause(cause) || inc.state !== 'open') continue;
    delete state.findings[cause];
    return inc;
  }
  return undefined;
}

/** The new down incident continues `taken`: same alert, what was told, its findings folded into it. */
function continueIncident(inc: Incident, taken: Incident, state: MonitorState): void {
  inc.alertId = taken.alertId;
  inc.openedAt = taken.openedAt;
  inc.announced = taken.announced;
  inc.version = taken.version;
  inc.lastAnnouncedAtMs = taken.lastAnnouncedAtMs;
  inc.flaps = taken.flaps;
  inc.flapsAnnounced = taken.flapsAnnounced;
  if (taken.channels) inc.channels = [...taken.channels];
  if (taken.pagedAtMs !== undefined) inc.pagedAtMs = taken.pagedAtMs;
  if (taken.escalated) inc.escalated = [...taken.escalated];
  // Told about this failure already: the down incident is not news unless it is worse than that.
  if (taken.notified) inc.notified = { ...taken.notified, severity: severityRank(taken.notified.severity) >= severityRank(inc.severity) ? taken.notified.severity : inc.severity, errorClasses: union(taken.notified.errorClasses, inc.errorClasses) };
  for (const m of Object.values(taken.members ?? {})) fold(state, m.id, inc.alertId);
}

function worst(members: Record<string, Member>): Severity | null {
  let out: Severity | null = null;
  for (const m of Object.values(members)) if (out === null || severityRank(m.severity) > severityRank(out)) out = m.severity;
  return out;
}

/** Apply one finding change to the monitor's finding incidents. */
export function applyFindingChange(state: MonitorState, change: FindingChange, rules: AlertRules, at: string): void {
  const f = change.finding;
  const resolved = change.type === 'resolved' || f.status === 'resolved';
  // Part of a down incident (see the top of this file): for as long as the finding lives.
  if (state.folded?.[f.id] !== undefined) {
    if (resolved) delete state.folded[f.id];
    return;
  }
  const cause = findingCause(change);
  const key = `${state.monitor}|${cause}`;
  const locations = f.locations?.length ? [...f.locations].sort() : [f.series.location];
  const snapshot: FindingSnapshot = { id: f.id, kind: f.kind, observed: f.observed, expected: f.expected, unit: f.unit, magnitude: f.magnitude, series: f.series };
  const atOrAbove = (s: Severity) => severityRank(s) >= severityRank(rules.findingSeverity);
  let inc = state.findings[cause];
  if (!inc) {
    if (resolved || !atOrAbove(f.severity)) return;
    // A finding on the monitor's outcome while its failure alert is open is the same incident
    // seen by the anomaly core: one page, not two.
    if (f.series.metric === 'outcome' && state.down?.state === 'open') {
      fold(state, f.id, state.down.alertId);
      return;
    }
    inc = state.findings[cause] = newIncident({
      alertId: alertId(key, `${f.id}\u0000${f.startedAt}`),
      key,
      rule: findingRule([f.kind]),
      cause,
      severity: f.severity,
      openedAt: at,
      locations,
      errorClasses: [],
      explanation: f.explanation,
    });
    inc.finding = snapshot;
    inc.members = { [f.kind]: { id: f.id, kind: f.kind, severity: f.severity, explanation: f.explanation } };
    if (state.flapping) inc.flaps++;
    return;
  }
  // Incidents saved before members were kept stand for their one finding.
  const members = (inc.members ??= inc.finding ? { [inc.finding.kind]: { id: inc.finding.id, kind: inc.finding.kind, severity: inc.severity, explanation: inc.explanation } } : {});
  if (!resolved) members[f.kind] = { id: f.id, kind: f.kind, severity: f.severity, explanation: f.explanation };
  else if (members[f.kind]?.id === f.id) delete members[f.kind];
  else return; // the end of a finding this incident no longer stands for
  inc.rule = findingRule([...kindsOf(inc.rule), f.kind]);
  inc.finding = snapshot;
  inc.locations = locations;
  const open = Object.values(members);
  const top = worst(members);
  if (top !== null && atOrAbove(top)) {
    inc.severity = top;
    inc.affected = union(inc.affected, locations);
    inc.explanation = open.map((m) => m.explanation).join(' ');
    if (inc.state === 'resolved') move(inc, 'open', at, state.flapping);
    return;
  }
  // The last finding at or above findingSeverity is over (resolved, or it dropped below).
  inc.explanation = top === null ? f.explanation : `${open.map((m) => m.explanation).join(' ')} (below ${rules.findingSeverity} now)`;
  move(inc, 'resolved', f.resolvedAt ?? at, state.flapping);
}
