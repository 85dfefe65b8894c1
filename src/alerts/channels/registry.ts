/**
 * Channel registry: name -> factory. Adding a channel is one file plus one line here; the config
 * schema's `type` enum, ChannelType and the per-type field checks are derived from this table.
 */
import type { ChannelConfig, ChannelFactory } from './channel.js';
import { EmailChannel } from './email.js';
import { LogChannel } from './log.js';
import { PagerDutyChannel } from './pagerduty.js';
import { SlackChannel } from './slack.js';
import { WebhookChannel } from './webhook.js';

/** Fields of a channel's config beyond name, type, timeoutMs and retries. */
export type ChannelField = Exclude<keyof ChannelConfig, 'name' | 'type' | 'timeoutMs' | 'retries'>;

export interface ChannelKind {
  create: ChannelFactory;
  /** Fields the channel's config must set. */
  required: ChannelField[];
  /** Fields it may set besides those (any other is a configuration error). */
  optional: ChannelField[];
  summary: string;
}

export const channelRegistry = {
  webhook: { create: (c, d) => new WebhookChannel(c, d), required: ['url'], optional: ['headers'], summary: 'POST the alert as JSON' },
  slack: { create: (c, d) => new SlackChannel(c, d), required: ['url'], optional: ['headers'], summary: 'Slack-compatible incoming webhook ({ text, blocks })' },
  pagerduty: {
    create: (c, d) => new PagerDutyChannel(c, d),
    required: ['routingKey'],
    optional: ['url', 'severityMap'],
    summary: 'PagerDuty Events API v2 (one incident per alert, resolved with it)',
  },
  email: { create: (c, d) => new EmailChannel(c, d), required: ['smtp', 'from', 'to'], optional: ['cc', 'subjectPrefix'], summary: 'one mail per alert event over SMTP' },
  log: { create: (c, d) => new LogChannel(c, d), required: [], optional: [], summary: 'one line in the runner log' },
} satisfies Record<string, ChannelKind>;

export type ChannelType = keyof typeof channelRegistry;
export const CHANNEL_TYPES = Object.keys(channelRegistry) as ChannelType[];
export const URL_CHANNEL_TYPES = CHANNEL_TYPES.filter((t) => (channelRegistry[t].required as ChannelField[]).includes('url'));

export function isChannelType(type: string): type is ChannelType {
  return Object.prototype.hasOwnProperty.call(channelRegistry, type);
}
