/** What changed: a per-monitor configuration hash kept with each result, and deploy markers from CI variables. */
import { createHash } from 'node:crypto';
import type { DeployMarker, MonitorDefinition } from '../model/index.js';

/**
 * Stable hash of a monitor's own definition (keys sorted; functions and undefined dropped), 16 hex
 * digits. The origin of absolute URLs is left out: it comes from the environment's base URL (a
 * different port per demo run, a staging host), which is not a change of the monitor.
 */
export function configHash(m: MonitorDefinition): string {
  const stable = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/^https?:\/\/[^/?#]+/i, '');
    if (Array.isArray(v)) return v.map(stable);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]));
    return v;
  };
  return createHash('sha256').update(JSON.stringify(stable(m)) ?? '').digest('hex').slice(0, 16);
}

/**
 * The deploy a CI pipeline is running for, from its variables (GitHub Actions `GITHUB_SHA`, GitLab
 * `CI_COMMIT_SHA`), or undefined outside CI. The id is derived from the version so recording it on
 * every run of the pipeline leaves one marker.
 */
export function ciDeployMarker(env: NodeJS.ProcessEnv, environment: string, atIso: string): DeployMarker | undefined {
  const github = env.GITHUB_SHA;
  const gitlab = env.CI_COMMIT_SHA;
  const version = github ?? gitlab;
  if (!version) return undefined;
  const description = github
    ? `GitHub Actions ${env.GITHUB_REPOSITORY ?? ''}@${env.GITHUB_REF_NAME ?? ''} run ${env.GITHUB_RUN_ID ?? ''}`.trim()
    : `GitLab CI ${env.CI_PROJECT_PATH ?? ''}@${env.CI_COMMIT_REF_NAME ?? ''} pipeline ${env.CI_PIPELINE_ID ?? ''}`.trim();
  return { id: `ci-${environment}-${version}`, at: atIso, environment, version, description };
}
