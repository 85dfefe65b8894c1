/**
 * The spool against a real PostgreSQL whose connection is cut for real: the store talks to a TCP
 * proxy on 127.0.0.1 that forwards to 5432 and that the test switches to reset or blackhole.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { REJECTED_FILE, StoreUnavailableError, flushSpool, openStore, spoolStatus, type SpoolLine } from '../../src/store/index.js';
import { T0, alert, apiResult, delivery, finding, iso, marker, result, run } from './fixtures.js';
import { PG_URL, admin, count, dropSchema, freshSchemaName } from './pg-helpers.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const target = new URL(PG_URL);

describe('Spool over a PostgreSQL connection that goes away', () => {
  let proxy: TcpProxy;
  let schema: string;
  let dir: string;
  let logs: string[];
  let stores: Store[];

  beforeEach(async () => {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    schema = freshSchemaName('obs_spool');
    dir = mkdtempSync(join(tmpdir(), 'observer-spool-'));
    logs = [];
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await proxy.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  const viaProxy = () => `postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}?schema=${schema}`;
  const open = async (url: string, retryIntervalMs = 60_000): Promise<Store> => {
    const store = await openStore({
      url,
      spoolDir: dir,
      log: (m) => logs.push(m),
      retryIntervalMs,
      postgres: { connectionTimeoutMs: 1000, statementTimeoutMs: 1000, queryTimeoutMs: 1500, poolMax: 2 },
    });
    stores.push(store);
    return store;
  };
  const spoolFiles = () => readdirSync(dir).filter((f) => f.endsWith('.jsonl') && f !== REJECTED_FILE);
  const spooledLines = (): SpoolLine[] =>
    spoolFiles().flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as SpoolLine),
    );

  /** Every kind of write a run makes, while the database is away. */
  async function writeEverything(store: Store): Promise<void> {
    for (let i = 1; i <= 5; i++) await store.saveResults([apiResult('r1', `m${i}`, T0 + i)]);
    await store.saveFindings([finding('f1'), finding('f2')]);
    await store.putStates('anomaly', new Map<string, unknown>([['k1', { n: 1 }], ['k2', [1, 2]]]));
    await store.saveAlert(alert('a1'));
    await store.enqueueDelivery(delivery('d1', T0));
    await store.markDelivery('d1', { deliveredAt: null, attempts: 1, lastError: 'HTTP 503' });
    await store.addDeployMarker(marker('dep1', T0));
    await store.saveRun(run('r1', { finishedAt: iso(T0 + 9000) }));
  }
  const SPOOLED_OPS = [...Array(5).fill('saveResults'), 'saveFindings', 'putStates', 'saveAlert', 'enqueueDelivery', 'markDelivery', 'addDeployMarker', 'saveRun'];

  async function expectEverythingOnce(): Promise<void> {
    expect(await count(schema, 'runs')).toBe(1);
    expect((await admin(`SELECT doc->>'finishedAt' AS f FROM ${schema}.runs`))[0].f).toBe(iso(T0 + 9000));
    expect(await count(schema, 'results')).toBe(6);
    expect(await count(schema, 'result_steps')).toBe(3 + 5);
    expect(await count(schema, 'findings')).toBe(2);
    expect(await count(schema, 'states')).toBe(2);
    expect(await count(schema, 'alerts')).toBe(1);
    expect(await count(schema, 'deploy_markers')).toBe(1);
    expect(await count(schema, 'deliveries', 'attempts = 1 AND last_error = $1', ['HTTP 503'])).toBe(1);
    expect(await count(schema, 'deliveries')).toBe(1);
  }

  it('keeps writes on disk while the connection is cut mid-run, then replays each exactly once', async () => {
    const store = await open(viaProxy());
    await store.saveRun(run('r1'));
    await store.saveResults([result('r1', 'm0', T0)]);
    proxy.setMode('reset');

    await writeEverything(store);

    expect(spoolStatus(store)).toMatchObject({ pendingLines: SPOOLED_OPS.length, down: true });
    const lines = spooledLines();
    expect(lines.map((l) => l.op)).toEqual(SPOOLED_OPS);
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
    expect(logs.some((l) => l.includes('is unavailable') && l.includes(dir))).toBe(true);
    await expect(store.listResults()).rejects.toThrow(StoreUnavailableError);
    // Bad input is refused now, not spooled to be rejected later.
    await expect(store.saveResults([apiResult('r1', 'bad', T0, { finishedAt: 'soon' })])).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT', field: 'results[0].finishedAt' });
    expect(spooledLines()).toHaveLength(SPOOLED_OPS.length);
    // Nothing of it reached the database.
    expect(await count(schema, 'results')).toBe(1);

    proxy.setMode('forward');
    expect(await flushSpool(store)).toEqual({ replayed: SPOOLED_OPS.length, pending: 0, rejected: 0 });
    expect(spoolFiles()).toEqual([]);
    await expectEverythingOnce();
    // Back to direct writes.
    await store.saveResults([apiResult('r1', 'm6', T0 + 6)]);
    expect(spoolFiles()).toEqual([]);
    expect(await store.listResults()).toHaveLength(7);
  });

  it('lets a run finish when PostgreSQL is down at the start; the next runner replays at open', async () => {
    proxy.setMode('reset');
    const first = await open(viaProxy());
    expect(logs.join('\n')).toMatch(/is unavailable/);
    await first.saveRun(run('r1'));
    await first.saveResults([result('r1', 'm0', T0)]);
    await writeEverything(first);
    await expect(first.getRun('r1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await first.close();
    expect(logs.join('\n')).toMatch(/remain spooled/);
    expect(spooledLines()).toHaveLength(2 + SPOOLED_OPS.length);

    // The database is back; another runner (same host, first one gone) opens the store directly.
    proxy.setMode('forward');
    await open(`${PG_URL}?schema=${schema}`);
    expect(spoolFiles()).toEqual([]);
    await expectEverythingOnce();
    expect(logs.join('\n')).toMatch(/adopted 1 file/);
  });

  it('replays on the next write once the retry interval has passed', async () => {
    const store = await open(viaProxy(), 0);
    proxy.setMode('reset');
    await store.saveRun(run('r1'));
    await store.saveResults([result('r1', 'm0', T0)]);
    expect(spoolStatus(store)?.pendingLines).toBe(2);
    proxy.setMode('forward');
    await writeEverything(store);
    expect(spoolStatus(store)?.pendingLines).toBe(0);
    expect(spoolFiles()).toEqual([]);
    await expectEverythingOnce();
  });

  it('does not hang on a database that stops answering, on pooled or new connections', async () => {
    const store = await open(viaProxy());
    // Two connections in the pool, both idle, then the network path goes dead under them.
    await Promise.all([store.listRuns(), store.listResults()]);
    proxy.setMode('blackhole');
    await store.saveResults([apiResult('r1', 'm1', T0)]);
    await store.saveRun(run('r1'));
    expect(spoolStatus(store)?.pendingLines).toBe(2);
    await expect(store.listResults()).rejects.toThrow(StoreUnavailableError);
    expect(await flushSpool(store)).toEqual({ replayed: 0, pending: 2, rejected: 0 });
    proxy.setMode('forward');
    expect(await flushSpool(store)).toEqual({ replayed: 2, pending: 0, rejected: 0 });
    expect(await count(schema, 'results')).toBe(1);
  });

  it('closes without hanging while the database is not answering', async () => {
    const store = await open(viaProxy());
    await Promise.all([store.listRuns(), store.listResults()]);
    proxy.setMode('blackhole');
    await store.close();
    stores.length = 0;
  });

  it('writes nothing twice when a spool is replayed again (crash between commit and cleanup)', async () => {
    const store = await open(viaProxy());
    await store.saveRun(run('r1'));
    await store.saveResults([result('r1', 'm0', T0)]);
    proxy.setMode('reset');
    await writeEverything(store);
    const [file] = spoolFiles();
    const copy = readFileSync(join(dir, file), 'utf8');
    proxy.setMode('forward');
    await flushSpool(store);
    await expectEverythingOnce();
    // The same lines again, as a file left by an instance of this process that is gone.
    writeFileSync(join(dir, `${String(T0).padStart(13, '0')}-${file.split('-').slice(1, -2).join('-')}-${process.pid}-0badf00d.jsonl`), copy);
    expect(await flushSpool(store)).toEqual({ replayed: SPOOLED_OPS.length, pending: 0, rejected: 0 });
    await expectEverythingOnce();
  });

  it('drops only the committed lines when the database goes away again during a replay', async () => {
    const store = await open(viaProxy());
    proxy.setMode('reset');
    for (let i = 1; i <= 5; i++) await store.saveRun(run(`run-${i}`, { atMs: T0 + i }));
    proxy.setMode('forward');
    proxy.resetOn('run-4');
    expect(await flushSpool(store)).toEqual({ replayed: 3, pending: 2, rejected: 0 });
    expect(await count(schema, 'runs')).toBe(3);
    expect(spooledLines().map((l) => (l.payload as { id: string }).id)).toEqual(['run-4', 'run-5']);
    proxy.setMode('forward');
    expect(await flushSpool(store)).toEqual({ replayed: 2, pending: 0, rejected: 0 });
    expect((await store.listRuns()).map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
  });

  it('sets aside a line the database rejects and replays the others', async () => {
    const host = 'otherhost';
    const good = (id: string) => ({ v: 1, id, seq: 1, op: 'saveResults', at: iso(T0), payload: [apiResult('r1', id, T0)] });
    const bad = { v: 1, id: 'bad', seq: 2, op: 'saveResults', at: iso(T0), payload: [apiResult('r1', 'bad', T0, { startedAt: 'never' })] };
    const name = `${String(T0).padStart(13, '0')}-${host}-1-00c0ffee.jsonl`;
    writeFileSync(join(dir, name), [good('ok1'), bad, 'not json', good('ok2')].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
    // A file of another host is adopted once it has been left alone long enough.
    const { utimesSync } = await import('node:fs');
    utimesSync(join(dir, name), new Date(T0), new Date(T0));
    await open(`${PG_URL}?schema=${schema}`);
    expect(await count(schema, 'results')).toBe(2);
    const rejected = readFileSync(join(dir, REJECTED_FILE), 'utf8').trim().split('\n');
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toContain('results[0].startedAt');
    expect(spoolFiles()).toEqual([]);
    expect(logs.join('\n')).toMatch(/2 rejected/);
  });
});

describe('Spool across processes', () => {
  it('replays what a killed runner spooled when the next runner opens the store', async () => {
    const { spawn } = await import('node:child_process');
    const schema = freshSchemaName('obs_spool_proc');
    const dir = mkdtempSync(join(tmpdir(), 'observer-spool-proc-'));
    // The child's database is down from the start: every connection is reset.
    const down = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }, 'reset');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'spool-child.ts'), `postgres://postgres@127.0.0.1:${down.port}/test?schema=${schema}`, dir, '20'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('\n')) resolve(text.trim());
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => reject(new Error(`child exited with ${code} before spooling: ${err}`)));
      });
      expect(out).toBe('spooled 21');
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));

      const logs: string[] = [];
      const store = await openStore({ url: `${PG_URL}?schema=${schema}`, spoolDir: dir, log: (m) => logs.push(m) });
      try {
        expect(await store.listResults({ monitor: 'm19' })).toHaveLength(1);
        expect(await count(schema, 'results')).toBe(20);
        expect(await count(schema, 'runs')).toBe(1);
        expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
        expect(logs.join('\n')).toMatch(/adopted 1 file.*\n.*replayed 21/);
      } finally {
        await store.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await down.close();
      await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
