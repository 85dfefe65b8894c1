/**
 * `observer alerts`: list alerts, record a verdict (ack), print alert-quality stats with
 * recommendations. Reads and annotates the store only; the integrator opens it from the config.
 */
import type { Store, AlertRecord } from '../store/store.js';
import { computeAlertStats, MIN_ACKS, type AlertStats, type AlertStatsRow } from '../alerts/stats.js';
import { AlertNotFoundError } from '../alerts/errors.js';
import { pagerDutyAcknowledge } from '../alerts/channels/pagerduty.js';
import { deliveryId } from '../alerts/ids.js';
import type { AlertsConfig } from '../alerts/config.js';
import { formatDurationMs, parseDurationMs } from '../model/index.js';
import { isoAt, systemClock, type Clock } from '../runtime/clock.js';
import { parse, oneOf, UsageError } from './args.js';
import { ExitCode } from './exit-codes.js';

export const ALERTS_USAGE = `Usage:
  observer alerts [--status open|resolved] [--since 24h] [--monitor ID] [--json]
  observer alerts ack ID [--false-positive] [--by NAME]
  observer alerts stats [--since 7d] [--json]

Lists alerts (newest first), records whether an alert was a true or a false positive, and prints
alert quality per rule and per monitor: alerts, flaps, mean time to resolve, false-positive rate,
with a recommendation where a rule is noisy. --since takes 90m, 24h, 7d, 2w.`;

export interface AlertsCommandContext {
  store: Store;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Instants for --since and ack times (default: the system clock). */
  clock?: Clock;
  /** The alerts settings in force: an empty list explains itself with them. */
  alerts?: Pick<AlertsConfig, 'channels' | 'rules'>;
}

/** `90m`, `24h`, `7d`, `2w`, `30s` to milliseconds; undefined when not a duration. */
export const parseSince = parseDurationMs;

function sinceIso(value: string | undefined, fallback: string | undefined, clock: Clock): string | undefined {
  const text = value ?? fallback;
  if (text === undefined) return undefined;
  const ms = parseSince(text);
  if (ms === undefined) throw new UsageError(`--since: expected a duration such as 90m, 24h or 7d, got "${text}"`, ALERTS_USAGE);
  return isoAt(clock.nowMs() - ms);
}

export async function alertsCommand(argv: string[], ctx: AlertsCommandContext): Promise<number> {
  try {
    const [sub, ...rest] = argv;
    if (sub === 'ack') return await ackCommand(rest, ctx);
    if (sub === 'stats') return await statsCommand(rest, ctx);
    return await listCommand(argv, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr.write(`observer alerts: ${err.message}\nRun \`observer alerts --help\` for usage.\n`);
      return ExitCode.UsageOrConfig;
    }
    if (err instanceof AlertNotFoundError) {
      ctx.stderr.write(`observer alerts: ${err.message}\n`);
      return ExitCode.UsageOrConfig;
    }
    throw err;
  }
}

async function listCommand(argv: string[], ctx: AlertsCommandContext): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { status: { type: 'string' }, since: { type: 'string' }, monitor: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    ALERTS_USAGE,
  );
  if (values.help) {
    ctx.stdout.write(ALERTS_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (positionals.length) throw new UsageError(`unknown subcommand "${positionals[0]}"; expected ack or stats`, ALERTS_USAGE);
  const clock = ctx.clock ?? systemClock;
  const status = oneOf(values.status, 'status', ['open', 'resolved'] as const);
  const since = sinceIso(values.since, undefined, clock);
  const alerts = (
    await ctx.store.listAlerts({ ...(status ? { status } : {}), ...(since ? { since } : {}), ...(values.monitor ? { monitor: values.monitor } : {}) })
  ).sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : a.id.localeCompare(b.id)));
  if (values.json) {
    ctx.stdout.write(JSON.stringify(alerts, null, 2) + '\n');
    return ExitCode.Ok;
  }
  if (!alerts.length) {
    ctx.stdout.write(`no alerts${status ? ` with status ${status}` : ''}${values.since ? ` in the last ${values.since}` : ''} (${ctx.store.description})\n`);
    if (!status && !values.since && !values.monitor) ctx.stdout.write(await whyNoAlerts(ctx));
    return ExitCode.Ok;
  }
  const nowMs = clock.nowMs();
  const rows = alerts.map((a) => [
    a.id,
    a.status,
    a.severity,
    a.monitor,
    a.rule,
    a.openedAt.replace(/\.\d{3}Z$/, 'Z'),
    formatDurationMs((a.resolvedAt ? Date.parse(a.resolvedAt) : nowMs) - Date.parse(a.openedAt)),
    String(a.flaps),
    ackLabel(a),
    a.message,
  ]);
  ctx.stdout.write(table(['ID', 'STATUS', 'SEVERITY', 'MONITOR', 'RULE', 'OPENED', 'OPEN FOR', 'FLAPS', 'ACK', 'MESSAGE'], rows));
  return ExitCode.Ok;
}

/** Why the list is empty: no channel configured, or nothing crossed the rules; and what is open. */
async function whyNoAlerts(ctx: AlertsCommandContext): Promise<string> {
  const open = await ctx.store.listFindings({ status: 'open' }).catch(() => null);
  const findings = open === null ? '' : `; ${open.length} open finding(s) in the store (observer report shows them)`;
  if (!ctx.alerts) return '';
  if (ctx.alerts.channels.length === 0) {
    return `why: no alert channel is configured (alerts.channels in observer.config.ts), so failures and findings open no alerts${findings}\n`;
  }
  const r = ctx.alerts.rules;
  return `why: nothing crossed the alert rules (${r.failureThreshold} consecutive failure(s), or a finding of severity ${r.findingSeverity} or worse)${findings}\n`;
}

function ackLabel(a: AlertRecord): string {
  if (!a.ack) return '-';
  return `${a.ack.verdict === 'false_positive' ? 'false+' : 'true+'}${a.ack.by ? ` (${a.ack.by})` : ''}`;
}

async function ackCommand(argv: string[], ctx: AlertsCommandContext): Promise<number> {
  const { values, positionals } = parse(argv, { 'false-positive': { type: 'boolean' }, by: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, ALERTS_USAGE);
  if (values.help) {
    ctx.stdout.write(ALERTS_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (positionals.length !== 1) throw new UsageError('ack: expected exactly one alert ID', ALERTS_USAGE);
  const [id] = positionals;
  const alert = await ctx.store.getAlert(id);
  if (!alert) throw new AlertNotFoundError(id);
  const verdict = values['false-positive'] ? 'false_positive' : 'true_positive';
  const at = isoAt((ctx.clock ?? systemClock).nowMs());
  await ctx.store.saveAlert({ ...alert, ack: { at, verdict, ...(values.by ? { by: values.by } : {}) } });
  ctx.stdout.write(`alert ${id} (${alert.monitor}, ${alert.rule}) acknowledged as ${verdict.replace('_', ' ')}${values.by ? ` by ${values.by}` : ''}\n`);
  // PagerDuty channels told about an open alert get an `acknowledge` (queued; the next run or the daemon sends it).
  const told = Array.isArray(alert.details?.channels) ? (alert.details.channels as string[]) : [];
  const pagers = (ctx.alerts?.channels ?? []).filter((c) => c.type === 'pagerduty' && told.includes(c.name)).map((c) => c.name);
  if (alert.status === 'open' && !alert.ack) {
    for (const channel of pagers) {
      await ctx.store.enqueueDelivery({ id: deliveryId(`${alert.id}.ack`, channel), alertId: alert.id, channel, event: 'acknowledge', payload: pagerDutyAcknowledge(alert.id), createdAt: at, attempts: 0, deliveredAt: null, lastError: null });
    }
    if (pagers.length) ctx.stdout.write(`PagerDuty acknowledge queued for ${pagers.join(', ')} (sent by the next run or the daemon)\n`);
  }
  return ExitCode.Ok;
}

async function statsCommand(argv: string[], ctx: AlertsCommandContext): Promise<number> {
  const { values, positionals } = parse(argv, { since: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, ALERTS_USAGE);
  if (values.help) {
    ctx.stdout.write(ALERTS_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (positionals.length) throw new UsageError(`stats: unexpected argument "${positionals[0]}"`, ALERTS_USAGE);
  const window = values.since ?? '7d';
  const since = sinceIso(window, undefined, ctx.clock ?? systemClock)!;
  const stats = computeAlertStats(await ctx.store.listAlerts({ since }));
  if (values.json) {
    ctx.stdout.write(JSON.stringify({ since, window, ...stats }, null, 2) + '\n');
    return ExitCode.Ok;
  }
  ctx.stdout.write(formatStats(stats, window));
  return ExitCode.Ok;
}

function statsRows(rows: AlertStatsRow[]): string[][] {
  return rows.map((r) => [
    r.name,
    String(r.alerts),
    String(r.open),
    String(r.flaps),
    r.meanTimeToResolveMs === null ? '-' : formatDurationMs(r.meanTimeToResolveMs),
    r.falsePositiveRate === null ? '-' : `${Math.round(r.falsePositiveRate * 100)}% (${r.falsePositives}/${r.acked})`,
  ]);
}

export function formatStats(stats: AlertStats, window: string): string {
  if (stats.total === 0) return `no alerts in the last ${window}\n`;
  const head = ['ALERTS', 'OPEN', 'FLAPS', 'MTTR', 'FALSE POSITIVES'];
  let out = `${stats.total} alert(s) in the last ${window}\n\nPer rule\n`;
  out += table(['RULE', ...head], statsRows(stats.byRule));
  out += `\nPer monitor\n`;
  out += table(['MONITOR', ...head], statsRows(stats.byMonitor));
  out += `\nRecommendations\n`;
  if (!stats.recommendations.length) out += `  none: no rule or monitor is noisy (false-positive advice needs at least ${MIN_ACKS} acked alerts)\n`;
  for (const r of stats.recommendations) out += `  ${r.scope} ${r.name}: ${r.reason}; ${r.advice}\n`;
  return out;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
