/** Alerts: channels, rules, the alert state machine with dedup and flap control, delivery through an outbox. */
export { AlertManager, ALERT_STATE_NAMESPACE, type AlertManagerOptions, type EvaluateInput } from './manager.js';
export { resolveAlertsConfig, applyAlertsDefaults, ALERT_DEFAULTS, type AlertsConfig, type AlertsConfigInput, type AlertRules, type ChannelConfigInput, type ResolvedChannelConfig, type MaintenanceWindow } from './config.js';
export { alertsConfigSchema } from './config-schema.js';
export { AlertsConfigError, AlertNotFoundError, ChannelError, type ChannelErrorCode, type ConfigDiagnostic } from './errors.js';
export { channelRegistry, CHANNEL_TYPES, type ChannelType, type ChannelKind } from './channels/registry.js';
export type { Channel, ChannelConfig, ChannelDeps, ChannelFactory, SendContext } from './channels/channel.js';
export { slackPayload, type SlackPayload } from './channels/slack.js';
export { webhookPayload, type WebhookPayload } from './channels/webhook.js';
export type { DeliveryReport } from './outbox.js';
export { computeAlertStats, type AlertStats, type AlertStatsRow, type Recommendation } from './stats.js';
export type { AlertEvent, AlertEventType, AlertIncidentRef, AlertLink, AlertRule, FindingChange } from './types.js';
export { INCIDENT_PAGES_NAMESPACE, NO_CHANGE_EXPLAINS } from './incident-link.js';
