/** The log channel: one line per event through the logger function. Never fails. */
import type { AlertEvent } from '../types.js';
import type { Channel, ChannelConfig, ChannelDeps, SendContext } from './channel.js';

export function logLine(event: AlertEvent): string {
  const where = event.locations.length ? ` [${event.locations.join(', ')}]` : '';
  const flaps = event.flaps ? ` (${event.flaps} flaps held back)` : '';
  const why = event.explanation ? ` | ${event.explanation}` : '';
  return `alert ${event.type} ${event.severity} ${event.monitor}: ${event.title}${where}${flaps} (alert ${event.alertId})${why}`;
}

export class LogChannel implements Channel {
  readonly type = 'log';
  readonly name: string;
  readonly timeoutMs: number;
  readonly retries = 0;

  constructor(config: ChannelConfig, private readonly deps: ChannelDeps) {
    this.name = config.name;
    this.timeoutMs = config.timeoutMs ?? deps.defaultTimeoutMs;
  }

  render(event: AlertEvent): string {
    return logLine(event);
  }

  async send(payload: unknown, _ctx: SendContext): Promise<void> {
    this.deps.log(this.deps.redactor.redact(typeof payload === 'string' ? payload : JSON.stringify(payload)));
  }
}
