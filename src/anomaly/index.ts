/**
 * The anomaly core's public API: pure TypeScript, no I/O, deterministic, streaming.
 * See core.ts (AnomalyCore), observations.ts (results → observations), fleet.ts (cross-location).
 */
export { AnomalyCore, seriesId, type AnomalyCoreOptions, type ChangePoint } from './core.js';
export type { Observation, FindingChange, DetectorSignal } from './types.js';
export type { AnomalyConfig, AnomalyOverride, SeriesConfig, DetectorsConfig, Direction } from './config.js';
export { DEFAULT_SERIES_CONFIG, ResolvedAnomalyConfig } from './config.js';
export { observationsFromResult, type SlaSource } from './observations.js';
export { crossLocationSummary, type FleetScope } from './fleet.js';
export { normalizeMessage, errorFingerprint } from './signature.js';
export type { Detector, DetectorInput } from './detector.js';
export type { Quantiles } from './detectors/distribution.js';
export { LogSketch } from './sketch.js';
export { anomalyConfigSchema } from './config-schema.js';
export { EPISODE_MS } from './paging.js';
