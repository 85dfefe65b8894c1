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
  /** An OpenAPI operation's responses, resolved at load: the body is validated against the one for the status. */
  openapi?: OpenApiContract;
  maxResponseTimeMs?: number;
  degradedResponseTimeMs?: number;
}

export interface OpenApiContract {
  /** The description file, relative to the working folder (`demo/openapi.yaml`). */
  spec: string;
  /** `GET /products/{id}`. */
  operation: string;
  /** As documented: `'200'`, `'2XX'`, `'default'`; a schema (with its compile-cache key) where the response has JSON content. */
  responses: Array<{ status: string; schema?: { key: string; schema: object } }>;
}

/** How an HTTP request treats 3xx answers: follow up to `max` hops (each hop recorded), or not. */
export interface RedirectPolicy {
  follow: boolean;
  /** Hops allowed before the request fails as `redirect` (default 10). */
  max: number;
}

export interface ApiCheckDefinition {
  kind: 'api';
  id: string;
  name: string;
  /** Source file, for messages. */
  file: string;
  request: HttpRequestSpec;
  expect: ApiExpectations;
  /** Absent: follow for GET/HEAD (10 hops), not for other methods. */
  redirects?: RedirectPolicy;
  /** Certificate expiry thresholds applied to HTTPS targets (default 14 / 7 days). */
  certificate?: CertificateThresholds;
  retries: number;
  timeoutMs: number;
  /** Body size limit in bytes (default 10 MiB). */
  maxBodyBytes: number;
  tags: string[];
  schedule?: string;
  locations?: string[];
}

/** What every monitor kind other than journeys shares. */
export interface CheckCommon {
  id: string;
  name: string;
  /** Source file, for messages. */
  file: string;
  retries: number;
  timeoutMs: number;
  tags: string[];
  schedule?: string;
  locations?: string[];
}

/**
 * A value taken from one step's response for the steps after it (`{{name}}` in their URL,
 * headers and body): a JSON path of the body, a response header, a regex group on the body, or a
 * cookie the response set.
 */
export interface FlowCapture {
  name: string;
  source: 'json' | 'header' | 'regex' | 'cookie';
  /** JSON path (`json`), header name (`header`, lower-cased) or cookie name (`cookie`). */
  path?: string;
  /** `regex`: the pattern (JavaScript syntax); the first group when it has one, else the match. */
  pattern?: string;
}

export interface FlowStepDefinition {
  name: string;
  /**
   * May hold `{{capture}}` placeholders in url, header values and body, filled at run time (in the
   * URL percent-encoded, except a placeholder the URL starts with, which stands for a whole URL or path).
   */
  request: HttpRequestSpec;
  /** For a URL that starts with a placeholder: what a relative value is resolved against. */
  baseUrl?: string;
  expect: ApiExpectations;
  captures: FlowCapture[];
  /** Cleanup steps run even after an earlier step failed (their own failure still fails the flow). */
  cleanup: boolean;
  redirects?: RedirectPolicy;
}

/** A multi-step API check: requests in order, values carried forward, the flow failing at the step that broke. */
export interface ApiFlowDefinition extends CheckCommon {
  kind: 'api-flow';
  steps: FlowStepDefinition[];
  maxBodyBytes: number;
  /** Cookies set by a step are sent by the later steps to the same host (default true). */
  cookies: boolean;
}

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export interface DnsCheckDefinition extends CheckCommon {
  kind: 'dns';
  /** The name to resolve (`example.com`). */
  query: string;
  recordType: DnsRecordType;
  /** `host` or `host:port` of the resolver to ask; absent: the system's resolvers. */
  resolver?: string;
  expect: {
    /** Assertions on the answers as strings (`1.2.3.4`, `10 mx.example.com`, TXT joined): `{ source: 'json', path: '$' }` on the list. */
    answers: Assertion[];
    maxResponseTimeMs?: number;
    degradedResponseTimeMs?: number;
  };
}

export interface TcpCheckDefinition extends CheckCommon {
  kind: 'tcp';
  host: string;
  port: number;
  /** Bytes written once connected (`PING\r\n`). */
  send?: string;
  expect: {
    /** Regex the data read must match (the banner, or the answer to `send`). */
    banner?: string;
    maxResponseTimeMs?: number;
    degradedResponseTimeMs?: number;
  };
}

/** Days before a certificate's expiry at which a check degrades / fails. */
export interface CertificateThresholds {
  degradedDays: number;
  failedDays: number;
}

export interface TlsCheckDefinition extends CheckCommon {
  kind: 'tls';
  host: string;
  port: number;
  /** SNI and the name the certificate must match; default `host`. */
  servername: string;
  /** Extra trusted CA certificates (PEM), beside the system's. */
  ca?: string;
  /** The file `ca` was read from, for messages. */
  caFile?: string;
  certificate: CertificateThresholds;
  /** Lowest acceptable protocol (default TLSv1.2). */
  minProtocol: 'TLSv1.2' | 'TLSv1.3';
}

/** A push monitor: a job reports with `POST /heartbeat/<id>`; silence past period + grace is a failure. */
export interface HeartbeatDefinition extends CheckCommon {
  kind: 'heartbeat';
  periodMs: number;
  graceMs: number;
  /** The token the job must send (`?token=` or `authorization: Bearer`). */
  token: string;
}

/** Every monitor kind that is not a Playwright journey. */
export type CheckDefinition = ApiCheckDefinition | ApiFlowDefinition | DnsCheckDefinition | TcpCheckDefinition | TlsCheckDefinition | HeartbeatDefinition;

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

export type MonitorDefinition = CheckDefinition | JourneyDefinition;
