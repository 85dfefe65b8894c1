/**
 * The HTTP server `observer daemon` and `observer serve` share: the built-in routes (/metrics,
 * /healthz, /readyz, heartbeats) plus the live dashboard (`/`, `/events`, src/live) when enabled,
 * with the flags both commands take.
 */
import type { HeartbeatBook } from '../checks/heartbeat.js';
import type { ResolvedConfig } from '../config/index.js';
import { BoardSource } from '../live/board.js';
import { LiveDashboard } from '../live/dashboard.js';
import type { ObserverMetrics } from '../metrics/registry.js';
import type { MonitorDefinition } from '../model/index.js';
import { parseDurationMs } from '../model/duration.js';
import { slaFromMonitors } from '../reporters/index.js';
import type { Clock } from '../runtime/clock.js';
import type { Logger } from '../runtime/log.js';
import { builtinRoutes, startHttpServer, type HealthSource, type HttpServer } from '../scheduler/http.js';
import type { Store } from '../store/store.js';
import { intOption, UsageError, type Options } from './args.js';

/** run-<id>.json files kept in reports/ by the periodic writes. */
export const LIVE_KEEP_RUN_FILES = 200;

export const SERVER_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'write-interval': { type: 'string' },
  window: { type: 'string' },
} as const satisfies Options;

export const SERVER_USAGE = `  --port N             HTTP port (default daemon.port, 9464; 0 picks a free one)
  --host ADDR          bind address (default daemon.host or 0.0.0.0; 127.0.0.1 keeps it local)
  --token TOKEN        require this token on / and /events (Bearer or ?token=); prefer
                       dashboard.token: '\${env:NAME}' in the config (a flag shows in ps)
  --write-interval S   rewrite reports/ every S seconds when something changed (0: never;
                       default dashboard.writeIntervalSeconds, 60)
  --window DURATION    history the dashboard shows (default dashboard.window, 24h)`;

export interface ServerFlags {
  port?: string;
  host?: string;
  token?: string;
  'write-interval'?: string;
  window?: string;
}

/** Usage errors of the server flags, before anything is opened. */
export function checkServerFlags(flags: ServerFlags): void {
  intOption(flags.port, 'port');
  intOption(flags['write-interval'], 'write-interval');
  if (flags.window !== undefined && parseDurationMs(flags.window) === undefined) throw new UsageError(`--window: expected a duration such as 90m, 24h or 7d, got "${flags.window}"`);
  if (flags.token !== undefined && flags.token.trim() === '') throw new UsageError('--token: expected a non-empty token');
}

export interface LiveServer {
  server: HttpServer;
  /** Absent when `dashboard.enabled` is false. */
  dashboard?: LiveDashboard;
  host: string;
}

export async function startLiveServer(opts: {
  flags: ServerFlags;
  config: ResolvedConfig;
  store: Store;
  clock: Clock;
  log: Logger;
  env: NodeJS.ProcessEnv;
  metrics: ObserverMetrics;
  health: HealthSource;
  heartbeats?: HeartbeatBook;
  /** Definitions for the charts' SLA lines. */
  monitors: readonly MonitorDefinition[];
}): Promise<LiveServer> {
  const { flags, config } = opts;
  const port = intOption(flags.port, 'port') ?? config.daemon.port;
  const host = flags.host ?? config.daemon.host ?? '0.0.0.0';
  checkServerFlags(flags);
  const writeSeconds = intOption(flags['write-interval'], 'write-interval') ?? config.dashboard.writeIntervalSeconds;
  const window = flags.window ?? config.dashboard.window;
  const token = flags.token ?? config.dashboard.token;
  if (flags.token) config.redactor.add(flags.token);

  // Pages of other modules (the status page, badges) add their routes to this table.
  const routes = builtinRoutes({ metrics: opts.metrics, health: opts.health, ...(opts.heartbeats ? { heartbeats: opts.heartbeats } : {}) });
  let dashboard: LiveDashboard | undefined;
  if (config.dashboard.enabled) {
    const source = new BoardSource({
      store: opts.store,
      clock: opts.clock,
      window,
      environment: config.environment,
      outDir: config.outDir,
      reporters: config.reporters,
      reporterOptions: {
        redactor: config.redactor,
        env: opts.env,
        sla: slaFromMonitors([...opts.monitors]),
        concurrency: config.concurrency.checks + config.concurrency.journeyWorkers,
        // Each write adds the latest run's run-<id>.json: keep the newest, so a daemon does not fill the disk.
        json: { keepRuns: LIVE_KEEP_RUN_FILES },
      },
    });
    dashboard = new LiveDashboard({
      source,
      log: opts.log,
      maxClients: config.dashboard.maxClients,
      heartbeatMs: config.dashboard.heartbeatSeconds * 1000,
      writeIntervalMs: writeSeconds * 1000,
    });
    dashboard.addRoutes(routes);
  }
  const d = dashboard;
  const server = await startHttpServer({ port, host, routes, ...(token ? { token } : {}), ...(d ? { onClose: [() => d.close()] } : {}) });
  return { server, host, ...(dashboard ? { dashboard } : {}) };
}
