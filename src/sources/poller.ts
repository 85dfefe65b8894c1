/**
 * The daemon's side of the sources: after monitor results come in, collect the system's signals at
 * most once per `minIntervalMs` (a busy schedule must not hammer Prometheus) and hand the collection
 * to the pipeline (analysed and correlated after the monitors) and to whoever shows it (/metrics).
 */
import type { MonitorDefinition } from '../model/index.js';
import type { Clock } from '../runtime/clock.js';
import type { Store } from '../store/store.js';
import { collectSignals, type Collected } from './collect.js';
import type { SourceConfig, SystemSignals } from './types.js';

export interface SignalsPollerOptions {
  sources: readonly SourceConfig[];
  store: Store;
  clock: Clock;
  rootDir: string;
  location: string;
  monitors: () => readonly MonitorDefinition[];
  /** Default 60 000. */
  minIntervalMs?: number;
  onCollected?: (system: SystemSignals) => void;
}

export class SignalsPoller {
  private lastAt = Number.NEGATIVE_INFINITY;
  private running = false;

  constructor(private readonly opts: SignalsPollerOptions) {}

  /**
   * This batch's collection of the system's signals, for the pipeline to analyse after the
   * monitors (`analyzeAndAlert`); nothing when it is not time yet or a collection is under way.
   */
  async collect(): Promise<Collected | undefined> {
    const now = this.opts.clock.nowMs();
    if (this.running || now - this.lastAt < (this.opts.minIntervalMs ?? 60_000)) return undefined;
    this.lastAt = now;
    this.running = true;
    try {
      const o = this.opts;
      const collected = await collectSignals(o.sources, { store: o.store, clock: o.clock, rootDir: o.rootDir, location: o.location, monitors: o.monitors() });
      o.onCollected?.(collected.system);
      return collected;
    } finally {
      this.running = false;
    }
  }
}
