/**
 * The journeys module: discovery, the runner, the Chromium resolution shared with
 * playwright.config.ts. What journey files import lives in fixtures.ts (`production-observer/journey`).
 */
export { JourneyRunner, type JourneyRunnerOptions, type JourneyRunContext, type TraceMode } from './runner.js';
export { discoverJourneys, listJourneyTests, slugify, type DiscoveryConfig } from './discover.js';
export { resolveChromium, ChromiumNotFoundError, CHROMIUM_ARGS, type ResolvedChromium } from './chromium.js';
export { journey, JOURNEY_DEFAULTS, SETTINGS_ANNOTATION, type JourneySettings } from './settings.js';
export { applyStepSla } from './results.js';
