/**
 * Channel registry: name -> factory. Adding a channel is one file plus one line here; the config
 * schema's `type` enum and ChannelType are derived from this table.
 */
import type { ChannelFactory } from './channel.js';
import { LogChannel } from './log.js';
import { SlackChannel } from './slack.js';
import { WebhookChannel } from './webhook.js';

export interface ChannelKind {
  create: ChannelFactory;
  /** Whether the channel needs `url` in its config. */
  requiresUrl: boolean;
  summary: string;
}

export const channelRegistry = {
  webhook: { create: (c, d) => new WebhookChannel(c, d), requiresUrl: true, summary: 'POST the alert as JSON' },
  slack: { create: (c, d) => new SlackChannel(c, d), requiresUrl: true, summary: 'Slack-compatible incoming webhook ({ text, blocks })' },
  log: { create: (c, d) => new LogChannel(c, d), requiresUrl: false, summary: 'one line in the runner log' },
} satisfies Record<string, ChannelKind>;

export type ChannelType = keyof typeof channelRegistry;
export const CHANNEL_TYPES = Object.keys(channelRegistry) as ChannelType[];
export const URL_CHANNEL_TYPES = CHANNEL_TYPES.filter((t) => channelRegistry[t].requiresUrl);

export function isChannelType(type: string): type is ChannelType {
  return Object.prototype.hasOwnProperty.call(channelRegistry, type);
}
