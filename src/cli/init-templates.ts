/**
 * The files `observer init` writes: a team's monitors repository that runs locally
 * (`npx observer run`), builds into an image (two-line Dockerfile on the base image from
 * deploy/Dockerfile) and deploys with the kustomize overlays shipped in this package.
 * Paths are relative to the project folder; every file is small enough to read in one go.
 */

import { readFileSync } from 'node:fs';

/** Name of the base image built from deploy/Dockerfile (tagged with the package version). */
export const BASE_IMAGE = 'ghcr.io/production-observer/observer';

export interface TemplateContext {
  /** production-observer's version: the base image's tag. */
  version: string;
  /** Short project name (image name, workflow name). */
  name: string;
}

export interface Template {
  path: string;
  content: (c: TemplateContext) => string;
}

const config = (): string => `/**
 * Monitoring as code. \`npx observer run\` runs checks/ and journeys/ against the selected
 * environment (\`--env\`, default below); OBSERVER_BASE_URL overrides its base URL.
 * - Kubernetes: deploy/staging and deploy/production select the environments of the same names.
 * - \${env:NAME} reads a secret; resolved values are redacted from logs, reports and alerts.
 */
import { defineConfig } from 'production-observer';

export default defineConfig({
  environments: {
    local: { baseUrl: 'http://127.0.0.1:3000' },
    staging: { baseUrl: 'https://staging.example.com' },
    production: { baseUrl: 'https://www.example.com' },
  },
  defaultEnvironment: 'local',
  defaults: { timeoutMs: 10_000, retries: 1 },
  // SQLite here; OBSERVER_DATABASE_URL (PostgreSQL) replaces it for CronJobs, the daemon and CI.
  store: { path: '.observer/observer.db' },
  reporters: ['json', 'junit', 'markdown', 'html'],
  outDir: 'reports',
  // Alerts leave only when the webhook secret is set (the Kubernetes Secret observer-secrets, or CI).
  ...(process.env.OBSERVER_WEBHOOK_URL
    ? { alerts: { channels: [{ name: 'oncall', type: 'webhook' as const, url: '\${env:OBSERVER_WEBHOOK_URL}' }] } }
    : {}),
});
`;

const healthCheck = (): string => `# GET /api/health on the environment's base URL: 200, a JSON body that matches
# schemas/health.json, answered within a second. Edit the URL and the schema for your service.
id: api-health
name: API health
request:
  url: /api/health
expect:
  status: 200
  schema: schemas/health.json
  body:
    - { path: $.status, op: eq, value: ok }
  maxResponseTimeMs: 1000
  degradedResponseTimeMs: 400
schedule: "*/1 * * * *"
tags: [api, smoke]
`;

const healthSchema = (): string =>
  JSON.stringify(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Health answer',
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok', 'degraded'] } },
    },
    null,
    2,
  ) + '\n';

const homeJourney = (): string => `/**
 * The home page loads and shows a title. A Playwright test: \`npx playwright test\` runs it too.
 * Steps are timed one by one; maxMs fails a step, degradedMs marks it degraded.
 */
import { expect, journey, test } from 'production-observer/journey';

test(
  'Home page',
  journey({ id: 'home', tags: ['smoke'], steps: { 'Open home': { maxMs: 5000, degradedMs: 2000 } } }),
  async ({ page }) => {
    await test.step('Open home', async () => {
      const response = await page.goto('/');
      expect(response?.ok(), 'the home page answers 2xx').toBe(true);
    });

    await test.step('Has a title', async () => {
      await expect(page).toHaveTitle(/\\S/);
    });
  },
);
`;

const playwrightConfig = (): string => `/**
 * The journeys as Playwright tests: \`npx playwright test\` (UI mode, codegen, the trace viewer) and
 * \`observer run\` both read this file (its projects, \`use\` options, setup projects). defineObserverConfig
 * sets the journeys' test pattern, the monitoring Chromium (OBSERVER_CHROMIUM, else Debian's) and its flags.
 */
import { defineObserverConfig } from 'production-observer/playwright';

export default defineObserverConfig({
  reporter: 'list',
  use: { baseURL: process.env.OBSERVER_BASE_URL ?? 'http://127.0.0.1:3000' },
});
`;

const dockerfile = (c: TemplateContext): string => `# The monitors on the production-observer base image (Chromium, observer on PATH, non-root).
# docker build -t registry.example.com/${c.name}:1 .   (deploy/*/kustomization.yaml names the image)
FROM ${BASE_IMAGE}:${c.version}
COPY . /monitors
`;

const dockerignore = (): string => `# The base image brings production-observer and Playwright: never copy a local node_modules.
node_modules
reports
test-results
playwright-report
.observer
.git
`;

const overlay = (env: 'staging' | 'production') => (c: TemplateContext): string => `# kubectl apply -k deploy/${env} -n monitoring     (after npm ci: the base ships in the package)
# CronJobs for API checks and journeys and the daemon, all with \`--env ${env}\`.
# Before the first apply, create the Secret the pods read (see node_modules/production-observer/deploy/README.md):
#   kubectl create secret generic observer-secrets -n monitoring \\
#     --from-literal=OBSERVER_DATABASE_URL='postgres://...' --from-literal=OBSERVER_WEBHOOK_URL='https://...'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../node_modules/production-observer/deploy/kubernetes/overlays/${env}
images:
  - name: ${BASE_IMAGE}
    newName: registry.example.com/${c.name}
    newTag: "1"
`;

/** The CI workflow is the package's own deploy/ci/github-actions.yml, copied as it is. */
const workflow = (): string => readFileSync(new URL('../../deploy/ci/github-actions.yml', import.meta.url), 'utf8');

const gitignore = (): string => `node_modules
reports
test-results
playwright-report
.observer
`;

export const TEMPLATES: readonly Template[] = [
  { path: 'observer.config.ts', content: config },
  { path: 'checks/health.check.yaml', content: healthCheck },
  { path: 'checks/schemas/health.json', content: healthSchema },
  { path: 'journeys/home.journey.ts', content: homeJourney },
  { path: 'playwright.config.ts', content: playwrightConfig },
  { path: 'Dockerfile', content: dockerfile },
  { path: '.dockerignore', content: dockerignore },
  { path: '.gitignore', content: gitignore },
  { path: 'deploy/staging/kustomization.yaml', content: overlay('staging') },
  { path: 'deploy/production/kustomization.yaml', content: overlay('production') },
  { path: '.github/workflows/observer.yml', content: workflow },
];
