/**
 * One concurrency budget split in lanes: API checks and journeys each get their own slots, so a
 * batch of slow journeys can never starve the checks (and checks never delay a journey's browser).
 * Every kind other than journeys (api, api-flow, dns, tcp, tls, heartbeat) shares the `api` lane.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { MonitorKind } from '../model/index.js';

export class Lanes {
  private readonly limits: Record<Lane, LimitFunction>;

  constructor(sizes: Record<Lane, number>) {
    this.limits = { api: pLimit(Math.max(1, sizes.api)), journey: pLimit(Math.max(1, sizes.journey)) };
  }

  run<T>(kind: MonitorKind, fn: () => Promise<T>): Promise<T> {
    return this.limits[laneOf(kind)](fn);
  }

  /** Running + queued per lane. */
  load(kind: MonitorKind): { active: number; pending: number } {
    const limit = this.limits[laneOf(kind)];
    return { active: limit.activeCount, pending: limit.pendingCount };
  }
}

export type Lane = 'api' | 'journey';

export function laneOf(kind: MonitorKind): Lane {
  return kind === 'journey' ? 'journey' : 'api';
}
