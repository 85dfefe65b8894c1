/**
 * Two `observer run` processes at once on one store (SQLite, then PostgreSQL): every result lands,
 * every anomaly baseline counts both runs, and every alert state machine saw both failures (the
 * state updates are read-modify-writes that must not interleave).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { startReceiver, type Receiver } from '../alerts/receiver.js';
import { PG_URL, admin, dropSchema, freshSchemaName } from '../store/pg-helpers.js';
import { makeSandbox, runCli } from './sandbox.js';

const CHECKS = 40;
let server: FaultServer;
let receiver: Receiver;
const boxes: Array<{ cleanup(): void }> = [];

beforeAll(async () => {
  server = await startFaultServer();
  // Both runs wait here until the other one arrived, so they finish and analyse at the same moment.
  let waiting: Array<() => void> = [];
  server.route('/barrier', (_req, res) => {
    waiting.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    if (waiting.length < 2) return;
    for (const answer of waiting) answer();
    waiting = [];
  });
  receiver = await startReceiver('ok');
});
afterAll(async () => {
  await server.close();
  await receiver.close();
  for (const b of boxes) b.cleanup();
});

/** A sandbox with 40 checks: even ones pass, odd ones answer 500, and one waits for the other run. */
function sandbox(): string {
  const b = makeSandbox('concurrent-runners');
  boxes.push(b);
  mkdirSync(path.join(b.dir, 'checks'));
  for (let i = 0; i < CHECKS; i++) {
    const url = server.url(i === 0 ? '/barrier' : i % 2 === 0 ? `/ok?c=${i}` : `/status/500?c=${i}`);
    writeFileSync(path.join(b.dir, 'checks', `c${i}.check.yaml`), `id: c${i}\nrequest: { url: "${url}" }\nretries: 0\n`);
  }
  return b.dir;
}

interface StateRow {
  namespace: string;
  key: string;
  value: unknown;
}

async function twoRunsAtOnce(dir: string, runEnv: NodeJS.ProcessEnv): Promise<void> {
  // Two runners on two cores keep the CPU busy: record the runner's health, but keep every result in
  // the baselines, which is what this test counts.
  const env = { ...runEnv, OBSERVER_RUNNER_HEALTH: 'record' };
  const runs = await Promise.all([runCli(['run'], { cwd: dir, env }), runCli(['run'], { cwd: dir, env })]);
  for (const r of runs) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  }
}

function expectEveryStateCountsBothRuns(rows: StateRow[]): void {
  const anomaly = rows.filter((r) => r.namespace === 'anomaly');
  // outcome, durationMs, totalMs, firstByteMs... per passing check; outcome at least per failing one.
  expect(anomaly.length).toBeGreaterThanOrEqual(CHECKS);
  const counts = anomaly.map((r) => [r.key, (r.value as { n: number }).n] as const);
  expect(counts.filter(([, n]) => n !== 2)).toEqual([]);
  const alerts = rows.filter((r) => r.namespace === 'alerts');
  expect(alerts).toHaveLength(CHECKS);
  const open = alerts.filter((r) => JSON.stringify(r.value).includes('"open"')).map((r) => r.key).sort();
  expect(open).toEqual(Array.from({ length: CHECKS / 2 }, (_, i) => `c${2 * i + 1}`).sort());
}

describe('concurrent runners on one store', () => {
  it('SQLite: two runs at once, every baseline and alert state counts both', async () => {
    const dir = sandbox();
    await twoRunsAtOnce(dir, { HOOK_URL: receiver.url });
    const db = new Database(path.join(dir, '.observer', 'observer.db'), { readonly: true });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n).toBe(2 * CHECKS);
      const rows = (db.prepare('SELECT namespace, key, value FROM states').all() as Array<{ namespace: string; key: string; value: string }>).map((r) => ({ ...r, value: JSON.parse(r.value) as unknown }));
      expectEveryStateCountsBothRuns(rows);
    } finally {
      db.close();
    }
  });

  it('PostgreSQL: two runs at once, every baseline and alert state counts both', async () => {
    const schema = freshSchemaName('obs_concurrent');
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    try {
      const dir = sandbox();
      await twoRunsAtOnce(dir, { HOOK_URL: receiver.url, OBSERVER_DATABASE_URL: url.href });
      expect((await admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.results`))[0].n).toBe(2 * CHECKS);
      expectEveryStateCountsBothRuns(await admin<StateRow>(`SELECT namespace, key, value FROM ${schema}.states`));
    } finally {
      await dropSchema(schema);
    }
  });
});
