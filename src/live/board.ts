/**
 * What the live dashboard shows, read from the store: the same board `observer report` writes,
 * with one difference that suits a daemon (whose runs hold one monitor each): the board's
 * "current" results are every monitor's latest result per location within the window, not only
 * the latest run's.
 */
import path from 'node:path';
import type { MonitorResult } from '../model/index.js';
import { createReporters, Multiplexer, renderHtmlReport, type ReportContext, type ReporterOptions, type RunReport } from '../reporters/index.js';
import { redactContext, redactReport } from '../reporters/redaction.js';
import type { Clock } from '../runtime/clock.js';
import { buildReportContext } from '../run/report-context.js';
import type { Store } from '../store/store.js';

export interface BoardSourceOptions {
  store: Store;
  clock: Clock;
  /** History window (`24h`, `7d`). */
  window: string;
  environment?: string;
  /** reports/ folder: where artifacts are read from and the files are written to. */
  outDir: string;
  /** Reporter names written to disk (`reporters` of the config). */
  reporters: readonly string[];
  /** Redactor, SLA lines, thresholds: as for `observer report`. */
  reporterOptions: ReporterOptions;
}

export interface BoardSnapshot {
  report: RunReport;
  context: ReportContext;
}

export class BoardSource {
  constructor(private readonly opts: BoardSourceOptions) {}

  get outDir(): string {
    return this.opts.outDir;
  }

  get storeDescription(): string {
    return this.opts.store.description;
  }

  /** Null while the store holds no run. */
  async snapshot(): Promise<BoardSnapshot | null> {
    const { store } = this.opts;
    const [latest] = await store.listRuns({ limit: 1 });
    if (!latest) return null;
    const context = await buildReportContext(store, {
      outDir: this.opts.outDir,
      window: this.opts.window,
      nowMs: this.opts.clock.nowMs(),
      ...(this.opts.environment ? { environment: this.opts.environment } : {}),
    });
    const report: RunReport = { run: latest, results: latestPerMonitor(context.history), findings: context.findings.filter((f) => f.status === 'open') };
    return { report, context };
  }

  /** index.html as `observer report` would write it (redacted), or null without a run. */
  async html(): Promise<string | null> {
    const snap = await this.snapshot();
    if (!snap) return null;
    const { redactor } = this.opts.reporterOptions;
    return renderHtmlReport(redactReport(snap.report, redactor), redactContext(snap.context, redactor), this.opts.reporterOptions);
  }

  /** Write reports/ with the configured reporters; returns the files' names and the reporters' errors. */
  async write(): Promise<{ files: string[]; errors: string[] }> {
    const snap = await this.snapshot();
    if (!snap) return { files: [], errors: [] };
    const errors: string[] = [];
    const reporter = new Multiplexer(createReporters(this.opts.reporters, this.opts.reporterOptions), (err: Error) => errors.push(err.message));
    const files = (await reporter.onEnd?.(snap.report, snap.context)) ?? [];
    return { files: files.map((f) => path.basename(f)), errors };
  }
}

/** Each monitor's newest result per location (history is oldest first). */
export function latestPerMonitor(history: readonly MonitorResult[]): MonitorResult[] {
  const latest = new Map<string, MonitorResult>();
  for (const r of history) latest.set(`${r.monitor}\u0000${r.location}`, r);
  return [...latest.values()];
}
