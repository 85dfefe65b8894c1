/** `observer deploy --version V`: record a deploy marker, shown on the status board and the charts. */
import { randomUUID } from 'node:crypto';
import { systemClock, isoAt } from '../runtime/clock.js';
import { ExitCode } from './exit-codes.js';
import { parse, UsageError } from './args.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export const DEPLOY_USAGE = `Usage: observer deploy [--version V] [--description TEXT] [--at ISO] [--env NAME] [--config FILE]

Records a deploy marker for the environment (default: the config's), e.g. right after a release.`;

export async function deployCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    { version: { type: 'string' }, description: { type: 'string' }, at: { type: 'string' }, env: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    DEPLOY_USAGE,
  );
  if (values.help) {
    io.stdout.write(DEPLOY_USAGE + '\n');
    return ExitCode.Ok;
  }
  const atMs = values.at ? Date.parse(values.at) : systemClock.nowMs();
  if (Number.isNaN(atMs)) throw new UsageError(`--at: expected an ISO 8601 instant, got "${values.at}"`);
  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  try {
    const marker = {
      id: randomUUID(),
      at: isoAt(atMs),
      environment: config.environment,
      ...(values.version ? { version: values.version } : {}),
      ...(values.description ? { description: values.description } : {}),
    };
    await store.addDeployMarker(marker);
    io.stdout.write(`deploy marker ${marker.version ?? marker.id} recorded for ${marker.environment} at ${marker.at}\n`);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
