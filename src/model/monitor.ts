/**
 * Resolved monitor definitions: what the config loader hands to the runners after defaults,
 * `${env:...}` interpolation and validation. Runners never see raw config.
 */

/** Assertions are data, parsed and validated at load time (Checkly style). */
export type AssertionSource = 'status' | 'header' | 'json' | 'text' | 'responseTime';
export type AssertionOp =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'contains'
  | 'notContains'
  | 'matches'
  | 'exists'
  | 'notExists'
  | 'isType'
  | 'lengthEq'
  | 'lengthGte'
  | 'lengthLte';

export interface Assertion {
  source: AssertionSource;
  /** JSON path (`$.items[0].price`) for `json`, header name for `header`. */
  path?: string;
  op: AssertionOp;
  target?: unknown;
}

export interface HttpRequestSpec {
  method: string;
  /** Absolute, already resolved against the environment's base URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ApiExpectations {
  /** Accepted status codes. */
  status: number[];
  /** Header assertions; names lower-cased. */
  headers: Assertion[];
  /** JSON path assertions on the body and any others. */
  body: Assertion[];
  /** A JSON Schema object (refs resolved by the loader) and a key for the process-wide compile cache. */
  schema?: { key: string; schema: object; file?: string };
  maxResponseTimeMs?: number;
  degradedResponseTimeMs?: number;
}

export interface ApiCheckDefinition {
  kind: 'api';
  id: string;
  name: string;
  /** Source file, for messages. */
  file: string;
  request: HttpRequestSpec;
  expect: ApiExpectations;
  retries: number;
  timeoutMs: number;
  /** Body size limit in bytes (default 10 MiB). */
  maxBodyBytes: number;
  tags: string[];
  schedule?: string;
  locations?: string[];
}

export interface StepSla {
  maxMs?: number;
  degradedMs?: number;
}

export interface JourneyDefinition {
  kind: 'journey';
  /** Stable id: the settings' id, else derived from file + test title. */
  id: string;
  name: string;
  file: string;
  /** Playwright test title (grep target). */
  title?: string;
  retries: number;
  timeoutMs: number;
  /** Per-step deadline; a step that takes longer fails as `timeout`. */
  stepTimeoutMs: number;
  steps: Record<string, StepSla>;
  tags: string[];
  schedule?: string;
  locations?: string[];
}

export type MonitorDefinition = ApiCheckDefinition | JourneyDefinition;
