/**
 * `observer serve` has no runs of its own: other processes (a fleet of CronJobs) write the store.
 * The watcher reads a cheap signature of the store every `intervalMs` (the newest runs with their
 * finish times, the newest results' ids: two small indexed queries) and calls `onChange` when it
 * moved. Only the server polls; pages wait for the server's events.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.js';

/** How many of the newest runs and results the signature covers (a long run finishing behind newer ones still counts). */
const SIGNATURE_DEPTH = 20;

export async function storeSignature(store: Store): Promise<string> {
  const [runs, results] = await Promise.all([store.listRuns({ limit: SIGNATURE_DEPTH }), store.listResults({ limit: SIGNATURE_DEPTH })]);
  const hash = createHash('sha256');
  for (const r of runs) hash.update(`${r.id}\u0000${r.finishedAt ?? ''}\u0000${r.aborted ? 1 : 0}\n`);
  hash.update('\n');
  for (const r of results) hash.update(`${r.id}\n`);
  return hash.digest('hex');
}

export class StoreWatcher {
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private inFlight = false;
  private failing = false;

  constructor(
    private readonly store: Store,
    private readonly opts: { intervalMs: number; onChange(): void; onError(err: Error): void },
  ) {}

  /** False from a failed read until the next good one. */
  get healthy(): boolean {
    return !this.failing;
  }

  /** Reads the first signature (no change reported for it), then polls. */
  async start(): Promise<void> {
    this.last = await storeSignature(this.store);
    this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** One poll (the interval calls it; tests may too). */
  async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const sig = await storeSignature(this.store);
      if (this.failing) this.failing = false;
      if (sig !== this.last) {
        this.last = sig;
        this.opts.onChange();
      }
    } catch (err) {
      // Reported once per outage, not on every poll.
      if (!this.failing) this.opts.onError(err as Error);
      this.failing = true;
    } finally {
      this.inFlight = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
