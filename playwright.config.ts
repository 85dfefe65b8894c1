/**
 * The demo's journeys under `npx playwright test` (UI mode, codegen, trace viewer), configured as a
 * user's project would be: `observer run` reads this file too and layers its own settings on top.
 */
import { defineObserverConfig } from 'production-observer/playwright';

export default defineObserverConfig();
