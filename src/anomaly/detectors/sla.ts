/**
 * SLA breach: per-step thresholds (`degradedMs` → warning, `failedMs` → critical), from the config
 * overrides or else the step SLA carried by the observation. Opens on the first breach; resolves
 * once `resolveAfter` points are below threshold x `resolveFactor` (no flapping on the edge).
 */
import { KIND_BIT } from '../lifecycle.js';
import type { Detector, DetectorInput } from '../detector.js';
import { fmtRatio, fmtValue } from '../format.js';
import type { SeriesContext } from '../types.js';

export const slaDetector: Detector<null> = {
  name: 'sla',
  kinds: ['sla_breach'],
  applies: (ctx: SeriesContext) => !ctx.outcome && ctx.config.detectors.sla.enabled,
  create: () => null,
  save: () => null,
  load: () => null,
  observe(_s, input: DetectorInput) {
    // The per-point part is only "is there a threshold?": small enough to be inlined into the
    // detector runner beside the others (the JIT inlines a bounded amount of code per function).
    const cfg = input.ctx.config.detectors.sla;
    const sla = input.obs.sla;
    if (cfg.degradedMs === undefined && cfg.failedMs === undefined && sla === undefined) return;
    check(input, cfg.degradedMs ?? sla?.degradedMs, cfg.failedMs ?? sla?.failedMs);
  },
};

/** A point of a series with SLA thresholds (out of line, see `observe`). */
function check(input: DetectorInput, degraded: number | undefined, failed: number | undefined): void {
  const { ctx, obs } = input;
  const cfg = ctx.config.detectors.sla;
  if (degraded === undefined && failed === undefined) return;
  input.evaluated(KIND_BIT.sla_breach);
  const v = obs.value;
  const lowest = Math.min(degraded ?? Infinity, failed ?? Infinity);
  input.score(v, lowest);
  let level: 'open' | 'hold' | null = null;
  let severity: 'warning' | 'critical' = 'warning';
  let threshold = lowest;
  if (failed !== undefined && v > failed) {
    level = 'open';
    severity = 'critical';
    threshold = failed;
  } else if (degraded !== undefined && v > degraded) level = 'open';
  else if (input.isOpen(KIND_BIT.sla_breach) && v > lowest * cfg.resolveFactor) level = 'hold';
  if (!level) return;
  const unit = ctx.latency ? 'ms' : 'value';
  input.emit({
    kind: 'sla_breach',
    level,
    severity,
    observed: v,
    expected: { high: threshold },
    unit,
    magnitude: { ratio: v / threshold, delta: v - threshold },
    details: { degradedMs: degraded, failedMs: failed },
    explain: (e) =>
      `${e.subject} ${fmtValue(v, unit)} is over its ${severity === 'critical' ? 'failed' : 'degraded'} threshold of ${fmtValue(threshold, unit)} (${fmtRatio(v / threshold)}) since ${e.since} (${e.count} ${e.count === 1 ? 'run' : 'runs'}).`,
  });
}
