/** One AlertManager per test over a real SQLite store, delivering to real receivers. */
import { AlertManager, resolveAlertsConfig, type AlertsConfigInput, type AlertManagerOptions, type AlertEvent, type DeliveryReport, type FindingChange } from '../../src/alerts/index.js';
import type { MonitorResult } from '../../src/model/index.js';
import { TestClock, type StoreFixture } from './fixtures.js';

export interface Harness {
  manager: AlertManager;
  clock: TestClock;
  lines: string[];
  /** Advance the clock one minute, evaluate a run and deliver. */
  run(results: MonitorResult[], findingChanges?: FindingChange[]): Promise<{ events: AlertEvent[]; report: DeliveryReport }>;
}

export function harness(fx: StoreFixture, input: AlertsConfigInput, extra: Partial<AlertManagerOptions> = {}, clock = new TestClock()): Harness {
  const lines: string[] = [];
  const manager = new AlertManager({
    store: fx.store,
    config: resolveAlertsConfig(input),
    redactor: fx.redactor,
    clock,
    log: (line) => lines.push(line),
    retryBaseMs: 5,
    retryMaxMs: 20,
    ...extra,
  });
  return {
    manager,
    clock,
    lines,
    run: async (results, findingChanges = []) => {
      clock.advance(60_000);
      const events = await manager.evaluate({ results, findingChanges });
      const report = await manager.deliver({ budgetMs: 5_000 });
      return { events, report };
    },
  };
}
