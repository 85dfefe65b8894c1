/**
 * `observer gaps`: which operations production depends on that no check or journey covers, what
 * production showed that the checks missed, and (with --write) checks to close the biggest gaps.
 */
import path from 'node:path';
import { GapsInputError } from '../gaps/errors.js';
import { runGaps } from '../gaps/run.js';
import { systemClock } from '../runtime/clock.js';
import { ExitCode } from './exit-codes.js';
import { intOption, oneOf, parse, UsageError } from './args.js';
import { openConfiguredStore } from './store-from-config.js';
import type { CommandIO } from './io.js';

export const GAPS_USAGE = `Usage: observer gaps [--openapi FILE] [--access-log FILE...] [--log-format combined|json]
                     [--since 7d] [--write DIR] [--top 10] [--out DIR] [--config FILE] [--env NAME]

Ranks the API's operations by risk = share of production traffic x (1 - coverage by checks and
journeys over the window), lists missing and inadequate tests, new scenarios, undocumented routes and
operations production never calls; writes gaps.md, gaps.json and a section of index.html.
--openapi and --access-log default to the config's \`gaps\` section (or its access-log sources).
--write DIR writes one check per top-risk GET/HEAD operation (never overwriting a file).`;

export async function gapsCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parse(
    argv,
    {
      openapi: { type: 'string' },
      'access-log': { type: 'string', multiple: true },
      'log-format': { type: 'string' },
      since: { type: 'string' },
      write: { type: 'string' },
      top: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      env: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    GAPS_USAGE,
  );
  if (values.help) {
    io.stdout.write(GAPS_USAGE + '\n');
    return ExitCode.Ok;
  }
  const logFormat = oneOf(values['log-format'], 'log-format', ['combined', 'json'] as const);
  const top = intOption(values.top, 'top', { min: 1 });
  const { config, store } = await openConfiguredStore(io, { ...(values.config ? { configFile: values.config } : {}), ...(values.env ? { environment: values.env } : {}) });
  try {
    const outcome = await runGaps({
      config,
      store,
      cwd: io.cwd,
      ...(values.openapi ? { openapi: values.openapi } : {}),
      ...(values['access-log'] ? { accessLogs: values['access-log'] } : {}),
      ...(logFormat ? { logFormat } : {}),
      ...(values.since ? { since: values.since } : {}),
      ...(values.write ? { write: values.write } : {}),
      ...(top !== undefined ? { top } : {}),
      ...(values.out ? { outDir: values.out } : {}),
      nowMs: systemClock.nowMs(),
    });
    const r = outcome.report;
    const rel = (p: string) => path.relative(io.cwd, p) || p;
    if (r.usage.malformed) {
      io.stderr.write(config.redactor.redact(`warning: ${r.usage.malformed} log line(s) did not parse and were skipped, e.g.\n${r.usage.malformedSamples.map((s) => `  ${s}`).join('\n')}\n`));
    }
    const top3 = r.operations.filter((o) => o.risk > 0).slice(0, 3);
    io.stdout.write(
      `gaps: ${r.operations.length} operation(s), ${r.usage.requests} request(s); ${r.missing.length} missing, ${r.inadequate.length} inadequate, ${r.newScenarios.length} new scenario(s), ${r.undocumented.length} undocumented route(s), ${r.unused.length} never called\n`,
    );
    for (const o of top3) io.stdout.write(`  risk ${o.risk.toFixed(3)}  ${o.key}  (${(o.share * 100).toFixed(1)}% of traffic, coverage: ${o.level})\n`);
    if (outcome.generated) {
      for (const f of outcome.generated.written) io.stdout.write(`wrote ${rel(f)}\n`);
      for (const f of outcome.generated.kept) io.stdout.write(`kept ${rel(f)} (exists; never overwritten)\n`);
      for (const s of outcome.generated.skipped) io.stdout.write(`skipped ${s.key}: ${s.reason}\n`);
    }
    io.stdout.write(`reports: ${outcome.files.map(rel).join(', ')}\n`);
    return ExitCode.Ok;
  } catch (err) {
    // An invalid OpenAPI description is a ConfigError: main prints `file: #/pointer: message` and exits 2.
    if (err instanceof GapsInputError) throw new UsageError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}
