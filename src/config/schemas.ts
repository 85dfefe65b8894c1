/**
 * JSON Schemas of everything a user writes: observer.config.ts, checks (*.check.ts / *.check.yaml)
 * and journey settings. Strict: unknown keys are rejected. Defaults are applied in one place
 * (resolve-*.ts), never by the schema; cross-field rules are checked after the schema passes.
 * Branches of `anyOf` are inlined (no `$ref`) so errors can be attributed to the branch that applies.
 */
import type { SchemaObject } from 'ajv';
import type { AssertionOp } from '../model/monitor.js';
import { HINT } from './ajv-errors.js';
import { sourcesSchema } from '../sources/config-schema.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const ASSERTION_OPS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'notContains',
  'matches',
  'exists',
  'notExists',
  'isType',
  'lengthEq',
  'lengthGte',
  'lengthLte',
] as const satisfies readonly AssertionOp[];
// Fails to compile when AssertionOp gains an operator this list lacks.
const _everyOp: Record<AssertionOp, true> = Object.fromEntries(ASSERTION_OPS.map((o) => [o, true])) as Record<(typeof ASSERTION_OPS)[number], true>;
void _everyOp;

export const SLUG = '^[a-z0-9][a-z0-9._-]*$';
const SLUG_HINT = 'must be a slug: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit';

const nonEmpty: SchemaObject = { type: 'string', minLength: 1, [HINT]: 'must be a non-empty string' };
const ms = (max: number): SchemaObject => ({ type: 'integer', minimum: 1, maximum: max });
const retries: SchemaObject = { type: 'integer', minimum: 0, maximum: 10 };
const names: SchemaObject = { type: 'array', items: nonEmpty, uniqueItems: true };
const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };

export const TIMEOUT_MAX_MS = 3_600_000;

/** Per-step SLA of a journey. */
const stepSla: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { maxMs: ms(TIMEOUT_MAX_MS), degradedMs: ms(TIMEOUT_MAX_MS) },
};

/** Settings of one journey (in observer.config.ts `journeys`, or declared in the journey file). */
export const journeySettingsSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: SLUG, maxLength: 128, [HINT]: SLUG_HINT },
    name: nonEmpty,
    schedule: nonEmpty,
    tags: names,
    locations: { ...names, minItems: 1 },
    retries,
    timeoutMs: ms(TIMEOUT_MAX_MS),
    stepTimeoutMs: ms(TIMEOUT_MAX_MS),
    steps: { type: 'object', additionalProperties: stepSla },
  },
};

const assertionValueHint = 'must be a string or an assertion object { op, value }';

/** Every monitor kind a check file can hold; `api` when `kind` is left out. */
export const CHECK_KINDS = ['api', 'api-flow', 'dns', 'tcp', 'tls', 'heartbeat'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

const requestSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    method: { enum: [...HTTP_METHODS] },
    url: nonEmpty,
    headers: stringMap,
    body: {
      anyOf: [{ type: 'string' }, { type: 'object' }, { type: 'array' }],
      [HINT]: 'must be a string or a JSON object/list (serialized as application/json)',
    },
    followRedirects: { type: 'boolean' },
    maxRedirects: { type: 'integer', minimum: 0, maximum: 50 },
  },
};

const certificateSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { degradedDays: { type: 'integer', minimum: 0, maximum: 3650 }, failedDays: { type: 'integer', minimum: 0, maximum: 3650 } },
};

/** Fields every kind has (besides its own). */
const commonProperties: Record<string, SchemaObject> = {
  id: { type: 'string', pattern: SLUG, maxLength: 128, [HINT]: SLUG_HINT },
  name: nonEmpty,
  retries,
  timeoutMs: ms(TIMEOUT_MAX_MS),
  tags: names,
  schedule: nonEmpty,
  locations: { ...names, minItems: 1 },
};

const timeThresholds: Record<string, SchemaObject> = {
  maxResponseTimeMs: ms(TIMEOUT_MAX_MS),
  degradedResponseTimeMs: ms(TIMEOUT_MAX_MS),
};

/** One check, as written in *.check.ts (`defineCheck`) or *.check.yaml. */
export const checkSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'request'],
  properties: {
    kind: { const: 'api' },
    id: { type: 'string', pattern: SLUG, maxLength: 128, [HINT]: SLUG_HINT },
    name: nonEmpty,
    request: requestSchema,
    certificate: certificateSchema,
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: {
          anyOf: [
            { type: 'integer', minimum: 100, maximum: 599 },
            { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'integer', minimum: 100, maximum: 599 } },
          ],
          [HINT]: 'must be a status code (100-599) or a list of them',
        },
        headers: {
          type: 'object',
          additionalProperties: {
            anyOf: [
              { type: 'string' },
              {
                type: 'object',
                additionalProperties: false,
                required: ['op'],
                properties: { op: { enum: [...ASSERTION_OPS] }, value: {} },
              },
            ],
            [HINT]: assertionValueHint,
          },
        },
        schema: {
          anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }, { type: 'boolean' }],
          [HINT]: 'must be a path to a JSON Schema file (relative to the check file) or an inline schema object',
        },
        body: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['op'],
            properties: {
              source: { enum: ['json', 'text'] },
              path: nonEmpty,
              op: { enum: [...ASSERTION_OPS] },
              value: {},
            },
          },
        },
        maxResponseTimeMs: ms(TIMEOUT_MAX_MS),
        degradedResponseTimeMs: ms(TIMEOUT_MAX_MS),
      },
    },
    retries,
    timeoutMs: ms(TIMEOUT_MAX_MS),
    maxBodyBytes: { type: 'integer', minimum: 1 },
    tags: names,
    schedule: nonEmpty,
    locations: { ...names, minItems: 1 },
  },
};

const expectSchema: SchemaObject = (checkSchema.properties as Record<string, SchemaObject>).expect!;

const captureSchema: SchemaObject = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: { json: nonEmpty, header: nonEmpty, regex: nonEmpty, cookie: nonEmpty },
  [HINT]: 'must name exactly one source: { json: "$.path" }, { header: "name" }, { regex: "pattern" } or { cookie: "name" }',
};

/** A multi-step API check. */
export const flowCheckSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'steps'],
  properties: {
    kind: { const: 'api-flow' },
    ...commonProperties,
    cookies: { type: 'boolean' },
    maxBodyBytes: { type: 'integer', minimum: 1 },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'request'],
        properties: {
          name: nonEmpty,
          request: requestSchema,
          expect: expectSchema,
          capture: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, additionalProperties: captureSchema },
          cleanup: { type: 'boolean' },
        },
      },
    },
  },
};

export const dnsCheckSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'query'],
  properties: {
    kind: { const: 'dns' },
    ...commonProperties,
    query: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: nonEmpty, type: { enum: ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] }, resolver: nonEmpty },
    },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...timeThresholds,
        answers: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, required: ['op'], properties: { path: nonEmpty, op: { enum: [...ASSERTION_OPS] }, value: {} } },
        },
      },
    },
  },
};

/** A port; digits in a string too, so it can come from `${env:NAME}` (interpolation yields strings). */
const port: SchemaObject = {
  anyOf: [
    { type: 'integer', minimum: 1, maximum: 65535 },
    { type: 'string', pattern: '^[0-9]{1,5}$' },
  ],
  [HINT]: 'must be a port number (1-65535), or its digits as a string (e.g. from ${env:NAME})',
};

export const tcpCheckSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'host', 'port'],
  properties: {
    kind: { const: 'tcp' },
    ...commonProperties,
    host: nonEmpty,
    port,
    send: { type: 'string', minLength: 1 },
    expect: { type: 'object', additionalProperties: false, properties: { ...timeThresholds, banner: nonEmpty } },
  },
};

export const tlsCheckSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'host'],
  properties: {
    kind: { const: 'tls' },
    ...commonProperties,
    host: nonEmpty,
    port,
    servername: nonEmpty,
    ca: nonEmpty,
    certificate: certificateSchema,
    minProtocol: { enum: ['TLSv1.2', 'TLSv1.3'] },
  },
};

export const heartbeatCheckSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'periodMs', 'token'],
  properties: {
    kind: { const: 'heartbeat' },
    ...commonProperties,
    periodMs: { type: 'integer', minimum: 1000, maximum: 31 * 86_400_000 },
    graceMs: { type: 'integer', minimum: 0, maximum: 31 * 86_400_000 },
    // Its length is checked by the resolver, whose message does not repeat the value.
    token: { type: 'string' },
  },
};

const defaultsSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeoutMs: ms(TIMEOUT_MAX_MS),
    retries,
    maxResponseTimeMs: ms(TIMEOUT_MAX_MS),
    degradedResponseTimeMs: ms(TIMEOUT_MAX_MS),
    maxBodyBytes: { type: 'integer', minimum: 1 },
    journeyTimeoutMs: ms(TIMEOUT_MAX_MS),
    stepTimeoutMs: ms(TIMEOUT_MAX_MS),
  },
};

const globs: SchemaObject = {
  anyOf: [nonEmpty, { type: 'array', minItems: 1, items: nonEmpty }],
  [HINT]: 'must be a glob or a list of globs (relative to the config file)',
};

/**
 * observer.config.ts. `anomaly` and `alerts` are validated separately with the schemas their
 * modules own (so their internal `$ref`s keep working); here they only need to be objects.
 */
export const configSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    environments: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['baseUrl'],
        properties: { baseUrl: nonEmpty },
      },
    },
    defaultEnvironment: nonEmpty,
    defaults: defaultsSchema,
    store: {
      type: 'object',
      additionalProperties: false,
      properties: { url: nonEmpty, path: nonEmpty },
    },
    reporters: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: SLUG, [HINT]: 'must be a reporter name' } },
    outDir: nonEmpty,
    location: { type: 'string', pattern: SLUG, [HINT]: SLUG_HINT },
    locations: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: SLUG, [HINT]: SLUG_HINT } },
    concurrency: {
      type: 'object',
      additionalProperties: false,
      properties: {
        checks: { type: 'integer', minimum: 1, maximum: 1000 },
        perOrigin: { type: 'integer', minimum: 1, maximum: 1000 },
        journeyWorkers: { type: 'integer', minimum: 1, maximum: 64 },
      },
    },
    anomaly: { type: 'object' },
    alerts: { type: 'object' },
    daemon: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timezone: nonEmpty,
        jitterMs: { type: 'integer', minimum: 0, maximum: TIMEOUT_MAX_MS },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        host: nonEmpty,
        shutdownTimeoutMs: ms(TIMEOUT_MAX_MS),
        lanes: {
          type: 'object',
          additionalProperties: false,
          properties: { api: { type: 'integer', minimum: 1, maximum: 1000 }, journey: { type: 'integer', minimum: 1, maximum: 64 } },
        },
      },
    },
    dashboard: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        token: nonEmpty,
        window: nonEmpty,
        writeIntervalSeconds: { type: 'integer', minimum: 0, maximum: 86_400 },
        pollIntervalSeconds: { type: 'integer', minimum: 1, maximum: 3_600 },
        maxClients: { type: 'integer', minimum: 1, maximum: 10_000 },
        heartbeatSeconds: { type: 'integer', minimum: 1, maximum: 300 },
      },
    },
    journeys: { type: 'object', properties: { playwrightConfig: { type: 'string', minLength: 1 }, trace: { enum: ['on-retry', 'retain-on-failure', 'off'] } }, additionalProperties: journeySettingsSchema },
    checkFiles: globs,
    journeyFiles: globs,
    /** The watched system's golden signals (schema owned by src/sources). */
    sources: sourcesSchema,
  },
};
