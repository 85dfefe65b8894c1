/**
 * Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{ text, blocks }` with a
 * status emoji, the monitor, the cause, the explanation and links. `text` is the notification
 * fallback; blocks carry the layout.
 */
import type { AlertEvent } from '../types.js';
import type { ChannelConfig, ChannelDeps } from './channel.js';
import { HttpJsonChannel } from './http.js';

export const SLACK_EMOJI: Record<AlertEvent['type'], string> = {
  open: ':rotating_light:',
  update: ':warning:',
  reminder: ':bell:',
  resolved: ':white_check_mark:',
};

const LABEL: Record<AlertEvent['type'], string> = {
  open: 'Alert',
  update: 'Alert update',
  reminder: 'Still failing',
  resolved: 'Resolved',
};

type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

/** Slack mrkdwn needs &, < and > escaped; anything else is literal. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

export function slackPayload(event: AlertEvent): SlackPayload {
  const emoji = SLACK_EMOJI[event.type];
  const text = `${emoji} ${LABEL[event.type]}: ${slackEscape(event.title)}`;
  const fields: TextObject[] = [
    { type: 'mrkdwn', text: `*Monitor*\n${slackEscape(event.monitorName)}` },
    { type: 'mrkdwn', text: `*Cause*\n${slackEscape(event.cause)}` },
    { type: 'mrkdwn', text: `*Severity*\n${event.severity}` },
    { type: 'mrkdwn', text: `*Status*\n${event.status}${event.flaps ? ` (${event.flaps} flaps held back)` : ''}` },
  ];
  if (event.locations.length) fields.push({ type: 'mrkdwn', text: `*Locations*\n${slackEscape(event.locations.join(', '))}` });
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${emoji} ${LABEL[event.type]}: ${event.monitorName}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(`*${slackEscape(event.title)}*`, 3000) }, fields },
  ];
  if (event.incident) {
    const inc = event.incident;
    const also = inc.otherMonitors.length ? ` · also affected: ${inc.otherMonitors.join(', ')}` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(`Incident ${inc.id}${also}\nProbable cause: ${inc.probableCause}`), 3000) } });
  }
  if (event.explanation) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(event.explanation), 3000) } });
  const context: TextObject[] = event.links.map((l) => ({ type: 'mrkdwn', text: `<${l.url}|${slackEscape(l.label)}>` }));
  context.push({ type: 'mrkdwn', text: `alert ${event.alertId} · rule ${slackEscape(event.rule)} · opened ${event.openedAt}` });
  blocks.push({ type: 'context', elements: context.slice(0, 10) });
  return { text: cut(text, 3000), blocks };
}

export class SlackChannel extends HttpJsonChannel {
  readonly type = 'slack';

  constructor(config: ChannelConfig, deps: ChannelDeps) {
  // A Slack webhook URL's path is the credential.
    super(config, deps, { secretPath: true });
  }

  render(event: AlertEvent): SlackPayload {
    return slackPayload(event);
  }
}
