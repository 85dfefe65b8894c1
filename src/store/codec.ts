/**
 * Dialect-free mapping between the model and stored rows (no SQL here). Both stores keep the whole
 * object as a JSON document (what reads return, so round trips are exact) plus a few typed columns
 * to filter, sort and index on. Instants are validated here once and carried as epoch milliseconds.
 */
import type { DeployMarker, Finding, MonitorResult, RunInfo, StepResult } from '../model/index.js';
import type { Redactor } from '../runtime/redact.js';
import type { AlertRecord, DeliveryRecord } from './store.js';
import { StoreInvalidInputError } from './errors.js';

/** One top-level step, flattened for queries (`steps of monitor X named Y since T`). */
export interface StepRow {
  idx: number;
  name: string;
  status: string;
  startedAtMs: number;
  durationMs: number;
  errorClass: string | null;
}

export interface RunRow {
  id: string;
  startedAtMs: number;
  finishedAtMs: number | null;
  location: string;
  environment: string;
  shard: string | null;
  aborted: boolean;
  doc: string;
}

export interface ResultRow {
  id: string;
  runId: string;
  monitor: string;
  name: string;
  kind: string;
  status: string;
  startedAtMs: number;
  finishedAtMs: number;
  durationMs: number;
  attempts: number;
  location: string;
  environment: string;
  httpStatus: number | null;
  errorClass: string | null;
  /** The result without `steps`. */
  doc: string;
  /** The step tree (`StepResult[]`), nested children included. */
  steps: string;
  stepRows: StepRow[];
}

export interface FindingRow {
  id: string;
  kind: string;
  severity: string;
  status: string;
  monitor: string;
  step: string;
  metric: string;
  location: string;
  startedAtMs: number;
  updatedAtMs: number;
  resolvedAtMs: number | null;
  doc: string;
}

export interface DeployRow {
  id: string;
  atMs: number;
  environment: string;
  doc: string;
}

export interface AlertRow {
  id: string;
  key: string;
  monitor: string;
  status: string;
  openedAtMs: number;
  updatedAtMs: number;
  resolvedAtMs: number | null;
  doc: string;
}

export interface DeliveryRow {
  id: string;
  alertId: string;
  channel: string;
  event: string;
  createdAtMs: number;
  attempts: number;
  deliveredAtMs: number | null;
  lastError: string | null;
  doc: string;
}

/** Epoch ms of an ISO instant; throws a typed error naming the field. */
export function instantMs(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new StoreInvalidInputError(`${field}: expected an ISO 8601 instant, got ${JSON.stringify(value)}`, field);
  }
  return ms;
}

export function optionalInstantMs(value: unknown, field: string): number | null {
  return value === null || value === undefined ? null : instantMs(value, field);
}

/** A query's `since`, or undefined when absent. */
export function sinceMs(since: string | undefined, field = 'query.since'): number | undefined {
  return since === undefined ? undefined : instantMs(since, field);
}

/** A query's `limit`: a non-negative integer, or undefined when absent. */
export function checkLimit(limit: number | undefined, field = 'query.limit'): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new StoreInvalidInputError(`${field}: expected a non-negative integer, got ${String(limit)}`, field);
  }
  return limit;
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new StoreInvalidInputError(`${field}: expected a non-empty string, got ${JSON.stringify(value)}`, field);
  }
  return value;
}

/**
 * JSON text for storage. NUL characters become U+FFFD in both dialects: PostgreSQL's jsonb
 * cannot hold `\u0000`, and both stores must return the same thing.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'string' ? sanitizeText(v) : v));
}

export class RowCodec {
  constructor(private readonly redactor?: Redactor) {}

  private clean<T>(value: T): T {
    return this.redactor ? this.redactor.redactDeep(value) : value;
  }

  run(input: RunInfo, field = 'run'): RunRow {
    const run = this.clean(input);
    return {
      id: requireString(input.id, `${field}.id`),
      startedAtMs: instantMs(run.startedAt, `${field}.startedAt`),
      finishedAtMs: optionalInstantMs(run.finishedAt, `${field}.finishedAt`),
      location: String(run.location ?? ''),
      environment: String(run.environment ?? ''),
      shard: run.shard ?? null,
      aborted: run.aborted === true,
      doc: toJson({ ...run, id: input.id }),
    };
  }

  result(input: MonitorResult, field = 'result'): ResultRow {
    const r = this.clean(input);
    const steps: StepResult[] = Array.isArray(r.steps) ? r.steps : [];
    const stepRows = steps.map((s, i) => ({
      idx: i,
      name: String(s.name ?? ''),
      status: String(s.status ?? ''),
      startedAtMs: instantMs(s.startedAt, `${field}.steps[${i}].startedAt`),
      durationMs: Number(s.durationMs ?? 0),
      errorClass: s.error?.class ?? null,
    }));
    const { steps: _steps, ...rest } = r;
    return {
      id: requireString(input.id, `${field}.id`),
      runId: requireString(r.runId, `${field}.runId`),
      monitor: requireString(r.monitor, `${field}.monitor`),
      name: String(r.name ?? ''),
      kind: String(r.kind ?? ''),
      status: String(r.status ?? ''),
      startedAtMs: instantMs(r.startedAt, `${field}.startedAt`),
      finishedAtMs: instantMs(r.finishedAt, `${field}.finishedAt`),
      durationMs: Number(r.durationMs ?? 0),
      attempts: Number.isInteger(r.attempts) ? r.attempts : 0,
      location: String(r.location ?? ''),
      environment: String(r.environment ?? ''),
      httpStatus: typeof r.httpStatus === 'number' ? r.httpStatus : null,
      errorClass: r.error?.class ?? null,
      doc: toJson({ ...rest, id: input.id }),
      steps: toJson(steps),
      stepRows,
    };
  }

  finding(input: Finding, field = 'finding'): FindingRow {
    const f = this.clean(input);
    return {
      id: requireString(input.id, `${field}.id`),
      kind: String(f.kind),
      severity: String(f.severity),
      status: String(f.status),
      monitor: String(f.series?.monitor ?? ''),
      step: String(f.series?.step ?? ''),
      metric: String(f.series?.metric ?? ''),
      location: String(f.series?.location ?? ''),
      startedAtMs: instantMs(f.startedAt, `${field}.startedAt`),
      updatedAtMs: instantMs(f.updatedAt, `${field}.updatedAt`),
      resolvedAtMs: optionalInstantMs(f.resolvedAt, `${field}.resolvedAt`),
      doc: toJson({ ...f, id: input.id }),
    };
  }

  deploy(input: DeployMarker, field = 'marker'): DeployRow {
    const m = this.clean(input);
    return {
      id: requireString(input.id, `${field}.id`),
      atMs: instantMs(m.at, `${field}.at`),
      environment: String(m.environment ?? ''),
      doc: toJson({ ...m, id: input.id }),
    };
  }

  alert(input: AlertRecord, field = 'alert'): AlertRow {
    const a = this.clean(input);
    return {
      id: requireString(input.id, `${field}.id`),
      key: String(a.key ?? ''),
      monitor: String(a.monitor ?? ''),
      status: String(a.status),
      openedAtMs: instantMs(a.openedAt, `${field}.openedAt`),
      updatedAtMs: instantMs(a.updatedAt, `${field}.updatedAt`),
      resolvedAtMs: optionalInstantMs(a.resolvedAt, `${field}.resolvedAt`),
      doc: toJson({ ...a, id: input.id }),
    };
  }

  delivery(input: DeliveryRecord, field = 'delivery'): DeliveryRow {
    const d = this.clean(input);
    return {
      id: requireString(input.id, `${field}.id`),
      alertId: String(d.alertId ?? ''),
      channel: String(d.channel ?? ''),
      event: String(d.event ?? ''),
      createdAtMs: instantMs(d.createdAt, `${field}.createdAt`),
      attempts: Number.isInteger(d.attempts) ? d.attempts : 0,
      deliveredAtMs: optionalInstantMs(d.deliveredAt, `${field}.deliveredAt`),
      lastError: d.lastError ?? null,
      doc: toJson({ ...d, id: input.id }),
    };
  }

  /** A delivery outcome, redacted (an error message may quote a webhook URL with its token). */
  deliveryOutcome(
    outcome: { deliveredAt: string | null; attempts: number; lastError: string | null },
    field = 'outcome',
  ): { deliveredAtMs: number | null; deliveredAt: string | null; attempts: number; lastError: string | null } {
    if (!Number.isInteger(outcome.attempts) || outcome.attempts < 0) {
      throw new StoreInvalidInputError(`${field}.attempts: expected a non-negative integer, got ${String(outcome.attempts)}`, `${field}.attempts`);
    }
    const lastError = outcome.lastError === null ? null : this.redactor ? this.redactor.redact(outcome.lastError) : outcome.lastError;
    return {
      deliveredAtMs: optionalInstantMs(outcome.deliveredAt, `${field}.deliveredAt`),
      deliveredAt: outcome.deliveredAt,
      attempts: outcome.attempts,
      lastError: lastError === null ? null : sanitizeText(lastError),
    };
  }

  /** A state value as JSON text (state is opaque: not redacted, numbers and keys only by contract). */
  state(value: unknown): string {
    return toJson(value);
  }
}

/** The same NUL replacement as `toJson` for plain text columns. */
export function sanitizeText(text: string): string {
  return text.includes('\u0000') ? text.split('\u0000').join('\ufffd') : text;
}

/** A stored result document and its step tree (both already parsed), back to a `MonitorResult`. */
export function resultFromDocs(doc: unknown, steps: unknown): MonitorResult {
  const result = doc as MonitorResult;
  result.steps = (steps as StepResult[] | null) ?? [];
  return result;
}

/** JSON text from a SQLite TEXT column, parsed. (PostgreSQL's jsonb arrives parsed.) */
export function parseJsonText(text: unknown): unknown {
  return JSON.parse(String(text));
}

/** Split a list in chunks (bounded statement parameter counts). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
