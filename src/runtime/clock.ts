/**
 * Clocks are injected, never read from globals in logic that tests need to control.
 * `monotonicMs` is for durations (performance.now: immune to NTP steps); `nowMs` for instants.
 */
export interface Clock {
  /** Wall clock, epoch milliseconds. */
  nowMs(): number;
  /** Monotonic milliseconds with sub-ms precision; only differences are meaningful. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

export function isoAt(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
