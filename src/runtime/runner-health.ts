/**
 * The runner's own health, measured during every run: event-loop delay (perf_hooks), CPU busy and
 * steal shares of the machine (/proc/stat, where it exists) and memory. A result measured while
 * the runner was saturated describes the runner, not the target: it is marked (`runnerHealth` on
 * the result) and kept out of baselines, so a busy node is never reported as a slow site.
 *
 * A sampler ticks every `tickMs` into a bounded ring; `snapshot(fromMs)` aggregates the ticks since
 * a result began, so concurrent monitors and the daemon's overlapping runs each get their own window.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { RunnerHealth } from '../model/index.js';

export interface RunnerHealthThresholds {
  /** p99 event-loop delay at or above which the runner counts as saturated (default 100 ms). */
  eventLoopDelayP99Ms: number;
  /**
   * Share of all cores busy at or above which the machine counts as saturated (default 0.97), when
   * the runner also feels it: its event-loop p99 at or above `cpuBusyEventLoopDelayMs` (default 75).
   * A machine busy with niced batch work but still serving the runner promptly is not saturated.
   */
  cpuBusy: number;
  cpuBusyEventLoopDelayMs: number;
  /** Share of CPU time stolen by the hypervisor at or above which it counts as saturated (default 0.2). */
  cpuSteal: number;
  /** MemAvailable below this many bytes counts as saturated (default 64 MiB). */
  memAvailableBytes: number;
}

export const DEFAULT_RUNNER_HEALTH_THRESHOLDS: RunnerHealthThresholds = {
  eventLoopDelayP99Ms: 100,
  cpuBusy: 0.97,
  cpuBusyEventLoopDelayMs: 75,
  cpuSteal: 0.2,
  memAvailableBytes: 64 * 1024 * 1024,
};

/** Aggregate CPU counters of the `cpu` line of /proc/stat (jiffies). */
export interface CpuCounters {
  total: number;
  idle: number;
  steal: number;
}

/** Parse the first `cpu ` line of /proc/stat; undefined when absent or malformed. */
export function parseProcStat(text: string): CpuCounters | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/** Busy and steal shares between two readings; undefined when no time passed. */
export function cpuShares(a: CpuCounters, b: CpuCounters): { busy: number; steal: number } | undefined {
  const total = b.total - a.total;
  if (!(total > 0)) return undefined;
  return { busy: Math.min(1, Math.max(0, 1 - (b.idle - a.idle) / total)), steal: Math.min(1, Math.max(0, (b.steal - a.steal) / total)) };
}

/** MemAvailable from /proc/meminfo, bytes; undefined when absent. */
export function parseMemAvailable(text: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+)\s+kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Pure: mark the measured health saturated when any threshold is crossed, saying which. */
export function assessRunnerHealth(m: Omit<RunnerHealth, 'saturated' | 'reasons'>, t: RunnerHealthThresholds = DEFAULT_RUNNER_HEALTH_THRESHOLDS): RunnerHealth {
  const reasons: string[] = [];
  if (m.eventLoopDelayP99Ms >= t.eventLoopDelayP99Ms) reasons.push(`event-loop delay p99 ${m.eventLoopDelayP99Ms.toFixed(0)} ms >= ${t.eventLoopDelayP99Ms} ms`);
  else if (m.cpuBusy !== undefined && m.cpuBusy >= t.cpuBusy && m.eventLoopDelayP99Ms >= t.cpuBusyEventLoopDelayMs) {
    reasons.push(`CPU ${(m.cpuBusy * 100).toFixed(0)}% busy >= ${(t.cpuBusy * 100).toFixed(0)}% with event-loop delay p99 ${m.eventLoopDelayP99Ms.toFixed(0)} ms`);
  }
  if (m.cpuSteal !== undefined && m.cpuSteal >= t.cpuSteal) reasons.push(`CPU steal ${(m.cpuSteal * 100).toFixed(0)}% >= ${(t.cpuSteal * 100).toFixed(0)}%`);
  if (m.memAvailableBytes !== undefined && m.memAvailableBytes < t.memAvailableBytes) reasons.push(`memory available ${(m.memAvailableBytes / 1048576).toFixed(0)} MiB < ${(t.memAvailableBytes / 1048576).toFixed(0)} MiB`);
  return { ...m, saturated: reasons.length > 0, reasons };
}

/** Period of the stall probe, milliseconds. */
const PROBE_MS = 10;

interface Tick {
  atMs: number;
  p99Ms: number;
  maxMs: number;
  cpu?: CpuCounters;
}

export interface RunnerHealthSource {
  /**
   * Health over the window from `fromMs` to `toMs` (performance.now() times; `toMs` defaults to now),
   * with one tick of margin on each side.
   */
  snapshot(fromMs: number, toMs?: number): RunnerHealth;
}

export interface RunnerHealthSamplerOptions {
  tickMs?: number;
  /** Ticks kept (default 2400: 10 minutes at 250 ms). */
  capacity?: number;
  thresholds?: Partial<RunnerHealthThresholds>;
  /** Where /proc lives (default /proc); a missing file means "not available here". */
  procDir?: string;
}

/**
 * The sampler's options from the environment: `OBSERVER_RUNNER_HEALTH=record` measures and stamps every
 * result but never marks one saturated (for hosts where a busy CPU is the normal state, e.g. a CI
 * runner sharing its cores, where excluding results would leave the baselines empty); unset or
 * `judge` applies the thresholds. Any other value is an error naming the choices.
 */
export function runnerHealthOptions(env: NodeJS.ProcessEnv): RunnerHealthSamplerOptions {
  const mode = env.OBSERVER_RUNNER_HEALTH;
  if (mode === undefined || mode === '' || mode === 'judge') return {};
  if (mode === 'record') {
    return { thresholds: { eventLoopDelayP99Ms: Infinity, cpuBusy: Infinity, cpuBusyEventLoopDelayMs: Infinity, cpuSteal: Infinity, memAvailableBytes: 0 } };
  }
  throw new Error(`OBSERVER_RUNNER_HEALTH: "${mode}" is not a mode; expected judge (default) or record`);
}

export class RunnerHealthSampler implements RunnerHealthSource {
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly ticks: Tick[] = [];
  private readonly tickMs: number;
  private readonly capacity: number;
  private readonly thresholds: RunnerHealthThresholds;
  private readonly procDir: string;
  private timer: NodeJS.Timeout | undefined;
  private probe: NodeJS.Timeout | undefined;
  private probeAtMs: number | undefined;
  /** The longest stall the probe saw since the last tick, milliseconds. */
  private probeMaxLagMs = 0;

  constructor(opts: RunnerHealthSamplerOptions = {}) {
    this.tickMs = opts.tickMs ?? 250;
    this.capacity = opts.capacity ?? 2400;
    this.thresholds = { ...DEFAULT_RUNNER_HEALTH_THRESHOLDS, ...opts.thresholds };
    this.procDir = opts.procDir ?? '/proc';
  }

  start(): this {
    if (this.timer) return this;
    this.histogram.enable();
    this.ticks.push({ atMs: performance.now(), p99Ms: 0, maxMs: 0, ...this.cpuField() });
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    this.probeAtMs = performance.now();
    this.probe = setInterval(() => this.probeTurn(), PROBE_MS);
    this.probe.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.probe) clearInterval(this.probe);
    this.timer = undefined;
    this.probe = undefined;
    this.probeAtMs = undefined;
    this.histogram.disable();
  }

  private probeTurn(): void {
    const now = performance.now();
    if (this.probeAtMs !== undefined) this.probeMaxLagMs = Math.max(this.probeMaxLagMs, now - this.probeAtMs - PROBE_MS);
    this.probeAtMs = now;
  }

  snapshot(fromMs: number, toMs?: number): RunnerHealth {
    this.tick();
    // The ticks inside the window plus the one that ended just before it: a block that ends as a
    // result completes is recorded only when the delay timer fires after the I/O that completed it,
    // so one tick of margin on the early side keeps a saturated stretch from slipping between ticks.
    // A window that closed in the past (`toMs`) also takes the first tick after it, which holds a
    // block that was still going on when the result completed.
    let first = this.ticks.length - 1;
    while (first > 0 && this.ticks[first].atMs > fromMs) first--;
    let last = this.ticks.length - 1;
    if (toMs !== undefined) {
      const after = this.ticks.findIndex((t, i) => i >= first && t.atMs >= toMs);
      if (after >= 0) last = after;
    }
    const window = this.ticks.slice(Math.max(0, first - 1), last + 1);
    let p99 = 0;
    let max = 0;
    for (const t of window) {
      if (t.p99Ms > p99) p99 = t.p99Ms;
      if (t.maxMs > max) max = t.maxMs;
    }
    const a = window.find((t) => t.cpu)?.cpu;
    const b = [...window].reverse().find((t) => t.cpu)?.cpu;
    const shares = a && b ? cpuShares(a, b) : undefined;
    const mem = this.read('meminfo');
    const memAvailable = mem ? parseMemAvailable(mem) : undefined;
    return assessRunnerHealth(
      {
        eventLoopDelayP99Ms: round(p99),
        eventLoopDelayMaxMs: round(max),
        ...(shares ? { cpuBusy: round(shares.busy, 3), cpuSteal: round(shares.steal, 3) } : {}),
        rssBytes: process.memoryUsage.rss(),
        ...(memAvailable !== undefined ? { memAvailableBytes: memAvailable } : {}),
      },
      this.thresholds,
    );
  }

  private tick(): void {
    const h = this.histogram;
    const count = h.count;
    const now = performance.now();
    // The histogram records a block only when its own timer fires after it, and `reset()` before
    // that forgets the block altogether (the next sample starts from the reset): a tick that runs
    // first after a block would lose it. The probe keeps its own record: the longest gap between
    // its turns since the last tick, and the stall still in progress (the time since its last turn
    // beyond its period), which also covers a block that ends just as a result completes.
    const inProgress = this.probeAtMs === undefined ? 0 : Math.max(0, now - this.probeAtMs - PROBE_MS);
    const lag = Math.max(inProgress, this.probeMaxLagMs);
    this.probeMaxLagMs = 0;
    const p99 = count ? h.percentile(99) / 1e6 : 0;
    const max = count ? h.max / 1e6 : 0;
    this.ticks.push({ atMs: now, p99Ms: Math.max(p99, lag), maxMs: Math.max(max, lag), ...this.cpuField() });
    h.reset();
    if (this.ticks.length > this.capacity) this.ticks.splice(0, this.ticks.length - this.capacity);
  }

  private cpuField(): { cpu?: CpuCounters } {
    const text = this.read('stat');
    const cpu = text ? parseProcStat(text) : undefined;
    return cpu ? { cpu } : {};
  }

  private read(name: string): string | undefined {
    try {
      return readFileSync(`${this.procDir}/${name}`, 'utf8');
    } catch {
      return undefined;
    }
  }
}

/** performance.now() time at which a result that started at the wall-clock ISO `startedAt` began. */
export function monotonicStartOf(startedAt: string, nowWallMs = Date.now(), nowMonoMs = performance.now()): number {
  const t = Date.parse(startedAt);
  return Number.isFinite(t) ? nowMonoMs - (nowWallMs - t) : nowMonoMs;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
