/** Cron expressions of `schedule` fields, validated with node-cron (the daemon's scheduler). */
import { validate } from 'node-cron';

/** Undefined when valid, else what is wrong and what was expected. */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (validate(trimmed)) return undefined;
  const fields = trimmed.split(/\s+/).filter(Boolean).length;
  const shape =
    fields === 5 || fields === 6
      ? 'a field is out of range or malformed'
      : `it has ${fields} field${fields === 1 ? '' : 's'}`;
  return `invalid cron expression "${expression}" (${shape}): expected 5 fields "minute hour day-of-month month day-of-week" or 6 with seconds first, e.g. "*/5 * * * *"`;
}
