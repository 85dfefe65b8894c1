/**
 * `observer gate --deploy V`: is this deploy safe to keep? Compares every monitor's steps after the
 * deploy with the baseline before it (src/gate/judge.ts) and exits 0 (pass or marginal), 1 (fail,
 * or not enough data to say) or 2 (usage). The verdict is printed as Markdown (or JSON with --json)
 * and appended to $GITHUB_STEP_SUMMARY when set.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findDeploy, gateJson, gateMarkdown, gateReport, gateWindows, judgeDeploy, splitResults, stepSamples, usableForBaseline, type GateOptions } from '../gate/index.js';
import type { MonitorResult } from '../model/index.js';
import { parseWindow } from '../run/report-context.js';
import { isoAt } from '../runtime/clock.js';
import { ExitCode } from './exit-codes.js';
import { intOption, parse, UsageError } from './args.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export const GATE_USAGE = `Usage: observer gate --deploy V [options]

Judges a deploy the way a canary judge does: each monitor step's duration, TTFB, LCP and error rate
after the deploy against the baseline before it (Mann-Whitney U + minimum meaningful change,
Holm-corrected across every comparison), then an aggregate score.

Options:
  --deploy V             the deploy marker's version (or id), recorded with \`observer deploy --version V\`
  --baseline WINDOW      how far back before the deploy the baseline goes (default 24h; 90m, 7d, ...)
  --runs N               make sure every monitor has N results after the deploy: run the monitors now as
                         many times as are missing (20 sees a 30% one-step slowdown through runner noise)
  --env NAME             environment (default: the config's)
  --config FILE          observer.config.ts (default: discovered)
  --min-change PCT       minimum meaningful latency change in percent (default 10)
  --min-ms MS            minimum meaningful latency change in milliseconds (default 20)
  --pass-score S         score at or above which the gate passes (default 95)
  --marginal-score S     score at or above which it is marginal, still exit 0 (default 75)
  --json                 print the verdict as JSON instead of Markdown

Exit codes: 0 pass or marginal, 1 fail or not enough data, 2 usage or config error.
The Markdown verdict is appended to $GITHUB_STEP_SUMMARY when that variable is set.`;

export async function gateCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      deploy: { type: 'string' },
      baseline: { type: 'string' },
      runs: { type: 'string' },
      env: { type: 'string' },
      config: { type: 'string' },
      'min-change': { type: 'string' },
      'min-ms': { type: 'string' },
      'pass-score': { type: 'string' },
      'marginal-score': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    GATE_USAGE,
  );
  if (values.help) {
    io.stdout.write(GATE_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (!values.deploy) throw new UsageError('--deploy: required (the version given to `observer deploy --version V`)', GATE_USAGE);
  const baselineText = values.baseline ?? '24h';
  const baselineMs = parseWindow(baselineText);
  if (baselineMs === undefined || baselineMs <= 0) throw new UsageError(`--baseline: expected a duration such as 90m, 24h or 7d, got "${baselineText}"`);
  const runs = intOption(values.runs, 'runs', { min: 1 }) ?? 0;
  const options: Partial<GateOptions> = {};
  const minChange = numberOption(values['min-change'], 'min-change', 0, 1000);
  if (minChange !== undefined) options.minRelativeChange = minChange / 100;
  const minMs = numberOption(values['min-ms'], 'min-ms', 0, 600_000);
  if (minMs !== undefined) options.minAbsoluteMs = minMs;
  const pass = numberOption(values['pass-score'], 'pass-score', 0, 100);
  if (pass !== undefined) options.passScore = pass;
  const marginal = numberOption(values['marginal-score'], 'marginal-score', 0, 100);
  if (marginal !== undefined) options.marginalScore = marginal;
  if ((options.marginalScore ?? 75) > (options.passScore ?? 95)) throw new UsageError('--marginal-score: must not be above --pass-score');

  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  try {
    const markers = await store.listDeployMarkers({ environment: config.environment });
    const deploy = findDeploy(markers, values.deploy, config.environment);
    if (!deploy) {
      const known = [...new Set(markers.map((m) => m.version).filter(Boolean))].slice(-10);
      throw new UsageError(
        `--deploy: no deploy "${values.deploy}" recorded for environment ${config.environment}` +
          (known.length ? ` (recent: ${known.join(', ')})` : ' (none recorded yet)') +
          `; record it with \`observer deploy --version ${values.deploy}\``,
      );
    }
    const windows = gateWindows(markers, deploy, baselineMs);
    const read = async () => {
      const { baseline, canary } = splitResults(await store.listResults({ since: isoAt(windows.baselineFromMs), environment: config.environment }), windows);
      return { baseline, canary, judgement: judgeDeploy(stepSamples(baseline), stepSamples(canary), options) };
    };
    let current = await read();
    let ranNow = 0;
    // --runs N: the canary should hold N results per monitor; run the difference now.
    const toRun = runs > 0 ? runs - fewestCanaryResults(current.baseline, current.canary) : 0;
    if (toRun > 0) {
      if (windows.nextDeploy) {
        throw new UsageError(`--runs: deploy ${values.deploy} was followed by ${windows.nextDeploy.version ?? windows.nextDeploy.id}; runs made now would measure that one`);
      }
      ranNow = await runMonitorsNow(toRun, { io, config: values.config, env: config.environment });
      current = await read();
    }
    const report = gateReport(windows, { baseline: current.baseline.length, canary: current.canary.length, ranNow }, current.judgement);
    const markdown = gateMarkdown(report);
    io.stdout.write((values.json ? gateJson(report) : markdown) + '\n');
    const summaryFile = io.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) appendFileSync(summaryFile, markdown + '\n');
    const verdict = current.judgement.verdict;
    return verdict === 'pass' || verdict === 'marginal' ? ExitCode.Ok : ExitCode.MonitorFailed;
  } finally {
    await store.close();
  }
}

/** The fewest usable results after the deploy among the monitors of the baseline (0 when one has none). */
function fewestCanaryResults(baseline: readonly MonitorResult[], canary: readonly MonitorResult[]): number {
  const monitors = new Set(baseline.filter(usableForBaseline).map((r) => r.monitor));
  if (monitors.size === 0) return 0;
  const counts = new Map<string, number>();
  for (const r of canary) if (usableForBaseline(r)) counts.set(r.monitor, (counts.get(r.monitor) ?? 0) + 1);
  return Math.min(...[...monitors].map((m) => counts.get(m) ?? 0));
}

function numberOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name}: expected a number in [${min}, ${max}], got "${value}"`);
  return n;
}

/**
 * Runs `observer run` N times, one process each: the same way the baseline was measured (a CronJob
 * or CI step per run), so the canary's numbers carry the same per-process costs. Their output goes to
 * stderr; a monitor failing (exit 1) is data for the gate, a usage error (exit 2) stops it.
 */
async function runMonitorsNow(n: number, ctx: { io: CommandIO; config: string | undefined; env: string }): Promise<number> {
  const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
  for (let i = 1; i <= n; i++) {
    ctx.io.stderr.write(`observer gate: run ${i}/${n} after the deploy\n`);
    const args = [bin, 'run', '--env', ctx.env, ...(ctx.config ? ['--config', ctx.config] : [])];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ctx.io.cwd, env: ctx.io.env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => ctx.io.stderr.write(c));
      child.stderr.on('data', (c: Buffer) => ctx.io.stderr.write(c));
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code === ExitCode.UsageOrConfig) throw new UsageError('observer run exited 2 (usage or configuration error, above): the gate cannot measure');
  }
  return n;
}
