/**
 * The access-log source: reads what was appended to each file since the last run (position kept
 * in the store, namespace `sources`), and turns it into readings of the service: traffic (requests/s
 * since the last read, or over the lines' own time span on a first read), 5xx and 4xx ratios, latency
 * p50/p95/p99 when the lines carry a request time; traffic and error ratios per route as well.
 */
import path from 'node:path';
import { discoverFiles } from '../../config/discover.js';
import type { Store } from '../../store/store.js';
import type { AccessLogSourceConfig, SignalReading, SourceStatus } from '../types.js';
import { RequestAggregate } from './aggregate.js';
import { createParser, parseBlock } from './parse.js';
import { readNewLines, type FilePosition } from './reader.js';

export const SOURCES_STATE_NAMESPACE = 'sources';
const DEFAULT_MAX_BYTES = 512 << 20;

export function accessLogName(c: AccessLogSourceConfig): string {
  return c.name ?? `access-log:${c.service}`;
}

export async function readAccessLogSource(
  config: AccessLogSourceConfig,
  ctx: { store: Store; rootDir: string; nowMs: number; monotonicMs: () => number },
): Promise<{ readings: SignalReading[]; status: SourceStatus }> {
  const t0 = ctx.monotonicMs();
  const name = accessLogName(config);
  const files = await filesOf(config, ctx.rootDir);
  const agg = new RequestAggregate(config.maxRoutes ?? 50);
  const parser = createParser(config, agg);
  const keys = files.map((f) => `access-log|${f}`);
  const positions = keys.length ? await ctx.store.getStates(SOURCES_STATE_NAMESPACE, keys) : new Map<string, unknown>();
  const next = new Map<string, unknown>();
  const errors: string[] = [];
  let malformed = 0;
  /** Earliest previous read among the files (the span traffic is counted over). */
  let since = Number.POSITIVE_INFINITY;
  let firstRead = false;
  for (let i = 0; i < files.length; i++) {
    const prev = positions.get(keys[i]) as FilePosition | undefined;
    try {
      const out = await readNewLines(files[i], prev, { maxBytes: config.maxBytesPerRun ?? DEFAULT_MAX_BYTES, nowMs: ctx.nowMs }, (text) => {
        malformed += parseBlock(parser, text)[1];
      });
      next.set(keys[i], out.position);
      if (prev) since = Math.min(since, prev.readAt);
      else firstRead = true;
    } catch (err) {
      errors.push(`${path.relative(ctx.rootDir, files[i]) || files[i]}: ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim());
    }
  }
  if (next.size) await ctx.store.putStates(SOURCES_STATE_NAMESPACE, next);
  if (files.length === 0) errors.push(`no file matches ${config.path ?? config.glob}`);

  const query = config.path ?? config.glob ?? '';
  const readings: SignalReading[] = [];
  const base = { service: config.service, source: name, query };
  const down = next.size === 0;
  const none = (signal: SignalReading['signal'], why: string): SignalReading => ({ ...base, signal, value: null, error: why });
  if (down) {
    const why = errors[0] ?? 'nothing read';
    for (const s of ['traffic', 'errors5xx', 'errors4xx', 'latencyP50', 'latencyP95', 'latencyP99'] as const) readings.push(none(s, why));
  } else {
    // Span: since the last read; on a first read, the lines' own time span (at least 1 s).
    let spanMs = Number.isFinite(since) && !firstRead ? ctx.nowMs - since : Number.NaN;
    if (!(spanMs > 0) && agg.requests > 0 && Number.isFinite(agg.firstAt)) spanMs = Math.max(1_000, (Number.isFinite(agg.lastAt) ? agg.lastAt : agg.firstAt) - agg.firstAt);
    const traffic = spanMs > 0 ? agg.requests / (spanMs / 1000) : null;
    readings.push(traffic === null ? none('traffic', 'first read: no earlier position and no readable times in the lines') : { ...base, signal: 'traffic', value: traffic, samples: agg.requests });
    const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
    const noRequests = 'no requests since the last read';
    const e5 = ratio(agg.errors5xx, agg.requests);
    const e4 = ratio(agg.errors4xx, agg.requests);
    readings.push(e5 === null ? none('errors5xx', noRequests) : { ...base, signal: 'errors5xx', value: e5, samples: agg.requests });
    readings.push(e4 === null ? none('errors4xx', noRequests) : { ...base, signal: 'errors4xx', value: e4, samples: agg.requests });
    for (const [signal, q] of [['latencyP50', 0.5], ['latencyP95', 0.95], ['latencyP99', 0.99]] as const) {
      const v = agg.quantileMs(q);
      readings.push(v === null ? none(signal, agg.requests ? 'the lines carry no request time' : noRequests) : { ...base, signal, value: v, samples: agg.timed });
    }
    for (const [route, c] of agg.routes) {
      if (traffic !== null) readings.push({ ...base, route, signal: 'traffic', value: c.requests / (spanMs / 1000), samples: c.requests });
      readings.push({ ...base, route, signal: 'errors5xx', value: c.errors5xx / c.requests, samples: c.requests });
      readings.push({ ...base, route, signal: 'errors4xx', value: c.errors4xx / c.requests, samples: c.requests });
    }
  }
  const status: SourceStatus = {
    name,
    type: 'access-log',
    status: down ? 'down' : errors.length ? 'partial' : 'ok',
    ...(errors.length ? { error: errors[0] } : malformed ? { error: `${malformed} line(s) not in ${config.format} format` } : {}),
    readings: readings.filter((r) => r.value !== null).length,
    durationMs: ctx.monotonicMs() - t0,
  };
  return { readings, status };
}

async function filesOf(config: AccessLogSourceConfig, rootDir: string): Promise<string[]> {
  if (config.path) return [path.resolve(rootDir, config.path)];
  return discoverFiles(rootDir, [config.glob ?? '']);
}
