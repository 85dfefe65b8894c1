/**
 * Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{ text, blocks }` with a
 * status emoji, the monitor, the cause, the explanation and links. `text` is the notification
 * fallback; blocks carry the layout.
 */
import type { AlertEvent } from '../types.js';
import type { ChannelConfig, ChannelDeps } from './channel.js';
import { EVENT_LABEL as LABEL, eventFacts, footerLine, incidentLines } from './content.js';
import { HttpJsonChannel } from './http.js';

export const SLACK_EMOJI: Record<AlertEvent['type'], string> = {
  open: ':rotating_light:',
  update: ':warning:',
  reminder: ':bell:',
  resolved: ':white_check_mark:',
  escalation: ':sos:',
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
  const fields: TextObject[] = eventFacts(event).map((f) => ({ type: 'mrkdwn', text: `*${f.label}*\n${slackEscape(f.value)}` }));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${emoji} ${LABEL[event.type]}: ${event.monitorName}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(`*${slackEscape(event.title)}*`, 3000) }, fields },
  ];
  const incident = incidentLines(event);
  if (incident.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(incident.join('\n')), 3000) } });
  if (event.explanation) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(event.explanation), 3000) } });
  const context: TextObject[] = event.links.map((l) => ({ type: 'mrkdwn', text: `<${l.url}|${slackEscape(l.label)}>` }));
  context.push({ type: 'mrkdwn', text: slackEscape(footerLine(event)) });
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
