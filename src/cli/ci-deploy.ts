/** `observer run` in a CI pipeline records the deploy it checks (GITHUB_SHA / CI_COMMIT_SHA), once per version. */
import { ciDeployMarker } from '../incidents/changes.js';
import { isoAt, systemClock } from '../runtime/clock.js';
import type { Store } from '../store/store.js';

export async function recordCiDeploy(store: Store, env: NodeJS.ProcessEnv, environment: string, warn: (line: string) => void): Promise<void> {
  const marker = ciDeployMarker(env, environment, isoAt(systemClock.nowMs()));
  if (!marker) return;
  try {
    const known = await store.listDeployMarkers({ environment });
    if (!known.some((m) => m.version === marker.version)) await store.addDeployMarker(marker);
  } catch (err) {
    warn(`store: recording the CI deploy ${marker.version}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
