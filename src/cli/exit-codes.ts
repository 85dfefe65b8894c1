/** Exit codes of every observer command, in one place. Documented in the README. */
export const ExitCode = {
  /** All monitors passed (degraded allowed unless --fail-on degraded). */
  Ok: 0,
  /** A monitor failed, an SLA was breached, or an anomaly at the failing severity is open. */
  MonitorFailed: 1,
  /** Usage or configuration error: nothing was run. */
  UsageOrConfig: 2,
  /** The run was aborted by a signal or its deadline before every monitor finished (what it measured is kept). */
  Aborted: 3,
  /** The runner itself crashed (a bug, not a monitor's failure): the message names it, OBSERVER_DEBUG=1 prints the stack. */
  Internal: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
