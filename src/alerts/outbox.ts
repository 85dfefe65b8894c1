/**
 * The outbox: deliveries are queued in the store when an event is decided and sent here, oldest
 * first, within a total time budget. A channel that is down or hangs never blocks a run: each
 * request has a timeout, retries back off exponentially (bounded), the whole round is bounded by
 * the budget, and after a failure the rest of that channel's queue waits for the next round (which
 * also keeps one alert's messages in order). Undelivered messages stay queued.
 *
 * Exactly-once is impossible over HTTP; this is at-least-once with an `Idempotency-Key` (the
 * deterministic delivery id): the attempt is counted before sending and the delivery is marked
 * delivered right after the 2xx, so only a crash between the 2xx and that write repeats a message,
 * with the same key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../runtime/clock.js';
import { isoAt } from '../runtime/clock.js';
import type { Redactor } from '../runtime/redact.js';
import type { DeliveryRecord, Store } from '../store/store.js';
import type { Channel } from './channels/channel.js';
import { ChannelError } from './errors.js';
import { versionOf } from './messages.js';

export interface DeliveryReport {
  /** Sent and acknowledged (2xx) in this round. */
  delivered: number;
  /** Tried and failed (after retries); stay queued. */
  failed: number;
  /** Not tried: the budget ran out or their channel failed earlier in this round. */
  deferred: number;
  /** Given up: `maxAttempts` reached (kept in the store with their last error). */
  abandoned: number;
  /**
   * Refused for good in this round (PagerDuty 400, an SMTP 5xx): abandoned at once, their attempts
   * set to `maxAttempts` so no later round sends them again (also counted in `failed`).
   */
  rejected: number;
  /** Queued for a channel that is no longer configured. */
  unknownChannel: number;
  /** Still undelivered after this round (failed + deferred + unknownChannel + abandoned). */
  pending: number;
  durationMs: number;
  /** Redacted, one per failed delivery: `channel ops: HTTP 500 (alert al_..., open)`. */
  errors: string[];
}

export interface OutboxOptions {
  store: Store;
  /** Who drains (one id per AlertManager): a channel's lease names it. */
  owner: string;
  channels: Map<string, Channel>;
  redactor: Redactor;
  clock: Clock;
  log: (line: string) => void;
  /** First backoff delay; doubles per retry. */
  retryBaseMs: number;
  /** Cap of one backoff delay. */
  retryMaxMs: number;
  /** Attempts across rounds after which a delivery is abandoned. */
  maxAttempts: number;
}

/** Queued messages looked at per round (abandoned ones included: they stay in the store). */
export const PENDING_LIMIT = 1000;

/**
 * Store KV namespace of the channels' leases: runners sharing a store drain a channel one at a
 * time, so two runners never send the same queued message at once. A lease lasts the round's
 * budget plus the channel's longest send, and is released at the end of the round.
 */
export const OUTBOX_LEASE_NAMESPACE = 'alert-outbox';

interface Lease {
  owner: string;
  untilMs: number;
}

/** Claim the channels no other runner holds; returns those claimed (under the store's state lock). */
async function claimChannels(opts: OutboxOptions, names: string[], untilMs: number): Promise<Set<string>> {
  const claimed = new Set<string>();
  const nowMs = opts.clock.nowMs();
  await opts.store.updateStates(OUTBOX_LEASE_NAMESPACE, names, (current) => {
    const out = new Map<string, unknown>();
    for (const name of names) {
      const lease = current.get(name) as Lease | undefined;
      if (lease && lease.owner !== opts.owner && lease.untilMs > nowMs) continue;
      claimed.add(name);
      out.set(name, { owner: opts.owner, untilMs } satisfies Lease);
    }
    return out;
  });
  return claimed;
}

async function releaseChannels(opts: OutboxOptions, names: string[]): Promise<void> {
  await opts.store.updateStates(OUTBOX_LEASE_NAMESPACE, names, (current) => {
    const out = new Map<string, unknown>();
    for (const name of names) if ((current.get(name) as Lease | undefined)?.owner === opts.owner) out.set(name, { owner: opts.owner, untilMs: 0 } satisfies Lease);
    return out;
  });
}

export function backoffMs(retry: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** retry);
}

function order(a: DeliveryRecord, b: DeliveryRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.alertId !== b.alertId) return a.alertId < b.alertId ? -1 : 1;
  return versionOf(a.id) - versionOf(b.id);
}

export async function drainOutbox(opts: OutboxOptions, budgetMs: number): Promise<DeliveryReport> {
  const started = opts.clock.monotonicMs();
  const report: DeliveryReport = { delivered: 0, failed: 0, deferred: 0, abandoned: 0, rejected: 0, unknownChannel: 0, pending: 0, durationMs: 0, errors: [] };
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(), Math.max(0, budgetMs));
  let claimed = new Set<string>();
  try {
    const queued = async () => (await opts.store.pendingDeliveries(PENDING_LIMIT)).filter((d) => d.deliveredAt === null && d.attempts < opts.maxAttempts);
    const wanted = [...new Set((await queued()).map((d) => d.channel).filter((c) => opts.channels.has(c)))].sort();
    if (wanted.length) {
      const longest = Math.max(...wanted.map((c) => opts.channels.get(c)!.timeoutMs));
      claimed = await claimChannels(opts, wanted, opts.clock.nowMs() + Math.max(0, budgetMs) + 3 * longest);
    }
    // Read again once the channels are ours: another runner may have delivered some meanwhile.
    const all = await opts.store.pendingDeliveries(PENDING_LIMIT);
    const pending = all.filter((d) => d.deliveredAt === null).sort(order);
    const byChannel = new Map<string, DeliveryRecord[]>();
    let held = 0;
    const unknown = new Set<string>();
    for (const d of pending) {
      if (!opts.channels.has(d.channel)) {
        report.unknownChannel++;
        unknown.add(d.channel);
        continue;
      }
      if (d.attempts >= opts.maxAttempts) {
        report.abandoned++;
        continue;
      }
      if (!claimed.has(d.channel)) {
        held++;
        continue;
      }
      const list = byChannel.get(d.channel) ?? [];
      list.push(d);
      byChannel.set(d.channel, list);
    }
    if (unknown.size) opts.log(`alerts: ${report.unknownChannel} queued message(s) for unconfigured channel(s) ${[...unknown].join(', ')} left in the outbox`);
    if (report.abandoned) opts.log(`alerts: ${report.abandoned} message(s) abandoned after ${opts.maxAttempts} attempts (kept in the store)`);
    // Channels another runner is draining right now: theirs to send; left for the next round.
    report.deferred += held;
    await Promise.all([...byChannel].map(([name, list]) => drainChannel(opts, opts.channels.get(name)!, list, budget.signal, report)));
  } finally {
    clearTimeout(timer);
    if (claimed.size) await releaseChannels(opts, [...claimed]).catch((err: unknown) => opts.log(`alerts: outbox lease not released (it expires by itself): ${err instanceof Error ? err.message : String(err)}`));
    report.durationMs = opts.clock.monotonicMs() - started;
    report.pending = report.failed + report.deferred + report.unknownChannel + report.abandoned;
  }
  return report;
}

async function drainChannel(opts: OutboxOptions, channel: Channel, list: DeliveryRecord[], budget: AbortSignal, report: DeliveryReport): Promise<void> {
  for (let i = 0; i < list.length; i++) {
    if (budget.aborted) {
      report.deferred += list.length - i;
      return;
    }
    const ok = await deliverOne(opts, channel, list[i], budget, report);
    if (!ok) {
      report.deferred += list.length - i - 1;
      return;
    }
  }
}

async function deliverOne(opts: OutboxOptions, channel: Channel, d: DeliveryRecord, budget: AbortSignal, report: DeliveryReport): Promise<boolean> {
  let attempts = d.attempts;
  let lastError: string | null = d.lastError;
  let rejected = false;
  for (let retry = 0; retry <= channel.retries && attempts < opts.maxAttempts; retry++) {
    if (budget.aborted) break;
    attempts++;
    await opts.store.markDelivery(d.id, { deliveredAt: null, attempts, lastError });
    try {
      await channel.send(d.payload, { idempotencyKey: d.id, signal: budget });
      await opts.store.markDelivery(d.id, { deliveredAt: isoAt(opts.clock.nowMs()), attempts, lastError: null });
      report.delivered++;
      return true;
    } catch (err) {
      const retryable = err instanceof ChannelError ? err.retryable : false;
      const message = err instanceof Error ? err.message : String(err);
      lastError = opts.redactor.redact(err instanceof ChannelError ? message : `channel ${channel.name}: ${message}`);
      if (err instanceof ChannelError && err.permanent) {
        rejected = true;
        break;
      }
      if (!retryable || retry === channel.retries || budget.aborted) break;
      await sleep(backoffMs(retry, opts.retryBaseMs, opts.retryMaxMs), undefined, { signal: budget }).catch(() => undefined);
    }
  }
  // Sending the same bytes again cannot help a rejected message: it is abandoned now (its attempts
  // set to maxAttempts, so later rounds skip it) and kept with its reason.
  await opts.store.markDelivery(d.id, { deliveredAt: null, attempts: rejected ? Math.max(attempts, opts.maxAttempts) : attempts, lastError });
  report.failed++;
  if (rejected) report.rejected++;
  const line = `${lastError ?? `channel ${channel.name}: not sent`} (alert ${d.alertId}, ${d.event}, attempt ${attempts})`;
  report.errors.push(line);
  opts.log(`alerts: delivery failed, ${rejected ? 'rejected and abandoned (kept in the store)' : 'kept in the outbox'}: ${line}`);
  // A rejected message does not hold back the channel's next ones: they may well be accepted.
  return rejected;
}
