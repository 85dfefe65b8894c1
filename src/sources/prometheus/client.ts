/**
 * A small client of Prometheus' HTTP API (`/api/v1/query`) over undici. Every failure is a typed
 * outcome carrying Prometheus' own error text (or the transport's), never an exception that stops
 * a run and never a number: a query that returns nothing is `empty`, not zero.
 */
import { Agent, request } from 'undici';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type QueryOutcome = { ok: true; samples: Sample[] } | { ok: false; error: string; down: boolean };

export class PrometheusClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
  ) {
    // Queries of one collection go out together: enough connections for them all.
    this.agent = new Agent({ connections: 32, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  }

  /** An instant query at `timeMs`. */
  async query(promql: string, timeMs: number, signal?: AbortSignal): Promise<QueryOutcome> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : this.baseUrl + '/');
    const body = new URLSearchParams({ query: promql, time: (timeMs / 1000).toFixed(3), timeout: `${Math.max(1, Math.floor(this.timeoutMs / 1000))}s` }).toString();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let status: number;
    let text: string;
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        dispatcher: this.agent,
        signal: both,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const e = err as Error & { code?: string };
      const why = timeout.aborted ? `no answer within ${this.timeoutMs} ms` : signal?.aborted ? 'run aborted' : `${e.code ? e.code + ': ' : ''}${e.message}`;
      return { ok: false, error: `Prometheus at ${url.origin} unreachable: ${why}`, down: true };
    }
    let parsed: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } };
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, error: `HTTP ${status}: not a Prometheus API answer (${text.slice(0, 120).replace(/\s+/g, ' ')})`, down: status >= 500 || status === 404 };
    }
    if (parsed.status !== 'success') {
      return { ok: false, error: `${parsed.errorType ?? `HTTP ${status}`}: ${parsed.error ?? 'unknown error'}`, down: status === 401 || status === 403 };
    }
    const data = parsed.data ?? {};
    if (data.resultType === 'scalar') {
      const v = Number((data.result as [number, string])[1]);
      return { ok: true, samples: [{ labels: {}, value: v }] };
    }
    if (data.resultType !== 'vector' || !Array.isArray(data.result)) return { ok: false, error: `unexpected result type ${data.resultType}`, down: false };
    const samples: Sample[] = [];
    for (const r of data.result as Array<{ metric: Record<string, string>; value: [number, string] }>) samples.push({ labels: r.metric ?? {}, value: Number(r.value?.[1]) });
    return { ok: true, samples };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
