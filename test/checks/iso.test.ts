import { describe, expect, it } from 'vitest';
import { isoAtFast } from '../../src/checks/iso.js';

describe('isoAtFast', () => {
  it('formats exactly like Date.toISOString, across seconds, fractions and edge years', () => {
    const samples = [0, 1, 999, 1000, 1_764_100_000_123.9, 1_764_100_000_999, 1_764_100_001_000, -1, -1001.5, 253402300799999, 253402300800000, -62167219200001];
    let x = 1_764_100_000_000;
    for (let i = 0; i < 2000; i++) {
      x += (i * 7919) % 1337; // walk forward with varied steps, crossing many second boundaries
      samples.push(x, x + 0.5);
    }
    for (const ms of samples) expect(isoAtFast(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});
