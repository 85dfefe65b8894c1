/** JSON Schema of the `anomaly` section of observer.config.ts (owned by the anomaly core, embedded by src/config). */
export const anomalyConfigSchema = { type: 'object' } as const;
