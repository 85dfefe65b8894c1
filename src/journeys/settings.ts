/**
 * Journey settings live with the journey: `test('Purchase flow', journey({ ... }), async ({ page }) => ...)`.
 * `journey()` stores them as a Playwright test annotation (and the tags as Playwright tags), so
 * `playwright test --list` and our discovery read them without running anything. Nothing here
 * imports Playwright: the same module is loaded by discovery, the runner and every test worker.
 */
import type { JourneySettings } from '../config/types.js';

/** What a journey may declare about itself; validated by the config loader (`validateJourneySettings`). */
export type { JourneySettings };

/** Defaults, applied in one place (`resolveJourneyLimits`). */
export const JOURNEY_DEFAULTS = { retries: 0, timeoutMs: 60_000, stepTimeoutMs: 15_000 } as const;

/** Annotation type under which `journey()` stores the settings (JSON in `description`). */
export const SETTINGS_ANNOTATION = 'observer:journey';

/** The details object Playwright's `test(title, details, body)` accepts. */
export interface JourneyTestDetails {
  tag?: string[];
  annotation: { type: string; description: string };
}

/**
 * Attach settings to a test: `test('Login', journey({ steps: { 'Sign in': { maxMs: 1500 } } }), fn)`.
 * Tags also become Playwright tags (`@smoke`), so `--grep @smoke` works in plain Playwright too.
 */
export function journey(settings: JourneySettings): JourneyTestDetails {
  const tags = (settings.tags ?? []).map((t) => (t.startsWith('@') ? t : `@${t}`));
  return {
    ...(tags.length ? { tag: tags } : {}),
    annotation: { type: SETTINGS_ANNOTATION, description: JSON.stringify(settings) },
  };
}

/** The settings stored by `journey()` among a test's annotations, still unvalidated (`unknown`). */
export function settingsFromAnnotations(
  annotations: ReadonlyArray<{ type: string; description?: string }>,
): { raw: unknown } | { error: string } | undefined {
  const found = annotations.find((a) => a.type === SETTINGS_ANNOTATION);
  if (!found) return undefined;
  try {
    return { raw: JSON.parse(found.description ?? '{}') as unknown };
  } catch (err) {
    return { error: `the ${SETTINGS_ANNOTATION} annotation is not JSON: ${(err as Error).message}` };
  }
}

/** Limits the worker enforces for one test, resolved from the settings and the defaults. */
export interface JourneyLimits {
  retries: number;
  timeoutMs: number;
  stepTimeoutMs: number;
}

export function resolveJourneyLimits(s: Pick<JourneySettings, 'retries' | 'timeoutMs' | 'stepTimeoutMs'> | undefined): JourneyLimits {
  const timeoutMs = s?.timeoutMs ?? JOURNEY_DEFAULTS.timeoutMs;
  return {
    retries: s?.retries ?? JOURNEY_DEFAULTS.retries,
    timeoutMs,
    stepTimeoutMs: Math.min(s?.stepTimeoutMs ?? JOURNEY_DEFAULTS.stepTimeoutMs, timeoutMs),
  };
}
