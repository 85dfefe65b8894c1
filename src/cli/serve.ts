/**
 * `observer serve`: the live dashboard from a store, without scheduling anything (for a fleet of
 * CronJobs writing PostgreSQL). The server reads a cheap signature of the store every
 * `dashboard.pollIntervalSeconds` and pushes an update to the open pages when it moved; it keeps
 * reports/ current like the daemon. SIGTERM/SIGINT end the event streams and exit 0.
 */
import { ObserverMetrics } from '../metrics/registry.js';
import { systemClock } from '../runtime/clock.js';
import { createLogger, type LogFormat } from '../runtime/log.js';
import { StoreWatcher } from '../live/watch.js';
import { ExitCode } from './exit-codes.js';
import { intOption, oneOf, parse } from './args.js';
import { checkServerFlags, SERVER_FLAGS, SERVER_USAGE, startLiveServer } from './live-server.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export const SERVE_USAGE = `Usage: observer serve [options]

Serves the live dashboard at / from the store (runs written by other processes, e.g. CronJobs
writing PostgreSQL), pushes updates to open pages as new results arrive, and keeps reports/
current. Schedules nothing. Also /metrics, /healthz and /readyz (ready while the store answers).

  --config FILE        observer.config.ts
  --env NAME           environment
${SERVER_USAGE}
  --poll-interval S    read the store's newest runs every S seconds (default
                       dashboard.pollIntervalSeconds, 5)
  --log-format FORMAT  pretty (default) or json`;

export async function serveCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    { config: { type: 'string' }, env: { type: 'string' }, ...SERVER_FLAGS, 'poll-interval': { type: 'string' }, 'log-format': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    SERVE_USAGE,
  );
  if (values.help) {
    io.stdout.write(SERVE_USAGE + '\n');
    return ExitCode.Ok;
  }
  const logFormat: LogFormat = oneOf(values['log-format'], 'log-format', ['pretty', 'json'] as const) ?? 'pretty';
  const pollSeconds = intOption(values['poll-interval'], 'poll-interval', { min: 1 });
  checkServerFlags(values);
  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  const log = createLogger({ format: logFormat, redactor: config.redactor, stream: io.stderr });
  const clock = systemClock;
  let watcher: StoreWatcher | undefined;
  const health = {
    get ready() {
      return watcher?.healthy ?? false;
    },
    monitorCount: 0,
    readyText: () => `ready: serving the store ${store.description}\n`,
  };
  let live: Awaited<ReturnType<typeof startLiveServer>> | undefined;
  try {
    const metrics = new ObserverMetrics({ processMetrics: true, labels: { location: config.location } });
    live = await startLiveServer({ flags: values, config, store, clock, log, env: io.env, metrics, health, monitors: config.checks });
    const dashboard = live.dashboard;
    watcher = new StoreWatcher(store, {
      intervalMs: (pollSeconds ?? config.dashboard.pollIntervalSeconds) * 1000,
      onChange: () => dashboard?.changed(),
      onError: (err) => {
        log.warn(`serve: could not read the store: ${err.message}`);
      },
    });
    await watcher.start();
    log.info(`observer serve: ${dashboard ? `dashboard on :${live.server.port}/, ` : ''}metrics on :${live.server.port}/metrics, store ${store.description}`);
    io.stdout.write(`listening on ${live.server.port}\n`);
  } catch (err) {
    watcher?.stop();
    await live?.server.close();
    await store.close();
    throw err;
  }
  const started = { watcher, live };
  return await new Promise<number>((resolve) => {
    let stopping = false;
    io.onSignals?.((sig) => {
      if (sig === 'SIGHUP' || stopping) return;
      stopping = true;
      log.info(`${sig}: closing the event streams`);
      void (async () => {
        started.watcher.stop();
        await started.live.server.close();
        await store.close();
        resolve(ExitCode.Ok);
      })();
    });
  });
}
