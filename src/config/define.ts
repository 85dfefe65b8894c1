/**
 * Identity functions that give config, check and journey files their types:
 * `export default defineConfig({ ... })`, `export default defineCheck({ ... })`.
 */
import type { CheckInput, JourneySettings, ObserverConfig } from './types.js';

export function defineConfig(config: ObserverConfig): ObserverConfig {
  return config;
}

/** One check or a list of checks (a file may export either). */
export function defineCheck(check: CheckInput): CheckInput;
export function defineCheck(checks: CheckInput[]): CheckInput[];
export function defineCheck(check: CheckInput | CheckInput[]): CheckInput | CheckInput[] {
  return check;
}

/** Settings of a journey declared in its file. */
export function defineJourney(settings: JourneySettings): JourneySettings {
  return settings;
}
