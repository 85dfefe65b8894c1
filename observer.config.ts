/**
 * Monitoring as code for the bundled demo shop (`npm run demo` starts it and runs this).
 * - `--env staging` selects another base URL; OBSERVER_BASE_URL overrides the selected one
 *   (the demo script sets it to the shop's random port).
 * - Checks are discovered in checks/ (`*.check.ts`, `*.check.yaml`), journeys in journeys/.
 * - `${env:NAME}` works in any string; values are redacted from every log, report and alert.
 * - `sources`: the shop's own golden signals from the Prometheus `npm run demo` starts (it sets
 *   DEMO_PROMETHEUS_URL); point `url` at your Prometheus, or add `access-log` sources, for your system.
 * - `gaps`: `observer gaps` ranks the API's operations (demo/openapi.yaml) by production traffic (the
 *   shop's access log, written by `npm run demo`) not covered by the checks and journeys.
 * - `statusPage`: the public status page (`/status` on the daemon and `observer serve`,
 *   `observer report --status-page DIR` for static hosting), its badges and the SLA targets
 *   (`observer report --sla YYYY-MM`). The maintenance window is always tomorrow, to show one.
 */
import { defineConfig } from 'production-observer';

export default defineConfig({
  environments: {
    local: { baseUrl: 'http://127.0.0.1:4173' },
    staging: { baseUrl: 'https://staging.shop.example.com' },
  },
  defaultEnvironment: 'local',
  defaults: {
    timeoutMs: 10_000,
    retries: 1,
    maxResponseTimeMs: 2_000,
    degradedResponseTimeMs: 800,
  },
  store: { path: '.observer/observer.db' },
  reporters: ['json', 'junit', 'markdown', 'html'],
  outDir: 'reports',
  concurrency: { checks: 20, perOrigin: 6, journeyWorkers: 2 },
  daemon: { port: 9464, jitterMs: 2_000, shutdownTimeoutMs: 30_000 },
  ...(process.env.DEMO_PROMETHEUS_URL
    ? {
        sources: [
          {
            type: 'prometheus' as const,
            url: process.env.DEMO_PROMETHEUS_URL,
            // The demo runs for seconds, not minutes: a short rate() window.
            services: { shop: { selector: 'job="shop"', window: '1m' } },
          },
        ],
      }
    : {}),
  gaps: { openapi: './demo/openapi.yaml', accessLogs: ['.observer/demo-access.log'] },
  statusPage: {
    title: 'Demo shop status',
    description: 'The bundled demo shop, measured by the example checks and the purchase journey.',
    slo: 99.5,
    groups: [
      { id: 'storefront', name: 'Storefront', slo: 99.9, monitors: ['purchase', 'health', 'product-detail', 'products-search'] },
      { id: 'accounts', name: 'Accounts and cart', monitors: ['login', 'cart-flow'] },
      { id: 'infrastructure', name: 'Infrastructure', slo: 99, monitors: ['shop-dns', 'shop-tls', 'cache-tcp', 'nightly-backup'] },
    ],
    maintenance: [
      {
        start: `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T02:00:00Z`,
        end: `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T03:00:00Z`,
        groups: ['infrastructure'],
        message: 'Cache servers are replaced; the cache check may fail meanwhile.',
      },
    ],
  },
  journeys: {
    purchase: {
      schedule: '*/10 * * * *',
      tags: ['shop', 'critical'],
      steps: {
        'Open home': { maxMs: 3_000, degradedMs: 1_500 },
        Search: { maxMs: 3_000, degradedMs: 1_500 },
      },
    },
  },
});
