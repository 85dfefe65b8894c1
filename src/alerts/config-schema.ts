/** JSON Schema of the `alerts` section of observer.config.ts (owned by src/alerts, embedded by src/config). */
export const alertsConfigSchema = { type: 'object' } as const;
