/**
 * Fault injection for the demo shop: per endpoint, in process (`DemoShop.setFault`) or over HTTP
 * (`POST /__faults`). A fault is data; the server applies it in a fixed order:
 * latency, then reset or hang (the request never gets an answer), then status, malformed JSON or
 * schema drift on the body the route produced.
 */

/** What to do to the requests matching one endpoint. Every field is optional; combine freely. */
export interface Fault {
  /** Added delay before the route runs, in milliseconds. */
  latencyMs?: number;
  /** Answer with this HTTP status (100-599 excluded 1xx) and an error body instead of the route's response. */
  status?: number;
  /** JSON routes: the body is cut in the middle, so it is not valid JSON. HTML pages: the markup is cut. */
  malformedJson?: boolean;
  /**
   * The response drifts from its schema. JSON: every number becomes a string and every object loses
   * its last key (a product loses `stock`, its `price` becomes `"89.9"`). HTML: `data-testid` attributes vanish.
   */
  schemaDrift?: boolean;
  /** Reset the TCP connection (RST) instead of answering. */
  reset?: boolean;
  /** Never answer; the socket stays open until the client gives up or the shop closes. */
  hang?: boolean;
  /** Apply to the next N matching requests only, then remove the fault. Absent: until cleared. */
  count?: number;
}

/** A fault as listed by `GET /__faults`: its endpoint and, with `count`, how many uses remain. */
export interface FaultEntry extends Fault {
  endpoint: string;
  /** Uses left when the fault was set with `count`. */
  remaining?: number;
}

export class FaultSpecError extends Error {
  readonly code = 'ERR_DEMO_FAULT_SPEC';
}

const FAULT_KEYS = ['latencyMs', 'status', 'malformedJson', 'schemaDrift', 'reset', 'hang', 'count'] as const;
const BOOLEAN_KEYS = ['malformedJson', 'schemaDrift', 'reset', 'hang'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * A compiled endpoint pattern: `[METHOD ]/path/with/:params/or/*`. `:name` matches one segment,
 * a trailing `*` the rest of the path; everything else matches literally. The query string is ignored.
 */
export interface EndpointPattern {
  source: string;
  method?: string;
  segments: string[];
}

export function compileEndpoint(endpoint: string): EndpointPattern {
  const trimmed = endpoint.trim();
  const m = /^(?:([A-Za-z]+)\s+)?(\/\S*)$/.exec(trimmed);
  if (!m) {
    throw new FaultSpecError(`endpoint: expected a path such as "/api/products" or "POST /api/cart", got "${endpoint}"`);
  }
  const method = m[1]?.toUpperCase();
  if (method !== undefined && !METHODS.includes(method)) {
    throw new FaultSpecError(`endpoint: unknown method "${m[1]}" in "${endpoint}" (expected one of ${METHODS.join(', ')})`);
  }
  const path = m[2].split('?')[0];
  const segments = path.split('/').filter((s) => s !== '');
  const star = segments.indexOf('*');
  if (star !== -1 && star !== segments.length - 1) {
    throw new FaultSpecError(`endpoint: "*" may only end the pattern, got "${endpoint}"`);
  }
  return { source: trimmed, method, segments };
}

export function matchesEndpoint(pattern: EndpointPattern, method: string, pathname: string): boolean {
  if (pattern.method && pattern.method !== method.toUpperCase()) return false;
  const parts = pathname.split('/').filter((s) => s !== '');
  const segs = pattern.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg === '*') return true;
    const part = parts[i];
    if (part === undefined) return false;
    if (seg.startsWith(':')) continue;
    if (seg !== part) return false;
  }
  return parts.length === segs.length;
}

/**
 * Validate an untrusted fault description (the body of `POST /__faults` or a `setFault` argument).
 * Unknown keys are rejected so a typo never silently injects nothing.
 */
export function parseFault(input: unknown, where = 'fault'): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultSpecError(`${where}: expected an object`);
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'endpoint' && !(FAULT_KEYS as readonly string[]).includes(key)) {
      throw new FaultSpecError(`${where}.${key}: unknown key (expected one of endpoint, ${FAULT_KEYS.join(', ')})`);
    }
  }
  const fault: Fault = {};
  for (const key of BOOLEAN_KEYS) {
    const v = record[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new FaultSpecError(`${where}.${key}: expected a boolean, got ${JSON.stringify(v)}`);
    if (v) fault[key] = true;
  }
  const latency = record.latencyMs;
  if (latency !== undefined) {
    if (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0 || latency > 600_000) {
      throw new FaultSpecError(`${where}.latencyMs: expected a number of milliseconds in [0, 600000], got ${JSON.stringify(latency)}`);
    }
    fault.latencyMs = latency;
  }
  const status = record.status;
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
      throw new FaultSpecError(`${where}.status: expected an integer HTTP status in [200, 599], got ${JSON.stringify(status)}`);
    }
    fault.status = status;
  }
  const count = record.count;
  if (count !== undefined) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new FaultSpecError(`${where}.count: expected a positive integer, got ${JSON.stringify(count)}`);
    }
    fault.count = count;
  }
  if (fault.reset && fault.hang) {
    throw new FaultSpecError(`${where}: reset and hang conflict (a request can either be reset or left hanging)`);
  }
  if (Object.keys(fault).filter((k) => k !== 'count').length === 0) {
    throw new FaultSpecError(`${where}: no fault given (set at least one of ${FAULT_KEYS.filter((k) => k !== 'count').join(', ')})`);
  }
  return fault;
}

interface Slot {
  pattern: EndpointPattern;
  fault: Fault;
  remaining?: number;
}

/** The faults of one shop instance, keyed by endpoint text; the first matching endpoint wins. */
export class FaultRegistry {
  private readonly slots = new Map<string, Slot>();

  /** Set (or replace) the fault of an endpoint. Throws FaultSpecError on an invalid pattern or fault. */
  set(endpoint: string, fault: Fault): void {
    const pattern = compileEndpoint(endpoint);
    const parsed = parseFault(fault, `fault for ${pattern.source}`);
    this.slots.set(pattern.source, { pattern, fault: parsed, remaining: parsed.count });
  }

  /** Remove one endpoint's fault; returns whether there was one. */
  delete(endpoint: string): boolean {
    return this.slots.delete(endpoint.trim());
  }

  clear(): void {
    this.slots.clear();
  }

  list(): FaultEntry[] {
    return [...this.slots.values()].map((s) => ({
      endpoint: s.pattern.source,
      ...s.fault,
      ...(s.remaining !== undefined ? { remaining: s.remaining } : {}),
    }));
  }

  /**
   * The fault to apply to one request, consuming one use of a counted fault (removed at zero).
   * Returns undefined when no endpoint matches.
   */
  take(method: string, pathname: string): FaultEntry | undefined {
    for (const [key, slot] of this.slots) {
      if (!matchesEndpoint(slot.pattern, method, pathname)) continue;
      if (slot.remaining !== undefined) {
        slot.remaining -= 1;
        if (slot.remaining <= 0) this.slots.delete(key);
      }
      return { endpoint: slot.pattern.source, ...slot.fault };
    }
    return undefined;
  }
}

/** JSON schema drift: numbers become strings and every object loses its last key (documented on Fault). */
export function driftJson(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(driftJson);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const kept = entries.length > 1 ? entries.slice(0, -1) : entries;
    return Object.fromEntries(kept.map(([k, v]) => [k, driftJson(v)]));
  }
  return value;
}

/** HTML drift: the stable selectors journeys rely on disappear. */
export function driftHtml(html: string): string {
  return html.replace(/\sdata-testid="[^"]*"/g, '');
}

/** Cut a body in the middle so it no longer parses (at least one byte is dropped). */
export function truncateBody(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}
