/**
 * Usage × coverage → the gaps report: every documented operation with its share of production
 * traffic, coverage level and risk = share × (1 − coverage), ranked; missing tests; inadequate
 * tests (production errors the checks did not catch, with what to add); new scenarios; undocumented
 * routes; documented operations production never calls. Pure: no I/O.
 */
import type { Finding } from '../model/index.js';
import { COVERAGE_VALUE, type CheckCoverage, type CoverageData, type CoverageLevel } from './coverage.js';
import type { ApiDescription, ApiOperation } from './openapi.js';
import { commonValues, p99Ms, type RouteUsage, type UsageData } from './usage.js';

/** `maxResponseTimeMs` suggested = observed p99 × this, rounded up to 50 ms. */
export const P99_HEADROOM = 1.5;

export interface GapsOperation {
  key: string;
  method: string;
  path: string;
  operationId?: string;
  summary?: string;
  requests: number;
  /** Share of all production requests read (0-1). */
  share: number;
  errors5xx: number;
  p99Ms: number | null;
  level: CoverageLevel;
  /** 0-1 (COVERAGE_VALUE). */
  coverage: number;
  /** share × (1 − coverage). */
  risk: number;
  /** API checks (`id` or `id › step`) and journeys (`id › step`) covering it. */
  checks: string[];
  journeys: string[];
}

export interface InadequateTest {
  key: string;
  level: CoverageLevel;
  /** What production showed: `5xx: 12 of 340 requests (3.5%)`, findings. */
  errors: string[];
  checks: string[];
  /** Concrete additions: a schema, a body assertion, a latency threshold, a parameter value that failed. */
  add: string[];
}

export interface NewScenario {
  kind: 'error' | 'route';
  key: string;
  /** For errors: the 5xx status. */
  status?: number;
  count: number;
  firstSeenAt: string;
  documented: boolean;
}

/** A row of the report's undocumented routes (from the usage; `UndocumentedRoutes` in match.ts gives the templates). */
export interface UndocumentedEntry {
  key: string;
  method: string;
  path: string;
  example: string;
  requests: number;
  share: number;
  errors5xx: number;
}

export interface GapsReport {
  version: 1;
  generatedAt: string;
  /** `--since`: `7d`. */
  window: string;
  openapi: { file: string; title: string; version: string; operations: number };
  usage: { files: string[]; requests: number; outsideWindow: number; outsideApi: number; malformed: number; malformedSamples: string[]; firstAt: string | null; lastAt: string | null };
  monitors: { checksRan: number; journeysRan: number; notRun: string[]; unmatched: Array<{ monitor: string; method: string; url: string }> };
  /** Every documented operation, highest risk first (then share, then key). */
  operations: GapsOperation[];
  /** Keys of operations with traffic and no coverage, by risk. */
  missing: string[];
  inadequate: InadequateTest[];
  newScenarios: NewScenario[];
  undocumented: UndocumentedEntry[];
  /** Documented operations production never called in the window. */
  unused: Array<{ key: string; operationId?: string; level: CoverageLevel }>;
  /** Files written by `--write`, relative to the project. */
  generated?: string[];
}

export interface AnalyzeInput {
  api: ApiDescription;
  usage: UsageData;
  coverage: CoverageData;
  findings: readonly Finding[];
  window: string;
  nowMs: number;
  /** What counts as appeared recently: first seen within this of the newest request read. Default 24 h. */
  recentMs?: number;
}

export function analyzeGaps(input: AnalyzeInput): GapsReport {
  const { api, usage, coverage } = input;
  const total = usage.requests;
  const share = (n: number) => (total > 0 ? n / total : 0);
  const findingsByRoute = routeFindings(input.findings);

  const operations: GapsOperation[] = api.operations.map((op) => {
    const u = usage.operations.get(op.key);
    const cov = coverage.operations.get(op.key);
    const level = cov?.level ?? 'none';
    const s = share(u?.requests ?? 0);
    return {
      key: op.key,
      method: op.method.toUpperCase(),
      path: op.fullPath,
      ...(op.operationId ? { operationId: op.operationId } : {}),
      ...(op.summary ? { summary: op.summary } : {}),
      requests: u?.requests ?? 0,
      share: s,
      errors5xx: u?.statusClasses['5xx'] ?? 0,
      p99Ms: u ? round(p99Ms(u)) : null,
      level,
      coverage: COVERAGE_VALUE[level],
      risk: s * (1 - COVERAGE_VALUE[level]),
      checks: (cov?.checks ?? []).map(checkName),
      journeys: (cov?.journeys ?? []).map((j) => `${j.monitor} › ${j.step}`),
    };
  });
  operations.sort((a, b) => b.risk - a.risk || b.share - a.share || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const missing = operations.filter((o) => o.requests > 0 && o.level === 'none').map((o) => o.key);

  const inadequate: InadequateTest[] = [];
  for (const o of operations) {
    if (o.level === 'none') continue;
    const u = usage.operations.get(o.key);
    const cov = coverage.operations.get(o.key);
    const op = api.operations.find((x) => x.key === o.key);
    if (!cov || !op) continue;
    const errors: string[] = [];
    if (u && u.statusClasses['5xx'] > 0) errors.push(`5xx: ${u.statusClasses['5xx']} of ${u.requests} requests (${pct(u.statusClasses['5xx'] / u.requests)})${statusList(u)}`);
    for (const f of findingsByRoute.get(folded(op.fullPath)) ?? []) errors.push(`finding: ${f.explanation}`);
    if (errors.length === 0) continue;
    // Caught: a covering check failed in the window, or got one of the 5xx statuses production saw.
    const prodStatuses = u ? [...u.signatures.keys()] : [];
    const caught = cov.checks.some((c) => c.failures > 0 || c.statusesSeen.some((st) => prodStatuses.includes(st)));
    if (caught) continue;
    inadequate.push({ key: o.key, level: o.level, errors, checks: [...o.checks, ...o.journeys], add: additions(op, cov.checks, u) });
  }

  const recentMs = input.recentMs ?? 24 * 3_600_000;
  const newScenarios: NewScenario[] = [];
  const isNew = (firstSeenMs: number) => Number.isFinite(usage.lastAtMs) && firstSeenMs > usage.firstAtMs && firstSeenMs >= usage.lastAtMs - recentMs;
  const exercised = (key: string, status?: number) => {
    const cov = coverage.operations.get(key);
    if (!cov) return false;
    if (status === undefined) return cov.checks.length > 0 || cov.journeys.length > 0;
    return cov.checks.some((c) => c.statusesSeen.includes(status)) || cov.journeys.some((j) => j.statuses.includes(status));
  };
  for (const [documented, map] of [[true, usage.operations], [false, usage.undocumented]] as const) {
    for (const u of map.values()) {
      if (isNew(u.firstSeenMs) && !exercised(u.key)) newScenarios.push({ kind: 'route', key: u.key, count: u.requests, firstSeenAt: iso(u.firstSeenMs), documented });
      for (const sig of u.signatures.values()) {
        if (isNew(sig.firstSeenMs) && !exercised(u.key, sig.status)) newScenarios.push({ kind: 'error', key: u.key, status: sig.status, count: sig.count, firstSeenAt: iso(sig.firstSeenMs), documented });
      }
    }
  }
  newScenarios.sort((a, b) => b.count - a.count || (a.firstSeenAt < b.firstSeenAt ? 1 : -1) || (a.key < b.key ? -1 : 1));

  const undocumented: UndocumentedEntry[] = [...usage.undocumented.values()]
    .map((u) => ({ key: u.key, method: u.method, path: u.path, example: u.example, requests: u.requests, share: share(u.requests), errors5xx: u.statusClasses['5xx'] }))
    .sort((a, b) => b.requests - a.requests || (a.key < b.key ? -1 : 1));

  const unused = operations.filter((o) => o.requests === 0).map((o) => ({ key: o.key, ...(o.operationId ? { operationId: o.operationId } : {}), level: o.level }));
  unused.sort((a, b) => (a.key < b.key ? -1 : 1));

  return {
    version: 1,
    generatedAt: new Date(input.nowMs).toISOString(),
    window: input.window,
    openapi: { file: api.file, title: api.title, version: api.version, operations: api.operations.length },
    usage: {
      files: usage.files,
      requests: usage.requests,
      outsideWindow: usage.outsideWindow,
      outsideApi: usage.outsideApi,
      malformed: usage.malformed,
      malformedSamples: usage.malformedSamples,
      firstAt: Number.isFinite(usage.firstAtMs) ? iso(usage.firstAtMs) : null,
      lastAt: Number.isFinite(usage.lastAtMs) ? iso(usage.lastAtMs) : null,
    },
    monitors: { checksRan: coverage.ranChecks, journeysRan: coverage.ranJourneys, notRun: coverage.notRun, unmatched: coverage.unmatched },
    operations,
    missing,
    inadequate,
    newScenarios,
    undocumented,
    unused,
  };
}

/** What to add to the checks of an operation production saw fail. */
function additions(op: ApiOperation, checks: readonly CheckCoverage[], u: RouteUsage | undefined): string[] {
  const add: string[] = [];
  const ok = op.responses.find((r) => /^2/.test(r.status) && r.schema !== undefined);
  if (checks.length === 0) add.push('an API check (only a journey reaches it): `observer gaps --write checks/generated/` writes one for GET/HEAD');
  else {
    if (ok && !checks.some((c) => c.schema)) add.push(`expect.schema: the ${ok.status} response schema of ${op.operationId ?? op.key} (from the OpenAPI description)`);
    if (!checks.some((c) => c.bodyAssertions > 0)) add.push('a body assertion (expect.body) on a field clients read');
  }
  const p99 = u ? p99Ms(u) : null;
  if (p99 !== null) {
    const suggested = headroomMs(p99);
    const limits = checks.map((c) => c.maxResponseTimeMs).filter((x): x is number => x !== undefined);
    if (limits.length === 0 || Math.min(...limits) > suggested * 2) add.push(`expect.maxResponseTimeMs: ${suggested} (observed p99 ${Math.round(p99)} ms × ${P99_HEADROOM})`);
  }
  if (u) {
    const failing = [...u.failingValues].sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [value, n] of failing) {
      const [name] = value.split('=');
      const common = commonValues(u, name)[0]?.[0];
      add.push(`a check with ${value} (${n} × 5xx in production${common !== undefined && `${name}=${common}` !== value ? `; the checks use the usual ${name}=${common}` : ''})`);
    }
  }
  return add;
}

/** observed p99 × headroom, rounded up to 50 ms (at least 100). */
export function headroomMs(p99: number): number {
  return Math.max(100, Math.ceil((p99 * P99_HEADROOM) / 50) * 50);
}

function checkName(c: CheckCoverage): string {
  return c.step ? `${c.monitor} › ${c.step}` : c.monitor;
}

/** Source findings per folded route (`/api/products/:id`): the system's own error and latency findings. */
function routeFindings(findings: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.series.monitor.startsWith('service:')) continue;
    const at = f.series.step.lastIndexOf(' › ');
    if (at < 0) continue;
    const route = f.series.step.slice(at + 3);
    out.set(route, [...(out.get(route) ?? []), f]);
  }
  return out;
}

/** `/api/products/{id}` → `/api/products/:id` (how the sources fold routes). */
function folded(p: string): string {
  return p.replace(/\{[^}/]+\}/g, ':id');
}

function statusList(u: RouteUsage): string {
  const list = [...u.signatures.values()].sort((a, b) => b.count - a.count).map((s) => `${s.status} × ${s.count}`);
  return list.length ? `: ${list.join(', ')}` : '';
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}
