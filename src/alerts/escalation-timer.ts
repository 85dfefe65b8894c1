/**
 * The daemon's escalation timer: every `intervalMs`, escalate the alerts nobody acknowledged
 * (AlertManager.escalate) and deliver what it queued. Rounds never overlap; a failing round is
 * logged and the next one runs. The timer is unref'd: it never holds the process.
 */
import type { AlertManager } from './manager.js';

/** How often the daemon looks for due escalation steps. */
export const ESCALATION_CHECK_MS = 30_000;

export interface EscalationTimer {
  /** Stop the timer and wait for a round in progress. */
  stop(): Promise<void>;
}

export function startEscalationTimer(alerts: Pick<AlertManager, 'escalate' | 'deliver' | 'escalates'>, opts: { intervalMs?: number; deliveryBudgetMs?: number; log: (line: string) => void }): EscalationTimer {
  if (!alerts.escalates) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async () => {
      try {
        const events = await alerts.escalate();
        if (events.length) await alerts.deliver({ budgetMs: opts.deliveryBudgetMs ?? 10_000 });
      } catch (err) {
        opts.log(`alerts: escalation round failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, opts.intervalMs ?? ESCALATION_CHECK_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
