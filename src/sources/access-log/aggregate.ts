/**
 * Requests → signals of one service: traffic, 5xx and 4xx ratios per route and in total, latency
 * percentiles from a log-bucketed histogram (1% relative error, fixed memory), and the span of the
 * requests' own timestamps. Fed one request at a time with primitives (no object per line).
 */

/** Bucket i holds values in [GROWTH^i, GROWTH^(i+1)) milliseconds; below 0.01 ms goes to bucket 0. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_MS = 0.01;
/** 0.01 ms .. ~ 1.6e5 s. */
const BUCKETS = 1200;

export interface RouteCounts {
  requests: number;
  errors5xx: number;
  errors4xx: number;
}

export class RequestAggregate {
  requests = 0;
  errors5xx = 0;
  errors4xx = 0;
  bytes = 0;
  /** Requests with a request time. */
  timed = 0;
  /** Epoch ms of the first and last request with a readable time (NaN when none). */
  firstAt = Number.NaN;
  lastAt = Number.NaN;
  readonly routes = new Map<string, RouteCounts>();
  private readonly histogram = new Float64Array(BUCKETS);

  constructor(private readonly maxRoutes: number) {}

  add(route: string, status: number, bytes: number, requestTimeMs: number): void {
    this.requests++;
    const e5 = status >= 500 && status <= 599 ? 1 : 0;
    const e4 = status >= 400 && status <= 499 ? 1 : 0;
    this.errors5xx += e5;
    this.errors4xx += e4;
    if (bytes > 0) this.bytes += bytes;
    let r = this.routes.get(route);
    if (r === undefined) {
      r = this.routes.size < this.maxRoutes ? { requests: 0, errors5xx: 0, errors4xx: 0 } : this.other();
      if (this.routes.size < this.maxRoutes) this.routes.set(route, r);
    }
    r.requests++;
    r.errors5xx += e5;
    r.errors4xx += e4;
    if (requestTimeMs >= 0) {
      this.timed++;
      let i = requestTimeMs <= MIN_MS ? 0 : Math.floor(Math.log(requestTimeMs / MIN_MS) / LOG_GROWTH);
      if (i >= BUCKETS) i = BUCKETS - 1;
      this.histogram[i]++;
    }
  }

  /** Requests whose time could be read count towards the span. */
  seen(atMs: number): void {
    if (!(atMs >= 0)) return;
    if (!(this.firstAt <= atMs)) this.firstAt = atMs;
    if (!(this.lastAt >= atMs)) this.lastAt = atMs;
  }

  private other(): RouteCounts {
    let o = this.routes.get('other');
    if (!o) {
      o = { requests: 0, errors5xx: 0, errors4xx: 0 };
      this.routes.set('other', o);
    }
    return o;
  }

  /** Latency quantile in ms (bucket midpoint, within 1%), null without timed requests. */
  quantileMs(q: number): number | null {
    if (this.timed === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.timed));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.histogram[i];
      if (seen >= rank) return i === 0 ? MIN_MS : MIN_MS * Math.pow(GROWTH, i + 0.5);
    }
    return null;
  }
}
