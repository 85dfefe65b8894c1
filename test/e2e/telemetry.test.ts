/**
 * Telemetry for operators, end to end: the real `observer run` and `observer daemon` with
 * `--log-format json` against a real HTTP server on 127.0.0.1 (one check passes, one gets 503), a
 * configuration warning (a GET with a body) and a secret in a header. Every stderr line must parse
 * as JSON and carry the structured fields; /metrics of the daemon is scraped for what operators
 * chart and alert on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSandbox, runCli, spawnCli, waitForOutput } from './sandbox.js';

const SECRET = 'tok_live_9d8c7b6a5f4e3d2c';

let server: http.Server;
let base: string;
const seenAuth: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.headers.authorization) seenAuth.push(req.headers.authorization);
    req.resume();
    if (req.url?.startsWith('/ok')) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    else res.writeHead(503, { 'content-type': 'text/plain' }).end('checkout is down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Line {
  level: number;
  time: number;
  msg: string;
  event?: string;
  [k: string]: unknown;
}

/** Every non-empty stderr line, parsed; a line that is not a JSON object fails the test with the line. */
function parseLines(stderr: string): Line[] {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((l) => {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(l)), `not JSON: ${l}`).not.toThrow();
    expect(typeof parsed, l).toBe('object');
    const line = parsed as Line;
    expect(typeof line.level, l).toBe('number');
    expect(typeof line.msg, l).toBe('string');
    return line;
  });
}

function metricLines(text: string, name: string, labels: Record<string, string>): string[] {
  return text.split('\n').filter((l) => l.startsWith(name + '{') && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
}

function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const lines = metricLines(text, name, labels);
  return lines.length ? lines.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0) : undefined;
}

describe('--log-format json', () => {
  it('observer run: every stderr line is JSON; results carry run, monitor, step, location, status, error class, duration; failures at error', async () => {
    const box = makeSandbox('telemetry');
    try {
      const r = await runCli(['run', '--log-format', 'json', '--location', 'eu-test'], { cwd: box.dir, env: { OBSERVER_BASE_URL: base, TELEMETRY_TOKEN: SECRET, OBSERVER_ENVIRONMENT: '' } });
      expect(r.code).toBe(1);
      expect(seenAuth).toContain(`Bearer ${SECRET}`); // the secret was really sent...
      expect(r.stderr).not.toContain(SECRET); // ...and never logged
      const lines = parseLines(r.stderr);

      const warning = lines.find((l) => l.event === 'config/warning');
      expect(warning).toMatchObject({ level: 40, file: 'checks/healthy.check.yaml', field: 'request.body', severity: 'warning' });

      const begin = lines.find((l) => l.event === 'run/begin')!;
      expect(begin).toMatchObject({ level: 30, location: 'eu-test', environment: 'local', monitors: 2 });
      const runId = begin.runId as string;
      expect(runId).toMatch(/^\d{8}T\d{6}Z-/);

      const results = Object.fromEntries(lines.filter((l) => l.event === 'monitor/end').map((l) => [l.monitor, l]));
      expect(Object.keys(results).sort()).toEqual(['checkout', 'healthy']);
      expect(results.checkout).toMatchObject({ level: 50, runId, monitor: 'checkout', kind: 'api', step: 'Checkout API', location: 'eu-test', status: 'failed', errorClass: 'http_status', httpStatus: 503 });
      expect(results.checkout.durationMs).toEqual(expect.any(Number));
      expect(results.healthy).toMatchObject({ level: 30, runId, status: 'passed', location: 'eu-test' });
      expect(results.healthy.errorClass).toBeUndefined();

      expect(lines.find((l) => l.event === 'run/end')).toMatchObject({ level: 40, runId, passed: 1, failed: 1 });
      // Progress is on stderr as log lines; stdout has no per-monitor text.
      expect(r.stdout).not.toContain('Checkout API');
    } finally {
      box.cleanup();
    }
  });

  it('observer: usage and configuration errors are JSON lines too', async () => {
    const box = makeSandbox('telemetry');
    try {
      const usage = await runCli(['run', '--log-format', 'json', '--fail-on', 'sometimes'], { cwd: box.dir, env: { OBSERVER_BASE_URL: base } });
      expect(usage.code).toBe(2);
      const [first] = parseLines(usage.stderr);
      expect(first).toMatchObject({ level: 50, event: 'stderr' });
      expect(first.msg).toContain('--fail-on');

      writeFileSync(path.join(box.dir, 'checks', 'bad.check.yaml'), 'id: bad\nrequest: { url: /ok }\nexpect: { stauts: 200 }\n');
      const bad = await runCli(['run', '--log-format=json'], { cwd: box.dir, env: { OBSERVER_BASE_URL: base, TELEMETRY_TOKEN: SECRET } });
      expect(bad.code).toBe(2);
      const diag = parseLines(bad.stderr).find((l) => l.event === 'config/diagnostic');
      expect(diag).toMatchObject({ level: 50, file: 'checks/bad.check.yaml', severity: 'error' });
      expect(String(diag?.field)).toContain('expect');
    } finally {
      box.cleanup();
    }
  });
});

describe('observer daemon telemetry', () => {
  it('JSON lines for every run and reload, and /metrics with phases, environment, reloads and counters from zero', async () => {
    const box = makeSandbox('telemetry');
    const { child, done } = spawnCli(['daemon', '--port', '0', '--host', '127.0.0.1', '--log-format', 'json', '--log-level', 'debug', '--location', 'eu-test'], {
      cwd: box.dir,
      env: { OBSERVER_BASE_URL: base, TELEMETRY_TOKEN: SECRET, OBSERVER_ENVIRONMENT: '' },
      timeoutMs: 90_000,
    });
    try {
      const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
      const metricsUrl = `http://127.0.0.1:${port}/metrics`;
      const scrape = async () => (await fetch(metricsUrl)).text();

      // Counters of every scheduled monitor exist before (or regardless of) their first run.
      const first = await scrape();
      for (const monitor of ['healthy', 'checkout']) {
        for (const status of ['passed', 'degraded', 'failed', 'skipped']) {
          expect(metricValue(first, 'observer_runs_total', { monitor, status, environment: 'local', location: 'eu-test' }), `${monitor} ${status}`).toBeDefined();
        }
        expect(metricValue(first, 'observer_skipped_ticks_total', { monitor, reason: 'overlap' })).toBeDefined();
      }
      expect(metricValue(first, 'observer_config_reloads_total', { environment: 'local' })).toBe(0);
      expect(metricValue(first, 'observer_config_reload_failures_total', { environment: 'local' })).toBe(0);
      expect(metricValue(first, 'observer_config_last_reload_successful', {})).toBe(1);
      expect(metricValue(first, 'observer_alert_deliveries_total', { result: 'failed' })).toBe(0);
      expect(first).toMatch(/^observer_runner_info\{version="\d+\.\d+\.\d+[^"]*"/m);

      // Bounded wait for a few runs of both monitors.
      let text = first;
      for (let i = 0; i < 60; i++) {
        text = await scrape();
        if ((metricValue(text, 'observer_runs_total', { monitor: 'checkout', status: 'failed' }) ?? 0) >= 2 && (metricValue(text, 'observer_runs_total', { monitor: 'healthy', status: 'passed' }) ?? 0) >= 2) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(metricValue(text, 'observer_runs_total', { monitor: 'checkout', status: 'failed' })).toBeGreaterThanOrEqual(2);
      expect(metricValue(text, 'observer_monitor_success', { monitor: 'checkout', environment: 'local', location: 'eu-test' })).toBe(0);
      // HTTP phases per check: a new connection has dns and connect; plain HTTP has no tls.
      for (const phase of ['dns', 'connect', 'first_byte', 'download']) {
        expect(metricValue(text, 'observer_http_phase_seconds_count', { monitor: 'healthy', phase, environment: 'local' }), phase).toBeGreaterThanOrEqual(1);
      }
      expect(metricLines(text, 'observer_http_phase_seconds_count', { phase: 'tls' })).toEqual([]);
      expect(metricLines(text, 'observer_http_phase_seconds_bucket', { monitor: 'healthy', phase: 'first_byte', le: '0.005' })).toHaveLength(1);
      expect(text).not.toContain(SECRET);

      // A rejected reload, then an accepted one: counted, and logged as JSON with the diagnostics.
      const broken = path.join(box.dir, 'checks', 'broken.check.yaml');
      writeFileSync(broken, 'id: broken\nrequest: { url: /ok }\nschedule: "not cron"\n');
      child.kill('SIGHUP');
      await waitForOutput(child, /reload rejected/);
      const afterBad = await scrape();
      expect(metricValue(afterBad, 'observer_config_reloads_total', {})).toBe(1);
      expect(metricValue(afterBad, 'observer_config_reload_failures_total', {})).toBe(1);
      expect(metricValue(afterBad, 'observer_config_last_reload_successful', {})).toBe(0);
      rmSync(broken);
      writeFileSync(path.join(box.dir, 'checks', 'extra.check.yaml'), 'id: extra\nrequest: { url: /ok/extra }\nschedule: "*/1 * * * * *"\n');
      child.kill('SIGHUP');
      await waitForOutput(child, /reloaded: 3 monitor/);
      const afterGood = await scrape();
      expect(metricValue(afterGood, 'observer_config_reloads_total', {})).toBe(2);
      expect(metricValue(afterGood, 'observer_config_reload_failures_total', {})).toBe(1);
      expect(metricValue(afterGood, 'observer_config_last_reload_successful', {})).toBe(1);
      expect(metricValue(afterGood, 'observer_runs_total', { monitor: 'extra', status: 'failed' })).toBeDefined();

      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain(SECRET);
      const lines = parseLines(r.stderr);
      expect(lines.find((l) => l.event === 'config/warning')).toMatchObject({ level: 40, file: 'checks/healthy.check.yaml', field: 'request.body' });
      const failed = lines.filter((l) => l.event === 'monitor/end' && l.monitor === 'checkout');
      expect(failed.length).toBeGreaterThanOrEqual(2);
      for (const l of failed) {
        expect(l).toMatchObject({ level: 50, status: 'failed', errorClass: 'http_status', step: 'Checkout API', location: 'eu-test', environment: 'local' });
        expect(l.runId).toEqual(expect.any(String));
        expect(l.durationMs).toEqual(expect.any(Number));
      }
      expect(new Set(failed.map((l) => l.runId)).size).toBe(failed.length); // one run per tick
      // Passing runs are debug lines in the daemon (shown with --log-level debug).
      expect(lines.find((l) => l.event === 'monitor/end' && l.monitor === 'healthy')).toMatchObject({ level: 20, status: 'passed' });
      const rejected = lines.find((l) => l.event === 'config/reload' && l.result === 'rejected');
      expect(rejected).toMatchObject({ level: 50 });
      expect(JSON.stringify(rejected?.diagnostics)).toContain('broken.check.yaml');
      expect(lines.find((l) => l.event === 'config/reload' && l.result === 'applied')).toMatchObject({ level: 30, scheduled: 3 });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      box.cleanup();
    }
  });
});

describe('JsonLinesGuard', () => {
  it('passes JSON lines through, wraps any other line (also split across writes) as a JSON line, redacted', async () => {
    const { JsonLinesGuard } = await import('../../src/runtime/log.js');
    const { Redactor } = await import('../../src/runtime/redact.js');
    const redactor = new Redactor();
    redactor.add(SECRET);
    const out: string[] = [];
    const guard = new JsonLinesGuard((l) => out.push(l), redactor);
    guard.write('{"level":30,"msg":"already json"}\n');
    guard.write('(node:1) Warning: something ');
    guard.write(`odd with ${SECRET}\nobserver run: bad flag\n`);
    guard.write('no newline yet');
    expect(out).toHaveLength(3);
    guard.flush();
    const lines = out.map((l) => JSON.parse(l) as Line);
    expect(lines[0]).toEqual({ level: 30, msg: 'already json' });
    expect(lines[1]).toMatchObject({ level: 40, event: 'stderr', name: 'observer' });
    expect(lines[1].msg).toContain('Warning: something odd with');
    expect(lines[1].msg).not.toContain(SECRET);
    expect(lines[2]).toMatchObject({ level: 50, msg: 'observer run: bad flag' });
    expect(lines[3]).toMatchObject({ level: 40, msg: 'no newline yet' });
    expect(out.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  });
});
