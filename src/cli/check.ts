/**
 * `observer check URL`: one ad-hoc API check from the command line through the same runner and
 * the same output as `observer run`, no config needed. Good for a first try and for scripts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiCheckRunner } from '../checks/index.js';
import type { ApiCheckDefinition, MonitorResult } from '../model/index.js';
import { systemClock } from '../runtime/clock.js';
import { isSecretHeader, Redactor } from '../runtime/redact.js';
import { newRunId } from '../run/ids.js';
import { ExitCode } from './exit-codes.js';
import { intOption, parse, UsageError } from './args.js';
import { ProgressReporter } from './progress.js';
import type { CommandIO } from './io.js';

export const CHECK_USAGE = `Usage: observer check URL [options]

  --method M            HTTP method (default GET)
  --header 'K: V'       request header (repeatable); auth headers are redacted from output
  --body DATA           request body (JSON is sent with content-type application/json)
  --expect-status N     accepted status (repeatable; default any 2xx)
  --schema FILE         JSON Schema the response body must match
  --max-ms N            failed above N ms
  --degraded-ms N       degraded above N ms
  --timeout MS          total deadline (default 10000)
  --retries N           extra attempts on network errors and 5xx (default 0)
  --json                print the result as JSON

Exit codes: 0 passed or degraded, 1 failed, 2 usage error.`;

export async function checkCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      method: { type: 'string' },
      header: { type: 'string', multiple: true },
      body: { type: 'string' },
      'expect-status': { type: 'string', multiple: true },
      schema: { type: 'string' },
      'max-ms': { type: 'string' },
      'degraded-ms': { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    CHECK_USAGE,
  );
  if (values.help) {
    io.stdout.write(CHECK_USAGE + '\n');
    return ExitCode.Ok;
  }
  if (positionals.length !== 1) throw new UsageError('expected exactly one URL', CHECK_USAGE);
  const url = positionals[0];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`not an absolute URL: "${url}" (expected http:// or https://)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`unsupported protocol ${parsed.protocol} (expected http or https)`);

  const redactor = new Redactor();
  const headers: Record<string, string> = {};
  for (const h of values.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--header: expected 'Name: value', got "${redactor.redact(h)}"`);
    const name = h.slice(0, i).trim().toLowerCase();
    const value = h.slice(i + 1).trim();
    headers[name] = value;
    if (isSecretHeader(name)) {
      redactor.add(value);
      // `Bearer xyz`: the token alone is a secret too.
      const token = value.split(/\s+/)[1];
      if (token) redactor.add(token);
    }
  }
  const body = values.body;
  if (body !== undefined && headers['content-type'] === undefined) {
    try {
      JSON.parse(body);
      headers['content-type'] = 'application/json';
    } catch {
      headers['content-type'] = 'text/plain';
    }
  }
  const statuses = (values['expect-status'] ?? []).map((s) => intOption(s, 'expect-status', { min: 100 })!);
  let schema: ApiCheckDefinition['expect']['schema'];
  if (values.schema) {
    const file = path.resolve(io.cwd, values.schema);
    try {
      schema = { key: file, schema: JSON.parse(readFileSync(file, 'utf8')) as object, file };
    } catch (err) {
      throw new UsageError(`--schema ${values.schema}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const maxMs = intOption(values['max-ms'], 'max-ms', { min: 1 });
  const degradedMs = intOption(values['degraded-ms'], 'degraded-ms', { min: 1 });
  const check: ApiCheckDefinition = {
    kind: 'api',
    id: 'adhoc',
    name: `${(values.method ?? 'GET').toUpperCase()} ${redactor.redact(parsed.origin + parsed.pathname)}`,
    file: '<command line>',
    request: { method: (values.method ?? 'GET').toUpperCase(), url, headers, ...(body !== undefined ? { body } : {}) },
    expect: {
      status: statuses.length ? statuses : Array.from({ length: 100 }, (_, i) => 200 + i),
      headers: [],
      body: [],
      ...(schema ? { schema } : {}),
      ...(maxMs ? { maxResponseTimeMs: maxMs } : {}),
      ...(degradedMs ? { degradedResponseTimeMs: degradedMs } : {}),
    },
    retries: intOption(values.retries, 'retries') ?? 0,
    timeoutMs: intOption(values.timeout, 'timeout', { min: 1 }) ?? 10_000,
    maxBodyBytes: 10 * 1024 * 1024,
    tags: [],
  };
  const runner = new ApiCheckRunner({ concurrency: 1, perOriginConcurrency: 1, redactor, clock: systemClock });
  const controller = new AbortController();
  io.onSignals?.(() => controller.abort());
  let result: MonitorResult;
  try {
    result = await runner.run(check, { runId: newRunId(systemClock.nowMs()), location: io.env.OBSERVER_LOCATION ?? 'local', environment: 'adhoc', signal: controller.signal });
  } finally {
    await runner.close();
  }
  if (values.json) {
    io.stdout.write(redactor.redact(JSON.stringify(result, null, 2)) + '\n');
  } else {
    new ProgressReporter(io.stdout, io.env).onMonitorEnd(result);
    const t = result.steps[0]?.timings;
    if (t) {
      const f = (n: number) => `${n.toFixed(1)} ms`;
      io.stdout.write(
        `  dns ${f(t.dnsMs)} · connect ${f(t.connectMs)} · tls ${f(t.tlsMs)} · send ${f(t.sendMs)} · first byte ${f(t.firstByteMs)} · download ${f(t.downloadMs)} · total ${f(t.totalMs)}` +
          (result.httpStatus ? ` · HTTP ${result.httpStatus}` : '') +
          '\n',
      );
    }
  }
  return result.status === 'failed' ? ExitCode.MonitorFailed : ExitCode.Ok;
}
