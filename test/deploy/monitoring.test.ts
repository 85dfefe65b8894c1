/**
 * deploy/monitoring: the Grafana dashboard and the Prometheus alerting rules of the runner.
 * - The rules pass `promtool check rules` and their unit tests (`promtool test rules`).
 * - The dashboard type-checks against Grafana's own schema types (@grafana/schema: unknown fields,
 *   wrong types) at the library's current schemaVersion, and its panels tile the grid.
 * - Every metric the dashboard and the rules name (read with Prometheus' PromQL grammar,
 *   @prometheus-io/lezer-promql) is exposed by a real daemon's /metrics.
 * - A real Prometheus (Debian's, loopback, temp storage) scrapes a real daemon with the shipped
 *   rules loaded: every rule is healthy, the monitor rules fire once the test makes a check's
 *   target fail, and the runner-down rule once the daemon stops (the rules' `for:` shortened in the test's copy; promtool's unit tests hold the real ones).
 * - components/prometheus-operator renders a valid ServiceMonitor and a PrometheusRule carrying
 *   exactly the rules of deploy/monitoring.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';
import { defaultDashboard } from '@grafana/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ROOT, asObj, at, type Obj } from './k8s.js';
import { kustomizeBuild, objName } from './render.js';
import { makeSandbox, spawnCli, waitForOutput } from '../e2e/sandbox.js';
import { startPrometheus, tempDir, type Prometheus } from '../sources/helpers.js';

const DIR = path.join(ROOT, 'deploy/monitoring');
const RULES = path.join(DIR, 'observer-rules.yml');
const DASHBOARD = path.join(DIR, 'observer-dashboard.json');
const PROMTOOL = process.env.OBSERVER_PROMTOOL ?? '/usr/bin/promtool';

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface DashPanel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  targets?: Array<{ expr: string }>;
}
interface DashboardJson {
  schemaVersion: number;
  panels: DashPanel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}
/**
 * Grafana's types as they read in JSON: its TypeScript enums (`MappingType`, `ThresholdsMode`) are
 * their string values in a dashboard file.
 */
const GRAFANA_TYPES = `import type { Dashboard } from '@grafana/schema';
type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
`;

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string }> }>;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as DashboardJson;
const rules = parseYaml(readFileSync(RULES, 'utf8')) as RuleFile;

/** Grafana's variables replaced by values PromQL accepts (`$__rate_interval` is a duration; the rest sit in label values). */
function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/** The metric names a PromQL expression selects, from Prometheus' grammar; throws on a syntax error. */
export function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  const errors: number[] = [];
  tree.iterate({
    enter(n) {
      if (n.type.isError) errors.push(n.from);
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') names.push(expr.slice(n.from, n.to));
    },
  });
  if (errors.length) throw new Error(`PromQL syntax error at ${errors[0]}: ${expr}`);
  return names;
}

/** Every PromQL expression of the dashboard (panel targets, variable queries) and of the rules, with where it is. */
function allQueries(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const p of dashboard.panels) for (const t of p.targets ?? []) out.push({ where: `panel "${p.title}"`, expr: withoutGrafanaVariables(t.expr) });
  for (const v of dashboard.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
    const m = /^label_values\((.+),\s*\w+\)$/.exec(q);
    expect(m, `variable ${v.name}: label_values(selector, label) expected, got ${q}`).not.toBeNull();
    out.push({ where: `variable $${v.name}`, expr: m![1] });
  }
  for (const g of rules.groups) for (const r of g.rules) out.push({ where: `rule ${r.alert}`, expr: r.expr });
  return out;
}

/** Metric families of a Prometheus text exposition, with their type. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1], m[2]);
  return out;
}

/** Names a query uses that the exposition lacks (`_bucket`/`_sum`/`_count` resolve to their histogram). */
function unknownNames(names: readonly string[], exposed: Map<string, string>): string[] {
  // `up` is Prometheus' own series about the scrape.
  return names.filter((n) => {
    if (n === 'up' || exposed.has(n)) return false;
    const family = n.replace(/_(bucket|sum|count)$/, '');
    return !(family !== n && ['histogram', 'summary'].includes(exposed.get(family) ?? ''));
  });
}

describe('alerting rules', () => {
  it('pass promtool check rules', () => {
    const r = spawnSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: 9 rules found/);
  });

  it('pass their promtool unit tests (every alert fires on its series, and only after its `for`)', () => {
    const r = spawnSync(PROMTOOL, ['test', 'rules', 'observer-rules.test.yml'], { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const tested = new Set([...readFileSync(path.join(DIR, 'observer-rules.test.yml'), 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    for (const g of rules.groups) for (const rule of g.rules) expect(tested, `no unit test for ${rule.alert}`).toContain(rule.alert);
  });

  it('cover what operators are paged for', () => {
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(expect.arrayContaining(['ObserverRunnerDown', 'ObserverRunnerAbsent', 'ObserverMonitorDown', 'ObserverCheckFailing', 'ObserverAlertDeliveriesFailing', 'ObserverConfigReloadFailed', 'ObserverAnomalyFindingOpen']));
  });
});

describe('Grafana dashboard', () => {
  it("type-checks against @grafana/schema's Dashboard at the current schemaVersion", () => {
    expect(dashboard.schemaVersion).toBe(defaultDashboard.schemaVersion);
    // Inside the repository so `@grafana/schema` resolves from node_modules.
    const cache = path.join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(path.join(cache, 'observer-grafana-'));
    try {
      const file = path.join(dir, 'dashboard.ts');
      writeFileSync(file, `${GRAFANA_TYPES}export const d = ${readFileSync(DASHBOARD, 'utf8').trim()} satisfies Json<Dashboard>;\n`);
      const program = ts.createProgram([file], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
      const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]);
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the type check rejects what Grafana rejects (a misspelt field; a wrong type)', () => {
    const cache = path.join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(path.join(cache, 'observer-grafana-'));
    try {
      const misspelt = { ...dashboard, refrsh: '30s' };
      const wrongType = { ...dashboard, panels: dashboard.panels.map((p, i) => (i === 1 ? { ...p, gridPos: { ...p.gridPos, w: '12' } } : p)) };
      const files = [misspelt, wrongType].map((d, i) => {
        const file = path.join(dir, `dashboard${i}.ts`);
        writeFileSync(file, `${GRAFANA_TYPES}export const d = ${JSON.stringify(d)} satisfies Json<Dashboard>;\n`);
        return file;
      });
      const program = ts.createProgram(files, { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
      const errorsOf = (i: number) => ts.getPreEmitDiagnostics(program, program.getSourceFile(files[i])).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
      expect(errorsOf(0)).toMatch(/'"?refrsh"?' does not exist in type/);
      expect(errorsOf(1)).toContain("Type 'string' is not assignable to type 'number'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the panels operators look for, with unique ids, tiling a 24-column grid without overlap', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['monitor status', 'run durations', 'http phases', 'lcp', 'cls', 'open anomaly findings', 'alert deliveries', 'runner saturation', 'config reloads']) expect(titles).toContain(topic);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      const g = p.gridPos;
      expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const key = `${x},${y}`;
          expect(cells.get(key), `"${p.title}" overlaps "${cells.get(key)}" at ${key}`).toBeUndefined();
          cells.set(key, p.title);
        }
      }
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it('every query parses with the PromQL grammar; the name check finds an unknown metric', () => {
    for (const q of allQueries()) expect(() => metricNames(q.expr), q.where).not.toThrow();
    expect(() => metricNames('sum(rate(observer_runs_total[5m]')).toThrow(/syntax/);
    const exposed = new Map([['observer_runs_total', 'counter'], ['observer_step_duration_seconds', 'histogram']]);
    expect(unknownNames(metricNames('sum(rate(observer_runs_total[5m])) / observer_nonexistent_total'), exposed)).toEqual(['observer_nonexistent_total']);
    expect(unknownNames(metricNames('histogram_quantile(0.9, rate(observer_step_duration_seconds_bucket[5m]))'), exposed)).toEqual([]);
    expect(unknownNames(['observer_runs_total_bucket'], exposed)).toEqual(['observer_runs_total_bucket']);
  });
});

describe('components/prometheus-operator', () => {
  it('adds a ServiceMonitor (job observer) on the metrics Service and a PrometheusRule with exactly the shipped rules', async () => {
    const cache = path.join(ROOT, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(path.join(cache, 'observer-kustomize-'));
    try {
      const K = path.join(ROOT, 'deploy/kubernetes');
      const rel = (p: string) => path.relative(dir, p);
      writeFileSync(path.join(dir, 'kustomization.yaml'), `resources:\n  - ${rel(path.join(K, 'overlays/production'))}\ncomponents:\n  - ${rel(path.join(K, 'components/prometheus-operator'))}\n`);
      const objs = kustomizeBuild(dir);
      expect(objs.map(objName)).toEqual(expect.arrayContaining(['ServiceMonitor/observer', 'PrometheusRule/observer', 'Service/observer-metrics', 'Deployment/observer-daemon']));
      const monitor = objs.find((o) => o.kind === 'ServiceMonitor') as Obj;
      const rule = objs.find((o) => o.kind === 'PrometheusRule') as Obj;
      // The operator's CRD schemas (@kubernetes-models/prometheus-operator).
      expect(() => new ServiceMonitor(monitor as never).validate()).not.toThrow();
      expect(() => new PrometheusRule(rule as never).validate()).not.toThrow();
      expect(() => new ServiceMonitor({ ...monitor, spec: { ...asObj(monitor.spec, 'spec'), endpoints: [{ port: 9464 }] } } as never).validate()).toThrow();
      expect(asObj(rule.spec, 'spec')).toEqual(rules);
      // It selects the metrics Service by its labels and port name, and names the job the rules expect.
      const service = objs.find((o) => o.kind === 'Service') as Obj;
      const labels = asObj(at(service, 'metadata.labels'), 'labels');
      for (const [k, v] of Object.entries(asObj(at(monitor, 'spec.selector.matchLabels'), 'matchLabels'))) expect(labels[k], k).toBe(v);
      const endpoint = (at(monitor, 'spec.endpoints') as Obj[])[0];
      expect((at(service, 'spec.ports') as Obj[]).map((p) => p.name)).toContain(endpoint.port);
      expect(endpoint.relabelings).toEqual([expect.objectContaining({ targetLabel: 'job', replacement: 'observer' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('against a real daemon and a real Prometheus', () => {
  let server: http.Server;
  let base: string;
  let failing = false;
  let box: { dir: string; cleanup(): void };
  let tmp: { dir: string; cleanup(): void };
  let daemon: ReturnType<typeof spawnCli>;
  let port: number;
  let prom: Prometheus | undefined;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      const down = failing && req.url?.startsWith('/checkout');
      res.writeHead(down ? 503 : 200, { 'content-type': 'text/plain' }).end(down ? 'down' : 'ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    box = makeSandbox('telemetry');
    tmp = tempDir('monitoring');
    daemon = spawnCli(['daemon', '--port', '0', '--host', '127.0.0.1', '--env', 'local', '--location', 'eu-test'], { cwd: box.dir, env: { OBSERVER_BASE_URL: base, TELEMETRY_TOKEN: 'tok_live_5c4b3a29f8e7d6c5' }, timeoutMs: 120_000 });
    port = Number((await waitForOutput(daemon.child, /listening on (\d+)/))[1]);
  });

  afterAll(async () => {
    await prom?.stop();
    if (daemon.child.exitCode === null) daemon.child.kill('SIGTERM');
    await daemon.done;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    box.cleanup();
    tmp.cleanup();
  });

  it("every metric the dashboard and the rules name is on the daemon's /metrics", async () => {
    const exposed = families(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    expect(exposed.get('observer_runs_total')).toBe('counter');
    const missing = allQueries().flatMap((q) => unknownNames(metricNames(q.expr), exposed).map((n) => `${q.where}: ${n}`));
    expect(missing).toEqual([]);
  });

  it('Prometheus loads the rules (all healthy); the monitor rules fire when the check starts failing, the runner-down rule when the daemon stops', async () => {
    // The shipped rules with every `for:` at 1 s, so the test waits seconds, not minutes.
    const fast = readFileSync(RULES, 'utf8').replace(/^(\s+for:) .+$/gm, '$1 1s');
    const rulesCopy = path.join(tmp.dir, 'observer-rules.yml');
    writeFileSync(rulesCopy, fast);
    prom = await startPrometheus(tmp.dir, 'observer', [`127.0.0.1:${port}`], 500, { ruleFiles: [rulesCopy] });
    const p = prom;
    const alerts = async () => {
      const j = (await (await fetch(`${p.url}/api/v1/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
      return j.data.alerts;
    };
    const firing = async (name: string, monitor?: string) => (await alerts()).filter((a) => a.state === 'firing' && a.labels.alertname === name && (!monitor || a.labels.monitor === monitor));

    // Healthy first: the checkout monitor passes in Prometheus' view, and nothing about it fires.
    await p.waitFor('observer_monitor_success{monitor="checkout", environment="local", location="eu-test"}', (v) => v === 1);
    await p.waitFor('count(ALERTS{alertname="ObserverRunnerDown"}) or vector(0)', (v) => v === 0);
    const rulesApi = (await (await fetch(`${p.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const loaded = rulesApi.data.groups.flatMap((g) => g.rules);
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort());
    // Each rule is evaluated at least once before its health is known.
    const deadline = Date.now() + 20_000;
    let unhealthy = loaded;
    while (Date.now() < deadline) {
      const now = (await (await fetch(`${p.url}/api/v1/rules`)).json()) as typeof rulesApi;
      unhealthy = now.data.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok');
      if (unhealthy.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(unhealthy.map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    expect(await firing('ObserverMonitorDown', 'checkout')).toEqual([]);
    expect(await firing('ObserverCheckFailing', 'checkout')).toEqual([]);

    // The target starts failing: the daemon's next runs fail, Prometheus scrapes it, the rules fire.
    failing = true;
    await p.waitFor('count(ALERTS{alertname="ObserverMonitorDown", monitor="checkout", alertstate="firing"})', (v) => v === 1);
    const down = await firing('ObserverMonitorDown', 'checkout');
    expect(down).toHaveLength(1);
    expect(down[0].labels).toMatchObject({ severity: 'critical', environment: 'local' });
    await p.waitFor('count(ALERTS{alertname="ObserverCheckFailing", monitor="checkout", alertstate="firing"})', (v) => v === 1);
    expect((await firing('ObserverCheckFailing', 'checkout'))[0].labels).toMatchObject({ severity: 'warning', location: 'eu-test', kind: 'api' });
    // The healthy monitor stays quiet.
    expect(await firing('ObserverCheckFailing', 'healthy')).toEqual([]);

    // The daemon stops: its scrape fails and the runner-down rule fires for job observer.
    expect(await firing('ObserverRunnerDown')).toEqual([]);
    daemon.child.kill('SIGTERM');
    expect((await daemon.done).code).toBe(0);
    await p.waitFor('count(ALERTS{alertname="ObserverRunnerDown", job="observer", alertstate="firing"})', (v) => v === 1);
    expect((await firing('ObserverRunnerDown'))[0].labels).toMatchObject({ severity: 'critical', instance: `127.0.0.1:${port}` });
  });
});
