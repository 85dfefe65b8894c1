import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertsCommand } from '../../src/cli/alerts.js';
import type { AlertRecord } from '../../src/store/store.js';
import { computeAlertStats } from '../../src/alerts/index.js';
import { result, sqliteStore, T0, TestClock, type StoreFixture } from './fixtures.js';
import { harness } from './harness.js';

let fx: StoreFixture;
beforeEach(async () => {
  fx = await sqliteStore();
});
afterEach(async () => {
  await fx.dispose();
});

async function cli(argv: string[], clock = new TestClock(T0 + 86_400_000)): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await alertsCommand(argv, { store: fx.store, stdout, stderr, clock });
  return { code, out, err };
}

const RULES = { failureThreshold: 2, successThreshold: 1, findingSeverity: 'critical', flapping: { windowRuns: 10, maxTransitions: 4 } };

function record(i: number, over: Partial<AlertRecord>): AlertRecord {
  const opened = T0 + i * 3_600_000;
  return {
    id: `al_${String(i).padStart(4, '0')}`,
    key: `${over.monitor ?? 'checkout-api'}|failing`,
    rule: 'failures',
    monitor: 'checkout-api',
    cause: 'failing',
    severity: 'critical',
    status: 'resolved',
    openedAt: new Date(opened).toISOString(),
    updatedAt: new Date(opened + 600_000).toISOString(),
    resolvedAt: new Date(opened + 600_000).toISOString(),
    message: 'checkout-api is failing at eu-west: http_status',
    flaps: 0,
    ack: null,
    details: { rules: RULES },
    ...over,
  };
}

describe('observer alerts', () => {
  it('lists alerts, filters by status, prints JSON, and acks a false positive', async () => {
    const h = harness(fx, { channels: [{ name: 'log', type: 'log' }], rules: { failureThreshold: 1 } }, {}, new TestClock(T0));
    await h.run([result({ status: 'failed' })]);
    await h.run([result({ status: 'passed' })]);
    await h.run([result({ monitor: 'search', status: 'failed', errorClass: 'timeout' })]);

    const all = await cli([]);
    expect(all.code).toBe(0);
    const lines = all.out.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['ID', 'STATUS', 'SEVERITY', 'MONITOR', 'RULE', 'OPENED', 'OPEN FOR', 'FLAPS', 'ACK', 'MESSAGE']);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 5))).toEqual([
      ['open', 'critical', 'search', 'failures'],
      ['resolved', 'critical', 'checkout-api', 'failures'],
    ]);

    const open = await cli(['--status', 'open', '--json']);
    const listed = JSON.parse(open.out) as AlertRecord[];
    expect(listed.map((a) => [a.monitor, a.status])).toEqual([['search', 'open']]);

    const ack = await cli(['ack', listed[0].id, '--false-positive', '--by', 'ann']);
    expect(ack).toEqual({ code: 0, out: `alert ${listed[0].id} (search, failures) acknowledged as false positive by ann\n`, err: '' });
    expect((await fx.store.getAlert(listed[0].id))?.ack).toEqual({ at: '2026-11-26T10:00:00.000Z', verdict: 'false_positive', by: 'ann' });
    // A later evaluation keeps the verdict.
    await h.run([result({ monitor: 'search', status: 'failed', errorClass: 'timeout' })]);
    expect((await fx.store.getAlert(listed[0].id))?.ack?.verdict).toBe('false_positive');

    expect((await cli(['ack', 'al_nope'])).code).toBe(2);
    expect((await cli(['ack', 'al_nope'])).err).toContain('alert "al_nope" not found');
  });

  it('rejects bad usage with exit 2 and a message naming the option', async () => {
    expect(await cli(['--status', 'closed'])).toMatchObject({ code: 2, err: expect.stringContaining('--status: expected one of open, resolved, got "closed"') });
    expect(await cli(['--since', 'yesterday'])).toMatchObject({ code: 2, err: expect.stringContaining('--since: expected a duration such as 90m, 24h or 7d') });
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown subcommand "frobnicate"') });
    expect((await cli(['ack'])).code).toBe(2);
    const help = await cli(['stats', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('observer alerts stats [--since 7d] [--json]');
  });

  it('stats: per rule and per monitor, MTTR, false-positive rate, flaps, and recommendations where noisy', async () => {
    const seeds: AlertRecord[] = [
      // checkout-api, failures rule: 4 acked, 3 false positives -> noisy.
      record(1, { ack: { at: '2026-11-25T12:00:00.000Z', verdict: 'false_positive' } }),
      record(2, { ack: { at: '2026-11-25T12:00:00.000Z', verdict: 'false_positive' } }),
      record(3, { ack: { at: '2026-11-25T12:00:00.000Z', verdict: 'false_positive' } }),
      record(4, { ack: { at: '2026-11-25T12:00:00.000Z', verdict: 'true_positive' }, resolvedAt: new Date(T0 + 4 * 3_600_000 + 1_800_000).toISOString() }),
      // search: flaps a lot under the failures rule.
      record(5, { monitor: 'search', flaps: 6 }),
      // a finding rule, healthy, still open.
      record(6, { monitor: 'search', rule: 'finding:regression', cause: 'finding:regression:search:durationMs:eu-west', status: 'open', resolvedAt: null, ack: { at: '2026-11-25T12:00:00.000Z', verdict: 'true_positive' } }),
    ];
    for (const a of seeds) await fx.store.saveAlert(a);
    const res = await cli(['stats', '--since', '7d', '--json']);
    expect(res.code).toBe(0);
    const stats = JSON.parse(res.out) as ReturnType<typeof computeAlertStats> & { window: string };
    expect(stats.window).toBe('7d');
    expect(stats.byRule).toEqual([
      { name: 'failures', alerts: 5, open: 0, resolved: 5, flaps: 6, meanTimeToResolveMs: 840_000, acked: 4, falsePositives: 3, falsePositiveRate: 0.75 },
      { name: 'finding:regression', alerts: 1, open: 1, resolved: 0, flaps: 0, meanTimeToResolveMs: null, acked: 1, falsePositives: 0, falsePositiveRate: 0 },
    ]);
    expect(stats.byMonitor.map((r) => [r.name, r.alerts, r.flaps, r.falsePositiveRate])).toEqual([
      ['checkout-api', 4, 0, 0.75],
      ['search', 2, 6, 0],
    ]);
    expect(stats.recommendations).toEqual([
      {
        scope: 'rule',
        name: 'failures',
        reason: '3 of 4 acked alerts were false positives (75%)',
        advice: 'raise rules.failureThreshold from 2 to 3 (require more failures in a row), or set rules.minLocations so one location alone does not page',
      },
      {
        scope: 'rule',
        name: 'failures',
        reason: '6 flaps held back over 5 alerts',
        advice: 'increase rules.successThreshold from 1 to 2 and rules.flapping.windowRuns from 10 to 20 so a recovery must hold before it is announced',
      },
      {
        scope: 'monitor',
        name: 'checkout-api',
        reason: '3 of 4 acked alerts were false positives (75%)',
        advice: 'fix or retune the check, or mute it (alerts.mute.monitors) while it is unreliable',
      },
      {
        scope: 'monitor',
        name: 'search',
        reason: '6 flaps held back over 2 alerts',
        advice: 'increase rules.successThreshold from 1 to 2 and rules.flapping.windowRuns from 10 to 20 so a recovery must hold before it is announced',
      },
    ]);

    const text = await cli(['stats']);
    expect(text.out).toContain('6 alert(s) in the last 7d');
    expect(text.out).toMatch(/failures\s+5\s+0\s+6\s+14m\s+75% \(3\/4\)/);
    expect(text.out).toContain('rule failures: 3 of 4 acked alerts were false positives (75%); raise rules.failureThreshold from 2 to 3');

    // Older than the window: not counted.
    const narrow = JSON.parse((await cli(['stats', '--since', '2h', '--json'])).out) as { total: number };
    expect(narrow.total).toBe(0);
  });
});
