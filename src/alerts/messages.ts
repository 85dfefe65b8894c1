/** Turn an incident and its monitor's state into a channel-neutral AlertEvent (title, explanation, links). */
import type { AlertsConfig } from './config.js';
import { kindsOf, type Incident, type MonitorState } from './state.js';
import type { AlertEvent, AlertEventType, AlertLink } from './types.js';
import { formatDurationMs } from '../model/duration.js';

/**
 * Deterministic outbox id stem from alert id + version + event: re-deciding the same message
 * (after a crash between enqueue and the state write) yields the same id, so it is queued once.
 */
export function eventId(alertId: string, type: AlertEventType, version: number): string {
  return `${alertId}.v${version}.${type}`;
}

export { deliveryId } from './ids.js';

/** Version parsed back from a delivery id (orders messages of one alert), 0 when absent. */
export function versionOf(deliveryIdText: string): number {
  const m = /\.v(\d+)\./.exec(deliveryIdText);
  return m ? Number(m[1]) : 0;
}

export { formatDurationMs };

function where(inc: Incident): string {
  if (inc.locations.length === 0) return '';
  if (inc.locations.length === 1) return ` at ${inc.locations[0]}`;
  return ` in ${inc.locations.length} locations (${inc.locations.join(', ')})`;
}

function title(inc: Incident, state: MonitorState, type: AlertEventType, nowMs: number, settled: boolean): string {
  const name = state.name;
  const open = formatDurationMs(nowMs - Date.parse(inc.openedAt));
  if (inc.finding) {
    const f = inc.finding;
    // Every rule that joined the incident (`slo burn and error rate of outcome`): one page per cause.
    const kinds = kindsOf(inc.rule);
    const rules = (kinds.length ? kinds : [f.kind]).map((k) => k.replace(/_/g, ' '));
    const named = rules.length > 1 ? `${rules.slice(0, -1).join(', ')} and ${rules[rules.length - 1]}` : rules[0];
    const what = `${named} of ${f.series.metric}${f.series.step !== state.monitor && f.series.step !== name ? ` (step ${f.series.step})` : ''}`;
    switch (type) {
      case 'open':
        return `${name}: ${what}${where(inc)}, ${inc.severity}`;
      case 'update':
        return settled ? `${name}: ${what} stopped flapping and is still open, ${inc.severity}` : `${name}: ${what} got worse${where(inc)}, ${inc.severity}`;
      case 'reminder':
        return `${name}: ${what} still open after ${open}`;
      case 'escalation':
        return `${name}: ${what} still open after ${open}, not acknowledged`;
      case 'resolved':
        return `${name}: ${what} resolved after ${open}`;
    }
  }
  const classes = inc.errorClasses.length ? `: ${inc.errorClasses.join(', ')}` : '';
  switch (type) {
    case 'open':
      return `${name} is failing${where(inc)}${classes}`;
    case 'update':
      return settled ? `${name} stopped flapping and is still failing${where(inc)}${classes}` : `${name} got worse: failing${where(inc)}${classes}`;
    case 'reminder':
      return `${name} is still failing${where(inc)} after ${open}${classes}`;
    case 'escalation':
      return `${name} is still failing${where(inc)} after ${open}, not acknowledged${classes}`;
    case 'resolved':
      return settled ? `${name} stopped flapping and recovered` : `${name} recovered after ${open}`;
  }
}

function join(base: string, rel: string): string {
  return base.replace(/\/+$/, '') + '/' + rel.replace(/^\/+/, '');
}

function links(inc: Incident, state: MonitorState, config: AlertsConfig): AlertLink[] {
  const out: AlertLink[] = [];
  if (!config.reportUrl) return out;
  out.push({ label: 'Report', url: config.reportUrl });
  for (const loc of inc.locations) {
    const a = state.locations[loc]?.artifacts;
    if (a?.trace) out.push({ label: `Trace (${loc})`, url: join(config.reportUrl, a.trace) });
    if (a?.screenshot) out.push({ label: `Screenshot (${loc})`, url: join(config.reportUrl, a.screenshot) });
  }
  return out.slice(0, 8);
}

export function buildEvent(inc: Incident, state: MonitorState, config: AlertsConfig, type: AlertEventType, nowMs: number, settled: boolean, at: string): AlertEvent {
  let explanation = inc.explanation;
  if (settled) {
    explanation = `${explanation ? explanation + ' ' : ''}Held back while flapping: ${inc.flaps} state change${inc.flaps === 1 ? '' : 's'}; settled ${inc.state === 'open' ? 'failing' : 'passing'}.`;
  }
  return {
    id: eventId(inc.alertId, type, inc.version + 1),
    type,
    at,
    alertId: inc.alertId,
    key: inc.key,
    rule: inc.rule,
    monitor: state.monitor,
    monitorName: state.name,
    tags: [...state.tags],
    cause: inc.cause,
    severity: inc.severity,
    status: inc.state,
    openedAt: inc.openedAt,
    resolvedAt: inc.resolvedAt,
    version: inc.version + 1,
    title: title(inc, state, type, nowMs, settled),
    explanation,
    locations: [...inc.locations],
    errorClasses: [...inc.errorClasses],
    flaps: inc.flaps,
    settled,
    links: links(inc, state, config),
    ...(inc.finding ? { finding: inc.finding } : {}),
  };
}
