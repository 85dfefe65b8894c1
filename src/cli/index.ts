/**
 * The `observer` command: dispatches to one file per command and maps errors to exit codes.
 * A usage or configuration problem prints what is wrong (file, field, expectation) and exits 2,
 * never with a stack trace.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, formatDiagnostics } from '../config/index.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './args.js';
import type { CommandIO } from './io.js';

type Command = (argv: string[], io: CommandIO) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run the selected checks and journeys once (CI, CronJobs)', load: async () => (await import('./run.js')).runCommand },
  check: { summary: 'one ad-hoc API check of a URL, no config needed', load: async () => (await import('./check.js')).checkCommand },
  daemon: { summary: 'schedule every monitor by its cron expression, serve the live dashboard and /metrics', load: async () => (await import('./daemon.js')).daemonCommand },
  serve: { summary: 'serve the live dashboard from the store, scheduling nothing (CronJobs writing PostgreSQL)', load: async () => (await import('./serve.js')).serveCommand },
  detect: {
    summary: 'run the anomaly core over a CSV time series',
    load: async () => {
      const { detectCommand } = await import('./detect.js');
      return (argv, io) => detectCommand(argv, { stdout: io.stdout, stderr: io.stderr });
    },
  },
  report: { summary: 'write reports/ from the store (--since 24h)', load: async () => (await import('./report.js')).reportCommand },
  alerts: { summary: 'list alerts, ack them, print alert-quality stats', load: async () => (await import('./alerts-entry.js')).alertsEntry },
  init: { summary: 'scaffold a monitors repository (config, checks, journeys, Dockerfile, deploy/, CI)', load: async () => (await import('./init.js')).initCommand },
  deploy: { summary: 'record a deploy marker (shown on the board and charts)', load: async () => (await import('./deploy.js')).deployCommand },
  record: { summary: 'record a journey with Playwright codegen into journeys/<name>.journey.ts', load: async () => (await import('./record.js')).recordCommand },
  incidents: { summary: 'open and recent incidents: grouped failures, timeline, probable cause', load: async () => (await import('./incidents.js')).incidentsCommand },
  gate: { summary: 'judge a deploy: steps after it against the baseline before it (exit 1 on a regression)', load: async () => (await import('./gate.js')).gateCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: observer <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `observer <command> --help` for its options.',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage() + '\n');
    return name ? ExitCode.Ok : ExitCode.UsageOrConfig;
  }
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(pkg.version + '\n');
    return ExitCode.Ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`observer: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}\n`);
    return ExitCode.UsageOrConfig;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(formatDiagnostics(err.diagnostics) + '\n');
      const count = err.diagnostics.filter((d) => d.severity === 'error').length;
      io.stderr.write(`observer: ${count} configuration error(s); nothing was run\n`);
      return ExitCode.UsageOrConfig;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`observer ${name}: ${err.message}\n`);
      if (err.usage) io.stderr.write(`Run \`observer ${name} --help\` for usage.\n`);
      return ExitCode.UsageOrConfig;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`observer ${name}: ${message.split('\n')[0]}\n`);
    if (io.env.OBSERVER_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return ExitCode.Internal;
  }
}

/** Entry point of the `observer` binary (bin.ts). */
export async function cli(): Promise<void> {
  const handlers: Array<(s: NodeJS.Signals) => void> = [];
  let signals = 0;
  // A closed stdout/stderr (`observer run | head -3`) ends the output, never the run: the reports
  // and the store are still written. Writes after the pipe closed are dropped.
  const closed = { stdout: false, stderr: false };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || err.code === 'ECONNRESET') closed[name] = true;
      else throw err;
    });
  }
  const io: CommandIO = {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    onSignals: (h) => handlers.push(h),
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (handlers.length === 0 && sig !== 'SIGHUP') process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
      if (sig !== 'SIGHUP' && ++signals >= 3) {
        process.stderr.write(`observer: ${sig} received ${signals} times: exiting without waiting\n`);
        process.exit(130);
      }
      for (const h of handlers) h(sig);
    });
  }
  const code = await main(process.argv.slice(2), io);
  // Flush stdout before exiting (pipes are async).
  if (closed.stdout || process.stdout.destroyed) process.exit(code);
  process.stdout.write('', () => process.exit(code));
}

