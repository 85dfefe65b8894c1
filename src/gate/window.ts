/**
 * Which results the gate compares: the baseline is the window before the deploy (default 24 h),
 * the canary runs from the deploy to the next deploy of the same environment (or now), so gating an
 * older deploy never judges a later one's results.
 */
import type { DeployMarker, MonitorResult } from '../model/index.js';

export interface GateWindows {
  deploy: DeployMarker;
  baselineFromMs: number;
  deployAtMs: number;
  /** Exclusive end of the canary: the next deploy's instant, or undefined (up to now). */
  canaryUntilMs?: number;
  nextDeploy?: DeployMarker;
}

/** The newest marker whose version (or id) is `version`, in the environment. */
export function findDeploy(markers: readonly DeployMarker[], version: string, environment: string): DeployMarker | undefined {
  return markers
    .filter((m) => m.environment === environment && (m.version === version || m.id === version))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
}

export function gateWindows(markers: readonly DeployMarker[], deploy: DeployMarker, baselineMs: number): GateWindows {
  const deployAtMs = Date.parse(deploy.at);
  const next = markers
    .filter((m) => m.environment === deploy.environment && m.id !== deploy.id && Date.parse(m.at) > deployAtMs)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  return { deploy, deployAtMs, baselineFromMs: deployAtMs - baselineMs, ...(next ? { canaryUntilMs: Date.parse(next.at), nextDeploy: next } : {}) };
}

export function splitResults(results: readonly MonitorResult[], w: GateWindows): { baseline: MonitorResult[]; canary: MonitorResult[] } {
  const baseline: MonitorResult[] = [];
  const canary: MonitorResult[] = [];
  for (const r of results) {
    if (r.environment !== w.deploy.environment) continue;
    const t = Date.parse(r.startedAt);
    if (t >= w.baselineFromMs && t < w.deployAtMs) baseline.push(r);
    else if (t >= w.deployAtMs && (w.canaryUntilMs === undefined || t < w.canaryUntilMs)) canary.push(r);
  }
  return { baseline, canary };
}
