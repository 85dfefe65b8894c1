/** What a command gets from the process: passed in so commands run in-process in tests. */
export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Register a handler for SIGTERM/SIGINT (and SIGHUP for the daemon). */
  onSignals?(handler: (signal: NodeJS.Signals) => void): void;
}
