/** The gate's verdict as Markdown (a GitHub step summary, a merge-request note) and as JSON. */
import type { GateJudgement, MetricJudgement } from './judge.js';
import type { GateWindows } from './window.js';

const ICON: Record<string, string> = { pass: '✅', marginal: '⚠️', fail: '❌', inconclusive: '❔' };
const METRIC_LABEL: Record<string, string> = { durationMs: 'duration', ttfbMs: 'TTFB', lcpMs: 'LCP', errorRate: 'error rate' };

function value(j: MetricJudgement, x: number): string {
  if (!Number.isFinite(x)) return '–';
  return j.metric === 'errorRate' ? `${(x * 100).toFixed(1)}%` : `${Math.round(x)} ms`;
}

function change(j: MetricJudgement): string {
  if (!Number.isFinite(j.shift)) return '–';
  const sign = j.shift >= 0 ? '+' : '−';
  if (j.metric === 'errorRate') return `${sign}${Math.abs(j.shift * 100).toFixed(1)} pts`;
  const rel = Number.isFinite(j.relativeChange) ? ` (${sign}${Math.abs(j.relativeChange * 100).toFixed(0)}%)` : '';
  return `${sign}${Math.abs(j.shift).toFixed(0)} ms${rel}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export interface GateReport {
  deploy: { version?: string; id: string; at: string; environment: string };
  baseline: { from: string; results: number };
  canary: { from: string; until?: string; results: number; ranNow: number };
  judgement: GateJudgement;
}

export function gateReport(w: GateWindows, counts: { baseline: number; canary: number; ranNow: number }, judgement: GateJudgement): GateReport {
  return {
    deploy: { id: w.deploy.id, at: w.deploy.at, environment: w.deploy.environment, ...(w.deploy.version ? { version: w.deploy.version } : {}) },
    baseline: { from: new Date(w.baselineFromMs).toISOString(), results: counts.baseline },
    canary: { from: w.deploy.at, ...(w.canaryUntilMs !== undefined ? { until: new Date(w.canaryUntilMs).toISOString() } : {}), results: counts.canary, ranNow: counts.ranNow },
    judgement,
  };
}

/** JSON with NaN as null (JSON has no NaN), so consumers see "not computed" rather than a parse error. */
export function gateJson(report: GateReport): string {
  return JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export function gateMarkdown(report: GateReport): string {
  const j = report.judgement;
  const name = report.deploy.version ?? report.deploy.id;
  const lines = [
    `## ${ICON[j.verdict]} Deploy gate: ${name} — ${j.verdict.toUpperCase()} (score ${j.score})`,
    '',
    j.summary,
    '',
    `Baseline: ${report.baseline.results} result(s) since ${report.baseline.from}; canary: ${report.canary.results} result(s) since the deploy at ${report.canary.from}` +
      (report.canary.ranNow ? ` (${report.canary.ranNow} run(s) made by the gate)` : '') +
      `. One-sided Mann-Whitney U per step and metric, Holm-adjusted across the ${j.tested} of ${j.comparisons} comparisons that varied (family-wise α ${j.options.alpha}); ` +
      `a change counts from ${Math.round(j.options.minRelativeChange * 100)}% and ${j.options.minAbsoluteMs} ms (error rate: ${Math.round(j.options.minErrorRateChange * 100)} pts).`,
    '',
  ];
  if (j.regressions.length) {
    lines.push('### Regressions', '', '| Monitor | Step | Metric | Baseline | After deploy | Change | Confidence | Critical |', '|---|---|---|---|---|---|---|---|');
    for (const r of j.regressions) {
      lines.push(`| ${cell(r.monitor)} | ${cell(r.step)} | ${METRIC_LABEL[r.metric]} | ${value(r, r.baseline.median)} | ${value(r, r.canary.median)} | ${change(r)} | ${(r.confidence * 100).toFixed(1)}% | ${r.critical ? 'yes' : 'no'} |`);
    }
    lines.push('');
  }
  if (j.missingCanary.length) lines.push(`Not enough results after the deploy: ${j.missingCanary.join(', ')} (run \`observer gate --runs N\`).`, '');
  if (j.missingBaseline.length) lines.push(`No baseline yet (not judged): ${j.missingBaseline.join(', ')}.`, '');
  const rest = j.judgements.filter((x) => x.classification !== 'high');
  if (rest.length) {
    lines.push('<details><summary>Every comparison</summary>', '', '| Monitor | Step | Metric | Class | Baseline (n) | After (n) | Change | Confidence |', '|---|---|---|---|---|---|---|---|');
    for (const x of j.judgements) {
      lines.push(
        `| ${cell(x.monitor)} | ${cell(x.step)} | ${METRIC_LABEL[x.metric]} | ${x.classification} | ${value(x, x.baseline.median)} (${x.baseline.n}) | ${value(x, x.canary.median)} (${x.canary.n}) | ${change(x)} | ${x.classification === 'nodata' ? '–' : (x.confidence * 100).toFixed(1) + '%'} |`,
      );
    }
    lines.push('', '</details>', '');
  }
  return lines.join('\n');
}
