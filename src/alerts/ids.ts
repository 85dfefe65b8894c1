/**
 * Ids shared by the alert state machine and the channels, in a module of their own so channels
 * need nothing from the message builder (which needs the config, which needs the channel registry).
 */

/** The outbox id of an event for one channel; also the `Idempotency-Key` header. */
export function deliveryId(eventIdStem: string, channel: string): string {
  return `${eventIdStem}.${channel}`;
}
