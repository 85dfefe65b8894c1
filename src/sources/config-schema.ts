/**
 * JSON Schema of `sources` in observer.config.ts: strict (unknown keys rejected), one branch per
 * `type` (if/then, so errors name the branch that applies). Cross-field rules (path xor glob,
 * unique names) are in config.ts.
 */
import type { SchemaObject } from 'ajv';
import { HINT } from '../config/ajv-errors.js';
import { SIGNAL_NAMES } from './types.js';

const nonEmpty: SchemaObject = { type: 'string', minLength: 1, [HINT]: 'must be a non-empty string' };
const monitors: SchemaObject = { type: 'array', items: nonEmpty, uniqueItems: true };
const QUERY_NAMES = [...SIGNAL_NAMES, 'trafficByRoute', 'errors5xxByRoute', 'errors4xxByRoute'];

const prometheusService: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    selector: { type: 'string' },
    exporter: { enum: ['http', 'node', 'cadvisor'] },
    requestsMetric: nonEmpty,
    durationMetric: nonEmpty,
    statusLabel: nonEmpty,
    routeLabel: nonEmpty,
    window: { type: 'string', pattern: '^\\d+(ms|s|m|h|d)$', [HINT]: 'must be a PromQL duration such as 5m' },
    cpuCores: { type: 'number', exclusiveMinimum: 0 },
    memoryLimitBytes: { type: 'integer', minimum: 1 },
    queries: {
      type: 'object',
      propertyNames: { enum: QUERY_NAMES },
      additionalProperties: { anyOf: [nonEmpty, { const: false }], [HINT]: 'must be a PromQL query or false (signal off)' },
    },
    monitors,
  },
};

const prometheus: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'url', 'services'],
  properties: {
    type: { const: 'prometheus' },
    name: nonEmpty,
    url: { type: 'string', pattern: '^https?://', [HINT]: 'must be an http(s) URL of Prometheus, e.g. http://prometheus:9090' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000 },
    services: { type: 'object', minProperties: 1, additionalProperties: prometheusService, [HINT]: 'must name at least one service: { <name>: { selector?, exporter?, queries? } }' },
  },
};

const accessLog: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'service', 'format'],
  properties: {
    type: { const: 'access-log' },
    name: nonEmpty,
    service: nonEmpty,
    path: nonEmpty,
    glob: nonEmpty,
    format: { enum: ['combined', 'json'] },
    fields: {
      type: 'object',
      additionalProperties: false,
      properties: { route: nonEmpty, method: nonEmpty, status: nonEmpty, bytes: nonEmpty, requestTime: nonEmpty, time: nonEmpty },
    },
    requestTimeUnit: { enum: ['s', 'ms', 'us'] },
    maxRoutes: { type: 'integer', minimum: 1, maximum: 10_000 },
    maxBytesPerRun: { type: 'integer', minimum: 1 },
    monitors,
  },
};

export const sourcesSchema: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: ['prometheus', 'access-log'] } },
    allOf: [
      { if: { required: ['type'], properties: { type: { const: 'prometheus' } } }, then: prometheus },
      { if: { required: ['type'], properties: { type: { const: 'access-log' } } }, then: accessLog },
    ],
  },
};
