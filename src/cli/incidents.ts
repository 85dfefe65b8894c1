/** `observer incidents [--since 24h] [--json]`: open and recent incidents, their timeline and probable causes, from the store. */
import { buildIncidents, incidentsMarkdown } from '../incidents/index.js';
import { parseWindow } from '../run/report-context.js';
import { isoAt, systemClock } from '../runtime/clock.js';
import { ExitCode } from './exit-codes.js';
import { parse, UsageError } from './args.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export const INCIDENTS_USAGE = `Usage: observer incidents [--since 24h] [--json] [--env NAME] [--config FILE]

Groups failures and findings that share a cause into incidents: evidence (same error, same endpoint,
one location only, the whole runner), a timeline, and candidate causes (deploys, monitor config
changes, golden-signal findings) scored by timing and scope; "probable" above the bar.
Exit 0 when no incident is open, 1 when one is.`;

export async function incidentsCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(argv, { since: { type: 'string' }, json: { type: 'boolean' }, env: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, INCIDENTS_USAGE);
  if (values.help) {
    io.stdout.write(INCIDENTS_USAGE + '\n');
    return ExitCode.Ok;
  }
  const window = values.since ?? '24h';
  const windowMs = parseWindow(window);
  if (windowMs === undefined) throw new UsageError(`--since: expected a duration such as 90m, 24h or 7d, got "${window}"`);
  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  try {
    const since = isoAt(systemClock.nowMs() - windowMs);
    const [results, findings, deploys] = await Promise.all([
      store.listResults({ since, environment: config.environment }),
      store.listFindings({ since }),
      store.listDeployMarkers({ since: isoAt(systemClock.nowMs() - 2 * windowMs), environment: config.environment }),
    ]);
    const incidents = buildIncidents(results, findings, deploys);
    io.stdout.write((values.json ? JSON.stringify({ incidents }, null, 2) : incidentsMarkdown(incidents)) + '\n');
    return incidents.some((i) => i.status === 'open') ? ExitCode.MonitorFailed : ExitCode.Ok;
  } finally {
    await store.close();
  }
}
