/** `observer alerts ...`: opens the configured store and hands over to the alerts command. */
import { alertsCommand } from './alerts.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export async function alertsEntry(argv: string[], io: CommandIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    return alertsCommand(argv, { store: null as never, stdout: io.stdout, stderr: io.stderr });
  }
  const { store } = await openConfiguredStore(io, {});
  try {
    return await alertsCommand(argv, { store, stdout: io.stdout, stderr: io.stderr });
  } finally {
    await store.close();
  }
}
