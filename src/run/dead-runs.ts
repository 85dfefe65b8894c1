/**
 * Runs whose process died without finishing them (SIGKILL, OOM kill, power loss) stay in the store
 * with `finishedAt: null` forever. Every run closes such runs first: marked aborted, finished at
 * the time they were found. A run counts as dead when it was started on this host by a process
 * that no longer exists, or (another host, or a run recorded before runners were) when it started
 * more than `DEAD_AFTER_MS` ago.
 */
import { hostname } from 'node:os';
import type { RunInfo } from '../model/index.js';
import { isoAt } from '../runtime/clock.js';
import type { Store } from '../store/store.js';

/** Unfinished runs older than this are dead whoever ran them (no run lasts a day). */
export const DEAD_AFTER_MS = 24 * 3600_000;
/** How far back, and how many runs, are looked at. */
const LOOK_BACK_MS = 14 * 24 * 3600_000;
const LOOK_BACK_RUNS = 500;

export function thisRunner(): { host: string; pid: number } {
  return { host: hostname(), pid: process.pid };
}

/** Close the dead runs; returns their ids. */
export async function closeDeadRuns(store: Store, nowMs: number, self = thisRunner()): Promise<string[]> {
  const runs = await store.listRuns({ since: isoAt(nowMs - LOOK_BACK_MS), limit: LOOK_BACK_RUNS });
  const dead = runs.filter((r) => r.finishedAt === null && isDead(r, nowMs, self));
  for (const run of dead) await store.saveRun({ ...run, finishedAt: isoAt(nowMs), aborted: true });
  return dead.map((r) => r.id);
}

function isDead(run: RunInfo, nowMs: number, self: { host: string; pid: number }): boolean {
  if (run.runner && run.runner.host === self.host) return run.runner.pid !== self.pid && !processAlive(run.runner.pid);
  return nowMs - Date.parse(run.startedAt) > DEAD_AFTER_MS;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
