/**
 * AnomalyCore: observations in, finding changes out. Keeps per-series state (baseline, detector
 * states, open findings) that serializes to JSON per series id, so a new process (a CronJob run)
 * continues where the last one stopped. Deterministic: time only comes from observations.
 */
import type { Finding, SeriesKey } from '../model/findings.js';
import { Baseline, SeriesArena, type BaselineJSON } from './baseline.js';
import { ResolvedAnomalyConfig, defaultDirection, isLatencyMetric, type AnomalyConfig } from './config.js';
import { scoreOf, type Detector, type DetectorInput } from './detector.js';
import { DETECTORS } from './detectors/index.js';
import { exactQuantiles, sketchOf, sketchQuantiles, type Quantiles } from './detectors/distribution.js';
import { KIND_BIT, Lifecycle, type Fold } from './lifecycle.js';
import { PageGate, isGated } from './paging.js';
import type { DetectorSignal, FindingChange, Observation, SeriesContext } from './types.js';

const STATE_VERSION = 1;

/** Stable id of a series: `monitor|step|metric|location` (used as the state key in the store). */
export function seriesId(key: SeriesKey): string {
  return `${key.monitor}|${key.step}|${key.metric}|${key.location}`;
}

export interface ChangePoint {
  series: string;
  /** 0-based index of the first point of the new regime within the series (as seen by this core). */
  index: number;
  at: number;
  type: 'regression' | 'recovery' | 'shift';
}

export interface AnomalyCoreOptions {
  /** Called for every confirmed change of regime (for `observer detect --format changepoints`). */
  onChangePoint?(cp: ChangePoint): void;
}

interface SeriesStateJSON {
  v: number;
  base: BaselineJSON | null;
  det: Record<string, unknown>;
  open: unknown;
  /** Observations of outcome series (they keep no baseline). */
  n: number;
  lastAt: number;
  /** The page gate of a value series (see paging.ts). */
  gate?: unknown;
}

/** Stand-in baseline of outcome series (they keep none; nothing carves from it). */
const NO_BASELINE = new Baseline();

/** The detectors that apply to a series and the function that runs them, shared between series with the same set (most of them). */
interface DetectorSet {
  readonly detectors: Detector[];
  /** Slots of the series block the set's detectors take (value series). */
  readonly slots: { f32: number; f64: number };
  /** Runs every detector of the set on one observation (states from the series' slots s0, s1, ...). */
  readonly run: (rt: StateSlots, input: DetectorInput) => void;
}

/**
 * Detector states as fields of the series object (s0 for its first detector, ...): one object
 * to reach on every point instead of the series plus a states array and its backing store.
 */
interface StateSlots {
  s0: unknown;
  s1: unknown;
  s2: unknown;
  s3: unknown;
  s4: unknown;
  s5: unknown;
  s6: unknown;
}

const STATE_SLOTS = 7;
const SLOT_NAMES = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'] as const;

/** Put `states` into a series' slots. */
function fillSlots(rt: StateSlots, states: unknown[]): void {
  if (states.length > STATE_SLOTS) throw new RangeError(`anomaly core: ${states.length} detectors on one series, at most ${STATE_SLOTS}`);
  states.forEach((state, i) => {
    rt[SLOT_NAMES[i]] = state;
  });
}

/** A series' states as a list (for saving and lookups, not per point). */
function slotList(rt: StateSlots, count: number): unknown[] {
  return SLOT_NAMES.slice(0, count).map((name) => rt[name]);
}

const DETECTOR_SETS = new Map<number, DetectorSet>();

/**
 * A function calling each detector of a set from its own call site: a loop over the list would
 * be one call site shared by every detector (megamorphic, never inlined); generated code gives
 * each detector a site of its own that the JIT can inline. Only indices go into the source.
 */
function compileRun(detectors: Detector[]): DetectorSet['run'] {
  const params = detectors.map((_, i) => `d${i}`);
  const body = detectors.map((_, i) => `d${i}.observe(rt.s${i}, input);`).join('\n');
  const make = new Function(...params, `return function runDetectors(rt, input) {\n${body}\n};`) as (...d: Detector[]) => DetectorSet['run'];
  return make(...detectors);
}

function detectorsFor(ctx: SeriesContext): DetectorSet {
  let mask = 0;
  for (let i = 0; i < DETECTORS.length; i++) if (DETECTORS[i].applies(ctx)) mask |= 1 << i;
  let set = DETECTOR_SETS.get(mask);
  if (!set) {
    const detectors = DETECTORS.filter((_, i) => mask & (1 << i));
    set = { detectors, slots: slotsOf(detectors), run: compileRun(detectors) };
    DETECTOR_SETS.set(mask, set);
  }
  return set;
}

/** What the core keeps per series: context, baseline (value series), detector states, open findings. */
interface SeriesRuntime extends StateSlots {
  readonly ctx: SeriesContext;
  readonly base: Baseline | null;
  /** The detectors that run on this series (states in s0, s1, ... in this order). */
  readonly set: DetectorSet;
  /** Open findings; null while there are none (most series, most of the time: no object to keep or touch). */
  life: Lifecycle | null;
  /** Set when `loadState` replaced this series: cached lookups must not use it any more. */
  evicted: boolean;
  /** Which openings of a value series become findings (null on outcome series). */
  readonly gate: PageGate | null;
  /** Observations taken, and the time of the last (later ones only). */
  readonly n: number;
  readonly lastAt: number;
  save(): SeriesStateJSON;
}

function slotsOf(detectors: Detector[]): { f32: number; f64: number } {
  const slots = { f32: 0, f64: 0 };
  for (const d of detectors) {
    slots.f32 += d.slots?.f32 ?? 0;
    slots.f64 += d.slots?.f64 ?? 0;
  }
  return slots;
}

function loadedState(raw: SeriesStateJSON | null): SeriesStateJSON | null {
  return raw && raw.v === STATE_VERSION ? raw : null;
}

/** Each detector's state, loaded from the saved state where it has one, else fresh, into the series' slots. */
function loadStates(rt: SeriesRuntime, loaded: SeriesStateJSON | null, mem: Baseline): void {
  const ctx = rt.ctx;
  fillSlots(
    rt,
    rt.set.detectors.map((d) => (loaded && d.name in loaded.det ? d.load(loaded.det[d.name], ctx, mem) : d.create(ctx, mem))),
  );
}

/** The saved form of a series: its baseline (value series), detector states, open findings. */
function saveSeries(rt: SeriesRuntime): SeriesStateJSON {
  const mem = rt.base ?? NO_BASELINE;
  const det: Record<string, unknown> = {};
  const states = slotList(rt, rt.set.detectors.length);
  rt.set.detectors.forEach((d, i) => {
    det[d.name] = d.save(states[i], mem);
  });
  return { v: STATE_VERSION, base: rt.base ? rt.base.toJSON() : null, det, open: rt.life ? rt.life.toJSON() : [], n: rt.n, lastAt: rt.lastAt, ...(rt.gate ? { gate: rt.gate.toJSON() } : {}) };
}

function loadLife(ctx: SeriesContext, loaded: SeriesStateJSON | null): Lifecycle | null {
  if (!loaded) return null;
  const life = new Lifecycle(ctx.id, ctx.key);
  life.load(loaded.open);
  return life.mask !== 0 ? life : null;
}

/**
 * A value series (latency, vitals, any number): it IS its baseline (the class it extends) and its
 * own SeriesContext, so the numbers, the facts and the detector states of a series are reached
 * from one object; on a fleet of series every extra object is a cache miss per observation.
 */
class ValueSeries extends Baseline implements SeriesRuntime, SeriesContext, StateSlots {
  // Detector states (see StateSlots), declared first: with the baseline's fields they share the first lines of the object.
  s0: unknown = null;
  s1: unknown = null;
  s2: unknown = null;
  s3: unknown = null;
  s4: unknown = null;
  s5: unknown = null;
  s6: unknown = null;
  // Then what every point reads, then the rest (field order is memory order).
  readonly set: DetectorSet;
  life: Lifecycle | null = null;
  evicted = false;
  readonly config: SeriesContext['config'];
  readonly direction: SeriesContext['direction'];
  readonly badSign: SeriesContext['badSign'];
  readonly latency: boolean;
  readonly outcome = false;
  readonly key: SeriesKey;
  readonly id: string;
  /** The page gate: generic (two-sided) series only, whose meaning is unknown (see paging.ts). */
  readonly gate: PageGate | null;

  constructor(ctx: SeriesContext, raw: SeriesStateJSON | null, arena: SeriesArena) {
    const set = detectorsFor(ctx);
    super(set.slots, arena);
    this.set = set;
    this.key = ctx.key;
    this.id = ctx.id;
    this.config = ctx.config;
    this.direction = ctx.direction;
    this.badSign = ctx.badSign;
    this.latency = ctx.latency;
    const loaded = loadedState(raw);
    if (loaded?.base) this.restore(loaded.base);
    loadStates(this, loaded, this);
    this.life = loadLife(this, loaded);
    this.gate = ctx.badSign === 0 ? new PageGate() : null;
    if (this.gate && loaded?.gate) this.gate.load(loaded.gate);
  }

  get ctx(): SeriesContext {
    return this;
  }
  get base(): Baseline {
    return this;
  }

  save(): SeriesStateJSON {
    return saveSeries(this);
  }

  protected override beforeShift(): void {
    const states = slotList(this, this.set.detectors.length);
    this.set.detectors.forEach((d, i) => d.beforeShift?.(states[i], this));
  }
}

/** An outcome series (1 failed, 0 passed): no baseline, small object states (errors, SLO burn). */
class OutcomeSeries implements SeriesRuntime, StateSlots {
  // Detector states (see StateSlots), declared first as in ValueSeries.
  s0: unknown = null;
  s1: unknown = null;
  s2: unknown = null;
  s3: unknown = null;
  s4: unknown = null;
  s5: unknown = null;
  s6: unknown = null;
  readonly base = null;
  readonly gate = null;
  readonly set: DetectorSet;
  life: Lifecycle | null;
  evicted = false;
  n = 0;
  lastAt = -Infinity;

  constructor(
    readonly ctx: SeriesContext,
    raw: SeriesStateJSON | null,
  ) {
    this.set = detectorsFor(ctx);
    const loaded = loadedState(raw);
    loadStates(this, loaded, NO_BASELINE);
    this.life = loadLife(ctx, loaded);
    if (loaded) {
      this.n = loaded.n;
      this.lastAt = loaded.lastAt ?? -Infinity;
    }
  }

  save(): SeriesStateJSON {
    return saveSeries(this);
  }
}

/** What `observe` returns when nothing changed (most points): shared, frozen, not a new array each time. */
const NO_CHANGES: readonly FindingChange[] = Object.freeze([]);

/** Placeholder for used signal slots (so a reused slot does not keep a finding's closure alive). */
const NO_SIGNAL = null as unknown as DetectorSignal;

/** The reused per-observation input handed to detectors. */
class Input implements DetectorInput {
  /**
   * The observation, copied into one object the core keeps: storing each caller's (young)
   * observation object into this long-lived one would take the GC write barrier's slow path
   * (a remembered-set entry) on every point.
   */
  readonly obs: Observation = { series: { monitor: '', step: '', metric: '', location: '' }, at: 0.5, value: 0.5, error: undefined, runId: undefined, sla: undefined };
  ctx!: SeriesContext;
  base!: Baseline;
  z = NaN;
  expected = NaN;
  rt!: SeriesRuntime;
  /** Signals of this observation: the first `signalCount` slots (the array is reused). */
  readonly signals: DetectorSignal[] = [];
  signalCount = 0;
  evaluatedMask = 0;
  /** Largest stat / threshold reported for this observation. */
  maxRatio = 0;
  constructor(private readonly onChangePoint: ((cp: ChangePoint) => void) | undefined) {}
  isOpen(kindBit: number): boolean {
    const life = this.rt.life;
    return life !== null && (life.mask & kindBit) !== 0;
  }
  emit(signal: DetectorSignal): void {
    this.signals[this.signalCount++] = signal;
  }
  evaluated(kindBit: number): void {
    this.evaluatedMask |= kindBit;
  }
  score(stat: number, threshold: number): void {
    // A product first: most points raise no maximum, and they need no division.
    if (stat > this.maxRatio * threshold && stat > 0 && threshold > 0) this.maxRatio = stat / threshold;
  }
  /** Change points of this observation held back until the page gate has judged the shift (two-sided series). */
  readonly heldChangePoints: ChangePoint[] = [];
  /** Whether change points wait for the page gate (set per observation). */
  holdChangePoints = false;
  changePoint(index: number, at: number, type: ChangePoint['type']): void {
    if (!this.onChangePoint) return;
    const cp = { series: this.ctx.id, index, at, type };
    if (this.holdChangePoints) this.heldChangePoints.push(cp);
    else this.onChangePoint(cp);
  }
  /** Report the held change points when the gate saw a new regime on this point; drop them otherwise. */
  releaseChangePoints(newRegime: boolean): void {
    if (newRegime) for (const cp of this.heldChangePoints) this.onChangePoint?.(cp);
    this.heldChangePoints.length = 0;
  }
}


export class AnomalyCore {
  readonly config: ResolvedAnomalyConfig;
  private readonly series = new Map<string, SeriesRuntime>();
  /** Where the series' numeric state lives (shared chunks, see SeriesArena). */
  private readonly arena = new SeriesArena();
  private readonly pending = new Map<string, unknown>();
  /** Fast path: the runtime of a SeriesKey object seen before (callers usually reuse key objects). */
  private readonly byKey = new WeakMap<SeriesKey, SeriesRuntime>();
  private readonly input: Input;
  /** Largest stat / threshold of the last observed point (its score, before scaling to [0,1]). */
  private lastRatio = 0;

  /** Score in [0,1] of the last observed point (max over detectors; 0.5 is an open threshold). */
  get lastScore(): number {
    return scoreOf(this.lastRatio, 1);
  }

  /** `config` is the validated `anomaly` section; defaults are applied here. */
  constructor(config?: AnomalyConfig, options: AnomalyCoreOptions = {}) {
    this.config = new ResolvedAnomalyConfig(config ?? {});
    this.input = new Input(options.onChangePoint);
  }

  /** Give the core the saved states (by series id) of the series it is about to see. */
  loadState(states: Map<string, unknown>): void {
    for (const [id, raw] of states) {
      const old = this.series.get(id);
      if (old) old.evicted = true;
      this.series.delete(id);
      this.pending.set(id, raw);
    }
  }

  /** Serialized state per series id (all series seen or loaded, or just `keys`). */
  exportState(keys?: Iterable<string>): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const wanted = keys ? [...keys] : [...new Set([...this.series.keys(), ...this.pending.keys()])];
    for (const id of wanted) {
      const rt = this.series.get(id);
      if (rt) out.set(id, rt.save());
      else if (this.pending.has(id)) out.set(id, this.pending.get(id));
    }
    return out;
  }

  /**
   * Quantiles of a series: exact over the recent ring (the last 64 points, or fewer since the last
   * level shift) and from the decayed sketch (about the last 500 points). Null for unknown or
   * outcome series.
   */
  quantiles(key: SeriesKey): { recent: Quantiles; long: Quantiles | null; points: number } | null {
    const id = seriesId(key);
    const rt = this.series.get(id) ?? (this.pending.has(id) ? this.open(id, key) : undefined);
    if (!rt || !rt.base || rt.base.size === 0) return null;
    // Raw values of the current regime only (a confirmed shift moved older ring values to the new level).
    const b = rt.base;
    const count = Math.max(1, Math.min(b.size, b.n - b.regimeStart));
    const sorted = new Float64Array(count);
    b.recent(sorted, count);
    sorted.sort();
    const i = rt.set.detectors.findIndex((d) => d.name === 'distribution');
    const sketch = i >= 0 ? sketchOf(rt[SLOT_NAMES[i]] as number, b) : null;
    return { recent: exactQuantiles(sorted, sorted.length), long: sketch && sketch.total > 0 ? sketchQuantiles(sketch) : null, points: rt.base.n };
  }

  /** Every finding currently open, all series (folded ones are part of another: not listed). */
  openFindings(): Finding[] {
    const out: Finding[] = [];
    for (const rt of this.series.values()) if (rt.life) for (const e of rt.life.open.values()) if (!e.fold) out.push({ ...e.finding });
    for (const raw of this.pending.values()) {
      const open = (raw as Partial<SeriesStateJSON> | null)?.open;
      if (Array.isArray(open)) for (const e of open as { f?: Finding; fold?: unknown }[]) if (e?.f?.status === 'open' && !e.fold) out.push({ ...e.f });
    }
    return out;
  }

  /**
   * Feed one observation; returns the findings it opened, updated or resolved. A SeriesKey object
   * is treated as immutable: reuse it freely (that is the fast path), but do not change its fields.
   */
  observe(o: Observation): readonly FindingChange[] {
    this.lastRatio = 0;
    if (!this.config.enabled || !Number.isFinite(o.value) || !Number.isFinite(o.at)) return NO_CHANGES;
    let rt = this.byKey.get(o.series);
    if (rt === undefined || rt.evicted) {
      const id = seriesId(o.series);
      rt = this.series.get(id) ?? this.open(id, o.series);
      this.byKey.set(o.series, rt);
    }
    if (o.at < rt.lastAt) return NO_CHANGES; // late point: the baseline only moves forward in time
    const ctx = rt.ctx;
    const input = this.input;
    const view = input.obs;
    view.series = o.series;
    view.at = o.at;
    view.value = o.value;
    view.error = o.error;
    view.runId = o.runId;
    view.sla = o.sla;
    input.ctx = ctx;
    input.rt = rt;
    input.signalCount = 0;
    input.evaluatedMask = 0;
    input.maxRatio = 0;
    const base = rt.base;
    if (base) {
      if (base.n >= ctx.config.minHistory) {
        input.expected = base.expected(o.at);
        input.z = (o.value - input.expected) / base.sigma();
      } else {
        input.expected = NaN;
        input.z = NaN;
      }
      base.push(o.value, o.at);
      input.base = base;
    } else {
      input.base = NO_BASELINE;
      input.z = NaN;
      input.expected = NaN;
      const outcome = rt as OutcomeSeries;
      outcome.n++;
      outcome.lastAt = o.at;
    }
    // Change points of two-sided series wait for the page gate: a return to a known level (a daily
    // cycle before the seasonal profile is learned, a square wave) is not a new regime.
    const gate = rt.gate;
    input.holdChangePoints = gate !== null;
    rt.set.run(rt, input);
    if (base && !Number.isNaN(input.z)) base.trackTail(Math.abs(input.z));
    this.lastRatio = input.maxRatio;

    const count = input.signalCount;
    if (gate !== null) gate.track(Math.abs(input.z), o.at, base!.seasonal);
    if (count === 0 && rt.life === null) {
      if (input.heldChangePoints.length) input.releaseChangePoints(false);
      return NO_CHANGES;
    }
    const life = rt.life ?? new Lifecycle(ctx.id, ctx.key);
    const out: FindingChange[] = [];
    let signalled = 0;
    /** The spike finding a level shift resolved on this point (`part of a level shift`). */
    let takesOver: string | null = null;
    const signals = input.signals;
    for (let i = 0; i < count; i++) {
      const signal = signals[i];
      signals[i] = NO_SIGNAL;
      if (gate !== null && signal.kind === 'trend' && signal.severity === 'warning' && signal.level !== 'resolve') {
        // A drift warning pages once, for a new extreme outside an episode; otherwise it informs.
        const open = life.open.get('trend');
        const warned = open !== undefined && open.finding.severity === 'warning';
        if (!warned && !gate.drift(signal.observed, o.at)) signal.severity = 'info';
      }
      if (gate !== null && isGated(signal.kind)) {
        // An opening passes the page gate first (rarity, episodes, known levels: paging.ts); a level
        // shift that a paged spike turned out to start takes that spike's place (same episode, no new page).
        if (signal.level === 'open' && !(life.mask & KIND_BIT[signal.kind])) {
          if (signal.kind === 'regression' && takesOver !== null) {
            signal.details = { ...signal.details, continues: takesOver };
            gate.note(signal, o.at);
          }
          else if (!gate.admit(signal, Math.abs(input.z), o.at)) continue;
        } else {
          gate.note(signal, o.at);
          if (signal.kind === 'spike' && signal.level === 'resolve' && life.mask & KIND_BIT.spike) takesOver = life.open.get('spike')!.finding.id;
        }
      }
      const bit = KIND_BIT[signal.kind];
      signalled |= bit;
      if (o.cause !== undefined || (life.foldMask & bit) !== 0) this.applyCaused(life, signal, o, out);
      else life.apply(signal, o.at, out);
    }
    if (input.heldChangePoints.length) input.releaseChangePoints(gate !== null && gate.newRegime);
    if (life.mask !== 0) {
      const unit = ctx.latency ? 'ms' : ctx.outcome ? 'count' : 'value';
      for (const kind of [...life.open.keys()]) {
        const bit = KIND_BIT[kind];
        if (input.evaluatedMask & bit && !(signalled & bit)) life.normalPoint(kind, o.value, unit, o.at, ctx.config.resolveAfter, out);
      }
    }
    rt.life = life.mask !== 0 ? life : null;
    return out;
  }

  /**
   * One failure, one cause: a signal on an outcome whose failure a failed step caused (`o.cause`),
   * or on a finding folded before. A finding it would open while the step's outcome series has
   * one of the same kind open is folded into that one (tracked, not reported); a folded finding
   * that still opens on its own when no step finding of its kind is open (neither the one of this
   * run's cause nor the one it was folded into) is reported from then on.
   */
  private applyCaused(life: Lifecycle, signal: DetectorSignal, o: Observation, out: FindingChange[]): void {
    const entry = life.open.get(signal.kind);
    if (!entry) {
      const step = o.cause;
      const id = step !== undefined && signal.level === 'open' ? this.causeFinding(o.series, step, signal.kind) : undefined;
      const fold: Fold | undefined = step !== undefined && id !== undefined ? { step, id } : undefined;
      life.apply(signal, o.at, out, fold);
      return;
    }
    if (entry.fold && signal.level === 'open') {
      // Still part of a step's finding: this run's cause, else the step it was folded into.
      let fold: Fold | undefined;
      for (const step of o.cause !== undefined && o.cause !== entry.fold.step ? [o.cause, entry.fold.step] : [entry.fold.step]) {
        const id = this.causeFinding(o.series, step, signal.kind);
        if (id !== undefined) {
          fold = { step, id };
          break;
        }
      }
      if (fold) entry.fold = fold;
      else life.unfold(signal.kind, out);
    }
    life.apply(signal, o.at, out);
  }

  /** Id of the `kind` finding open on the outcome series of step `step` (same monitor and location), reported (not folded itself). */
  private causeFinding(key: SeriesKey, step: string, kind: Finding['kind']): string | undefined {
    const causeKey: SeriesKey = { monitor: key.monitor, step, metric: 'outcome', location: key.location };
    const id = seriesId(causeKey);
    const rt = this.series.get(id) ?? (this.pending.has(id) ? this.open(id, causeKey) : undefined);
    const entry = rt?.life?.open.get(kind);
    return entry && !entry.fold ? entry.finding.id : undefined;
  }

  private open(id: string, key: SeriesKey): SeriesRuntime {
    const config = this.config.forSeries(key);
    const direction = config.direction ?? defaultDirection(key.metric);
    const ctx: SeriesContext = {
      key: { ...key },
      id,
      config,
      direction,
      badSign: direction === 'up' ? 1 : direction === 'down' ? -1 : 0,
      latency: isLatencyMetric(key.metric),
      outcome: key.metric === 'outcome',
    };
    const raw = this.pending.get(id) as SeriesStateJSON | undefined;
    this.pending.delete(id);
    let rt: SeriesRuntime;
    try {
      rt = ctx.outcome ? new OutcomeSeries(ctx, raw ?? null) : new ValueSeries(ctx, raw ?? null, this.arena);
    } catch {
      // A state from an incompatible version or a corrupted one: start this series afresh.
      rt = ctx.outcome ? new OutcomeSeries(ctx, null) : new ValueSeries(ctx, null, this.arena);
    }
    this.series.set(id, rt);
    return rt;
  }
}
