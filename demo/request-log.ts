/**
 * The demo shop's request log: one entry per request (control routes under `/__` excluded), with the
 * server-side handling time from a monotonic clock, keyed by the client's `x-request-id` when sent.
 * Tests use it to compare what the observer measured with what the server spent.
 */

export type RequestOutcome =
  /** Still in flight (a hung request stays here until its socket closes). */
  | 'pending'
  /** A full response was written. */
  | 'responded'
  /** The shop reset the connection on purpose (fault). */
  | 'reset'
  /** The shop never answered on purpose (fault) and the socket has since closed. */
  | 'hang'
  /** The client went away before the response was written. */
  | 'aborted';

export interface RequestLogEntry {
  /** The `x-request-id` header, or `shop-<n>` when the client sent none. */
  requestId: string;
  method: string;
  /** Path and query as requested. */
  url: string;
  /** Status written, once responded. */
  status?: number;
  outcome: RequestOutcome;
  /** Endpoint pattern of the fault applied, if any. */
  faultEndpoint?: string;
  /** Epoch ms when the request arrived. */
  receivedAt: number;
  /** Arrival to response end (or socket close), hrtime-based; absent while pending. */
  handlingMs?: number;
}

export class RequestLog {
  private readonly items: RequestLogEntry[] = [];
  private seq = 0;

  /** @param capacity oldest entries are dropped beyond this many. */
  constructor(private readonly capacity = 2000) {}

  /** Open an entry for an arriving request; the caller mutates it as the request completes. */
  open(method: string, url: string, requestId: string | undefined): RequestLogEntry {
    this.seq += 1;
    const entry: RequestLogEntry = {
      requestId: requestId && requestId.length <= 200 ? requestId : `shop-${this.seq}`,
      method,
      url,
      outcome: 'pending',
      receivedAt: Date.now(),
    };
    this.items.push(entry);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
    return entry;
  }

  /** Every entry, oldest first (copies). */
  entries(): RequestLogEntry[] {
    return this.items.map((e) => ({ ...e }));
  }

  /** The latest entry with this request id. */
  byRequestId(requestId: string): RequestLogEntry | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (this.items[i].requestId === requestId) return { ...this.items[i] };
    }
    return undefined;
  }

  clear(): void {
    this.items.length = 0;
  }
}
