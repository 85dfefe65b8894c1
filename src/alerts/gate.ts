/**
 * Whether a monitor may notify now: muted (by id, name or tag), inside a maintenance window
 * (instants from the injected clock), flapping, or ok. Mute wins over maintenance over flapping.
 */
import type { AlertsConfig, MaintenanceWindow } from './config.js';
import type { MonitorState } from './state.js';

export type Gate = { kind: 'ok' } | { kind: 'muted' } | { kind: 'maintenance'; reason?: string } | { kind: 'flapping' };

function matches(state: MonitorState, monitors: string[] | undefined, tags: string[] | undefined): boolean {
  if (monitors?.some((m) => m === state.monitor || m === state.name)) return true;
  return !!tags?.some((t) => state.tags.includes(t));
}

export function activeWindow(windows: MaintenanceWindow[], state: MonitorState, nowMs: number): MaintenanceWindow | undefined {
  return windows.find((w) => {
    const start = Date.parse(w.start);
    const end = Date.parse(w.end);
    if (!(nowMs >= start && nowMs < end)) return false;
    const scoped = (w.monitors?.length ?? 0) + (w.tags?.length ?? 0) > 0;
    return !scoped || matches(state, w.monitors, w.tags);
  });
}

export function gateFor(state: MonitorState, config: AlertsConfig, nowMs: number): Gate {
  if (matches(state, config.mute.monitors, config.mute.tags)) return { kind: 'muted' };
  const window = activeWindow(config.maintenance, state, nowMs);
  if (window) return { kind: 'maintenance', ...(window.reason ? { reason: window.reason } : {}) };
  if (state.flapping) return { kind: 'flapping' };
  return { kind: 'ok' };
}
