/**
 * Heartbeats (push monitors): the book's verdicts on an injected clock, the daemon's
 * POST /heartbeat/<id> endpoint over real HTTP, and `observer daemon` end to end with a job that
 * reports, reports a failure, then stops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLineServer, type LineServer } from '../../demo/tcp.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { HeartbeatBook, type HeartbeatPing } from '../../src/checks/heartbeat.js';
import { openStore } from '../../src/store/index.js';
import { ObserverMetrics } from '../../src/metrics/registry.js';
import type { Clock } from '../../src/runtime/clock.js';
import { Redactor } from '../../src/runtime/redact.js';
import { startMetricsServer } from '../../src/scheduler/http.js';
import { makeSandbox, runCli, spawnCli, waitForOutput } from '../e2e/sandbox.js';
import { ctx } from './support.js';
import { heartbeatCheck } from './support-kinds.js';

/** Poll an async condition every 10 ms, at most 100 times. */
async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met');
}

/** A clock the test moves. */
function manualClock(startMs = Date.parse('2026-12-01T03:00:00Z')): Clock & { advance(ms: number): void } {
  let now = startMs;
  return { nowMs: () => now, monotonicMs: () => now, advance: (ms) => void (now += ms) };
}

const TOKEN = 'hb-token-0123456789abcdef';

describe('heartbeat verdicts', () => {
  it('passes within period + grace, fails once silent past it, and says since when', async () => {
    const clock = manualClock();
    const book = new HeartbeatBook(clock);
    const def = heartbeatCheck();
    book.watch([def]);
    const runner = new ApiCheckRunner({ redactor: new Redactor(), clock, heartbeats: book });

    clock.advance(69_000);
    expect((await runner.run(def, ctx)).status).toBe('passed'); // still within 60 s + 10 s of the start
    clock.advance(2_000);
    const silent = await runner.run(def, ctx);
    expect(silent.kind).toBe('heartbeat');
    expect(silent.error).toEqual({ class: 'heartbeat', message: 'heartbeat: none received since monitoring started at 2026-12-01T03:00:00.000Z (expected every 60 s + 10 s grace)' });

    expect(book.receive(def.id, TOKEN, true)).toBe('accepted');
    expect((await runner.run(def, ctx)).status).toBe('passed');
    clock.advance(75_000);
    const late = await runner.run(def, ctx);
    expect(late.error?.message).toBe('heartbeat: none since 2026-12-01T03:01:11.000Z (75 s ago; expected every 60 s + 10 s grace)');
    expect(late.attempts).toBe(1);
  });

  it('fails on a reported failure with its message, until the next good ping', async () => {
    const clock = manualClock();
    const book = new HeartbeatBook(clock);
    const def = heartbeatCheck();
    book.watch([def]);
    const runner = new ApiCheckRunner({ redactor: new Redactor(), clock, heartbeats: book });
    book.receive(def.id, TOKEN, false, 'pg_dump: connection refused\nstack...');
    const r = await runner.run(def, ctx);
    expect(r.error).toEqual({ class: 'heartbeat', message: 'heartbeat: the job reported a failure at 2026-12-01T03:00:00.000Z: pg_dump: connection refused' });
    book.receive(def.id, TOKEN, true);
    expect((await runner.run(def, ctx)).status).toBe('passed');
  });

  it('asks for an evaluation at once when a failure is reported and when the job recovers', () => {
    const book = new HeartbeatBook(manualClock());
    const def = heartbeatCheck();
    book.watch([def]);
    const asked: string[] = [];
    book.onChange((id) => asked.push(id));
    book.receive(def.id, TOKEN, true);
    expect(asked).toEqual([]);
    book.receive(def.id, TOKEN, false);
    book.receive(def.id, TOKEN, true);
    book.receive(def.id, TOKEN, true);
    expect(asked).toEqual([def.id, def.id]);
  });

  it('keeps the last ping in the store: a new daemon process still knows a reported failure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'observer-hb-'));
    const store = await openStore({ path: path.join(dir, 'observer.db') });
    try {
      await store.migrate();
      const persistence = { load: (ids: string[]) => store.getStates('heartbeats', ids), save: (id: string, ping: HeartbeatPing) => store.putStates('heartbeats', new Map([[id, ping]])) };
      const clock = manualClock();
      const def = heartbeatCheck();
      const first = new HeartbeatBook(clock, persistence);
      first.watch([def]);
      first.receive(def.id, TOKEN, false, 'disk full');
      await until(async () => (await store.getStates('heartbeats', [def.id])).size === 1);
      const second = new HeartbeatBook(clock, persistence);
      second.watch([def]);
      expect(second.evaluate(def).status).toBe('passed'); // nothing known before restore
      await second.restore();
      expect(second.evaluate(def).error?.message).toBe('heartbeat: the job reported a failure at 2026-12-01T03:00:00.000Z: disk full');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong token and an unknown id; keeps pings across a reload of the same monitor', () => {
    const clock = manualClock();
    const book = new HeartbeatBook(clock);
    const def = heartbeatCheck();
    book.watch([def]);
    expect(book.receive(def.id, 'wrong-token-0123456789', true)).toBe('unauthorized');
    expect(book.receive(def.id, undefined, true)).toBe('unauthorized');
    expect(book.receive('nope', TOKEN, true)).toBe('unknown');
    expect(book.receive(def.id, TOKEN, true)).toBe('accepted');
    book.watch([def]);
    expect(book.last(def.id)?.ok).toBe(true);
    book.watch([]);
    expect(book.receive(def.id, TOKEN, true)).toBe('unknown');
  });

  it('without a receiver (a one-shot run) fails saying where heartbeats go', async () => {
    const r = await new ApiCheckRunner({ redactor: new Redactor() }).run(heartbeatCheck(), ctx);
    expect(r.error?.class).toBe('heartbeat');
    expect(r.error?.message).toContain('heartbeats are received by `observer daemon` (POST /heartbeat/nightly-backup)');
  });
});

describe('POST /heartbeat/<id>', () => {
  let server: { port: number; close(): Promise<void> };
  const book = new HeartbeatBook({ nowMs: () => Date.now(), monotonicMs: () => performance.now() });
  beforeAll(async () => {
    book.watch([heartbeatCheck()]);
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: new ObserverMetrics({ processMetrics: false }), health: { ready: true, monitorCount: 1 }, heartbeats: book });
  });
  afterAll(async () => {
    await server.close();
  });
  const post = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${p}`, { method: 'POST', ...init });
    return { status: res.status, text: await res.text() };
  };

  it('accepts the token as a query parameter or a bearer header, and ?status=fail with a body message', async () => {
    expect(await post(`/heartbeat/nightly-backup?token=${TOKEN}`)).toEqual({ status: 200, text: 'ok\n' });
    expect(book.last('nightly-backup')?.ok).toBe(true);
    expect((await post('/heartbeat/nightly-backup?status=fail', { headers: { authorization: `Bearer ${TOKEN}` }, body: 'disk full' })).status).toBe(200);
    expect(book.last('nightly-backup')).toMatchObject({ ok: false, message: 'disk full' });
  });

  it('answers 401 without the right token, 404 for an unknown id, 405 for GET, 400 for a bad status', async () => {
    expect((await post('/heartbeat/nightly-backup?token=wrong')).status).toBe(401);
    expect((await post('/heartbeat/nightly-backup')).status).toBe(401);
    expect((await post(`/heartbeat/other?token=${TOKEN}`)).status).toBe(404);
    expect((await post(`/heartbeat/nightly-backup?token=${TOKEN}&status=maybe`)).status).toBe(400);
    const get = await fetch(`http://127.0.0.1:${server.port}/heartbeat/nightly-backup?token=${TOKEN}`);
    expect(get.status).toBe(405);
  });
});

describe('observer daemon with a heartbeat and a tcp monitor', () => {
  let box: { dir: string; cleanup(): void };
  let line: LineServer;
  beforeAll(async () => {
    box = makeSandbox('heartbeat');
    line = await startLineServer();
  });
  afterAll(async () => {
    box?.cleanup();
    await line?.close();
  });

  it('a one-shot observer run leaves the heartbeat to the daemon and runs the rest', async () => {
    const r = await runCli(['run'], { cwd: box.dir, env: { BACKUP_HEARTBEAT_TOKEN: TOKEN, TEST_TCP_PORT: String(line.port) }, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr + r.stdout).toContain('left to observer daemon (heartbeats): nightly-backup');
    expect(r.stdout).toMatch(/passed .* tcp +Cache PING/);
    expect(r.stdout).not.toContain('Nightly backup');
  });

  it('schedules both; the heartbeat passes while the job reports, fails on a reported failure and when the job stops', async () => {
    const { child, done } = spawnCli(['daemon', '--port', '0', '--host', '127.0.0.1'], { cwd: box.dir, env: { BACKUP_HEARTBEAT_TOKEN: TOKEN, TEST_TCP_PORT: String(line.port) }, timeoutMs: 90_000 });
    const rows = (monitor = 'nightly-backup'): Array<{ kind: string; status: string; error_class: string | null; doc: string }> => {
      const db = new Database(path.join(box.dir, '.observer', 'observer.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare('select kind, status, error_class, doc from results where monitor = ? order by started_at').all(monitor) as never;
      } catch {
        return [];
      } finally {
        db.close();
      }
    };
    const waitFor = async (cond: () => boolean, what: string, tick?: () => Promise<void>) => {
      for (let i = 0; i < 80; i++) {
        if (tick) await tick();
        if (cond()) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`not seen in time: ${what}`);
    };
    try {
      const port = Number((await waitForOutput(child, /listening on (\d+)/))[1]);
      const ping = async (q = '') => {
        const res = await fetch(`http://127.0.0.1:${port}/heartbeat/nightly-backup?token=${TOKEN}${q}`, { method: 'POST' });
        expect(res.status).toBe(200);
      };
      await waitFor(() => rows().filter((r) => r.status === 'passed').length >= 2, 'two passed evaluations', () => ping());
      await ping('&status=fail&message=backup%20failed');
      await waitFor(() => rows().some((r) => r.error_class === 'heartbeat' && r.doc.includes('reported a failure')), 'a reported failure');
      await ping();
      // The job stops: within period + grace the next evaluations fail.
      await waitFor(() => rows().some((r) => r.doc.includes('heartbeat: none since')), 'a missed heartbeat');
      // The tcp monitor ran on its own schedule beside it.
      expect(rows('cache').filter((x) => x.kind === 'tcp' && x.status === 'passed').length).toBeGreaterThanOrEqual(2);
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain(TOKEN);
      expect(r.stdout).not.toContain(TOKEN);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
