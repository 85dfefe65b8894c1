/**
 * `markdown`: `status.md`, the production health board as GitHub renders it. When
 * `GITHUB_STEP_SUMMARY` is set (env from the options, default process.env) the board is appended to
 * it too, so a workflow run shows it on its summary page.
 */
import { incidentsMarkdown } from '../incidents/markdown.js';
import type { Finding } from '../model/index.js';
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import type { ReporterOptions } from './options.js';
import { affectedOf, buildBoard, type HealthBoard } from './board.js';
import {
  formatAgo,
  formatInstant,
  formatMs,
  formatPct,
  formatSignalValue,
  OVERALL_EMOJI,
  SEVERITY_LABEL,
  SIGNAL_LABEL,
  STATUS_LABEL,
  TREND_ARROW,
} from './format.js';
import { redactContext, redactReport } from './redaction.js';
import { formatSystemValue, noDataText, type SystemSection } from './system-signals.js';
import { appendReportFile, writeReportFile } from './write.js';

/** GitHub rejects step summaries over 1 MiB; stay under with room for other steps. */
export const STEP_SUMMARY_LIMIT_BYTES = 1_000_000;

export class MarkdownReporter implements Reporter {
  readonly name = 'markdown';
  constructor(private readonly opts: ReporterOptions = {}) {}

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    const board = buildBoard(redactReport(report, this.opts.redactor), redactContext(context, this.opts.redactor), {
      ...(this.opts.thresholds ? { thresholds: this.opts.thresholds } : {}),
      ...(this.opts.concurrency ? { concurrency: this.opts.concurrency } : {}),
    });
    const text = renderMarkdown(board);
    const written = [await writeReportFile(context.outDir, 'status.md', text)];
    const summary = (this.opts.env ?? process.env).GITHUB_STEP_SUMMARY;
    if (summary) written.push(await appendReportFile(summary, fitStepSummary(text)));
    return written;
  }
}

/**
 * Text safe inside a GFM table cell or a line: HTML-significant characters as entities, markdown
 * punctuation backslash-escaped (a monitor called `*prod*` stays literal), newlines as `<br>`.
 */
export function mdCell(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1')
    .replace(/\r\n|\r|\n/g, '<br>')
    .trim();
}

function fitStepSummary(text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= STEP_SUMMARY_LIMIT_BYTES) return text + '\n';
  const note = '\n\n_(truncated: the full board is in status.md)_\n';
  const cut = Buffer.from(text).subarray(0, STEP_SUMMARY_LIMIT_BYTES - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD$/, '');
  return cut.slice(0, cut.lastIndexOf('\n')) + note;
}

function table(head: string[], align: ('l' | 'r' | 'c')[], rows: string[][]): string[] {
  const sep = align.map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function when(iso: string | null | undefined, now: string): string {
  const ago = formatAgo(iso, now);
  return `${formatInstant(iso)}${ago ? ` (${ago})` : ''}`;
}

/** The status.md document (pure). */
export function renderMarkdown(b: HealthBoard): string {
  const out: string[] = [];
  out.push(`# ${OVERALL_EMOJI[b.status]} Production health: ${b.status}`, '');
  const meta = [
    `**As of** ${formatInstant(b.generatedAt)}`,
    `environment **${mdCell(b.run.environment)}**`,
    `location **${mdCell(b.run.location)}**`,
    `run ${mdCell(b.run.id)}${b.run.shard ? ` (shard ${mdCell(b.run.shard)})` : ''}`,
    `window ${mdCell(b.window)}`,
  ];
  out.push(meta.join(' · '), '');
  const c = b.counts;
  out.push(`**${c.total} monitor${c.total === 1 ? '' : 's'} this run:** ${c.passed} passed · ${c.degraded} degraded · ${c.failed} failed`, '');
  if (b.reasons.length) {
    for (const r of b.reasons) out.push(`- ${mdCell(r)}`);
    out.push('');
  }

  out.push('## Golden signals', '');
  if (b.system) out.push(...systemMarkdown(b.system));
  const monitorSignals = b.signals.filter((s) => s.scope === 'monitors');
  if (b.system) out.push('### Synthetic monitors', '');
  out.push(
    ...table(
      ['Signal', 'Current', 'Baseline', 'Status', 'Trend', 'Meaning'],
      ['l', 'r', 'r', 'l', 'c', 'l'],
      monitorSignals.map((s) => [
        s.label,
        formatSignalValue(s, s.current),
        formatSignalValue(s, s.baseline),
        SIGNAL_LABEL[s.status],
        TREND_ARROW[s.trend] || '—',
        mdCell(s.note),
      ]),
    ),
    '',
  );
  const runner = b.signals.filter((s) => s.scope === 'runner');
  if (runner.length) {
    const parts = runner.map(
      (s) => `${s.label.toLowerCase()} ${formatSignalValue(s, s.current)} (baseline ${formatSignalValue(s, s.baseline)}, ${SIGNAL_LABEL[s.status]} ${TREND_ARROW[s.trend] || '—'})`,
    );
    out.push(`**Runner:** ${mdCell(parts.join(' · '))}`, '');
  }
  out.push(`_${mdCell(b.baselineNote)}_`, '');

  out.push(`## Active anomalies (${b.anomalies.length})`, '');
  if (b.anomalies.length === 0) out.push('_No active anomalies._', '');
  else out.push(...table(['Severity', 'Since', 'Kind', 'Affected', 'Explanation'], ['l', 'l', 'l', 'l', 'l'], b.anomalies.map((f) => findingRow(f, b))), '');
  if (b.resolved.length) {
    out.push(`<details><summary>Resolved in the window (${b.resolved.length})</summary>`, '');
    out.push(
      ...table(
        ['Severity', 'Started', 'Resolved', 'Affected', 'Explanation'],
        ['l', 'l', 'l', 'l', 'l'],
        b.resolved.map((f) => {
          const a = affectedOf(f, b.names);
          return [SEVERITY_LABEL[f.severity], formatInstant(f.startedAt), formatInstant(f.resolvedAt), affectedCell(a), mdCell(f.explanation)];
        }),
      ),
      '',
      '</details>',
      '',
    );
  }

  out.push(`## Monitors (last ${mdCell(b.window)})`, '');
  if (b.monitors.length === 0) out.push('_No results in the window._', '');
  else
    out.push(
      ...table(
        ['Monitor', 'Kind', 'Location', 'Runs', 'Success', 'Avg', 'p95', 'Last run', 'Last error'],
        ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
        b.monitors.map((m) => [
          `**${mdCell(m.name)}**`,
          m.kind,
          mdCell(m.location),
          String(m.runs),
          formatPct(m.successRate),
          formatMs(m.avgMs),
          formatMs(m.p95Ms),
          `${STATUS_LABEL[m.lastStatus]} ${formatAgo(m.lastAt, b.generatedAt)}`,
          m.lastError ? `${mdCell(m.lastError.class)}: ${mdCell(m.lastError.message)} (${formatAgo(m.lastError.at, b.generatedAt)})` : '—',
        ]),
      ),
      '',
    );

  if (b.incidents.length) out.push(incidentsMarkdown(b.incidents));

  if (b.flaky.length) {
    out.push(`## Flaky (${b.flaky.length})`, '', '_Failures of a flaky step alert only past its usual rate._', '');
    out.push(
      ...table(
        ['Monitor', 'Step', 'Flakiness', 'Flips', 'Rescued by retry', 'Failure rate'],
        ['l', 'l', 'r', 'r', 'r', 'r'],
        b.flaky.map((f) => [mdCell(b.names[f.monitor] ?? f.monitor), mdCell(f.step ?? '(whole monitor)'), f.score.toFixed(2), `${f.flips}/${f.runs}`, `${f.rescued}/${f.runs}`, `${(f.failureRate * 100).toFixed(0)}%`]),
      ),
      '',
    );
  }

  out.push('## Recent deploys', '');
  if (b.deploys.length === 0) out.push('_No deploys in the window._', '');
  else
    out.push(
      ...table(
        ['When', 'Version', 'Environment', 'Description'],
        ['l', 'l', 'l', 'l'],
        b.deploys.map((d) => [when(d.at, b.generatedAt), mdCell(d.version ?? '—'), mdCell(d.environment), mdCell(d.description ?? '')]),
      ),
      '',
    );
  out.push(`<sub>Generated by production-observer at ${formatInstant(b.generatedAt)}.</sub>`, '');
  return out.join('\n');
}

function affectedCell(a: { monitor: string; step: string | null; location: string }): string {
  return [mdCell(a.monitor), a.step ? mdCell(a.step) : null, mdCell(a.location)].filter(Boolean).join(' › ');
}

function findingRow(f: Finding, b: HealthBoard): string[] {
  return [SEVERITY_LABEL[f.severity], when(f.startedAt, b.generatedAt), mdCell(f.kind), affectedCell(affectedOf(f, b.names)), mdCell(f.explanation)];
}

/** The system's signals: the sources' state, then one table per service (and its busiest routes). */
function systemMarkdown(sys: SystemSection): string[] {
  const out: string[] = [];
  const sources = sys.sources.map((s) => {
    const state = s.status === 'ok' ? '🟢 ok' : s.status === 'partial' ? '🟡 partial' : '🔴 down';
    return `${mdCell(s.name)} ${state}${s.error ? ` — ${mdCell(s.error)}` : ''}`;
  });
  out.push(`**Sources:** ${sources.join(' · ') || '_none_'}`, '');
  for (const svc of sys.services) {
    out.push(`### ${mdCell(svc.service)}`, '');
    out.push(
      ...table(
        ['Signal', 'Current', 'Baseline', 'Status', 'Trend', 'Meaning'],
        ['l', 'r', 'r', 'l', 'c', 'l'],
        svc.signals.map((s) => [
          // Two sources of one service (edge logs, app metrics) measure different things: say which row is which.
          new Set(svc.signals.map((x) => x.source)).size > 1 ? `${s.label} (${mdCell(s.source)})` : s.label,
          s.value === null ? 'no data' : formatSystemValue(s, s.value),
          formatSystemValue(s, s.baseline),
          SIGNAL_LABEL[s.status],
          TREND_ARROW[s.trend] || '—',
          mdCell(s.value === null ? noDataText(s) : [s.note, s.basis && `baseline: ${s.basis}`, s.source].filter(Boolean).join(' · ')),
        ]),
      ),
      '',
    );
    if (svc.routes.length) {
      out.push(
        ...table(
          ['Route', 'Traffic', '5xx', '4xx', 'Status'],
          ['l', 'r', 'r', 'r', 'l'],
          svc.routes.map((r) => {
            const worst = [r.traffic, r.errors5xx, r.errors4xx].reduce((w, s) => (s && RANK[s.status] > RANK[w] ? s.status : w), 'unknown' as keyof typeof RANK);
            return [mdCell(r.route), r.traffic ? formatSystemValue(r.traffic, r.traffic.value) : '—', r.errors5xx ? formatSystemValue(r.errors5xx, r.errors5xx.value) : '—', r.errors4xx ? formatSystemValue(r.errors4xx, r.errors4xx.value) : '—', SIGNAL_LABEL[worst]];
          }),
        ),
        '',
      );
    }
  }
  return out;
}

const RANK = { unknown: 0, ok: 1, warning: 2, critical: 3 } as const;
