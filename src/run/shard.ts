/**
 * Stable sharding of monitors across N runners (Kubernetes Indexed Jobs): a monitor's shard depends
 * only on its id, so adding a monitor never moves the others, and every monitor lands in exactly one shard.
 */
import { stableHash } from './ids.js';

export interface Shard {
  /** 0-based index. */
  index: number;
  total: number;
}

export class ShardSpecError extends Error {
  readonly code = 'ERR_SHARD_SPEC';
}

/**
 * Parse `--shard I/N` (I is 1-based as in Playwright's `--shard`, or 0-based when taken from
 * JOB_COMPLETION_INDEX) into a 0-based Shard.
 */
export function parseShard(spec: string | undefined, env: NodeJS.ProcessEnv, shards?: string): Shard | undefined {
  if (spec) {
    const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
    if (!m) throw new ShardSpecError(`--shard: expected I/N such as 1/4, got "${spec}"`);
    const index = Number(m[1]);
    const total = Number(m[2]);
    if (total < 1 || index < 1 || index > total) {
      throw new ShardSpecError(`--shard: expected 1 <= I <= N, got "${spec}"`);
    }
    return { index: index - 1, total };
  }
  if (shards !== undefined) {
    const total = Number(shards);
    if (!Number.isInteger(total) || total < 1) throw new ShardSpecError(`--shards: expected a positive integer, got "${shards}"`);
    const raw = env.JOB_COMPLETION_INDEX;
    if (raw === undefined || !/^\d+$/.test(raw)) {
      throw new ShardSpecError('--shards N needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); use --shard I/N elsewhere');
    }
    const index = Number(raw);
    if (index >= total) throw new ShardSpecError(`JOB_COMPLETION_INDEX ${index} is outside --shards ${total}`);
    return { index, total };
  }
  return undefined;
}

export function inShard(monitorId: string, shard: Shard | undefined): boolean {
  if (!shard || shard.total === 1) return true;
  return stableHash(monitorId) % shard.total === shard.index;
}

export function formatShard(shard: Shard | undefined): string | undefined {
  return shard ? `${shard.index + 1}/${shard.total}` : undefined;
}
