/**
 * Heartbeats (push monitors) for cron jobs and batch work that cannot be probed from outside: the
 * job calls `POST /heartbeat/<id>` on the daemon (token as `?token=` or `authorization: Bearer`),
 * `?status=fail` to report a failure. The book keeps the last ping of each monitor; each scheduled
 * evaluation fails when the last ping reported a failure, or when none arrived within period +
 * grace (counted from the daemon's start until the first one).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { HeartbeatDefinition } from '../model/monitor.js';
import type { Clock } from '../runtime/clock.js';
import type { ProbeOutcome } from './probe.js';

export interface HeartbeatPing {
  /** Wall clock, ms. */
  atMs: number;
  ok: boolean;
  /** `?message=` or the request body's first line (bounded), shown with a reported failure. */
  message?: string;
}

export type PingAnswer = 'accepted' | 'unknown' | 'unauthorized';

/** Where the last ping of each monitor is kept beyond this process (the Store's state table). */
export interface PingPersistence {
  load(ids: string[]): Promise<Map<string, unknown>>;
  save(id: string, ping: HeartbeatPing): Promise<void>;
}

interface Watched {
  def: HeartbeatDefinition;
  sinceMs: number;
  last?: HeartbeatPing;
}

const MAX_MESSAGE = 200;

export class HeartbeatBook {
  private readonly watched = new Map<string, Watched>();
  private changed: ((id: string) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    /** Optional: pings survive a restart of the daemon (and are shared by daemons on one store). */
    private readonly persistence?: PingPersistence,
    /** Told when saving a ping failed (the store is down); the ping still counts in memory. */
    private readonly onSaveError?: (err: Error) => void,
  ) {}

  /** Take the last pings kept by the persistence for the watched monitors (newer pings in memory win). */
  async restore(): Promise<void> {
    if (!this.persistence || this.watched.size === 0) return;
    const kept = await this.persistence.load([...this.watched.keys()]);
    for (const [id, value] of kept) {
      const w = this.watched.get(id);
      const p = value as Partial<HeartbeatPing> | null;
      if (!w || !p || typeof p.atMs !== 'number' || typeof p.ok !== 'boolean') continue;
      if (!w.last || w.last.atMs < p.atMs) w.last = { atMs: p.atMs, ok: p.ok, ...(typeof p.message === 'string' ? { message: p.message } : {}) };
    }
  }

  /** Called when a ping changes the verdict's ground (a failure reported, or the first good ping after one): evaluate now, not at the next tick. */
  onChange(listener: (id: string) => void): void {
    this.changed = listener;
  }

  /** Start or replace the monitors received; pings of monitors that stay are kept. */
  watch(defs: readonly HeartbeatDefinition[]): void {
    const now = this.clock.nowMs();
    const next = new Map<string, Watched>();
    for (const def of defs) {
      const old = this.watched.get(def.id);
      next.set(def.id, { def, sinceMs: old?.sinceMs ?? now, ...(old?.last ? { last: old.last } : {}) });
    }
    this.watched.clear();
    for (const [k, v] of next) this.watched.set(k, v);
  }

  /** A ping from a job. The token is compared in constant time. */
  receive(id: string, token: string | undefined, ok: boolean, message?: string): PingAnswer {
    const w = this.watched.get(id);
    if (!w) return 'unknown';
    if (token === undefined || !sameSecret(token, w.def.token)) return 'unauthorized';
    const text = message?.split('\n')[0]?.trim().slice(0, MAX_MESSAGE);
    const wasFailing = w.last !== undefined && !w.last.ok;
    w.last = { atMs: this.clock.nowMs(), ok, ...(text ? { message: text } : {}) };
    this.persistence?.save(id, w.last).catch((err: unknown) => this.onSaveError?.(err instanceof Error ? err : new Error(String(err))));
    if (!ok || wasFailing) this.changed?.(id);
    return 'accepted';
  }

  last(id: string): HeartbeatPing | undefined {
    return this.watched.get(id)?.last;
  }

  /** The verdict on a heartbeat monitor now. */
  evaluate(def: HeartbeatDefinition): ProbeOutcome {
    const w = this.watched.get(def.id);
    const now = this.clock.nowMs();
    const since = w?.sinceMs ?? now;
    const last = w?.last;
    const expected = `expected every ${duration(def.periodMs)} + ${duration(def.graceMs)} grace`;
    if (last && !last.ok) {
      return {
        status: 'failed',
        error: { class: 'heartbeat', message: `heartbeat: the job reported a failure at ${new Date(last.atMs).toISOString()}${last.message ? `: ${last.message}` : ''}` },
      };
    }
    const from = last?.atMs ?? since;
    if (now - from > def.periodMs + def.graceMs) {
      const message = last
        ? `heartbeat: none since ${new Date(last.atMs).toISOString()} (${duration(now - last.atMs)} ago; ${expected})`
        : `heartbeat: none received since monitoring started at ${new Date(since).toISOString()} (${expected})`;
      return { status: 'failed', error: { class: 'heartbeat', message } };
    }
    return { status: 'passed', error: null };
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** `90 s`, `5 min`, `1.5 h`. */
function duration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1).replace(/\.0$/, '')} h`;
}
