/**
 * The Prometheus source: every query of every service at once (one collection costs the slowest
 * query, not their sum), each answer turned into readings. An empty answer or NaN (a ratio over no
 * requests) is "no data" with the query; an error carries Prometheus' text. When nothing answers the
 * source is `down` and the board says so.
 */
import type { PrometheusSourceConfig, SignalName, SignalReading, SourceStatus } from '../types.js';
import { PrometheusClient, type QueryOutcome } from './client.js';
import { queriesFor, type QueryName } from './queries.js';

export function prometheusName(c: PrometheusSourceConfig): string {
  return c.name ?? 'prometheus';
}

const BY_ROUTE: Partial<Record<QueryName, SignalName>> = { trafficByRoute: 'traffic', errors5xxByRoute: 'errors5xx', errors4xxByRoute: 'errors4xx' };

export async function readPrometheusSource(
  config: PrometheusSourceConfig,
  ctx: { nowMs: number; monotonicMs: () => number; signal?: AbortSignal },
): Promise<{ readings: SignalReading[]; status: SourceStatus }> {
  const t0 = ctx.monotonicMs();
  const name = prometheusName(config);
  const client = new PrometheusClient(config.url, config.headers ?? {}, config.timeoutMs ?? 5_000);
  const asks: Array<{ service: string; routeLabel: string; q: QueryName; promql: string }> = [];
  for (const [service, svc] of Object.entries(config.services)) {
    for (const [q, promql] of Object.entries(queriesFor(service, svc)) as Array<[QueryName, string]>) asks.push({ service, routeLabel: svc.routeLabel ?? 'route', q, promql });
  }
  let answers: QueryOutcome[];
  try {
    answers = await Promise.all(asks.map((a) => client.query(a.promql, ctx.nowMs, ctx.signal)));
  } finally {
    await client.close().catch(() => undefined);
  }
  const readings: SignalReading[] = [];
  let failed = 0;
  let down = 0;
  let firstError: string | undefined;
  for (let i = 0; i < asks.length; i++) {
    const { service, q, promql, routeLabel } = asks[i];
    const a = answers[i];
    const perRoute = BY_ROUTE[q];
    const signal = perRoute ?? (q as SignalName);
    const base = { service, signal, source: name, query: promql };
    if (!a.ok) {
      failed++;
      if (a.down) down++;
      firstError ??= a.error;
      // A per-route query that fails adds nothing beyond the service-level one's error.
      if (!perRoute) readings.push({ ...base, value: null, error: a.error });
      continue;
    }
    if (perRoute) {
      for (const s of a.samples) {
        const route = s.labels[routeLabel];
        if (route === undefined || !Number.isFinite(s.value)) continue;
        readings.push({ ...base, route, value: s.value });
      }
      continue;
    }
    const finite = a.samples.filter((s) => Number.isFinite(s.value));
    if (finite.length === 0) {
      const why = a.samples.length ? 'NaN: nothing to divide (no requests in the window?)' : 'no data: the query returned no series';
      readings.push({ ...base, value: null, error: why });
      continue;
    }
    // Queries aggregate to one series; if one does not, the worst (largest) value speaks for the service.
    readings.push({ ...base, value: Math.max(...finite.map((s) => s.value)) });
  }
  const status: SourceStatus = {
    name,
    type: 'prometheus',
    status: asks.length > 0 && down === asks.length ? 'down' : failed || readings.some((r) => r.value === null) ? 'partial' : 'ok',
    ...(firstError ? { error: firstError } : {}),
    readings: readings.filter((r) => r.value !== null).length,
    durationMs: ctx.monotonicMs() - t0,
  };
  return { readings, status };
}
