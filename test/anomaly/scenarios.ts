/**
 * The labeled scenario suite: synthetic series from a fixed seed (mulberry32), each with its truth.
 * Used by the tests (recall and false alarms per detector) and by `tsx test/anomaly/report.ts`.
 */
import type { Observation } from '../../src/anomaly/index.js';
import { AnomalyCore, type ChangePoint } from '../../src/anomaly/index.js';
import type { FindingKind, SeriesKey } from '../../src/model/findings.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): number {
  let u = rand();
  while (u <= 1e-12) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export type NoiseKind = 'gaussian' | 'heavy' | 'multiplicative';

/** One noisy value around `level` with coefficient of variation `cv`. */
export function noisy(rand: () => number, level: number, cv: number, kind: NoiseKind): number {
  if (kind === 'gaussian') return level * (1 + cv * gaussian(rand));
  if (kind === 'multiplicative') return level * Math.exp(cv * gaussian(rand) - (cv * cv) / 2);
  // Student t with 3 degrees of freedom, scaled so its MAD matches a gaussian of the same cv.
  const g = gaussian(rand);
  const chi = (gaussian(rand) ** 2 + gaussian(rand) ** 2 + gaussian(rand) ** 2) / 3;
  return level * (1 + (cv * 0.88 * g) / Math.sqrt(chi));
}

export const STEP_MS = 5 * 60_000;
export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

export interface Scenario {
  name: string;
  family: 'clean' | 'shift' | 'spike' | 'seasonal' | 'drift' | 'bimodal' | 'errors' | 'variance' | 'tail';
  key: SeriesKey;
  values: number[];
  /** Truth: the index where a level shift starts, and its relative size. */
  shiftAt?: number;
  shiftPct?: number;
  /** Truth: spike indices. */
  spikes?: number[];
  /** Truth: error burst [start, end). */
  burst?: [number, number];
  /** Which kinds are expected at all (for recall) — anything else opened is a false alarm. */
  expect: FindingKind[];
  /** For outcome series: error messages per failed index. */
  errors?: Map<number, { class: string; message: string }>;
}

const NOISES: NoiseKind[] = ['gaussian', 'heavy', 'multiplicative'];

function key(name: string, metric = 'durationMs'): SeriesKey {
  return { monitor: 'suite', step: name, metric, location: 'lab' };
}

/** Build the whole suite (deterministic). */
export function buildSuite(seed = 20260105): Scenario[] {
  const rand = mulberry32(seed);
  const out: Scenario[] = [];
  const level = () => 50 + Math.floor(rand() * 1950);
  const cv = () => 0.03 + rand() * 0.05;

  // Clean series: 2,000 points each, every noise kind.
  for (let i = 0; i < 30; i++) {
    const noise = NOISES[i % 3];
    const L = level();
    const c = cv();
    out.push({ name: `clean-${noise}-${i}`, family: 'clean', key: key(`clean-${i}`), values: Array.from({ length: 2000 }, () => noisy(rand, L, c, noise)), expect: [] });
  }
  // Level shifts of 10-200%, up, at a random point after the warm-up.
  const sizes = [0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2];
  for (let i = 0; i < 90; i++) {
    const noise = NOISES[i % 3];
    const pct = sizes[i % sizes.length];
    const L = level();
    const c = cv();
    const at = 150 + Math.floor(rand() * 200);
    const values = Array.from({ length: 600 }, (_, t) => noisy(rand, t >= at ? L * (1 + pct) : L, c, noise));
    out.push({ name: `shift-${Math.round(pct * 100)}pct-${noise}-${i}`, family: 'shift', key: key(`shift-${i}`), values, shiftAt: at, shiftPct: pct * 100, expect: ['regression', 'spike'] });
  }
  // Isolated spikes (3x-10x) on clean series.
  for (let i = 0; i < 30; i++) {
    const noise = NOISES[i % 3];
    const L = level();
    const c = cv();
    const values = Array.from({ length: 800 }, () => noisy(rand, L, c, noise));
    const spikes: number[] = [];
    for (let s = 100; s < 800; s += 60 + Math.floor(rand() * 60)) {
      values[s] = L * (3 + rand() * 7);
      spikes.push(s);
    }
    out.push({ name: `spikes-${noise}-${i}`, family: 'spike', key: key(`spikes-${i}`), values, spikes, expect: ['spike'] });
  }
  // Daily seasonality (+-30%), 10 days of 5-minute points: nothing to report but the pattern.
  for (let i = 0; i < 6; i++) {
    const L = level();
    const c = cv();
    const phase = rand() * 2 * Math.PI;
    const values = Array.from({ length: 2880 }, (_, t) => noisy(rand, L * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 288 + phase)), c, 'gaussian'));
    out.push({ name: `seasonal-${i}`, family: 'seasonal', key: key(`seasonal-${i}`), values, expect: ['seasonality'] });
  }
  // Slow drift: +25% per day over 4 days.
  for (let i = 0; i < 6; i++) {
    const L = level();
    const c = cv();
    const values = Array.from({ length: 1152 }, (_, t) => noisy(rand, L * (1 + (0.25 * t) / 288), c, 'gaussian'));
    out.push({ name: `drift-${i}`, family: 'drift', key: key(`drift-${i}`), values, expect: ['trend', 'regression', 'variance_growth'] });
  }
  // Bimodal timing: 30% of runs take 3x (cache misses).
  for (let i = 0; i < 6; i++) {
    const L = level();
    const c = cv();
    const values = Array.from({ length: 800 }, () => noisy(rand, rand() < 0.3 ? 3 * L : L, c, 'gaussian'));
    out.push({ name: `bimodal-${i}`, family: 'bimodal', key: key(`bimodal-${i}`), values, expect: ['bimodal', 'tail_latency', 'spike'] });
  }
  // Error bursts on outcome series: 1% background failures, then a burst of 60% failures.
  for (let i = 0; i < 20; i++) {
    const burstAt = 200 + Math.floor(rand() * 200);
    const burst: [number, number] = [burstAt, burstAt + 15];
    const errors = new Map<number, { class: string; message: string }>();
    const values = Array.from({ length: 600 }, (_, t) => {
      const inBurst = t >= burst[0] && t < burst[1];
      const failed = rand() < (inBurst ? 0.6 : 0.01);
      if (failed) errors.set(t, inBurst ? { class: 'http_status', message: `status 503 from https://api.example.com/orders/${Math.floor(rand() * 1e6)}?trace=${Math.floor(rand() * 1e9).toString(16)}` } : { class: 'timeout', message: `timeout after ${5000 + Math.floor(rand() * 50)} ms` });
      return failed ? 1 : 0;
    });
    out.push({ name: `errors-${i}`, family: 'errors', key: key(`errors-${i}`, 'outcome'), values, burst, errors, expect: ['error_rate', 'new_error', 'slo_burn'] });
  }
  // Clean outcome series: 1% failures with the usual message.
  for (let i = 0; i < 10; i++) {
    const errors = new Map<number, { class: string; message: string }>();
    const values = Array.from({ length: 2000 }, (_, t) => {
      const failed = rand() < 0.01;
      if (failed) errors.set(t, { class: 'timeout', message: `timeout after ${5000 + Math.floor(rand() * 50)} ms` });
      return failed ? 1 : 0;
    });
    // Warm-up: the background error is known before the measured part.
    errors.set(3, { class: 'timeout', message: 'timeout after 5003 ms' });
    values[3] = 1;
    out.push({ name: `outcome-clean-${i}`, family: 'clean', key: key(`outcome-clean-${i}`, 'outcome'), values, errors, expect: [] });
  }
  // Variance growth: noise x4 after the midpoint.
  for (let i = 0; i < 6; i++) {
    const L = level();
    const values = Array.from({ length: 800 }, (_, t) => noisy(rand, L, t >= 400 ? 0.2 : 0.04, 'gaussian'));
    out.push({ name: `variance-${i}`, family: 'variance', key: key(`variance-${i}`), values, shiftAt: 400, expect: ['variance_growth', 'spike', 'anomalous_period', 'regression'] });
  }
  return out;
}

export interface Opened {
  kind: FindingKind;
  index: number;
  startIndex: number;
  severity: string;
}

export interface RunResult {
  opened: Opened[];
  changePoints: ChangePoint[];
  core: AnomalyCore;
}

/** Stream one scenario through a fresh core. */
export function runScenario(s: Scenario, core = new AnomalyCore()): RunResult {
  const changePoints: ChangePoint[] = [];
  const c = new AnomalyCore(undefined, { onChangePoint: (cp) => changePoints.push(cp) });
  void core;
  const opened: Opened[] = [];
  for (let i = 0; i < s.values.length; i++) {
    const at = T0 + i * STEP_MS;
    const o: Observation = { series: s.key, at, value: s.values[i] };
    const err = s.errors?.get(i);
    if (err) o.error = err;
    for (const ch of c.observe(o)) {
      if (ch.type === 'opened') opened.push({ kind: ch.finding.kind, index: i, startIndex: Math.round((Date.parse(ch.finding.startedAt) - T0) / STEP_MS), severity: ch.finding.severity });
    }
  }
  return { opened, changePoints, core: c };
}

export interface SuiteFigures {
  shiftRecall20: number;
  shiftCases20: number;
  shiftRecallAll: Record<string, string>;
  startWithin2: number;
  falsePer1000Clean: number;
  cleanPoints: number;
  cleanFalse: number;
  falseByKind: Record<string, number>;
  spikeRecall: number;
  spikeFalsePer1000: number;
  errorBurstRecall: number;
  seasonalFalsePer1000: number;
  seasonalityFound: number;
  driftTrendFound: number;
  bimodalFound: number;
  varianceFound: number;
}

/** Run the suite and measure recall and false alarms per family. */
export function measureSuite(suite = buildSuite()): SuiteFigures {
  const bySize = new Map<number, [number, number]>();
  let hit20 = 0;
  let n20 = 0;
  let startOk = 0;
  let cleanPoints = 0;
  let cleanFalse = 0;
  const falseByKind: Record<string, number> = {};
  let spikeHit = 0;
  let spikeN = 0;
  let spikeFalse = 0;
  let spikePoints = 0;
  let burstHit = 0;
  let burstN = 0;
  let seasonalFalse = 0;
  let seasonalPoints = 0;
  let seasonalityFound = 0;
  let driftFound = 0;
  let bimodalFound = 0;
  let varianceFound = 0;
  const alarm = (o: Opened) => o.severity !== 'info';
  for (const s of suite) {
    const r = runScenario(s);
    if (s.family === 'clean') {
      cleanPoints += s.values.length;
      for (const o of r.opened.filter(alarm)) {
        cleanFalse++;
        falseByKind[o.kind] = (falseByKind[o.kind] ?? 0) + 1;
      }
    } else if (s.family === 'shift') {
      const at = s.shiftAt ?? 0;
      const reg = r.opened.find((o) => o.kind === 'regression' && o.index >= at);
      const found = reg !== undefined && reg.index - at <= 5;
      const cell = bySize.get(s.shiftPct ?? 0) ?? [0, 0];
      cell[0] += found ? 1 : 0;
      cell[1]++;
      bySize.set(s.shiftPct ?? 0, cell);
      if ((s.shiftPct ?? 0) >= 20) {
        n20++;
        if (found) hit20++;
        if (reg && Math.abs(reg.startIndex - at) <= 2) startOk++;
      }
      for (const o of r.opened.filter(alarm)) if (o.index < at) {
        cleanFalse++;
        falseByKind[o.kind] = (falseByKind[o.kind] ?? 0) + 1;
      }
      cleanPoints += at;
    } else if (s.family === 'spike') {
      spikePoints += s.values.length;
      for (const idx of s.spikes ?? []) {
        spikeN++;
        if (r.opened.some((o) => o.kind === 'spike' && o.index === idx)) spikeHit++;
      }
      spikeFalse += r.opened.filter((o) => alarm(o) && !(s.spikes ?? []).includes(o.index)).length;
    } else if (s.family === 'errors') {
      burstN++;
      const [a, b] = s.burst ?? [0, 0];
      if (r.opened.some((o) => o.kind === 'error_rate' && o.index >= a && o.index < b)) burstHit++;
    } else if (s.family === 'seasonal') {
      seasonalPoints += s.values.length - 864;
      seasonalFalse += r.opened.filter((o) => alarm(o) && o.index >= 864).length;
      if (r.opened.some((o) => o.kind === 'seasonality')) seasonalityFound++;
    } else if (s.family === 'drift') {
      if (r.opened.some((o) => o.kind === 'trend')) driftFound++;
    } else if (s.family === 'bimodal') {
      if (r.opened.some((o) => o.kind === 'bimodal')) bimodalFound++;
    } else if (s.family === 'variance') {
      if (r.opened.some((o) => o.kind === 'variance_growth' && o.index >= 400)) varianceFound++;
    }
  }
  const shiftRecallAll: Record<string, string> = {};
  for (const [pct, [h, n]] of [...bySize].sort((a, b) => a[0] - b[0])) shiftRecallAll[`${pct}%`] = `${h}/${n}`;
  return {
    shiftRecall20: hit20 / Math.max(1, n20),
    shiftCases20: n20,
    shiftRecallAll,
    startWithin2: startOk / Math.max(1, n20),
    falsePer1000Clean: (cleanFalse / Math.max(1, cleanPoints)) * 1000,
    cleanPoints,
    cleanFalse,
    falseByKind,
    spikeRecall: spikeHit / Math.max(1, spikeN),
    spikeFalsePer1000: (spikeFalse / Math.max(1, spikePoints)) * 1000,
    errorBurstRecall: burstHit / Math.max(1, burstN),
    seasonalFalsePer1000: (seasonalFalse / Math.max(1, seasonalPoints)) * 1000,
    seasonalityFound,
    driftTrendFound: driftFound,
    bimodalFound,
    varianceFound,
  };
}

/**
 * Two-sided copies of the value scenarios: the same series on a generic metric (`value`, judged
 * both ways), the shifts half upward and half downward (a downward shift of `pct` moves to
 * L x (1 - min(pct, 0.9))), plus drifts to 2x over 300 points that a user should hear about.
 */
export function buildTwoSidedSuite(seed = 20260105): Scenario[] {
  const out: Scenario[] = [];
  let down = false;
  for (const s of buildSuite(seed)) {
    if (s.key.metric === 'outcome' || s.family === 'errors') continue;
    const key: SeriesKey = { ...s.key, step: `${s.key.step}-2s`, metric: 'value' };
    if (s.family === 'shift' && s.shiftAt !== undefined && s.shiftPct !== undefined) {
      down = !down;
      if (down) {
        const pct = s.shiftPct / 100;
        const factor = (1 - Math.min(pct, 0.9)) / (1 + pct);
        const values = s.values.map((v, t) => (t >= s.shiftAt! ? v * factor : v));
        out.push({ ...s, name: `${s.name}-down`, key, values, shiftPct: Math.min(pct, 0.9) * 100 });
        continue;
      }
    }
    out.push({ ...s, name: `${s.name}-2s`, key });
  }
  const rand = mulberry32(seed + 1);
  for (let i = 0; i < 12; i++) {
    const L = 50 + Math.floor(rand() * 1950);
    const c = 0.03 + rand() * 0.05;
    const at = 400;
    const sign = i % 2 === 0 ? 1 : -1;
    // 2x over 300 points (upward), or to half (downward), then the new level holds.
    const values = Array.from({ length: 900 }, (_, t) => {
      const f = Math.min(1, Math.max(0, (t - at) / 300));
      return noisy(rand, L * (sign > 0 ? 1 + f : 1 - f / 2), c, NOISES[i % 3]);
    });
    out.push({ name: `drift2x-${sign > 0 ? 'up' : 'down'}-${i}`, family: 'drift', key: { monitor: 'suite', step: `drift2x-${i}`, metric: 'value', location: 'lab' }, values, shiftAt: at, expect: ['regression', 'trend', 'spike'] });
  }
  return out;
}

export interface TwoSidedFigures {
  shiftRecall20: number;
  shiftCases20: number;
  upRecall20: number;
  downRecall20: number;
  shiftRecallAll: Record<string, string>;
  falsePer1000Clean: number;
  cleanPoints: number;
  cleanFalse: number;
  falseByKind: Record<string, number>;
  spikeRecall: number;
  seasonalFalsePer1000: number;
  drift2xFound: number;
  drift2xCases: number;
}

/**
 * The two-sided goals: a shift of 20% or more either way found (a non-info finding opens) within 10
 * points; false findings on clean stretches (clean series, before shifts, seasonal after day 3);
 * a 2x drift over 300 points raises a warning while it drifts.
 */
export function measureTwoSided(suite = buildTwoSidedSuite()): TwoSidedFigures {
  const bySize = new Map<string, [number, number]>();
  let hit = 0;
  let n = 0;
  const dir = { up: [0, 0], down: [0, 0] };
  let cleanPoints = 0;
  let cleanFalse = 0;
  const falseByKind: Record<string, number> = {};
  let spikeHit = 0;
  let spikeN = 0;
  let seasonalFalse = 0;
  let seasonalPoints = 0;
  let driftFound = 0;
  let driftN = 0;
  const alarm = (o: Opened) => o.severity !== 'info';
  const countFalse = (opened: Opened[]) => {
    for (const o of opened) {
      cleanFalse++;
      falseByKind[o.kind] = (falseByKind[o.kind] ?? 0) + 1;
    }
  };
  for (const s of suite) {
    const r = runScenario(s);
    const alarms = r.opened.filter(alarm);
    if (s.family === 'clean') {
      cleanPoints += s.values.length;
      countFalse(alarms);
    } else if (s.family === 'shift') {
      const at = s.shiftAt ?? 0;
      const found = alarms.some((o) => o.index >= at && o.index - at <= 10);
      const isDown = s.name.endsWith('-down');
      const label = `${isDown ? '-' : '+'}${Math.round(s.shiftPct ?? 0)}%`;
      const cell = bySize.get(label) ?? [0, 0];
      cell[0] += found ? 1 : 0;
      cell[1]++;
      bySize.set(label, cell);
      if ((s.shiftPct ?? 0) >= 20) {
        n++;
        if (found) hit++;
        const d = isDown ? dir.down : dir.up;
        d[0] += found ? 1 : 0;
        d[1]++;
      }
      countFalse(alarms.filter((o) => o.index < at));
      cleanPoints += at;
    } else if (s.family === 'spike') {
      for (const idx of s.spikes ?? []) {
        spikeN++;
        if (alarms.some((o) => o.index === idx)) spikeHit++;
      }
    } else if (s.family === 'seasonal') {
      seasonalPoints += s.values.length - 864;
      seasonalFalse += alarms.filter((o) => o.index >= 864).length;
    } else if (s.family === 'drift' && s.name.startsWith('drift2x')) {
      driftN++;
      const at = s.shiftAt ?? 0;
      if (alarms.some((o) => o.index >= at && o.index <= at + 300)) driftFound++;
      countFalse(alarms.filter((o) => o.index < at));
      cleanPoints += at;
    }
  }
  const shiftRecallAll: Record<string, string> = {};
  for (const [k, [h, c]] of [...bySize].sort((a, b) => Number(a[0].slice(0, -1)) - Number(b[0].slice(0, -1)))) shiftRecallAll[k] = `${h}/${c}`;
  return {
    shiftRecall20: hit / Math.max(1, n),
    shiftCases20: n,
    upRecall20: dir.up[0] / Math.max(1, dir.up[1]),
    downRecall20: dir.down[0] / Math.max(1, dir.down[1]),
    shiftRecallAll,
    falsePer1000Clean: (cleanFalse / Math.max(1, cleanPoints)) * 1000,
    cleanPoints,
    cleanFalse,
    falseByKind,
    spikeRecall: spikeHit / Math.max(1, spikeN),
    seasonalFalsePer1000: (seasonalFalse / Math.max(1, seasonalPoints)) * 1000,
    drift2xFound: driftFound,
    drift2xCases: driftN,
  };
}
