/** Flakiness per monitor and step: pure scoring over stored results (see flakiness.ts). */
export { usualFlakes } from './alerting.js';
export { DEFAULT_FLAKINESS_OPTIONS, binomialTail, flakiness, pastUsualRate, scoreSeries, type Flakiness, type FlakinessOptions } from './flakiness.js';
