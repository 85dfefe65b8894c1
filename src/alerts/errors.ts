/** Typed errors of the alerts module: one class per failure kind, each with a stable code. */

export interface ConfigDiagnostic {
  /** JSON path inside the `alerts` section, e.g. `alerts.channels[1].url`. */
  path: string;
  message: string;
}

/** The `alerts` config section is invalid; every problem is listed, not just the first. */
export class AlertsConfigError extends Error {
  readonly code = 'ERR_ALERTS_CONFIG';
  constructor(readonly diagnostics: ConfigDiagnostic[]) {
    super(`invalid alerts config:\n${diagnostics.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`);
    this.name = 'AlertsConfigError';
  }
}

export type ChannelErrorCode =
  | 'ERR_ALERT_CHANNEL_HTTP'
  | 'ERR_ALERT_CHANNEL_TIMEOUT'
  | 'ERR_ALERT_CHANNEL_NETWORK'
  | 'ERR_ALERT_CHANNEL_ABORTED'
  /** The receiver refused the message itself (PagerDuty 400, an SMTP 5xx for the recipients): sending it again cannot help. */
  | 'ERR_ALERT_CHANNEL_REJECTED'
  /** The receiver refused our credentials (SMTP 535). */
  | 'ERR_ALERT_CHANNEL_AUTH'
  /** The TLS handshake failed (untrusted certificate, STARTTLS required but not offered). */
  | 'ERR_ALERT_CHANNEL_TLS';

/**
 * A channel could not deliver. The message names the channel, never its URL (webhook URLs carry
 * tokens) or credentials. `retryable` says whether trying again within this round may help (5xx,
 * 408, 429, timeouts, network); `permanent` that no later round can help either (the message
 * itself was rejected): the outbox abandons it at once.
 */
export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** `observer alerts ack` named an alert the store does not have. */
export class AlertNotFoundError extends Error {
  readonly code = 'ERR_ALERT_NOT_FOUND';
  constructor(readonly id: string) {
    super(`alert "${id}" not found (list them with \`observer alerts --status open\`)`);
    this.name = 'AlertNotFoundError';
  }
}
