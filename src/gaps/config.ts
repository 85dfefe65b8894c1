/**
 * `gaps` in observer.config.ts: where `observer gaps` finds the API description and production's
 * access logs when the command line does not say.
 *
 * ```ts
 * gaps: {
 *   openapi: './openapi.yaml',
 *   accessLogs: ['logs/access.log', { path: 'logs/edge.jsonl', format: 'json', requestTimeUnit: 'ms' }],
 *   since: '7d',
 * }
 * ```
 * Without `accessLogs`, the `access-log` entries of `sources` are read (their files, format and fields).
 */
import type { SchemaObject } from 'ajv';
import { HINT } from '../config/ajv-errors.js';

export interface GapsLogInput {
  /** Relative to the config file. */
  path: string;
  /** Default `combined`. */
  format?: 'combined' | 'json';
  fields?: { route?: string; method?: string; status?: string; bytes?: string; requestTime?: string; time?: string };
  requestTimeUnit?: 's' | 'ms' | 'us';
}

export interface GapsConfig {
  /** The OpenAPI (3.x) or Swagger 2.0 description, YAML or JSON, relative to the config file. */
  openapi?: string;
  /** Access logs of production: a path (combined format) or `{ path, format, fields, requestTimeUnit }`. */
  accessLogs?: Array<string | GapsLogInput>;
  /** Window of store results and log lines; default `7d`. */
  since?: string;
}

const nonEmpty: SchemaObject = { type: 'string', minLength: 1, [HINT]: 'must be a non-empty string' };

export const gapsSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    openapi: { ...nonEmpty, [HINT]: 'must be the path of an OpenAPI file (YAML or JSON), relative to the config file' },
    accessLogs: {
      type: 'array',
      items: {
        anyOf: [
          nonEmpty,
          {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: nonEmpty,
              format: { enum: ['combined', 'json'] },
              fields: {
                type: 'object',
                additionalProperties: false,
                properties: { route: nonEmpty, method: nonEmpty, status: nonEmpty, bytes: nonEmpty, requestTime: nonEmpty, time: nonEmpty },
              },
              requestTimeUnit: { enum: ['s', 'ms', 'us'] },
            },
          },
        ],
        [HINT]: 'must be a log file path or { path, format?: combined|json, fields?, requestTimeUnit?: s|ms|us }',
      },
    },
    since: { type: 'string', pattern: '^\\d+(m|h|d)$', [HINT]: 'must be a duration such as 90m, 24h or 7d' },
  },
};
