/**
 * Incidents, not a pile of findings (issue 17, items 1-3). Pure: results, findings, deploy markers
 * in; incidents with their evidence, timeline and scored candidate causes out.
 *
 * 1. Every monitor (per location) whose latest results are bad (a failed result, or an open finding)
 *    gets a first-bad instant: the start of its current bad streak.
 * 2. Bad monitors whose first-bad instants fall within one run interval of each other form one
 *    incident. Its evidence says what they share: the same error signature, the same slowest
 *    endpoint, only one location, every monitor of a runner at once, a saturated runner.
 * 3. Candidate causes: deploy markers, changes of a monitor's own configuration (the hash kept on
 *    each result) and golden-signal findings (traffic, saturation) before the first bad run. Each is
 *    scored by timing (how close before the first bad run, against the run interval) times scope
 *    (does the change cover exactly the affected monitors and locations). The best at or above
 *    `probableScore` is "probable"; with none, "no change explains this" is said plainly.
 */
import type { DeployMarker, Finding, MonitorResult } from '../model/index.js';

export interface IncidentOptions {
  /** Typical time between runs of a monitor (default: the median gap measured in the results, else 5 min). */
  runIntervalMs?: number;
  /** Score at or above which the best candidate cause is named probable (default 0.5). */
  probableScore: number;
  /** How far before the first bad run a change can be a cause (default 24 h). */
  lookbackMs: number;
}

export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = { probableScore: 0.5, lookbackMs: 86_400_000 };

export interface Evidence {
  kind: 'error_signature' | 'endpoint' | 'location_only' | 'runner_wide' | 'runner_saturated' | 'same_start';
  /** One sentence a person can check. */
  text: string;
}

export interface CandidateCause {
  kind: 'deploy' | 'config_change' | 'golden_signal';
  /** Deploy version or id, monitor id whose config changed, or the finding id. */
  ref: string;
  at: string;
  /** timing x scope, in [0, 1]. */
  score: number;
  timing: number;
  scope: number;
  evidence: string;
}

export interface TimelineEntry {
  at: string;
  text: string;
}

export interface Incident {
  id: string;
  status: 'open' | 'resolved';
  startedAt: string;
  lastBadAt: string;
  monitors: string[];
  steps: string[];
  locations: string[];
  evidence: Evidence[];
  timeline: TimelineEntry[];
  causes: CandidateCause[];
  /** The cause at or above the bar, or null: "no change explains this". */
  probable: CandidateCause | null;
  /** What to do, following from the evidence. */
  hints: string[];
  findings: string[];
}

interface BadSeries {
  monitor: string;
  location: string;
  firstBadMs: number;
  lastBadMs: number;
  open: boolean;
  bad: MonitorResult[];
  findings: Finding[];
}

const CLOCK_SKEW_MS = 5_000;
const TARGET_ERRORS = new Set(['http_status', 'invalid_json', 'schema', 'assertion', 'body_too_large']);
const GOLDEN_METRICS = /traffic|saturation|rps|cpu|queue/i;

export function errorSignature(r: MonitorResult): string | undefined {
  const e = r.error;
  if (!e) return undefined;
  // Numbers, ids and quoted values vary between runs; the shape of the message does not.
  return `${e.class}: ${e.message.replace(/\d+(\.\d+)?/g, 'N').replace(/"[^"]*"/g, '"…"').slice(0, 120)}`;
}

function endpointOf(r: MonitorResult): string | undefined {
  for (const s of r.steps) {
    const url = s.network?.slowestUrl;
    if (url) {
      try {
        const u = new URL(url);
        return `${u.host}${u.pathname}`;
      } catch {
        return url;
      }
    }
  }
  return undefined;
}

function medianGapMs(results: readonly MonitorResult[]): number | undefined {
  const byMonitor = new Map<string, number[]>();
  for (const r of results) {
    const k = `${r.monitor}\u0000${r.location}`;
    (byMonitor.get(k) ?? byMonitor.set(k, []).get(k)!).push(Date.parse(r.startedAt));
  }
  const gaps: number[] = [];
  for (const ts of byMonitor.values()) {
    ts.sort((a, b) => a - b);
    for (let i = 1; i < ts.length; i++) gaps.push(ts[i] - ts[i - 1]);
  }
  if (!gaps.length) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Bad series from results (oldest first) and findings. */
function badSeries(results: readonly MonitorResult[], findings: readonly Finding[]): BadSeries[] {
  const byKey = new Map<string, MonitorResult[]>();
  for (const r of [...results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))) {
    const k = `${r.monitor}\u0000${r.location}`;
    (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(r);
  }
  const out: BadSeries[] = [];
  const seen = new Set<string>();
  for (const [k, rs] of byKey) {
    const [monitor, location] = k.split('\u0000');
    const fs = findings.filter((f) => f.series.monitor === monitor && (f.series.location === location || f.series.location === '*' || !f.series.location));
    // The current (or latest) bad streak: failed results at the end, or since the last finding opened.
    let i = rs.length - 1;
    while (i >= 0 && rs[i].status !== 'failed') i--;
    const lastFailed = i;
    while (i >= 0 && rs[i].status === 'failed') i--;
    const streak = lastFailed >= 0 ? rs.slice(i + 1, lastFailed + 1) : [];
    const latestFinding = fs.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0];
    if (!streak.length && !latestFinding) continue;
    const starts = [...(streak.length ? [Date.parse(streak[0].startedAt)] : []), ...(latestFinding ? [Date.parse(latestFinding.startedAt)] : [])];
    const ends = [...(streak.length ? [Date.parse(streak[streak.length - 1].startedAt)] : []), ...(latestFinding ? [Date.parse(latestFinding.updatedAt)] : [])];
    const open = (lastFailed === rs.length - 1 && lastFailed >= 0) || fs.some((f) => f.status === 'open');
    out.push({ monitor, location, firstBadMs: Math.min(...starts), lastBadMs: Math.max(...ends), open, bad: streak, findings: latestFinding ? fs.filter((f) => Date.parse(f.startedAt) >= Math.min(...starts) - 1) : [] });
    seen.add(k);
  }
  return out;
}

export function buildIncidents(
  results: readonly MonitorResult[],
  findings: readonly Finding[],
  deploys: readonly DeployMarker[],
  options: Partial<IncidentOptions> = {},
): Incident[] {
  const opts = { ...DEFAULT_INCIDENT_OPTIONS, ...options };
  const intervalMs = opts.runIntervalMs ?? medianGapMs(results) ?? 300_000;
  const series = badSeries(results, findings).sort((a, b) => a.firstBadMs - b.firstBadMs);
  // Group by first-bad instant within one run interval of the group's first.
  const groups: BadSeries[][] = [];
  for (const s of series) {
    const g = groups[groups.length - 1];
    if (g && s.firstBadMs - g[0].firstBadMs <= intervalMs) g.push(s);
    else groups.push([s]);
  }
  return groups.map((g) => incidentOf(g, results, findings, deploys, intervalMs, opts)).sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

function incidentOf(g: BadSeries[], results: readonly MonitorResult[], findings: readonly Finding[], deploys: readonly DeployMarker[], intervalMs: number, opts: IncidentOptions): Incident {
  const firstBadMs = Math.min(...g.map((s) => s.firstBadMs));
  const lastBadMs = Math.max(...g.map((s) => s.lastBadMs));
  const monitors = [...new Set(g.map((s) => s.monitor))].sort();
  const locations = [...new Set(g.map((s) => s.location))].sort();
  const steps = [...new Set(g.flatMap((s) => [...s.bad.flatMap((r) => r.steps.filter((x) => x.status === 'failed').map((x) => `${r.monitor} › ${x.name}`)), ...s.findings.filter((f) => f.series.step).map((f) => `${f.series.monitor} › ${f.series.step}`)]))].sort();
  const bad = g.flatMap((s) => s.bad);
  const evidence: Evidence[] = [];

  const signatures = new Map<string, Set<string>>();
  for (const r of bad) {
    const sig = errorSignature(r);
    if (sig) (signatures.get(sig) ?? signatures.set(sig, new Set()).get(sig)!).add(r.monitor);
  }
  for (const [sig, ms] of signatures) if (ms.size > 1) evidence.push({ kind: 'error_signature', text: `same error in ${ms.size} monitors (${[...ms].sort().join(', ')}): ${sig}` });

  const endpoints = new Map<string, Set<string>>();
  for (const r of bad.length ? bad : g.flatMap((s) => results.filter((r) => r.monitor === s.monitor && Date.parse(r.startedAt) >= s.firstBadMs))) {
    const e = endpointOf(r);
    if (e) (endpoints.get(e) ?? endpoints.set(e, new Set()).get(e)!).add(r.monitor);
  }
  for (const [e, ms] of endpoints) if (ms.size > 1) evidence.push({ kind: 'endpoint', text: `the slowest call of ${ms.size} monitors is ${e} (${[...ms].sort().join(', ')})` });

  // Location only: the same monitors elsewhere were fine over the same time.
  const allLocations = new Set(results.map((r) => r.location));
  const fineElsewhere = results.some((r) => monitors.includes(r.monitor) && !locations.includes(r.location) && Date.parse(r.startedAt) >= firstBadMs && r.status !== 'failed');
  const locationOnly = allLocations.size > 1 && locations.length === 1 && fineElsewhere;
  if (locationOnly) evidence.push({ kind: 'location_only', text: `only ${locations[0]} is affected; the same monitors elsewhere are fine` });

  // Every monitor of a runner (location) at once, trivial ones included.
  const runnerWide: string[] = [];
  for (const loc of locations) {
    const all = new Set(results.filter((r) => r.location === loc).map((r) => r.monitor));
    const hit = new Set(g.filter((s) => s.location === loc).map((s) => s.monitor));
    if (all.size >= 3 && hit.size === all.size) runnerWide.push(loc);
  }
  if (runnerWide.length) evidence.push({ kind: 'runner_wide', text: `every monitor of ${runnerWide.join(', ')} went bad at once, trivial ones included` });
  const saturated = results.filter((r) => locations.includes(r.location) && Date.parse(r.startedAt) >= firstBadMs && r.runnerHealth?.saturated);
  if (saturated.length) evidence.push({ kind: 'runner_saturated', text: `${saturated.length} result(s) measured on a saturated runner (${saturated[0].runnerHealth!.reasons[0]})` });
  if (g.length > 1) evidence.push({ kind: 'same_start', text: `${g.length} monitor(s) went bad within ${Math.round(intervalMs / 1000)} s (one run interval) of ${iso(firstBadMs)}` });

  // Errors only the target can produce: the target answered, and answered wrong.
  const targetSide = bad.some((r) => r.error && TARGET_ERRORS.has(r.error.class));

  // Candidate causes.
  const timing = (atMs: number) => {
    const lead = firstBadMs - atMs;
    // After the first bad run a change cannot be its cause (a few seconds of clock skew allowed).
    if (lead < -CLOCK_SKEW_MS || lead > opts.lookbackMs) return 0;
    // A change in the last run interval before the first bad run (or within the run it happened in) scores 1; halves every further interval.
    return lead <= intervalMs ? 1 : Math.pow(0.5, lead / intervalMs - 1);
  };
  const causes: CandidateCause[] = [];
  const environments = new Set(results.filter((r) => monitors.includes(r.monitor)).map((r) => r.environment));
  for (const d of deploys) {
    if (environments.size && !environments.has(d.environment)) continue;
    const t = timing(Date.parse(d.at));
    if (t <= 0) continue;
    // A deploy changes the app: it explains monitors going bad everywhere, not one region or a
    // saturated runner; but a runner cannot make the target answer 503 or break its schema.
    const runnerExplains = saturated.length > 0 && !targetSide;
    const scope = locationOnly ? 0.2 : runnerExplains ? 0.3 : runnerWide.length && allLocations.size > 1 ? 0.5 : 1;
    causes.push({ kind: 'deploy', ref: d.version ?? d.id, at: d.at, timing: round(t), scope, score: round(t * scope), evidence: `deploy ${d.version ?? d.id} to ${d.environment} at ${d.at}, ${describeLead(firstBadMs - Date.parse(d.at))} the first bad run` });
  }
  const changed = configChanges(results, monitors, firstBadMs, opts.lookbackMs, intervalMs);
  for (const c of changed) {
    const t = timing(c.atMs);
    if (t <= 0) continue;
    const affectedShare = changed.length / monitors.length;
    const scope = affectedShare;
    causes.push({ kind: 'config_change', ref: c.monitor, at: iso(c.atMs), timing: round(t), scope: round(scope), score: round(t * scope), evidence: `the configuration of ${c.monitor} changed (hash ${c.from} → ${c.to}) ${describeLead(firstBadMs - c.atMs)} the first bad run` });
  }
  for (const f of findings) {
    if (!GOLDEN_METRICS.test(f.series.metric)) continue;
    const t = timing(Date.parse(f.startedAt));
    if (t <= 0) continue;
    causes.push({ kind: 'golden_signal', ref: f.id, at: f.startedAt, timing: round(t), scope: 0.8, score: round(t * 0.8), evidence: `${f.series.metric} of ${f.series.monitor}: ${f.explanation}` });
  }
  causes.sort((a, b) => b.score - a.score || Date.parse(b.at) - Date.parse(a.at));
  const probable = causes[0] && causes[0].score >= opts.probableScore ? causes[0] : null;

  const hints: string[] = [];
  if (probable?.kind === 'deploy') hints.push(`roll back deploy ${probable.ref} (or check what it changed in ${monitors.join(', ')})`);
  if (probable?.kind === 'config_change') hints.push(`review the configuration change of ${probable.ref}: the monitor changed, maybe not the site`);
  if (locationOnly) hints.push(`the region, not the app: check the network path from ${locations[0]}`);
  if ((saturated.length && !targetSide) || (runnerWide.length && !targetSide)) hints.push('the runner is saturated or down, not the site: check the runner node');
  if (!probable) hints.push('no change explains this: look at the error signature and the endpoints above');

  const timeline: TimelineEntry[] = [];
  for (const c of causes) timeline.push({ at: c.at, text: `${c.kind.replace('_', ' ')}: ${c.ref}` });
  for (const s of g) timeline.push({ at: iso(s.firstBadMs), text: `${s.monitor} (${s.location}) first bad run${s.bad[0]?.error ? `: ${s.bad[0].error.class}` : ''}` });
  for (const f of g.flatMap((s) => s.findings)) timeline.push({ at: f.startedAt, text: `finding opened: ${f.kind} ${f.series.monitor}${f.series.step ? ` › ${f.series.step}` : ''} ${f.series.metric}` });
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  return {
    id: `inc-${firstBadMs.toString(36)}-${monitors[0]}`,
    status: g.some((s) => s.open) ? 'open' : 'resolved',
    startedAt: iso(firstBadMs),
    lastBadAt: iso(lastBadMs),
    monitors,
    steps,
    locations,
    evidence,
    timeline,
    causes,
    probable,
    hints,
    findings: [...new Set(g.flatMap((s) => s.findings.map((f) => f.id)))],
  };
}

function configChanges(results: readonly MonitorResult[], monitors: string[], firstBadMs: number, lookbackMs: number, intervalMs: number): Array<{ monitor: string; atMs: number; from: string; to: string }> {
  const out: Array<{ monitor: string; atMs: number; from: string; to: string }> = [];
  for (const m of monitors) {
    const rs = results.filter((r) => r.monitor === m && r.configHash && Date.parse(r.startedAt) <= firstBadMs + intervalMs).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    for (let i = rs.length - 1; i > 0; i--) {
      if (rs[i].configHash !== rs[i - 1].configHash) {
        const atMs = Date.parse(rs[i].startedAt);
        if (firstBadMs - atMs <= lookbackMs) out.push({ monitor: m, atMs, from: rs[i - 1].configHash!.slice(0, 8), to: rs[i].configHash!.slice(0, 8) });
        break;
      }
    }
  }
  return out;
}

function describeLead(ms: number): string {
  const abs = Math.abs(ms);
  const text = abs < 120_000 ? `${Math.round(abs / 1000)} s` : abs < 7_200_000 ? `${Math.round(abs / 60_000)} min` : `${(abs / 3_600_000).toFixed(1)} h`;
  return ms >= 0 ? `${text} before` : `${text} after`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
