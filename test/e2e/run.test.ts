/**
 * `observer run` end to end: the real CLI (dist/) against the demo shop on 127.0.0.1, asserting
 * exit codes, the reports it writes, and what survives SIGTERM.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import Database from 'better-sqlite3';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { makeSandbox, runCli, spawnCli, waitForOutput } from './sandbox.js';

let shop: DemoShop;
const sandboxes: Array<{ cleanup(): void }> = [];

beforeAll(async () => {
  shop = await startDemoShop({ port: 0 });
});
afterAll(async () => {
  await shop.close();
  for (const s of sandboxes) s.cleanup();
});

function sandbox(fixture: string): string {
  const s = makeSandbox(fixture);
  sandboxes.push(s);
  return s.dir;
}

interface ReportJson {
  run: { id: string; location: string; environment: string; shard?: string; aborted?: boolean };
  results: Array<{ monitor: string; kind: string; status: string; attempts: number; error: { class: string; message: string } | null; steps: Array<{ name: string; timings?: Record<string, number> }> }>;
  findings: unknown[];
}

describe('observer run', () => {
  it('runs a folder of YAML checks, writes the reports and exits 1 when one fails', async () => {
    const dir = sandbox('api-mixed');
    const r = await runCli(['run', '--json', '--location', 'eu-test'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as ReportJson;
    expect(report.run.location).toBe('eu-test');
    const byId = Object.fromEntries(report.results.map((x) => [x.monitor, x]));
    expect(Object.keys(byId).sort()).toEqual(['health', 'missing-product', 'search']);
    expect(byId.health.status).toBe('passed');
    expect(byId.search.status).toBe('passed');
    expect(byId['missing-product'].status).toBe('failed');
    expect(byId['missing-product'].error?.class).toBe('http_status');
    expect(byId['missing-product'].error?.message).toContain('404');
    const timings = byId.health.steps[0].timings!;
    expect(timings.totalMs).toBeGreaterThan(0);
    expect(timings.firstByteMs).toBeGreaterThan(0);

    const latest = JSON.parse(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8')) as ReportJson;
    expect(latest.run.id).toBe(report.run.id);
    expect(existsSync(path.join(dir, 'reports', `run-${report.run.id}.json`))).toBe(true);

    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(path.join(dir, 'reports', 'junit.xml'), 'utf8'));
    const xml = JSON.stringify(junit);
    expect(xml).toContain('Unknown product answers 200');
    expect(xml).toContain('http_status');

    // Results are in the embedded store.
    const db = new Database(path.join(dir, '.observer', 'observer.db'), { readonly: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type='table'").all() as Array<{ name: string }>;
      expect(tables.length).toBeGreaterThan(2);
    } finally {
      db.close();
    }
  });

  it('exits 0 when every selected monitor passes (--tag selects)', async () => {
    const dir = sandbox('api-mixed');
    const r = await runCli(['run', '--json', '--tag', 'smoke'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson;
    expect(report.results.map((x) => x.monitor)).toEqual(['health']);
  });

  it('a selection that matches nothing is an error: exit 2 naming the tags asked and the tags there are', async () => {
    const dir = sandbox('api-mixed');
    const r = await runCli(['run', '--tag', 'journey'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no monitor matches --tag journey');
    expect(r.stderr).toContain("the monitors' tags are shop, smoke");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports every configuration problem at once with file and field, exit 2, no stack trace', async () => {
    const dir = sandbox('bad-config');
    const r = await runCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/checks\/broken\.check\.yaml:\d+: .*expcet/);
    expect(r.stderr).toMatch(/checks\/broken\.check\.yaml:\d+: schedule: /);
    expect(r.stderr).toMatch(/checks\/broken\.check\.yaml:\d+: timeoutMs: /);
    expect(r.stderr).toMatch(/same-id/);
    expect(r.stdout).toBe('');
  });

  it('a YAML alias bomb is a configuration error naming the file, with the other problems reported too', async () => {
    const dir = sandbox('alias-bomb');
    const r = await runCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/checks\/bomb\.check\.yaml: YAML: .*alias/i);
    expect(r.stderr).toContain('checks/bad.check.yaml');
    expect(r.stderr).toContain('retries');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a check and a journey that share an id (results are keyed by it), exit 2', async () => {
    const dir = sandbox('dup-check-journey');
    const r = await runCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/journeys\/login\.journey\.ts: id: duplicate monitor id "login": already the id of the check in checks\/login\.check\.yaml/);
  });

  it('rejects a bad flag with exit 2', async () => {
    const dir = sandbox('api-mixed');
    const r = await runCli(['run', '--fail-on', 'sometimes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fail-on: expected one of failed, degraded');
  });

  it('keeps what it measured when SIGTERM arrives mid-run, and records the hanging monitor as aborted', async () => {
    const dir = sandbox('hang');
    shop.setFault('/api/products', { hang: true });
    try {
      const { child, done } = spawnCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
      // The fast check finishes; the hanging one holds the run until we signal.
      await waitForOutput(child, /Fast health/);
      child.kill('SIGTERM');
      const r = await done;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(3); // aborted
      const latest = JSON.parse(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8')) as ReportJson;
      expect(latest.run.aborted).toBe(true);
      const byId = Object.fromEntries(latest.results.map((x) => [x.monitor, x]));
      expect(byId.fast.status).toBe('passed');
      expect(byId.hangs.status).toBe('failed');
      expect(byId.hangs.error?.class).toBe('aborted');
      const db = new Database(path.join(dir, '.observer', 'observer.db'), { readonly: true });
      try {
        const dump = JSON.stringify(db.prepare("select name from sqlite_master where type='table'").all());
        expect(dump).toContain('results');
        const count = db.prepare('select count(*) as n from results').get() as { n: number };
        expect(count.n).toBe(2);
      } finally {
        db.close();
      }
    } finally {
      shop.clearFaults();
    }
  });

  it('a closed stdout ends the output, never the run: the reports are still written', async () => {
    const dir = sandbox('hang');
    shop.setFault('/api/products', { latencyMs: 1_500 });
    try {
      const { child, done } = spawnCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
      await waitForOutput(child, /Fast health/);
      child.stdout!.destroy(); // like `observer run | head -1`: the reader went away
      const r = await done;
      expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      const latest = JSON.parse(readFileSync(path.join(dir, 'reports', 'latest.json'), 'utf8')) as ReportJson;
      expect(latest.results.map((x) => [x.monitor, x.status]).sort()).toEqual([['fast', 'passed'], ['hangs', 'passed']]);
    } finally {
      shop.clearFaults();
    }
  });

  it('with --log-format json every stderr line is JSON, also with many checks at once (no listener warnings)', async () => {
    const dir = sandbox('api-mixed');
    for (let i = 0; i < 30; i++) writeFileSync(path.join(dir, 'checks', `many-${i}.check.yaml`), `id: many-${i}\nrequest: { url: /api/health?n=${i} }\n`);
    const r = await runCli(['run', '--log-format', 'json', '--json'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('MaxListenersExceededWarning');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  it('a run killed with SIGKILL is marked aborted by the next run', async () => {
    const dir = sandbox('hang');
    shop.setFault('/api/products', { hang: true });
    try {
      const { child, done } = spawnCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
      await waitForOutput(child, /Fast health/);
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      const runs = () => {
        const db = new Database(path.join(dir, '.observer', 'observer.db'), { readonly: true });
        try {
          return db.prepare('SELECT id, finished_at, aborted FROM runs ORDER BY started_at').all() as Array<{ id: string; finished_at: number | null; aborted: number }>;
        } finally {
          db.close();
        }
      };
      const [killed] = runs();
      expect(killed).toMatchObject({ finished_at: null, aborted: 0 });
      shop.clearFaults();
      const next = await runCli(['run'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
      expect(next.stderr).toContain(`marked 1 run(s) aborted that died without finishing (${killed.id})`);
      const after = runs();
      expect(after).toHaveLength(2);
      expect(after[0].id).toBe(killed.id);
      expect(after[0].aborted).toBe(1);
      expect(after[0].finished_at).not.toBeNull();
      expect(after[1].finished_at).not.toBeNull();
    } finally {
      shop.clearFaults();
    }
  });

  it('never writes a secret from ${env:...} to stdout, stderr, reports or the store', async () => {
    const dir = sandbox('secret');
    const secret = 'sk_live_5f3a9c1e7b2d4f60';
    const r = await runCli(['run', '--json', '--log-format', 'json'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url, SHOP_API_KEY: secret } });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
    const files = walk(dir).filter((f) => !f.endsWith('.check.yaml'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(f).includes(secret), f).toBe(false);
  });

  it('splits monitors across shards: every monitor in exactly one shard', async () => {
    const dir = sandbox('api-mixed');
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await runCli(['run', '--json', '--shard', `${i}/3`, '--fail-on-findings', 'none'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url } });
      expect([0, 1]).toContain(r.code);
      const report = JSON.parse(r.stdout) as ReportJson;
      expect(report.run.shard).toBe(`${i}/3`);
      seen.push(...report.results.map((x) => x.monitor));
    }
    expect(seen.sort()).toEqual(['health', 'missing-product', 'search']);
    // JOB_COMPLETION_INDEX (0-based) with --shards N selects the same split.
    const r = await runCli(['run', '--json', '--shards', '3'], { cwd: dir, env: { OBSERVER_BASE_URL: shop.url, JOB_COMPLETION_INDEX: '0' } });
    expect((JSON.parse(r.stdout) as ReportJson).run.shard).toBe('1/3');
  });
});

describe('observer check', () => {
  it('checks one URL with timing phases and exits by its outcome', async () => {
    const ok = await runCli(['check', `${shop.url}/api/health`, '--json'], { cwd: process.cwd() });
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout) as ReportJson['results'][number];
    expect(result.status).toBe('passed');
    expect(result.steps[0].timings!.totalMs).toBeGreaterThan(0);
    const bad = await runCli(['check', `${shop.url}/api/products/nope`, '--expect-status', '200'], { cwd: process.cwd() });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('http_status');
    const usage = await runCli(['check'], { cwd: process.cwd() });
    expect(usage.code).toBe(2);
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}
