/** The core's parts: observations from results, fleet summary, signatures, sketch, config schema. */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { anomalyConfigSchema, crossLocationSummary, errorFingerprint, normalizeMessage, observationsFromResult } from '../../src/anomaly/index.js';
import { fmtTime, isoTime } from '../../src/anomaly/format.js';
import { findingId } from '../../src/anomaly/lifecycle.js';
import { fnv1a } from '../../src/anomaly/signature.js';
import { LogSketch } from '../../src/anomaly/sketch.js';
import { mannKendall, mannKendallAppend, mannKendallDrop, mannWhitney, medianInPlace, medianNear, select, theilSenMannKendall, wilson } from '../../src/anomaly/stats.js';
import type { ApiCheckDefinition, Finding, MonitorResult } from '../../src/model/index.js';
import { mulberry32 } from './scenarios.js';

const result: MonitorResult = {
  id: 'r1:checkout',
  runId: 'r1',
  monitor: 'checkout',
  name: 'Checkout',
  kind: 'journey',
  status: 'failed',
  startedAt: '2026-03-02T10:00:00.000Z',
  finishedAt: '2026-03-02T10:00:09.000Z',
  durationMs: 9000,
  attempts: 1,
  error: { class: 'element', message: 'locator("#pay") not visible after 5000 ms' },
  steps: [
    {
      name: 'Open',
      status: 'passed',
      startedAt: '2026-03-02T10:00:00.000Z',
      durationMs: 1200,
      error: null,
      vitals: [{ url: 'https://shop.test/', lcpMs: 900, fcpMs: 400, ttfbMs: 120, cls: 0.02 }],
      steps: [{ name: 'Banner', status: 'passed', startedAt: '2026-03-02T10:00:01.000Z', durationMs: 80, error: null }],
    },
    {
      name: 'Pay',
      status: 'failed',
      startedAt: '2026-03-02T10:00:02.000Z',
      durationMs: 5000,
      error: { class: 'element', message: 'locator("#pay") not visible after 5000 ms' },
      timings: { dnsMs: 0, connectMs: 0, tlsMs: 0, sendMs: 1, firstByteMs: 300, downloadMs: 20, totalMs: 321, reusedConnection: true },
    },
    { name: 'Receipt', status: 'skipped', startedAt: '2026-03-02T10:00:07.000Z', durationMs: 0, error: null },
  ],
  location: 'eu-west',
  environment: 'prod',
  tags: [],
};

describe('observationsFromResult', () => {
  it('turns steps, vitals, outcomes and the whole monitor into series', () => {
    const obs = observationsFromResult(result, { Open: { degradedMs: 1000, maxMs: 3000 } });
    const line = obs.map((o) => `${o.series.step}|${o.series.metric}=${o.value}`);
    expect(line).toEqual([
      'Open|outcome=0',
      'Open|durationMs=1200',
      'Open|lcpMs=900',
      'Open|fcpMs=400',
      'Open|ttfbMs=120',
      'Open|cls=0.02',
      'Open › Banner|outcome=0',
      'Open › Banner|durationMs=80',
      'Pay|outcome=1',
      'Checkout|outcome=1',
    ]);
    expect(obs[1].sla).toEqual({ degradedMs: 1000, failedMs: 3000 });
    expect(obs[1].at).toBe(Date.parse('2026-03-02T10:00:00.000Z'));
    expect(obs[8].error).toEqual({ class: 'element', message: 'locator("#pay") not visible after 5000 ms' });
    expect(obs.every((o) => o.series.monitor === 'checkout' && o.series.location === 'eu-west' && o.runId === 'r1')).toBe(true);
  });

  it('takes API timings and the whole-monitor SLA from an API check definition', () => {
    // The API runner reports one step named like the check: its timings belong to the whole-monitor series.
    const api: MonitorResult = { ...result, kind: 'api', status: 'passed', error: null, steps: [{ ...result.steps[1], name: 'Checkout', status: 'passed', error: null }] };
    const def: ApiCheckDefinition = { kind: 'api', id: 'checkout', name: 'Checkout', file: 'c.check.ts', request: { method: 'GET', url: 'https://x.test', headers: {} }, expect: { status: [200], headers: [], body: [], maxResponseTimeMs: 2000, degradedResponseTimeMs: 800 }, retries: 0, timeoutMs: 5000, maxBodyBytes: 1e6, tags: [] };
    const obs = observationsFromResult(api, def);
    expect(obs.map((o) => `${o.series.step}|${o.series.metric}=${o.value}`)).toEqual(['Checkout|firstByteMs=300', 'Checkout|totalMs=321', 'Checkout|outcome=0', 'Checkout|durationMs=9000']);
    expect(obs.at(-1)?.sla).toEqual({ degradedMs: 800, failedMs: 2000 });
  });
});

function finding(location: string, severity: Finding['severity'], startedAt: string): Finding {
  return { id: `f-${location}`, kind: 'regression', severity, status: 'open', series: { monitor: 'm', step: 's', metric: 'durationMs', location }, observed: 900, expected: { value: 600 }, unit: 'ms', magnitude: { pct: 50 }, startedAt, updatedAt: startedAt, resolvedAt: null, count: 3, explanation: `s level moved +50% at ${location}.` };
}

describe('crossLocationSummary', () => {
  it('groups a finding seen at every location into one fleet-wide finding', () => {
    const out = crossLocationSummary([finding('eu', 'warning', '2026-03-02T10:05:00Z'), finding('us', 'critical', '2026-03-02T10:00:00Z')], ['eu', 'us']);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ severity: 'critical', locations: ['eu', 'us'], startedAt: '2026-03-02T10:00:00Z', count: 6, details: { scope: 'all' } });
    expect(out[0].explanation).toContain('at all locations (eu, us)');
  });
  it('says one location when only one of several is affected', () => {
    const out = crossLocationSummary([finding('eu', 'warning', '2026-03-02T10:05:00Z')], ['eu', 'us', 'ap']);
    expect(out[0]).toMatchObject({ locations: ['eu'], details: { scope: 'one' } });
  });
});

describe('error signatures', () => {
  it('normalizes numbers, ids, uuids, hex, quoted strings, times and URL queries', () => {
    expect(normalizeMessage('timeout after 5012 ms on https://api.test/orders/8841?x=1#top')).toBe('timeout after <n> ms on https://api.test/orders/<n>');
    expect(normalizeMessage('user 3f2b1c9a-1d2e-4f5a-9b8c-7d6e5f4a3b2c not found, trace 0xdeadbeef / 5f3a9c0b1e2d')).toBe('user <uuid> not found, trace <hex> / <hex>');
    expect(normalizeMessage(`expected "ok" got 'fail' at 2026-03-02T10:00:00Z`)).toBe(`expected "<str>" got '<str>' at <time>`);
    const a = errorFingerprint('timeout', 'timeout after 5012 ms');
    const b = errorFingerprint('timeout', 'timeout after 4977 ms');
    const c = errorFingerprint('http_status', 'timeout after 4977 ms');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('statistics', () => {
  it('LogSketch quantiles stay within 3% relative error with bounded buckets', () => {
    const r = mulberry32(9);
    const s = new LogSketch();
    const xs: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = Math.exp(5 + 1.5 * (r() + r() + r() - 1.5));
      xs.push(x);
      s.add(x);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = xs[Math.floor(q * (xs.length - 1))];
      expect(Math.abs(s.quantile(q) - exact) / exact).toBeLessThan(0.035);
    }
    expect(JSON.stringify(s).length).toBeLessThan(2000);
    const back = LogSketch.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.quantile(0.99)).toBeCloseTo(s.quantile(0.99), 6);
  });

  it('Mann-Whitney, Wilson and Mann-Kendall give textbook answers', () => {
    const before = Array.from({ length: 30 }, (_, i) => 100 + (i % 7));
    expect(mannWhitney(before, 30, [130, 131, 132, 133], 4, 1).p).toBeLessThan(0.001);
    expect(mannWhitney(before, 30, [101, 104, 103, 100], 4, 1).p).toBeGreaterThan(0.2);
    const w = wilson(0, 20, 1.96);
    expect(w.low).toBe(0);
    expect(w.high).toBeCloseTo(0.161, 2);
    const t = Array.from({ length: 20 }, (_, i) => i);
    const fit = theilSenMannKendall(t, t.map((x) => 2 * x + (x % 3)), 20);
    expect(fit.slope).toBeCloseTo(2, 0);
    expect(fit.p).toBeLessThan(0.001);
  });

  it('Mann-Kendall S kept by appends and drops equals the batch S over a sliding window (ties included)', () => {
    const rand = mulberry32(7);
    const y = new Float32Array(48);
    let n = 0;
    let s = 0;
    for (let step = 0; step < 400; step++) {
      if (n === 48) {
        s += mannKendallDrop(y, 0, n);
        y.copyWithin(0, 1);
        n--;
      }
      y[n++] = Math.round(rand() * 20) + step / 50; // coarse values: many ties
      s += mannKendallAppend(y, 0, n);
      expect(s).toBe(mannKendall(y, n).s);
    }
  });

  it('finding ids and FNV-1a hex are what joined strings hashed the plain way give', () => {
    const plainFnv = (text: string) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      return (h >>> 0).toString(16).padStart(8, '0');
    };
    const rand = mulberry32(13);
    for (let i = 0; i < 2000; i++) {
      const series = `m${Math.floor(rand() * 1e6)}|step ${i} › ünïcode|durationMs|loc-${i % 7}`;
      const at = Math.floor(rand() * 4e12) - 1e12;
      expect(findingId(series, 'spike', at)).toBe(`spike:${plainFnv(`${series}|spike|${at}`)}${plainFnv(`${at}|spike|${series}`)}`);
      expect(fnv1a(series)).toBe(plainFnv(series));
    }
    expect(fnv1a('')).toBe('811c9dc5');
  });

  it('isoTime writes what Date.toISOString writes (leap days, year ends, before 1970, fractions, far years)', () => {
    const rand = mulberry32(5);
    const fixed = [0, -1, 1, -0.5, 0.5, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2100, 2, 1)];
    const random = Array.from({ length: 20_000 }, () => Math.floor((rand() - 0.3) * 8e12) + rand());
    for (const ms of [...fixed, ...random]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    const viaDate = (at: number, now: number) => {
      const iso = new Date(at).toISOString();
      return `${iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? '' : iso.slice(0, 10) + ' '}${iso.slice(11, 16)} UTC`;
    };
    // (years 0-9999: beyond them toISOString writes an expanded year that the slicing above misreads)
    const plainYears = [...fixed, ...random].filter((ms) => new Date(ms).toISOString().length === 24);
    for (const ms of plainYears) for (const later of [0, 1, 3_600_000, 86_399_999, 86_400_000, 40 * 86_400_000]) expect(fmtTime(ms, ms + later)).toBe(viaDate(ms, ms + later));
  });

  it('Mann-Whitney U and p equal a rank-by-rank reference (ties, unequal sizes, both directions)', () => {
    const reference = (before: number[], after: number[]) => {
      const all = [...before.map((v) => ({ v, after: false })), ...after.map((v) => ({ v, after: true }))].sort((x, y) => x.v - y.v);
      let sum = 0;
      for (let i = 0; i < all.length; ) {
        let j = i;
        while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
        for (let k = i; k <= j; k++) if (all[k].after) sum += (i + j) / 2 + 1;
        i = j + 1;
      }
      return sum - (after.length * (after.length + 1)) / 2;
    };
    const rand = mulberry32(9);
    for (let r = 0; r < 300; r++) {
      const nb = 12 + Math.floor(rand() * 40);
      const na = 3 + Math.floor(rand() * 30);
      const levels = r % 2 ? 4 : 1000;
      const before = Array.from({ length: nb }, () => Math.floor(rand() * levels));
      const after = Array.from({ length: na }, () => Math.floor(rand() * levels) + (r % 3));
      const got = mannWhitney(before, nb, after, na, 1);
      expect(got.u).toBe(reference(before, after));
      expect(got.p).toBeGreaterThanOrEqual(0);
      expect(got.p).toBeLessThanOrEqual(1);
      expect(mannWhitney(before, nb, after, na, -1).u).toBe(got.u);
    }
  });

  it('medianNear gives the median medianInPlace gives, for good, poor and useless guesses', () => {
    const rand = mulberry32(12);
    let bracketed = 0;
    for (let r = 0; r < 3000; r++) {
      const n = 1 + Math.floor(rand() * 80);
      const levels = [2, 10, 1e6][r % 3];
      const a = Float64Array.from({ length: n }, () => Math.floor(rand() * levels) + (levels > 10 ? rand() : 0));
      const want = medianInPlace(Float64Array.from(a), n);
      const guess = [want, want + (rand() - 0.5) * levels * 0.2, rand() * levels * 3 - levels, NaN][r % 4];
      const width = [levels * 0.1, levels * 0.01, 0, Infinity, -1][r % 5];
      expect(medianNear(Float64Array.from(a), n, guess, width)).toBe(want);
      if (n >= 16 && width > 0 && width < Infinity && guess === guess) bracketed++;
    }
    expect(bracketed).toBeGreaterThan(500);
  });

  it('select and medianInPlace agree with a sort: every rank, ties, constants, negatives, all lengths', () => {
    const rand = mulberry32(11);
    for (let n = 1; n <= 80; n++) {
      for (const levels of [1, 3, 1000]) {
        const a = Float64Array.from({ length: n }, () => Math.floor(rand() * levels) - (levels >> 1) + rand() * (levels > 3 ? 1 : 0));
        const sorted = Float64Array.from(a).sort();
        for (let k = 0; k < n; k++) expect(select(Float64Array.from(a), n, k)).toBe(sorted[k]);
        const median = n % 2 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        expect(medianInPlace(Float64Array.from(a), n)).toBe(median);
      }
    }
  });
});

describe('anomaly config schema', () => {
  const validate = new Ajv({ strict: false }).compile(anomalyConfigSchema);
  it('accepts a full section and rejects unknown keys and bad values', () => {
    expect(validate({ minHistory: 30, detectors: { spike: { zOpen: 7 }, slo: { availability: 0.999 } }, overrides: [{ monitor: 'checkout', step: 'Pay', detectors: { sla: { degradedMs: 800 } } }] })).toBe(true);
    expect(validate({ detectors: { spike: { zOpen: 7, zz: 1 } } })).toBe(false);
    expect(validate({ detectors: { slo: { availability: 1.5 } } })).toBe(false);
    expect(validate({ overrides: [{ monitor: 'x', direction: 'sideways' }] })).toBe(false);
  });
});
