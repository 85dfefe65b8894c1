/** Run ids sort by time and are unique across runners writing to one store. */
import { randomBytes, createHash } from 'node:crypto';

export function newRunId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

/** A stable 32-bit hash of a string (first 4 bytes of SHA-1). */
export function stableHash(value: string): number {
  return createHash('sha1').update(value).digest().readUInt32BE(0);
}
