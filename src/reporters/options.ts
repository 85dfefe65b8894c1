/**
 * Options every reporter constructor takes (one shape, so the registry can build any of them).
 * Each reporter reads only the fields it needs; all are optional.
 */
import type { StepSla } from '../model/index.js';
import type { Redactor } from '../runtime/redact.js';
import type { BoardThresholds } from './board.js';

/**
 * SLA lines for charts: monitor id → step name → thresholds. The step key `*` is the whole monitor
 * (an API check's maxResponseTimeMs/degradedResponseTimeMs). Build it from definitions with
 * `slaFromMonitors`; reporters that receive `onBegin` do that themselves and merge this on top.
 */
export type SlaMap = Record<string, Record<string, StepSla>>;

export interface ReporterOptions {
  /**
   * Defense in depth: results arrive redacted, and every string a reporter writes passes through
   * this again (before escaping, so an escaped secret cannot slip past).
   */
  redactor?: Redactor;
  /** Environment to read `GITHUB_STEP_SUMMARY` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** SLA lines drawn on the html charts. */
  sla?: SlaMap;
  /** Thresholds of the health board (markdown, html). */
  thresholds?: Partial<BoardThresholds>;
  /** Configured concurrency (checks + journey workers), to express saturation as a share of it. */
  concurrency?: number;
  json?: {
    /** Keep only the newest N `run-<id>.json` files (default: keep all). */
    keepRuns?: number;
  };
  junit?: {
    /** One testsuite per monitor kind (default) or one for the whole run. */
    suites?: 'kind' | 'run';
    /** testcase classname: the monitor kind (default) or its first tag (kind when untagged). */
    classname?: 'kind' | 'tag';
  };
  prometheus?: {
    /** Write `metrics.prom` (default true). */
    writeFile?: boolean;
    /** Also push the run's metrics to this Pushgateway under this job name. */
    pushgateway?: { url: string; job: string };
  };
  html?: {
    /** Inline screenshots up to this size as data: thumbnails (default 400 KiB); larger ones are links. */
    maxInlineScreenshotBytes?: number;
    /** Page title (default `production-observer`). */
    title?: string;
    /** IANA time zone of every time on the page, charts and tables alike (default `UTC`); shown in the header. */
    timeZone?: string;
  };
}
