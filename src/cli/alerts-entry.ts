/** `observer alerts ...`: opens the configured store and hands over to the alerts command. */
import { ALERTS_USAGE, alertsCommand } from './alerts.js';
import { ExitCode } from './exit-codes.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export async function alertsEntry(argv: string[], io: CommandIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(ALERTS_USAGE + '\n');
    return ExitCode.Ok;
  }
  const { config, store } = await openConfiguredStore(io, {});
  try {
    return await alertsCommand(argv, { store, stdout: io.stdout, stderr: io.stderr, alerts: config.alerts });
  } finally {
    await store.close();
  }
}
