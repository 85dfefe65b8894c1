/**
 * The name → class table. Adding a reporter is one file plus one line here; `ReporterName` and
 * the list of valid choices in errors and help text derive from it.
 */
import type { Reporter } from './reporter.js';
import type { ReporterOptions } from './options.js';
import { UnknownReporterError } from './errors.js';
import { FindingsReporter } from './findings.js';
import { HtmlReporter } from './html.js';
import { JsonReporter } from './json.js';
import { JUnitReporter } from './junit.js';
import { MarkdownReporter } from './markdown.js';
import { PrometheusReporter } from './prometheus.js';

export const REPORTERS = {
  json: JsonReporter,
  junit: JUnitReporter,
  markdown: MarkdownReporter,
  html: HtmlReporter,
  findings: FindingsReporter,
  prometheus: PrometheusReporter,
} as const satisfies Record<string, new (opts: ReporterOptions) => Reporter>;

export type ReporterName = keyof typeof REPORTERS;

/** Every valid reporter name, in registry order. */
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return Object.prototype.hasOwnProperty.call(REPORTERS, name);
}

/**
 * One reporter per name, in the order given (a repeated name gives one reporter).
 * Throws UnknownReporterError (ERR_UNKNOWN_REPORTER) naming every unknown name and the valid
 * choices; nothing falls back to a default.
 */
export function createReporters(names: readonly string[], opts: ReporterOptions = {}): Reporter[] {
  const unknown = names.filter((n) => !isReporterName(n));
  if (unknown.length) throw new UnknownReporterError([...new Set(unknown)], REPORTER_NAMES);
  return [...new Set(names as ReporterName[])].map((n) => new REPORTERS[n](opts));
}
