/**
 * One concurrency budget split in lanes: API checks and journeys each get their own slots, so a
 * batch of slow journeys can never starve the checks (and checks never delay a journey's browser).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { MonitorKind } from '../model/index.js';

export class Lanes {
  private readonly limits: Record<MonitorKind, LimitFunction>;

  constructor(sizes: Record<MonitorKind, number>) {
    this.limits = { api: pLimit(Math.max(1, sizes.api)), journey: pLimit(Math.max(1, sizes.journey)) };
  }

  run<T>(kind: MonitorKind, fn: () => Promise<T>): Promise<T> {
    return this.limits[kind](fn);
  }

  /** Running + queued per lane. */
  load(kind: MonitorKind): { active: number; pending: number } {
    return { active: this.limits[kind].activeCount, pending: this.limits[kind].pendingCount };
  }
}
