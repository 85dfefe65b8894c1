/**
 * One Reporter interface, every hook optional (Playwright reporterV2 style).
 * Call order for a run: onBegin → (onMonitorBegin → onMonitorEnd)* interleaved across
 * monitors running in parallel → onEnd. onError may come at any point. A reporter that throws is
 * isolated by the multiplexer: its error becomes an onError event for the others and the run goes on.
 */
import type { DeployMarker, Finding, MonitorDefinition, MonitorResult, RunInfo } from '../model/index.js';
import type { SystemSignals } from '../sources/types.js';

export interface RunReport {
  run: RunInfo;
  results: MonitorResult[];
  findings: Finding[];
}

/** What report writers that need history get from the orchestrator (read from the store beforehand). */
export interface ReportContext {
  /** Folder to write into (`reports/` by default). */
  outDir: string;
  /** Results of the reporting window, oldest first, this run's included. */
  history: MonitorResult[];
  /** Open findings and those resolved in the window. */
  findings: Finding[];
  deploys: DeployMarker[];
  /** Window the history covers, e.g. `24h`. */
  window: string;
  /** The instant the report is made. */
  generatedAt: string;
  /** The watched system's golden signals of this run (absent when no sources are configured). */
  system?: SystemSignals;
}

export interface Reporter {
  /** Name shown in errors: `json`, `junit`, ... */
  readonly name: string;
  onBegin?(run: RunInfo, monitors: MonitorDefinition[]): void | Promise<void>;
  onMonitorBegin?(monitor: MonitorDefinition): void;
  onMonitorEnd?(result: MonitorResult): void;
  onError?(error: Error): void;
  /** Write files; returns the paths written (relative to outDir or absolute). */
  onEnd?(report: RunReport, context: ReportContext): Promise<string[] | void> | string[] | void;
}
