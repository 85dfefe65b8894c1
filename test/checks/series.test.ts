/** The new kinds' results feed the anomaly core like API checks: outcome and timings as series. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLineServer, type LineServer } from '../../demo/tcp.js';
import { observationsFromResult } from '../../src/anomaly/observations.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import type { MonitorResult } from '../../src/model/results.js';
import { Redactor } from '../../src/runtime/redact.js';
import { ctx } from './support.js';
import { heartbeatCheck, tcpCheck } from './support-kinds.js';

let line: LineServer;
beforeAll(async () => {
  line = await startLineServer();
});
afterAll(async () => {
  await line.close();
});

const seriesOf = (r: MonitorResult) => observationsFromResult(r).map((o) => `${o.series.step}/${o.series.metric}`);

describe('series of the new kinds', () => {
  it('a tcp check yields outcome, duration, firstByteMs and totalMs of the monitor', async () => {
    const r = await new ApiCheckRunner({ redactor: new Redactor() }).run(tcpCheck(line.port, { expect: { banner: 'ready' } }), ctx);
    expect(r.status).toBe('passed');
    expect(seriesOf(r).sort()).toEqual(['tcp-probe/durationMs', 'tcp-probe/firstByteMs', 'tcp-probe/outcome', 'tcp-probe/totalMs']);
  });

  it('a flow yields series per step; a heartbeat only its outcome', async () => {
    const flow: MonitorResult = {
      id: 'r:f', runId: 'r', monitor: 'f', name: 'Flow', kind: 'api-flow', status: 'failed', startedAt: '2026-12-01T00:00:00.000Z', finishedAt: '2026-12-01T00:00:01.000Z', durationMs: 1000, attempts: 1,
      error: { class: 'http_status', message: 'step "add": status 404, expected 2xx' },
      steps: [
        { name: 'login', status: 'passed', startedAt: '2026-12-01T00:00:00.000Z', durationMs: 10, error: null, timings: { dnsMs: 0, connectMs: 1, tlsMs: 0, sendMs: 0, firstByteMs: 8, downloadMs: 1, totalMs: 10, reusedConnection: false } },
        { name: 'add', status: 'failed', startedAt: '2026-12-01T00:00:00.100Z', durationMs: 5, error: { class: 'http_status', message: 'status 404, expected 2xx' } },
        { name: 'read', status: 'skipped', startedAt: '2026-12-01T00:00:00.200Z', durationMs: 0, error: null },
      ],
      location: 'l', environment: 'e', tags: [],
    };
    expect(seriesOf(flow).sort()).toEqual(['Flow/outcome', 'add/outcome', 'login/durationMs', 'login/firstByteMs', 'login/outcome', 'login/totalMs']);
    const hb = await new ApiCheckRunner({ redactor: new Redactor() }).run(heartbeatCheck(), ctx);
    expect(seriesOf(hb)).toEqual(['nightly-backup/outcome']);
  });
});
