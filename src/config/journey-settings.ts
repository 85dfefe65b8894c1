/**
 * Journey settings: from observer.config.ts `journeys`, or declared in a journey file (the journeys
 * module calls validateJourneySettings for those). Same schema and rules either way.
 */
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { createConfigAjv, validateWith } from './ajv-errors.js';
import { cronProblem } from './cron.js';
import { formatPath, joinPath, type Diagnostic } from './diagnostics.js';
import { journeySettingsSchema } from './schemas.js';
import type { JourneySettings } from './types.js';

export { journeySettingsSchema };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= createConfigAjv().compile(journeySettingsSchema);
  return compiled;
}

/** Problems beyond the schema: cron syntax, degraded ≥ max, step deadline above the journey's. */
export function journeySettingsRules(s: JourneySettings): Array<{ path: string; message: string; severity: 'error' | 'warning' }> {
  const out: Array<{ path: string; message: string; severity: 'error' | 'warning' }> = [];
  if (s.schedule !== undefined) {
    const p = cronProblem(s.schedule);
    if (p) out.push({ path: 'schedule', message: p, severity: 'error' });
  }
  for (const [name, sla] of Object.entries(s.steps ?? {})) {
    if (sla.maxMs !== undefined && sla.degradedMs !== undefined && sla.degradedMs >= sla.maxMs) {
      out.push({
        path: formatPath(['steps', name, 'degradedMs']),
        message: `must be below maxMs (${sla.maxMs}): degraded is the warning level before failing`,
        severity: 'error',
      });
    }
  }
  if (s.stepTimeoutMs !== undefined && s.timeoutMs !== undefined && s.stepTimeoutMs > s.timeoutMs) {
    out.push({ path: 'stepTimeoutMs', message: `is above timeoutMs (${s.timeoutMs}); the journey times out first`, severity: 'warning' });
  }
  return out;
}

/**
 * Validate journey settings written anywhere. `file` is reported relative to `cwd`; `fieldPrefix`
 * locates the settings inside the file (e.g. `journeys["checkout"]` or `settings`).
 * Returns the settings when there is no error (warnings allowed).
 */
export function validateJourneySettings(
  raw: unknown,
  file: string,
  fieldPrefix: string,
  cwd: string = process.cwd(),
): { settings?: JourneySettings; diagnostics: Diagnostic[] } {
  const rel = path.isAbsolute(file) ? path.relative(cwd, file).split(path.sep).join('/') : file;
  const diagnostics: Diagnostic[] = validateWith(validator(), raw).map((p) => ({
    file: rel,
    path: joinPath(fieldPrefix, p.path),
    message: p.message,
    severity: 'error',
  }));
  if (diagnostics.length > 0) return { diagnostics };
  const settings = raw as JourneySettings;
  for (const r of journeySettingsRules(settings)) {
    diagnostics.push({ file: rel, path: joinPath(fieldPrefix, r.path), message: r.message, severity: r.severity });
  }
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { settings, diagnostics };
}
