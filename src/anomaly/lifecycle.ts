/**
 * Finding lifecycle per series: one open finding per kind with a stable id, opened by an `open`
 * signal, kept and updated by `open`/`hold`, resolved by the detector (`resolve`) or after
 * `resolveAfter` consecutive evaluated points with no signal (hysteresis: detectors open at a
 * stricter threshold than the one that holds).
 *
 * A finding can be folded into another one (one failure, one cause: a journey's outcome finding
 * into the one of the step that failed, see core.ts): it lives through the same lifecycle, is saved
 * with the series, but none of its changes is reported and it is not listed as open.
 */
import { FINDING_KINDS, type Finding, type FindingKind, type SeriesKey } from '../model/findings.js';
import { fmtTime, fmtValue, isoTime } from './format.js';
import { fnvStart, fnvUpdate, hex8 } from './signature.js';
import type { DetectorSignal, FindingChange } from './types.js';

/** One bit per finding kind (for masks of open / evaluated kinds on the hot path). */
export const KIND_BIT = Object.fromEntries(FINDING_KINDS.map((k, i) => [k, 1 << i])) as Record<FindingKind, number>;

export interface OpenEntry {
  finding: Finding;
  /** Consecutive normal points since the last signal. */
  normal: number;
  startedAtMs: number;
  /** `since` text of the explanation and the UTC day it was written for (it changes with the day only). */
  since?: string;
  sinceDay?: number;
  /** Folded into the finding `id` of the series of step `step`: tracked, never reported. */
  fold?: Fold;
}

export interface Fold {
  step: string;
  id: string;
}

const DAY_MS = 86_400_000;

/** `{ ...details, ...more }` only when `more` changes something (changes already returned share the old object). */
function mergeDetails(details: Record<string, unknown> | undefined, more: Record<string, unknown>): Record<string, unknown> {
  if (details) {
    let same = true;
    for (const k in more) {
      if (details[k] !== more[k]) {
        same = false;
        break;
      }
    }
    if (same) return details;
  }
  return { ...details, ...more };
}

const KIND_LABEL: Record<FindingKind, string> = {
  sla_breach: 'SLA breach',
  slo_burn: 'SLO burn',
  spike: 'spike',
  regression: 'level shift',
  error_rate: 'failure rate',
  new_error: 'new error',
  tail_latency: 'heavy tail',
  bimodal: 'bimodal timing',
  variance_growth: 'variance growth',
  seasonality: 'seasonal pattern',
  trend: 'trend',
  anomalous_period: 'anomalous period',
};

/** `Checkout`, `Checkout / Pay`, `Checkout / Pay firstByteMs`. */
export function subjectOf(key: SeriesKey): string {
  const base = key.step === key.monitor || key.step === '' ? key.monitor : `${key.monitor} / ${key.step}`;
  return key.metric === 'durationMs' || key.metric === 'outcome' ? base : `${base} ${key.metric}`;
}

export function findingId(seriesId: string, kind: FindingKind, startedAtMs: number): string {
  // fnv1a(`${seriesId}|${kind}|${startedAtMs}`) and fnv1a(`${startedAtMs}|${kind}|${seriesId}`),
  // hashed part by part (no joined strings: a finding opens on every spike).
  const at = String(startedAtMs);
  let a = fnvUpdate(fnvStart, seriesId);
  a = fnvUpdate(a, '|');
  a = fnvUpdate(a, kind);
  a = fnvUpdate(a, '|');
  a = fnvUpdate(a, at);
  let b = fnvUpdate(fnvStart, at);
  b = fnvUpdate(b, '|');
  b = fnvUpdate(b, kind);
  b = fnvUpdate(b, '|');
  b = fnvUpdate(b, seriesId);
  return `${kind}:${hex8(a)}${hex8(b)}`;
}

export class Lifecycle {
  /** Open findings by kind (few per series). */
  readonly open = new Map<FindingKind, OpenEntry>();
  /** KIND_BIT of every kind in `open`. */
  mask = 0;
  /** KIND_BIT of the folded kinds in `open`. */
  foldMask = 0;

  constructor(
    readonly seriesId: string,
    readonly key: SeriesKey,
  ) {}

  /** `Checkout / Pay firstByteMs` (built when a finding changes, not kept per series). */
  get subject(): string {
    return subjectOf(this.key);
  }

  /** Apply a signal; `fold`: a finding it opens is folded into that one (see `Fold`). */
  apply(signal: DetectorSignal, atMs: number, out: FindingChange[], fold?: Fold): void {
    const entry = this.open.get(signal.kind);
    if (signal.level === 'resolve') {
      if (!entry) return;
      this.close(signal.kind);
      const f = this.update(entry, signal, atMs, false);
      f.status = 'resolved';
      f.resolvedAt = isoTime(atMs);
      if (signal.note) f.details = { ...f.details, resolution: signal.note };
      if (!entry.fold) out.push({ type: 'resolved', finding: { ...f } });
      return;
    }
    if (entry) {
      entry.normal = 0;
      this.update(entry, signal, atMs, true);
      if (!entry.fold) out.push({ type: 'updated', finding: { ...entry.finding } });
      return;
    }
    if (signal.level !== 'open') return;
    const startedAtMs = signal.startedAt ?? atMs;
    const iso = isoTime(startedAtMs);
    const details = fold ? { ...signal.details, foldedInto: fold.id, cause: fold.step } : signal.details;
    const finding: Finding = {
      id: findingId(this.seriesId, signal.kind, startedAtMs),
      kind: signal.kind,
      severity: signal.severity,
      status: 'open',
      series: { ...this.key },
      observed: signal.observed,
      expected: signal.expected,
      unit: signal.unit,
      magnitude: signal.magnitude,
      startedAt: iso,
      updatedAt: isoTime(atMs),
      resolvedAt: null,
      count: 1,
      explanation: signal.explain({ subject: this.subject, count: 1, since: fmtTime(startedAtMs, atMs) }),
      ...(details ? { details } : {}),
    };
    this.open.set(signal.kind, { finding, normal: 0, startedAtMs, ...(fold ? { fold } : {}) });
    this.mask |= KIND_BIT[signal.kind];
    if (fold) this.foldMask |= KIND_BIT[signal.kind];
    else out.push({ type: 'opened', finding: { ...finding } });
  }

  /** A folded finding whose cause is over while it goes on: from now on it is reported, as opened. */
  unfold(kind: FindingKind, out: FindingChange[]): void {
    const entry = this.open.get(kind);
    if (!entry?.fold) return;
    delete entry.fold;
    this.foldMask &= ~KIND_BIT[kind];
    const { foldedInto, ...details } = entry.finding.details ?? {};
    entry.finding.details = { ...details, unfoldedFrom: foldedInto };
    out.push({ type: 'opened', finding: { ...entry.finding } });
  }

  /** A point where `kind` was evaluated with no signal. */
  normalPoint(kind: FindingKind, value: number, unit: string, atMs: number, resolveAfter: number, out: FindingChange[]): void {
    const entry = this.open.get(kind);
    if (!entry) return;
    entry.normal++;
    if (entry.normal < resolveAfter) return;
    this.close(kind);
    const f = entry.finding;
    f.status = 'resolved';
    f.resolvedAt = isoTime(atMs);
    f.updatedAt = f.resolvedAt;
    f.explanation = `${this.subject} ${KIND_LABEL[kind]} resolved at ${fmtTime(atMs, atMs)} after ${entry.normal} normal points (last ${fmtValue(value, unit)}); it started ${fmtTime(entry.startedAtMs, atMs)} and counted ${f.count} anomalous point${f.count === 1 ? '' : 's'}.`;
    f.details = { ...f.details, resolution: 'back to normal' };
    if (!entry.fold) out.push({ type: 'resolved', finding: { ...f } });
  }

  private close(kind: FindingKind): void {
    this.open.delete(kind);
    this.mask &= ~KIND_BIT[kind];
    this.foldMask &= ~KIND_BIT[kind];
  }

  private update(entry: OpenEntry, signal: DetectorSignal, atMs: number, counts: boolean): Finding {
    const f = entry.finding;
    if (counts) f.count++;
    f.severity = signal.level === 'resolve' ? f.severity : signal.severity;
    f.observed = signal.observed;
    if (signal.level !== 'resolve') {
      f.expected = signal.expected;
      f.magnitude = signal.magnitude;
    }
    f.updatedAt = isoTime(atMs);
    const day = Math.floor(atMs / DAY_MS);
    if (entry.sinceDay !== day || entry.since === undefined) {
      entry.since = fmtTime(entry.startedAtMs, atMs);
      entry.sinceDay = day;
    }
    f.explanation = signal.explain({ subject: this.subject, count: f.count, since: entry.since });
    if (signal.details) f.details = mergeDetails(f.details, signal.details);
    return f;
  }

  toJSON(): { f: Finding; normal: number; at: number; fold?: Fold }[] {
    return [...this.open.values()].map((e) => ({ f: e.finding, normal: e.normal, at: e.startedAtMs, ...(e.fold ? { fold: e.fold } : {}) }));
  }

  load(raw: unknown): void {
    if (!Array.isArray(raw)) return;
    for (const r of raw as { f?: Finding; normal?: number; at?: number; fold?: Fold }[]) {
      if (!r || !r.f || typeof r.f.kind !== 'string' || r.f.status !== 'open') continue;
      if (!(r.f.kind in KIND_BIT)) continue;
      const fold = r.fold && typeof r.fold.step === 'string' && typeof r.fold.id === 'string' ? { step: r.fold.step, id: r.fold.id } : undefined;
      this.open.set(r.f.kind, { finding: r.f, normal: r.normal ?? 0, startedAtMs: r.at ?? Date.parse(r.f.startedAt), ...(fold ? { fold } : {}) });
      this.mask |= KIND_BIT[r.f.kind];
      if (fold) this.foldMask |= KIND_BIT[r.f.kind];
    }
  }
}
