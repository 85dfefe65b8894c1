/**
 * Stable key order for the JSON reports: the known fields of each object in a documented order,
 * any other fields after them in alphabetical order. Two runs with the same data give the same bytes.
 */

const ORDER = {
  report: ['run', 'results', 'findings'],
  run: ['id', 'startedAt', 'finishedAt', 'location', 'environment', 'shard', 'aborted'],
  result: [
    'monitor', 'name', 'kind', 'status', 'durationMs', 'attempts', 'error', 'steps', 'id', 'runId',
    'startedAt', 'finishedAt', 'location', 'environment', 'tags', 'httpStatus', 'attemptDetails', 'artifacts',
  ],
  step: ['name', 'status', 'durationMs', 'timings', 'startedAt', 'error', 'location', 'vitals', 'network', 'consoleErrors', 'steps'],
  attempt: ['attempt', 'status', 'durationMs', 'startedAt', 'error', 'httpStatus', 'timings'],
  error: ['class', 'message', 'location'],
  timings: ['dnsMs', 'connectMs', 'tlsMs', 'sendMs', 'firstByteMs', 'downloadMs', 'totalMs', 'reusedConnection'],
  finding: [
    'id', 'kind', 'severity', 'status', 'series', 'observed', 'expected', 'unit', 'magnitude', 'startedAt',
    'updatedAt', 'resolvedAt', 'count', 'explanation', 'locations', 'details',
  ],
  series: ['monitor', 'step', 'metric', 'location'],
  deploy: ['id', 'at', 'environment', 'version', 'description'],
} as const satisfies Record<string, readonly string[]>;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Copy `value` with keys in `known` order first, the rest sorted; nested values by `nested`. */
function ordered(value: unknown, known: readonly string[], nested: Record<string, (v: unknown) => Json> = {}): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return sorted(value);
  const obj = value as Record<string, unknown>;
  const out: Record<string, Json> = {};
  const rest = Object.keys(obj).filter((k) => !known.includes(k)).sort();
  for (const k of [...known, ...rest]) {
    if (!(k in obj) || obj[k] === undefined) continue;
    const fn = nested[k];
    out[k] = fn ? fn(obj[k]) : sorted(obj[k]);
  }
  return out;
}

/** Plain JSON with every object's keys sorted (for free-form fields such as `details`). */
function sorted(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, Json> = {};
    for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = sorted(obj[k]);
    return out;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

const list = (fn: (v: unknown) => Json) => (v: unknown): Json => (Array.isArray(v) ? v.map(fn) : sorted(v));
const error = (v: unknown): Json => ordered(v, ORDER.error);
const timings = (v: unknown): Json => ordered(v, ORDER.timings);
const step = (v: unknown): Json => ordered(v, ORDER.step, { error, timings, steps: list(step) });
const attempt = (v: unknown): Json => ordered(v, ORDER.attempt, { error, timings });

export const orderRun = (v: unknown): Json => ordered(v, ORDER.run);
export const orderResult = (v: unknown): Json =>
  ordered(v, ORDER.result, { error, steps: list(step), attemptDetails: list(attempt) });
export const orderFinding = (v: unknown): Json => ordered(v, ORDER.finding, { series: (s) => ordered(s, ORDER.series) });
export const orderDeploy = (v: unknown): Json => ordered(v, ORDER.deploy);
export const orderReport = (v: unknown): Json =>
  ordered(v, ORDER.report, { run: orderRun, results: list(orderResult), findings: list(orderFinding) });

/** Pretty JSON with a trailing newline. */
export function stringify(value: Json): string {
  return JSON.stringify(value, null, 2) + '\n';
}
