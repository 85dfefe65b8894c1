/**
 * JSON Schema of the `anomaly` section of observer.config.ts (owned by the anomaly core, embedded
 * by src/config). Strict: unknown keys are rejected. Defaults live in config.ts (one place); every
 * field here is optional. Mirrors `AnomalyConfig` in config.ts.
 */

const num = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'number', description, ...extra }) as const;
const int = (description: string, minimum = 1) => ({ type: 'integer', minimum, description }) as const;
const prob = (description: string) => ({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description }) as const;
const enabled = { type: 'boolean', description: 'Turn this detector off (true by default).' } as const;

const detectors = {
  type: 'object',
  additionalProperties: false,
  description: 'Per-detector settings.',
  properties: {
    spike: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        zOpen: num('Robust z at which a spike opens (default 6).', { exclusiveMinimum: 0 }),
        zResolve: num('Robust z under which a point counts as normal (default 3).', { exclusiveMinimum: 0 }),
        tailFactor: num("Open threshold is also this x the series' own 99th percentile |z| (default 2.2).", { minimum: 0 }),
        minRelChange: num('Latency spikes must also be this relative change (default 0.2 = +20%).', { minimum: 0 }),
        surprise: num('Two-sided series: open threshold is also this x the decaying max |z| of recent points (default 0.7; 0 disables).', { minimum: 0 }),
        surpriseHalfLife: num('Half-life of that maximum in points (default 288).', { exclusiveMinimum: 0 }),
      },
    },
    regression: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        cusumK: num('CUSUM drift allowance in robust sigmas (default 0.5).', { minimum: 0 }),
        cusumH: num('CUSUM decision threshold in robust sigmas (default 6).', { exclusiveMinimum: 0 }),
        alpha: prob('Mann-Whitney p-value that confirms a shift (default 0.001).'),
        minShiftSigma: num('Minimum shift in robust sigmas (default 1.5).', { minimum: 0 }),
        minShiftPct: num('Latency series: minimum shift in percent (default 10).', { minimum: 0 }),
        minShiftSigmaTwoSided: num('Two-sided (generic) series: minimum shift in robust sigmas (default 5).', { minimum: 0 }),
        minShiftPctTwoSided: num('Two-sided series with a level away from zero: a shift of this many percent of the level also counts when it is minShiftSigma sigmas (default 20).', { minimum: 0 }),
        alphaTwoSided: prob('Two-sided series: confirming p-value (default 0.0001).'),
        acceptAfterPoints: int('A shift lasting this many points is accepted as the new baseline (default 288).'),
      },
    },
    errors: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        window: { type: 'integer', minimum: 5, maximum: 30, description: 'Recent runs compared with the baseline failure rate (default 20).' },
        zOpen: num('Wilson bound quantile that opens (default 2.576).', { exclusiveMinimum: 0 }),
        zHold: num('Deprecated, no effect: an open error-rate finding is kept by failing runs and ended by resolveAfter passing runs in a row.', { exclusiveMinimum: 0 }),
        margin: num('Absolute margin over the baseline failure rate (default 0.05).', { minimum: 0, maximum: 1 }),
        newSignatures: { type: 'boolean', description: 'Report failures with a new normalized message (default true).' },
      },
    },
    sla: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        degradedMs: num('Degraded threshold (warning); the step SLA of the monitor when unset.', { exclusiveMinimum: 0 }),
        failedMs: num('Failed threshold (critical); the step SLA of the monitor when unset.', { exclusiveMinimum: 0 }),
        resolveFactor: num('A breach resolves below threshold x this (default 0.9).', { exclusiveMinimum: 0, maximum: 1 }),
      },
    },
    slo: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        availability: prob('Availability objective of outcome series (default 0.99).'),
        latencyThresholdMs: num('Latency objective threshold; off unless set (or a step degraded SLA exists).', { exclusiveMinimum: 0 }),
        latencyTarget: prob('Share of runs under the latency threshold (default 0.99).'),
        fastBurn: num('Burn rate over 1 h and 5 min that pages (default 14.4).', { exclusiveMinimum: 0 }),
        slowBurn: num('Burn rate over 6 h and 30 min that warns (default 6).', { exclusiveMinimum: 0 }),
        minBadEvents: int('Bad events needed in the long window (default 3).'),
      },
    },
    distribution: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        tailRatio: num('p99/p50 ratio reported as a heavy tail (default 10).', { exclusiveMinimum: 1 }),
        bimodalD: num("Ashman's D of the two clusters that counts as bimodal (default 5).", { exclusiveMinimum: 0 }),
        varianceRatio: num('Recent/long-run robust sigma that counts as variance growth (default 2.5).', { exclusiveMinimum: 1 }),
        every: int('Run these checks every N points (default 64).'),
      },
    },
    patterns: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled,
        seasonalStrength: prob('Variance share the hour-of-day profile must explain to become the baseline (default 0.4).'),
        minDays: num('Days of history before seasonality is considered (default 3).', { minimum: 1 }),
        trendAlpha: prob('Mann-Kendall p-value of a reported trend (default 0.001).'),
        trendPctPerDay: num('Minimum trend per day as a fraction of the level (default 0.2).', { minimum: 0 }),
      },
    },
  },
} as const;

const seriesSettings = {
  minHistory: int('Points before value detectors speak (default 20).', 5),
  resolveAfter: int('Consecutive normal points that resolve a finding (default 3).'),
  direction: { enum: ['up', 'down', 'both'], description: 'Bad direction; default up for ...Ms and cls, both otherwise.' },
  detectors,
} as const;

export const anomalyConfigSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'The anomaly core: defaults work without tuning; overrides match by monitor/step/metric/location, later entries win.',
  properties: {
    enabled: { type: 'boolean', description: 'Run the anomaly core after each run (default true).' },
    ...seriesSettings,
    overrides: {
      type: 'array',
      description: 'Settings for matching series.',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          monitor: { type: 'string', minLength: 1, description: 'Monitor id.' },
          step: { type: 'string', minLength: 1, description: "Step name (the monitor's name for whole-monitor series)." },
          metric: { type: 'string', minLength: 1, description: 'durationMs, firstByteMs, totalMs, lcpMs, fcpMs, ttfbMs, cls, outcome.' },
          location: { type: 'string', minLength: 1 },
          ...seriesSettings,
        },
      },
    },
  },
} as const;
