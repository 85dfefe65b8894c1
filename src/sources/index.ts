/**
 * The watched system's own golden signals (traffic, errors, latency, saturation) from Prometheus
 * and access logs. See README.md. The run calls `collectSignals` after the monitors and
 * `analyzeSignals` after their analysis; reporters read `SystemSignals` from the report context.
 */
export * from './types.js';
export { collectSignals, monitorsByService, type Collected, type CollectContext } from './collect.js';
export { analyzeSignals, signalAnomalyConfig } from './analyze.js';
export { correlateFindings } from './correlate.js';
export { judge, saturationRisk, readingKey, SIGNALS_STATE_NAMESPACE, type SignalHistory } from './judge.js';
export { readAccessLogSource, SOURCES_STATE_NAMESPACE } from './access-log/source.js';
export { readPrometheusSource } from './prometheus/source.js';
export { queriesFor } from './prometheus/queries.js';
export { PrometheusClient } from './prometheus/client.js';
export { RequestAggregate } from './access-log/aggregate.js';
export { createParser, isIdSegment, newCombinedLine, parseBlock, parseCommonLogTime, RouteNormalizer, scanCombinedLine, type CombinedLine } from './access-log/parse.js';
export { readNewLines, type FilePosition } from './access-log/reader.js';
export { sourcesSchema } from './config-schema.js';
export { checkSources } from './config.js';
export { SignalsPoller, type SignalsPollerOptions } from './poller.js';
