/** Selection of monitors by `--grep` (id, name or title) and `--tag` (any of the tags). */
import type { MonitorDefinition } from '../model/monitor.js';

export interface MonitorSelection {
  /** Matched against the id, the name and (journeys) the test title. */
  grep?: RegExp;
  /** A monitor is selected when it has at least one of these tags. */
  tags?: string[];
}

export function selectMonitors<T extends MonitorDefinition>(monitors: readonly T[], selection: MonitorSelection): T[] {
  const { grep, tags } = selection;
  return monitors.filter((m) => {
    if (grep) {
      // A global/sticky RegExp keeps lastIndex between calls; test from the start every time.
      grep.lastIndex = 0;
      const hit = [m.id, m.name, m.kind === 'journey' ? m.title : undefined].some((s) => {
        if (s === undefined) return false;
        grep.lastIndex = 0;
        return grep.test(s);
      });
      if (!hit) return false;
    }
    if (tags && tags.length > 0 && !m.tags.some((t) => tags.includes(t))) return false;
    return true;
  });
}
