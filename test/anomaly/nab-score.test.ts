/**
 * NAB scoring (bench/nab-score.ts) against its definition: the two ends of the normalised scale
 * and small cases computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { PROFILES, normalise, probationRows, rowWindows, scaledSigmoid, scoreFile, sweepThreshold, type RowWindow } from '../../bench/nab-score.js';

const std = PROFILES.standard;
const sig = (y: number) => 2 / (1 + Math.exp(5 * y)) - 1;

describe('NAB scoring', () => {
  it('probation is min(floor(15% of rows), 750)', () => {
    expect(probationRows(1000)).toBe(150);
    expect(probationRows(4032)).toBe(604);
    expect(probationRows(15902)).toBe(750);
    expect(probationRows(9)).toBe(1);
  });

  it('the scaled sigmoid is 2/(1+e^(5y))-1 and -1 past y = 3', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 5);
    expect(scaledSigmoid(3)).toBeCloseTo(sig(3), 12);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });

  it('a detector that never fires scores 0 and a perfect one 100, in every profile', () => {
    const files: { rows: number; windows: RowWindow[] }[] = [
      { rows: 1000, windows: [[200, 299], [600, 649]] },
      { rows: 400, windows: [[100, 139]] },
      { rows: 500, windows: [] },
    ];
    for (const p of Object.values(PROFILES)) {
      const never = files.map((f) => scoreFile(f.rows, f.windows, () => false, p));
      const perfect = files.map((f) => scoreFile(f.rows, f.windows, (i) => f.windows.some(([a]) => a === i), p));
      expect(normalise(never, p)).toBeCloseTo(0, 10);
      expect(normalise(perfect, p)).toBeCloseTo(100, 10);
    }
  });

  it('rewards the earliest detection in a window only, by the scaled sigmoid of its position', () => {
    // 1000 rows, probation 150, window [200, 299] (100 rows); detections at 250 and 260.
    const r = scoreFile(1000, [[200, 299]], (i) => i === 250 || i === 260, std);
    const y = -(299 - 250 + 1) / 100; // -0.5
    expect(r.score).toBeCloseTo(sig(y) / sig(-1), 12);
    expect(r).toMatchObject({ truePositives: 1, falseNegatives: 0, falsePositives: 0 });
    // The last row of a window earns little but more than nothing.
    expect(scoreFile(1000, [[200, 299]], (i) => i === 299, std).score).toBeCloseTo(sig(-0.01) / sig(-1), 12);
  });

  it('weighs a false positive by its distance after the previous window, in full before any window', () => {
    // Window [200, 299]: a detection at 300 (y = 1/99), at 400 (y = 101/99), at 700 (y > 3, -A_fp).
    const w: RowWindow[] = [[200, 299]];
    const missed = -std.fn;
    expect(scoreFile(1000, w, (i) => i === 300, std).score).toBeCloseTo(missed + std.fp * sig(1 / 99), 12);
    expect(scoreFile(1000, w, (i) => i === 400, std).score).toBeCloseTo(missed + std.fp * sig(101 / 99), 12);
    expect(scoreFile(1000, w, (i) => i === 700, std).score).toBeCloseTo(missed - std.fp, 12);
    // Before the first window (after probation): the full cost, in the low-FP profile twice as much.
    expect(scoreFile(1000, w, (i) => i === 160, PROFILES.reward_low_FP_rate).score).toBeCloseTo(-1 - 0.22, 12);
    // Inside probation: not scored at all.
    expect(scoreFile(1000, w, (i) => i === 100, std)).toMatchObject({ score: -1, falsePositives: 0 });
  });

  it('missing a window costs A_fn (twice as much in reward_low_FN_rate)', () => {
    expect(scoreFile(1000, [[200, 299], [500, 599]], () => false, PROFILES.reward_low_FN_rate).score).toBe(-4);
  });

  it('maps time windows to row windows and sweeps a threshold over a continuous score', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i * 60_000);
    expect(rowWindows(times, [[200 * 60_000 + 1, 299 * 60_000]])).toEqual([[201, 299]]);
    const scores = new Float64Array(1000);
    scores[200] = 0.9; // a perfect detection at threshold 0.9
    scores[800] = 0.8; // a false one below it
    const best = sweepThreshold([{ rows: 1000, windows: [[200, 299]], scores }], std);
    expect(best.threshold).toBe(0.9);
    expect(best.score).toBeCloseTo(100, 10);
  });
});
