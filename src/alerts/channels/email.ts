/**
 * E-mail over SMTP with nodemailer (the maintained SMTP client of Node: STARTTLS, implicit TLS,
 * AUTH, MIME with text and HTML parts). One mail per alert event, the resolve included; the mails
 * of one alert share a thread (`References` to the alert's root id), and each carries its delivery
 * id in `Message-ID` and `X-Observer-Delivery` so a repeat (at-least-once) can be recognised.
 *
 * The rendered mail (subject, text, HTML) is what the outbox stores; the SMTP settings and the
 * password are the channel's, added at send time and never stored or shown in an error.
 *
 * Failures are classified: connection refused or reset, timeouts and 4xx answers are retried by
 * the outbox; a refused login (535) is `ERR_ALERT_CHANNEL_AUTH`, a TLS failure
 * `ERR_ALERT_CHANNEL_TLS` (neither retried within a round: a later round tries again, after the
 * configuration was fixed); a 5xx answer to the recipients or the message is rejected for good.
 */
import { ChannelError } from '../errors.js';
import type { AlertEvent } from '../types.js';
import type { Channel, ChannelConfig, ChannelDeps, SendContext, SmtpSettings } from './channel.js';
import { EVENT_LABEL, eventFacts, footerLine, incidentLines } from './content.js';

/** What the outbox stores for one mail. */
export interface EmailPayload {
  subject: string;
  text: string;
  html: string;
  /** Thread root of the alert: every mail about it refers to it. */
  thread: string;
}

const MAIL_DOMAIN = 'production-observer';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Subject and bodies from the same content as the other channels (content.ts). */
export function emailPayload(event: AlertEvent, subjectPrefix = '[observer]'): EmailPayload {
  const label = EVENT_LABEL[event.type];
  const subject = `${subjectPrefix ? subjectPrefix + ' ' : ''}${label}: ${event.title}`.replace(/[\r\n]+/g, ' ');
  const facts = eventFacts(event);
  const incident = incidentLines(event);
  const text = [
    `${label}: ${event.title}`,
    '',
    ...facts.map((f) => `${f.label}: ${f.value}`),
    ...(event.explanation ? ['', event.explanation] : []),
    ...(incident.length ? ['', ...incident] : []),
    ...(event.links.length ? ['', ...event.links.map((l) => `${l.label}: ${l.url}`)] : []),
    '',
    footerLine(event),
    '',
  ].join('\n');
  const color = event.type === 'resolved' ? '#1a7f37' : event.type === 'open' || event.type === 'escalation' ? '#cf222e' : '#9a6700';
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:${color}">${escapeHtml(label)}: ${escapeHtml(event.title)}</h2>`,
    '<table cellpadding="4">',
    ...facts.map((f) => `<tr><th align="left">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`),
    '</table>',
    ...(event.explanation ? [`<p>${escapeHtml(event.explanation)}</p>`] : []),
    ...incident.map((l) => `<p>${escapeHtml(l)}</p>`),
    ...(event.links.length ? ['<ul>', ...event.links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`), '</ul>'] : []),
    `<p style="color:#57606a;font-size:small">${escapeHtml(footerLine(event))}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html, thread: `<${event.alertId}@${MAIL_DOMAIN}>` };
}

type SmtpError = Error & { code?: string; responseCode?: number; command?: string };

/** One class per failure kind; the text names the channel and the kind, never the host's credentials. */
export function classifySmtpError(channel: string, err: unknown, timeoutMs: number): ChannelError {
  const e = (err ?? {}) as SmtpError;
  const code = e.code ?? '';
  const response = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const cause = (e as { cause?: { code?: string } }).cause?.code;
  const sys = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/.exec(`${cause ?? ''} ${e.message ?? ''}`)?.[1];
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return new ChannelError('ERR_ALERT_CHANNEL_AUTH', `channel ${channel}: SMTP login refused${response ? ` (${response})` : ''}`, false, response);
  }
  if (code === 'ETLS' || code === 'EREQUIRETLS' || /certificate|self[- ]signed|STARTTLS/i.test(e.message ?? '')) {
    return new ChannelError('ERR_ALERT_CHANNEL_TLS', `channel ${channel}: TLS failed (${code || 'handshake'}): ${(e.message ?? '').split('\n')[0].slice(0, 200)}`, false);
  }
  if (code === 'ETIMEDOUT') return new ChannelError('ERR_ALERT_CHANNEL_TIMEOUT', `channel ${channel}: no answer from the SMTP server within ${timeoutMs} ms`, true);
  if (code === 'EABORT') return new ChannelError('ERR_ALERT_CHANNEL_ABORTED', `channel ${channel}: delivery budget exhausted`, true);
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'EDNS' || sys) {
    const what = sys === 'ECONNREFUSED' ? 'connection refused' : sys === 'ECONNRESET' ? 'connection reset' : 'network error';
    return new ChannelError('ERR_ALERT_CHANNEL_NETWORK', `channel ${channel}: SMTP ${what} (${sys ?? code})`, true);
  }
  if (response !== undefined && response >= 500) {
    return new ChannelError('ERR_ALERT_CHANNEL_REJECTED', `channel ${channel}: the SMTP server rejected the mail (${response}${e.command ? ` to ${e.command}` : ''})`, false, response, true);
  }
  if (response !== undefined && response >= 400) {
    return new ChannelError('ERR_ALERT_CHANNEL_HTTP', `channel ${channel}: the SMTP server deferred the mail (${response})`, true, response);
  }
  return new ChannelError('ERR_ALERT_CHANNEL_NETWORK', `channel ${channel}: SMTP failed (${code || 'unknown'})`, true);
}

export class EmailChannel implements Channel {
  readonly type = 'email';
  readonly name: string;
  readonly timeoutMs: number;
  readonly retries: number;
  private readonly smtp: SmtpSettings;
  private readonly from: string;
  private readonly to: string[];
  private readonly cc: string[];
  private readonly subjectPrefix: string | undefined;

  constructor(config: ChannelConfig, private readonly deps: ChannelDeps) {
    this.name = config.name;
    this.smtp = config.smtp ?? { host: '' };
    this.from = config.from ?? '';
    this.to = config.to ?? [];
    this.cc = config.cc ?? [];
    this.subjectPrefix = config.subjectPrefix;
    this.timeoutMs = config.timeoutMs ?? deps.defaultTimeoutMs;
    this.retries = config.retries ?? deps.defaultRetries;
    deps.redactor.add(this.smtp.password);
  }

  render(event: AlertEvent): EmailPayload {
    return emailPayload(event, this.subjectPrefix);
  }

  async send(payload: unknown, ctx: SendContext): Promise<void> {
    const mail = payload as EmailPayload;
    const s = this.smtp;
    const secure = s.secure ?? false;
    const starttls = s.starttls ?? 'if-offered';
    // Loaded on the first mail: nodemailer takes 100-400 ms to import, which every command that
    // loads the channel registry would pay otherwise.
    const { default: nodemailer } = await import('nodemailer');
    // A transport per send: alerts are rare, and a pooled connection would outlive the round.
    const transport = nodemailer.createTransport({
      host: s.host,
      port: s.port ?? (secure ? 465 : 587),
      secure,
      requireTLS: !secure && starttls === 'required',
      ignoreTLS: !secure && starttls === 'never',
      ...(s.user !== undefined ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
      tls: { ...(s.ca ? { ca: s.ca } : {}), rejectUnauthorized: s.rejectUnauthorized ?? true },
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      logger: false,
      debug: false,
    });
    const timeout = AbortSignal.timeout(this.timeoutMs * 3);
    const signal = AbortSignal.any([timeout, ctx.signal]);
    try {
      await transport.sendMail({
        from: this.from,
        to: this.to,
        ...(this.cc.length ? { cc: this.cc } : {}),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${ctx.idempotencyKey}@${MAIL_DOMAIN}>`,
        references: [mail.thread],
        ...(ctx.idempotencyKey.endsWith('.open.' + this.name) ? {} : { inReplyTo: mail.thread }),
        headers: { 'X-Observer-Delivery': ctx.idempotencyKey, 'Auto-Submitted': 'auto-generated' },
        signal,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw new ChannelError('ERR_ALERT_CHANNEL_ABORTED', `channel ${this.name}: delivery budget exhausted`, true);
      if (timeout.aborted) throw new ChannelError('ERR_ALERT_CHANNEL_TIMEOUT', `channel ${this.name}: no answer from the SMTP server within ${this.timeoutMs * 3} ms`, true);
      const classified = classifySmtpError(this.name, err, this.timeoutMs);
      throw new ChannelError(classified.code, this.deps.redactor.redact(classified.message), classified.retryable, classified.status, classified.permanent);
    } finally {
      transport.close();
    }
  }
}
