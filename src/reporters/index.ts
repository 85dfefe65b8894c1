/** The reporters: one Reporter interface, one file per output format, a registry and a multiplexer. */
export type { Reporter, ReportContext, RunReport } from './reporter.js';
export type { ReporterOptions, SlaMap } from './options.js';
export { REPORTERS, REPORTER_NAMES, createReporters, isReporterName, type ReporterName } from './registry.js';
export { Multiplexer } from './multiplexer.js';
export { ReporterError, ReportWriteError, UnknownReporterError, type ReporterHook } from './errors.js';
export { JsonReporter } from './json.js';
export { JUnitReporter, renderJUnit } from './junit.js';
export { MarkdownReporter, renderMarkdown, mdCell } from './markdown.js';
export { HtmlReporter, renderHtmlReport } from './html.js';
export { FindingsReporter } from './findings.js';
export { PrometheusReporter } from './prometheus.js';
export { buildBoard, DEFAULT_THRESHOLDS, type BoardThresholds, type HealthBoard, type GoldenSignal, type MonitorRow, type OverallStatus } from './board.js';
export { buildChartPayload, slaFromMonitors, mergeSla, WHOLE_MONITOR, type ChartPayload, type ChartSpec } from './chart-data.js';
