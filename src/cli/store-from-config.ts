/** Commands that only read or annotate the store (report, alerts, deploy) open it the same way. */
import { loadConfig, type ResolvedConfig } from '../config/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import type { CommandIO } from './io.js';

export async function openConfiguredStore(io: CommandIO, opts: { configFile?: string; environment?: string }): Promise<{ config: ResolvedConfig; store: Store }> {
  const config = await loadConfig({
    cwd: io.cwd,
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
    ...(opts.environment ? { environment: opts.environment } : {}),
    env: io.env,
    // Reading or annotating the store needs no webhook URL or token.
    deliverySecrets: false,
  });
  const store = await openStore({
    ...(config.store.url ? { url: config.store.url } : {}),
    path: config.store.path,
    redactor: config.redactor,
    log: (line: string) => io.stderr.write(config.redactor.redact(line) + '\n'),
  });
  return { config, store };
}
