/**
 * The real CLI with `sources`: nginx is both the checked target and the access-log writer, and
 * Prometheus is down. The run finishes, the board says which source is down and shows the query
 * and the error instead of a number, and the access-log signals of the same service are there.
 * A wrong `sources` entry is a config error naming the file, the field and what was expected.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../e2e/sandbox.js';
import { freePort, hit, startNginx, tempDir, type Nginx } from './helpers.js';

function sandbox(config: string): string {
  const dir = path.join(repoRoot, 'test-results', 'sources', `run-${randomBytes(3).toString('hex')}`);
  mkdirSync(path.join(dir, 'checks'), { recursive: true });
  writeFileSync(path.join(dir, 'observer.config.ts'), config);
  writeFileSync(path.join(dir, 'checks', 'ping.check.yaml'), 'id: ping\nname: Ping\nrequest:\n  url: /ok\nexpect:\n  status: 200\n');
  return dir;
}

describe('observer run with sources', () => {
  let tmp: ReturnType<typeof tempDir>;
  let nginx: Nginx;
  const dirs: string[] = [];
  beforeAll(async () => {
    tmp = tempDir('run');
    nginx = await startNginx(tmp.dir);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    tmp?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('Prometheus down: the run finishes, the board names the source and shows no data with the query, never zero', async () => {
    const promPort = await freePort();
    const dir = sandbox(`export default {
  reporters: ['json', 'markdown'],
  sources: [
    { type: 'prometheus', url: 'http://127.0.0.1:${promPort}', timeoutMs: 2000, services: { web: { selector: 'job="web"' } } },
    { type: 'access-log', service: 'web', path: ${JSON.stringify(nginx.accessLog)}, format: 'combined' },
  ],
};
`);
    dirs.push(dir);
    const env = { OBSERVER_BASE_URL: nginx.url };
    const first = await runCli(['run'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    await hit(nginx.url, '/fail', 3);
    await hit(nginx.url, '/ok', 7);
    const second = await runCli(['run'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    const md = readFileSync(path.join(dir, 'reports', 'status.md'), 'utf8');
    expect(md).toMatch(/^# 🟡 Production health: degraded/);
    expect(md).toContain(`- Source prometheus is down: Prometheus at http://127.0.0.1:${promPort} unreachable: ECONNREFUSED`);
    expect(md).toMatch(/\*\*Sources:\*\* prometheus 🔴 down — .*ECONNREFUSED.* · access-log:web 🟢 ok/);
    expect(md).toContain('### web');
    expect(md).toContain('query: sum(rate(http\\_requests\\_total{job="web"}\\[5m\\]))'); // markdown-escaped
    // No baseline borrowed from the other source: Prometheus' rows have none.
    for (const l of md.split('\n').filter((x) => x.includes('| no data |'))) expect(l).toMatch(/\| no data \| — \|/);
    // Prometheus' traffic row says no data; the access log's traffic row has a number (11 lines: 10 + the check's own request).
    const rows = md.split('\n').filter((l) => l.startsWith('| Traffic ('));
    expect(rows).toHaveLength(2);
    expect(rows.some((r) => r.includes('| no data |') && r.includes('ECONNREFUSED'))).toBe(true);
    expect(rows.some((r) => /\| [\d.]+ req\/s \|/.test(r) && r.includes('access-log:web'))).toBe(true);
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| Traffic (access-log:web)', '| Traffic (prometheus)']);
    const errors = md.split('\n').find((l) => l.startsWith('| Errors 5xx (access-log:web) |'))!;
    expect(errors).toContain('27.3%'); // 3 of 11
    expect(md).toContain('### Synthetic monitors');
    expect(md).toMatch(/\*\*Runner:\*\* traffic/);
    const report = JSON.parse(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report.results).toHaveLength(1);
    // The JSON report carries the system's signals too, sources first.
    expect(report.system.sources.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual(['prometheus:down', 'access-log:web:ok']);
    expect(report.system.signals.find((s: { source: string; signal: string; route?: string }) => s.source === 'prometheus' && s.signal === 'traffic' && !s.route)).toMatchObject({ value: null });
  }, 120_000);

  it("a failing check's finding says what its service's signals were doing", { timeout: 240_000 }, async () => {
    const dir = sandbox(`export default {
  reporters: ['json'],
  sources: [{ type: 'access-log', name: 'edge', service: 'web', path: ${JSON.stringify(nginx.accessLog)}, format: 'combined' }],
};
`);
    dirs.push(dir);
    rmSync(path.join(dir, 'checks', 'ping.check.yaml'));
    // The check passes for 6 runs (the anomaly core calls an error new only after some history), then fails.
    writeFileSync(path.join(dir, 'checks', 'fail.check.yaml'), 'id: broken\nname: Broken page\nrequest:\n  url: ${env:CHECK_PATH}\nexpect:\n  status: 200\n');
    for (let i = 0; i < 6; i++) {
      const ok = await runCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: nginx.url, CHECK_PATH: '/items/1' }, timeoutMs: 60_000 });
      expect(ok.code, ok.stderr).toBe(0);
    }
    // Meanwhile the service itself mostly fails.
    await hit(nginx.url, '/fail', 8);
    await hit(nginx.url, '/ok', 2);
    const r = await runCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: nginx.url, CHECK_PATH: '/fail' }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8'));
    const e5 = report.system.signals.find((s: { signal: string; route?: string }) => s.signal === 'errors5xx' && !s.route);
    expect(e5.status).toBe('critical');
    const onCheck = report.findings.filter((f: { series: { monitor: string } }) => f.series.monitor === 'broken');
    expect(onCheck.length).toBeGreaterThan(0);
    for (const f of onCheck) expect(f.explanation).toMatch(/ — while web (traffic is [\d.]+x expected and )?errors 5xx is \d+(\.\d)?% of requests\.$/);
  });

  it('a wrong source is a config error: file, field, expected; exit 2, no stack', async () => {
    const dir = sandbox(`export default {
  sources: [
    { type: 'prometheus', url: 'prometheus:9090', services: { web: { exporter: 'nodes' } } },
    { type: 'access-log', service: 'web', format: 'combined' },
    { type: 'graphite' },
  ],
};
`);
    dirs.push(dir);
    const r = await runCli(['run'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('observer.config.ts: sources[0].url: must be an http(s) URL of Prometheus, e.g. http://prometheus:9090');
    expect(r.stderr).toMatch(/observer\.config\.ts: sources\[0\]\.services\.web\.exporter: must be one of http, node, cadvisor \(got "nodes"\)/);
    expect(r.stderr).toMatch(/observer\.config\.ts: sources\[2\]\.type: must be one of prometheus, access-log/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('an access-log source with neither path nor glob names what it needs', async () => {
    const dir = sandbox(`export default { sources: [{ type: 'access-log', service: 'web', format: 'json' }] };\n`);
    dirs.push(dir);
    const r = await runCli(['run'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('observer.config.ts: sources[0]: needs exactly one of "path" (a file) or "glob" (files), relative to the config file');
  }, 60_000);
});

describe('sources in a YAML file', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is read like the config (env references included), and its problems name the YAML file, field and line', async () => {
    const dir = sandbox(`export default { reporters: ['markdown'], sources: 'ops/sources.yaml' };\n`);
    dirs.push(dir);
    mkdirSync(path.join(dir, 'ops'), { recursive: true });
    writeFileSync(path.join(dir, 'ops', 'sources.yaml'), ['sources:', '  - type: access-log', '    service: web', '    path: ${env:LOG_FILE}', '    format: combined', ''].join('\n'));
    writeFileSync(path.join(dir, 'access.log'), '127.0.0.1 - - [04/Dec/2026:10:00:00 +0000] "GET /ok HTTP/1.1" 503 3 "-" "t" 0.002\n');
    // The check's target is not needed here: its failure is not what this test looks at.
    const ok = await runCli(['run'], { cwd: dir, env: { LOG_FILE: path.join(dir, 'access.log'), OBSERVER_BASE_URL: `http://127.0.0.1:${await freePort()}` }, timeoutMs: 60_000 });
    expect(ok.code, ok.stderr).toBe(1);
    const md = readFileSync(path.join(dir, 'reports', 'status.md'), 'utf8');
    expect(md).toContain('access-log:web 🟢 ok');
    expect(md.split('\n').find((l) => l.startsWith('| Errors 5xx |'))).toContain('100.0%');

    writeFileSync(path.join(dir, 'ops', 'sources.yaml'), ['- type: access-log', '  service: web', '  format: combined', '- type: prometheus', '  url: http://prom:9090', '  services: {}', '  timeout: 5', ''].join('\n'));
    const bad = await runCli(['run'], { cwd: dir, timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ops/sources.yaml:6: sources[1].services: must name at least one service: { <name>: { selector?, exporter?, queries? } }');
    expect(bad.stderr).toMatch(/ops\/sources\.yaml:7: sources\[1\]: unknown field "timeout" \(did you mean "timeoutMs"\?\)/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
