/**
 * What synthetic monitoring covers, per API operation: every API check's request (and each step of
 * a multi-step check) with what it asserts, and every API call and document the journeys' steps made
 * (their `network.calls`), from the results in the store over the window. A check that never ran
 * in the window covers nothing (it is listed as not run).
 */
import type { CheckDefinition, MonitorResult, StepResult } from '../model/index.js';
import type { OperationLookup } from './usage.js';

/** none < reached by a journey < checked for status < checked with a schema or body assertions. */
export const COVERAGE_LEVELS = ['none', 'journey', 'status', 'asserted'] as const;
export type CoverageLevel = (typeof COVERAGE_LEVELS)[number];

/** How much of an operation's risk a level takes away: risk = usage share × (1 − value). */
export const COVERAGE_VALUE: Record<CoverageLevel, number> = { none: 0, journey: 0.25, status: 0.5, asserted: 1 };

/** One API check (or one step of a multi-step check) requesting an operation. */
export interface CheckCoverage {
  monitor: string;
  name: string;
  kind: 'api' | 'api-flow';
  /** The flow step, for multi-step checks. */
  step?: string;
  /** The check file, as the config names it. */
  file: string;
  level: Exclude<CoverageLevel, 'none' | 'journey'>;
  status: number[];
  schema: boolean;
  bodyAssertions: number;
  maxResponseTimeMs?: number;
  /** Results in the window, and how many of them did not pass. */
  runs: number;
  failures: number;
  /** HTTP statuses its results got in the window (what it has exercised). */
  statusesSeen: number[];
}

/** A journey step that requested an operation. */
export interface JourneyCoverage {
  monitor: string;
  name: string;
  step: string;
  calls: number;
  /** Statuses last seen (0: no response). */
  statuses: number[];
}

export interface OperationCoverage {
  level: CoverageLevel;
  checks: CheckCoverage[];
  journeys: JourneyCoverage[];
}

export interface CoverageData {
  /** Operation key → what covers it (only operations something requested). */
  operations: Map<string, OperationCoverage>;
  /** API checks and steps whose request matches no documented operation. */
  unmatched: Array<{ monitor: string; method: string; url: string }>;
  /** API checks with no result in the window: they cover nothing. */
  notRun: string[];
  /** Monitors with results in the window, by kind. */
  ranChecks: number;
  ranJourneys: number;
}

export function collectCoverage(checks: readonly CheckDefinition[], results: readonly MonitorResult[], lookup: OperationLookup, rootDir: string): CoverageData {
  const out: CoverageData = { operations: new Map(), unmatched: [], notRun: [], ranChecks: 0, ranJourneys: 0 };
  const runsOf = new Map<string, { runs: number; failures: number; statuses: Set<number> }>();
  for (const r of results) {
    const s = runsOf.get(r.monitor) ?? { runs: 0, failures: 0, statuses: new Set<number>() };
    s.runs++;
    if (r.status === 'failed') s.failures++;
    for (const st of [r.httpStatus, ...r.steps.map((x) => x.httpStatus)]) if (st !== undefined) s.statuses.add(st);
    runsOf.set(r.monitor, s);
  }
  const entry = (key: string): OperationCoverage => {
    let c = out.operations.get(key);
    if (!c) out.operations.set(key, (c = { level: 'none', checks: [], journeys: [] }));
    return c;
  };

  for (const check of checks) {
    if (check.kind !== 'api' && check.kind !== 'api-flow') continue;
    const ran = runsOf.get(check.id);
    if (!ran) {
      out.notRun.push(check.id);
      continue;
    }
    out.ranChecks++;
    const requests =
      check.kind === 'api'
        ? [{ step: undefined, request: check.request, expect: check.expect }]
        : check.steps.map((s) => ({ step: s.name, request: s.request, expect: s.expect }));
    for (const { step, request, expect } of requests) {
      const op = matchWithPlaceholders(lookup, request.method, request.url);
      if (!op) {
        out.unmatched.push({ monitor: check.id, method: request.method, url: request.url });
        continue;
      }
      const bodyAssertions = expect.body.length;
      const c = entry(op.key);
      c.checks.push({
        monitor: check.id,
        name: check.name,
        kind: check.kind,
        ...(step ? { step } : {}),
        file: relative(rootDir, check.file),
        level: expect.schema || bodyAssertions > 0 ? 'asserted' : 'status',
        status: expect.status,
        schema: expect.schema !== undefined,
        bodyAssertions,
        ...(expect.maxResponseTimeMs !== undefined ? { maxResponseTimeMs: expect.maxResponseTimeMs } : {}),
        runs: ran.runs,
        failures: ran.failures,
        statusesSeen: [...ran.statuses].sort((a, b) => a - b),
      });
    }
  }

  // Journeys: the calls of every step (top-level steps include their children's), once per result and operation.
  const journeyMonitors = new Set<string>();
  for (const r of results) {
    if (r.kind !== 'journey') continue;
    journeyMonitors.add(r.monitor);
    for (const step of r.steps) {
      const seen = new Map<string, JourneyCoverage>();
      for (const call of callsOf(step)) {
        const op = lookup.match(call.method, call.url);
        if (!op) continue;
        let j = seen.get(op.key);
        if (!j) seen.set(op.key, (j = { monitor: r.monitor, name: r.name, step: step.name, calls: 0, statuses: [] }));
        j.calls += call.count;
        if (!j.statuses.includes(call.status)) j.statuses.push(call.status);
      }
      for (const [key, j] of seen) {
        const c = entry(key);
        const same = c.journeys.find((x) => x.monitor === j.monitor && x.step === j.step);
        if (same) {
          same.calls += j.calls;
          for (const s of j.statuses) if (!same.statuses.includes(s)) same.statuses.push(s);
        } else c.journeys.push(j);
      }
    }
  }
  out.ranJourneys = journeyMonitors.size;

  for (const c of out.operations.values()) {
    c.level = c.checks.some((x) => x.level === 'asserted') ? 'asserted' : c.checks.length ? 'status' : c.journeys.length ? 'journey' : 'none';
    for (const j of c.journeys) j.statuses.sort((a, b) => a - b);
  }
  return out;
}

/** A top-level step's calls (its children's are included in it already); a step without any: its children's. */
function callsOf(step: StepResult): Array<{ method: string; url: string; count: number; status: number }> {
  if (step.network?.calls?.length) return step.network.calls;
  return (step.steps ?? []).flatMap(callsOf);
}

const PLACEHOLDER = /\{\{\s*[\w.-]+\s*\}\}/g;
/** Stand-ins for a captured value, tried in turn against the parameter's schema: a number, a UUID, hex, a word. */
const STAND_INS = ['1', '00000000-0000-4000-8000-000000000000', 'a1b2c3d4e5f60718', 'placeholder'];

/** `{{cartId}}` placeholders of a flow step stand for a value captured at run time: any value the parameter takes. */
function matchWithPlaceholders(lookup: OperationLookup, method: string, url: string): ReturnType<OperationLookup['match']> {
  if (!url.includes('{{')) return lookup.match(method, url);
  for (const v of STAND_INS) {
    const op = lookup.match(method, url.replace(PLACEHOLDER, v));
    if (op) return op;
  }
  return undefined;
}

function relative(rootDir: string, file: string): string {
  return file.startsWith(rootDir + '/') ? file.slice(rootDir.length + 1) : file;
}
