/**
 * The daemon's side of the sources: after monitor results come in, collect the system's signals at
 * most once per `minIntervalMs` (a busy schedule must not hammer Prometheus), analyse them, correlate
 * this batch's findings, and hand the collection to whoever shows it (/metrics).
 */
import type { AnomalyConfig, FindingChange } from '../anomaly/index.js';
import type { MonitorDefinition } from '../model/index.js';
import type { Clock } from '../runtime/clock.js';
import type { Store } from '../store/store.js';
import { analyzeSignals } from './analyze.js';
import { collectSignals } from './collect.js';
import type { SourceConfig, SystemSignals } from './types.js';

export interface SignalsPollerOptions {
  sources: readonly SourceConfig[];
  store: Store;
  clock: Clock;
  rootDir: string;
  location: string;
  monitors: () => readonly MonitorDefinition[];
  anomalyConfig: AnomalyConfig | undefined;
  /** Default 60 000. */
  minIntervalMs?: number;
  onCollected?: (system: SystemSignals) => void;
}

export class SignalsPoller {
  private lastAt = Number.NEGATIVE_INFINITY;
  private running: Promise<FindingChange[]> | null = null;

  constructor(private readonly opts: SignalsPollerOptions) {}

  /** The signals' finding changes and the correlated monitor findings; nothing when it is not time yet. */
  async afterResults(monitorChanges: readonly FindingChange[]): Promise<FindingChange[]> {
    const now = this.opts.clock.nowMs();
    if (this.running || now - this.lastAt < (this.opts.minIntervalMs ?? 60_000)) return [];
    this.lastAt = now;
    this.running = (async () => {
      const o = this.opts;
      const collected = await collectSignals(o.sources, { store: o.store, clock: o.clock, rootDir: o.rootDir, location: o.location, monitors: o.monitors() });
      o.onCollected?.(collected.system);
      return analyzeSignals(o.store, o.anomalyConfig, collected, monitorChanges);
    })();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }
}
