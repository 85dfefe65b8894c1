/** Incidents from result histories: grouping evidence, scored causes, the plain "no change explains this". */
import { describe, expect, it } from 'vitest';
import { buildIncidents, ciDeployMarker, configHash, incidentsMarkdown } from '../../src/incidents/index.js';
import type { DeployMarker, MonitorResult, MonitorError } from '../../src/model/index.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0);
const MIN = 60_000;

function r(monitor: string, minute: number, opts: { error?: MonitorError; location?: string; hash?: string } = {}): MonitorResult {
  const at = new Date(T0 + minute * MIN).toISOString();
  return {
    id: `${monitor}-${opts.location ?? 'eu'}-${minute}`,
    runId: `run-${minute}`,
    monitor,
    name: monitor,
    kind: 'api',
    status: opts.error ? 'failed' : 'passed',
    startedAt: at,
    finishedAt: at,
    durationMs: 50,
    attempts: 1,
    error: opts.error ?? null,
    steps: [{ name: 'GET', status: opts.error ? 'failed' : 'passed', startedAt: at, durationMs: 50, error: opts.error ?? null }],
    location: opts.location ?? 'eu',
    environment: 'prod',
    tags: [],
    ...(opts.hash ? { configHash: opts.hash } : {}),
  };
}

/** Monitors every 5 minutes from minute 0 to 60; `bad(monitor, minute, location)` says which fail. */
function history(monitors: string[], locations: string[], bad: (m: string, minute: number, loc: string) => MonitorError | undefined, hash?: (m: string, minute: number) => string): MonitorResult[] {
  const out: MonitorResult[] = [];
  for (let minute = 0; minute <= 60; minute += 5)
    for (const loc of locations)
      for (const m of monitors) {
        const error = bad(m, minute, loc);
        out.push(r(m, minute, { location: loc, ...(error ? { error } : {}), ...(hash ? { hash: hash(m, minute) } : {}) }));
      }
  return out;
}

const http503: MonitorError = { class: 'http_status', message: 'status (503) == 200' };
const deploy = (version: string, minute: number): DeployMarker => ({ id: version, version, at: new Date(T0 + minute * MIN).toISOString(), environment: 'prod' });

describe('buildIncidents', () => {
  it('groups monitors failing with one error at once, and names the deploy just before as the probable cause', () => {
    const results = history(['search', 'checkout', 'health'], ['eu'], (m, minute) => (minute >= 40 && m !== 'health' ? http503 : undefined));
    const [inc, ...rest] = buildIncidents(results, [], [deploy('v1', 5), deploy('v2', 38)]);
    expect(rest).toEqual([]);
    expect(inc).toMatchObject({ status: 'open', monitors: ['checkout', 'search'], locations: ['eu'] });
    expect(inc.evidence.map((e) => e.kind)).toEqual(expect.arrayContaining(['error_signature', 'same_start']));
    expect(inc.probable).toMatchObject({ kind: 'deploy', ref: 'v2', timing: 1, scope: 1 });
    expect(inc.causes.find((c) => c.ref === 'v1')!.score).toBeLessThan(0.5);
    expect(inc.hints[0]).toContain('roll back deploy v2');
    const md = incidentsMarkdown([inc]);
    expect(md).toContain('**Probable cause:** deploy **v2**');
    expect(md).toMatch(/- 2026-01-01T12:38:00.000Z deploy: v2\n- 2026-01-01T12:40:00.000Z (search|checkout) \(eu\) first bad run: http_status/);
  });

  it('says plainly that no change explains it when nothing changed before', () => {
    const results = history(['search', 'health'], ['eu'], (m, minute) => (minute >= 40 && m === 'search' ? http503 : undefined));
    const [inc] = buildIncidents(results, [], [deploy('v1', -600)]);
    expect(inc.probable).toBeNull();
    expect(incidentsMarkdown([inc])).toContain('**No change explains this.**');
    expect(inc.hints).toContain('no change explains this: look at the error signature and the endpoints above');
  });

  it('one location only points at the region, not at a deploy', () => {
    const timeout: MonitorError = { class: 'timeout', message: 'no response within 10000 ms' };
    const results = history(['search', 'checkout', 'health'], ['eu', 'us'], (m, minute, loc) => (minute >= 40 && loc === 'us' && m !== 'health' ? timeout : undefined));
    const [inc] = buildIncidents(results, [], [deploy('v2', 38)]);
    expect(inc.locations).toEqual(['us']);
    expect(inc.evidence.map((e) => e.kind)).toContain('location_only');
    expect(inc.probable).toBeNull(); // the deploy reached eu too, and eu is fine
    expect(inc.hints.join()).toContain('the region, not the app');
  });

  it("a change of the monitor's own configuration is a candidate, scored by scope", () => {
    const results = history(['search', 'health'], ['eu'], (m, minute) => (minute >= 40 && m === 'search' ? http503 : undefined), (m, minute) => (m === 'search' && minute >= 40 ? 'bbbbbbbbbbbbbbbb' : 'aaaaaaaaaaaaaaaa'));
    const [inc] = buildIncidents(results, [], []);
    expect(inc.probable).toMatchObject({ kind: 'config_change', ref: 'search', scope: 1 });
    expect(inc.probable!.evidence).toContain('aaaaaaaa → bbbbbbbb');
  });

  it('every monitor of a runner at once points at the runner', () => {
    const refused: MonitorError = { class: 'connection_refused', message: 'connect ECONNREFUSED 127.0.0.1:8080' };
    const results = history(['a', 'b', 'health'], ['eu'], (_m, minute) => (minute >= 40 ? refused : undefined));
    const [inc] = buildIncidents(results, [], []);
    expect(inc.evidence.map((e) => e.kind)).toContain('runner_wide');
    expect(inc.hints.join()).toContain('the runner is saturated or down');
  });
});

describe('what changed', () => {
  it('the config hash is stable over key order and changes with the definition', () => {
    const a = { id: 'x', kind: 'api', name: 'X', tags: [], request: { url: '/a', method: 'GET' } } as never;
    const b = { request: { method: 'GET', url: '/a' }, tags: [], name: 'X', kind: 'api', id: 'x' } as never;
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash({ ...(a as object), request: { url: '/b', method: 'GET' } } as never));
  });

  it('a deploy marker from CI variables, none outside CI', () => {
    expect(ciDeployMarker({}, 'prod', '2026-01-01T00:00:00.000Z')).toBeUndefined();
    expect(ciDeployMarker({ GITHUB_SHA: 'abc123', GITHUB_REPOSITORY: 'o/r', GITHUB_REF_NAME: 'main', GITHUB_RUN_ID: '7' }, 'prod', '2026-01-01T00:00:00.000Z')).toEqual({
      id: 'ci-prod-abc123',
      at: '2026-01-01T00:00:00.000Z',
      environment: 'prod',
      version: 'abc123',
      description: 'GitHub Actions o/r@main run 7',
    });
    expect(ciDeployMarker({ CI_COMMIT_SHA: 'def456' }, 'staging', '2026-01-01T00:00:00.000Z')?.version).toBe('def456');
  });
});

describe('a saturated runner', () => {
  const saturated = { eventLoopDelayP99Ms: 300, eventLoopDelayMaxMs: 400, rssBytes: 1, saturated: true, reasons: ['event-loop delay p99 300 ms >= 100 ms'] };
  it('explains timeouts, not a 503 the target answered', () => {
    const timeout: MonitorError = { class: 'timeout', message: 'no response within 10000 ms' };
    for (const [error, probable] of [
      [timeout, false],
      [http503, true],
    ] as const) {
      const results = history(['search', 'health'], ['eu'], (m, minute) => (minute >= 40 && m === 'search' ? error : undefined)).map((x) => (Date.parse(x.startedAt) >= T0 + 40 * MIN ? { ...x, runnerHealth: saturated } : x));
      const [inc] = buildIncidents(results, [], [deploy('v2', 38)]);
      expect(inc.evidence.map((e) => e.kind)).toContain('runner_saturated');
      expect(inc.probable !== null).toBe(probable);
      expect(inc.hints.some((h) => h.includes('the runner is saturated'))).toBe(!probable);
    }
  });
});

describe('timing', () => {
  it('a deploy after the first bad run is not its cause; the base URL origin is not a config change', () => {
    const results = history(['search', 'health'], ['eu'], (m, minute) => (minute >= 40 && m === 'search' ? http503 : undefined));
    const [inc] = buildIncidents(results, [], [deploy('late', 45)]);
    expect(inc.causes).toEqual([]);
    expect(inc.probable).toBeNull();
    const def = (url: string) => ({ id: 'x', kind: 'api', name: 'X', tags: [], request: { url } }) as never;
    expect(configHash(def('http://127.0.0.1:4173/api/products'))).toBe(configHash(def('http://127.0.0.1:39999/api/products')));
    expect(configHash(def('http://127.0.0.1:4173/api/products'))).not.toBe(configHash(def('http://127.0.0.1:4173/api/cart')));
  });
});

describe('incidents on the board', () => {
  it('status.md and the dashboard show the probable cause', async () => {
    const { buildBoard } = await import('../../src/reporters/board.js');
    const { renderMarkdown } = await import('../../src/reporters/markdown.js');
    const { renderHtmlReport } = await import('../../src/reporters/html.js');
    const results = history(['search', 'checkout', 'health'], ['eu'], (m, minute) => (minute >= 40 && m !== 'health' ? http503 : undefined));
    const last = results.filter((x) => x.startedAt === results[results.length - 1].startedAt);
    const run = { id: last[0].runId, startedAt: last[0].startedAt, finishedAt: last[0].finishedAt, location: 'eu', environment: 'prod' };
    const context = { outDir: '.', history: results, findings: [], deploys: [deploy('v2', 38)], window: '24h', generatedAt: last[0].finishedAt };
    const md = renderMarkdown(buildBoard({ run, results: last, findings: [] }, context));
    expect(md).toContain('## Incidents (1 open, 1 in the window)');
    expect(md).toContain('**Probable cause:** deploy **v2**');
    const html = await renderHtmlReport({ run, results: last, findings: [] }, context);
    expect(html).toContain('<section id="incidents">');
    expect(html).toContain('Probable cause:</strong> deploy <span class="mono">v2</span>');
  });
});
