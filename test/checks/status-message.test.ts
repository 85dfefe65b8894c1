import { describe, expect, it } from 'vitest';
import { statusMessage } from '../../src/checks/verdict.js';

describe('statusMessage', () => {
  it('names accepted statuses compactly: whole classes as 2xx, runs as ranges', () => {
    const twoxx = Array.from({ length: 100 }, (_, i) => 200 + i);
    expect(statusMessage(404, twoxx)).toBe('status 404, expected 2xx');
    expect(statusMessage(503, [200])).toBe('status 503, expected 200');
    expect(statusMessage(503, [204, 200])).toBe('status 503, expected one of 200, 204');
    expect(statusMessage(500, [...twoxx, 304])).toBe('status 500, expected one of 2xx, 304');
    expect(statusMessage(500, [201, 202, 203])).toBe('status 500, expected 201-203');
  });
});
