/**
 * Concurrency bounds with p-limit: a global limit and one per origin. A task takes its origin
 * slot first, then a global slot, so a busy origin never holds global slots while it waits and
 * other origins keep flowing. Origin limiters are dropped when idle.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export interface ConcurrencyOptions {
  /** Exchanges in flight at once, all origins together. */
  concurrency: number;
  /** Exchanges in flight at once against one origin (scheme + host + port). */
  perOriginConcurrency: number;
}

export class ConcurrencyGate {
  private readonly global: LimitFunction;
  private readonly origins = new Map<string, LimitFunction>();

  constructor(private readonly opts: ConcurrencyOptions) {
    this.global = pLimit(opts.concurrency);
  }

  /** Run `task` once both slots are free. */
  run<T>(origin: string, task: () => Promise<T>): Promise<T> {
    // A per-origin bound at or above the global one can never bind: one limiter is enough.
    if (this.opts.perOriginConcurrency >= this.opts.concurrency) return this.global(task);
    return this.runPerOrigin(origin, task);
  }

  private async runPerOrigin<T>(origin: string, task: () => Promise<T>): Promise<T> {
    let limit = this.origins.get(origin);
    if (!limit) {
      limit = pLimit(this.opts.perOriginConcurrency);
      this.origins.set(origin, limit);
    }
    try {
      return await limit(() => this.global(task));
    } finally {
      if (limit.activeCount === 0 && limit.pendingCount === 0 && this.origins.get(origin) === limit) {
        this.origins.delete(origin);
      }
    }
  }

  /** Tasks running, tasks waiting (global view). */
  get load(): { active: number; pending: number } {
    let pending = this.global.pendingCount;
    for (const l of this.origins.values()) pending += l.pendingCount;
    return { active: this.global.activeCount, pending };
  }
}
