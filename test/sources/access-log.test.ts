/**
 * Access-log source on files written by a real nginx (combined + request time, and JSON lines),
 * read incrementally across rotation, plus hand-written Apache and envoy lines.
 */
import { appendFileSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccessLogSource, type AccessLogSourceConfig, type SignalReading } from '../../src/sources/index.js';
import type { SqliteStore } from '../../src/store/index.js';
import { hit, openTestStore, startNginx, tempDir, type Nginx } from './helpers.js';

const mono = () => performance.now();
const one = (rs: SignalReading[], signal: string, route?: string) => rs.find((r) => r.signal === signal && r.route === route);

describe('access logs written by a real nginx', () => {
  let tmp: ReturnType<typeof tempDir>;
  let nginx: Nginx;
  let store: SqliteStore;
  beforeAll(async () => {
    tmp = tempDir('nginx');
    nginx = await startNginx(tmp.dir);
    store = await openTestStore(tmp.dir);
  }, 30_000);
  afterAll(async () => {
    await nginx?.stop();
    await store?.close();
    tmp?.cleanup();
  });

  it('reads only what was written since the last run, and follows a rotation', async () => {
    const config: AccessLogSourceConfig = { type: 'access-log', service: 'web', path: nginx.accessLog, format: 'combined' };
    const t0 = Date.now();
    // First read: establishes the position (the readiness probe's lines are read here).
    const first = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0, monotonicMs: mono });
    expect(first.status.status).toBe('ok');

    await hit(nginx.url, '/ok', 30);
    await hit(nginx.url, '/fail', 6);
    await hit(nginx.url, '/missing', 4);
    await hit(nginx.url, '/items/17', 3);
    await hit(nginx.url, '/items/42?x=1', 2);
    const second = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0 + 10_000, monotonicMs: mono });
    const r = second.readings;
    expect(one(r, 'traffic')).toMatchObject({ value: 45 / 10, samples: 45 });
    expect(one(r, 'errors5xx')!.value).toBeCloseTo(6 / 45, 10);
    expect(one(r, 'errors4xx')!.value).toBeCloseTo(4 / 45, 10);
    expect(one(r, 'errors5xx', '/fail')!.value).toBe(1);
    expect(one(r, 'errors4xx', '/missing')!.value).toBe(1);
    expect(one(r, 'traffic', '/items/:id')!.samples).toBe(5);
    expect(one(r, 'latencyP99')!.value).toBeGreaterThan(0);
    expect(one(r, 'latencyP99')!.value).toBeLessThan(1000);

    // Rotation (logrotate's rename + nginx USR1): the rest of the old file, then the new one.
    await hit(nginx.url, '/ok', 5);
    renameSync(nginx.accessLog, `${nginx.accessLog}.1`);
    renameSync(nginx.jsonLog, `${nginx.jsonLog}.1`);
    await hit(nginx.url, '/fail', 2); // still written to the renamed file until the reopen
    await nginx.reopen();
    await hit(nginx.url, '/ok', 7);
    expect(readFileSync(nginx.accessLog, 'utf8').trim().split('\n')).toHaveLength(7); // the new file got the new lines
    const third = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0 + 20_000, monotonicMs: mono });
    expect(one(third.readings, 'traffic')!.samples).toBe(14);
    expect(one(third.readings, 'errors5xx')!.value).toBeCloseTo(2 / 14, 10);

    // Nothing new: traffic is a measured 0 requests/s, error ratios have no data (not zero).
    const fourth = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0 + 30_000, monotonicMs: mono });
    expect(one(fourth.readings, 'traffic')!.value).toBe(0);
    expect(one(fourth.readings, 'errors5xx')).toMatchObject({ value: null, error: 'no requests since the last read' });
  });

  it('reads nginx JSON lines (escape=json) with the default field names', async () => {
    const config: AccessLogSourceConfig = { type: 'access-log', name: 'json', service: 'web', path: nginx.jsonLog, format: 'json' };
    const t0 = Date.now();
    await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0, monotonicMs: mono });
    await hit(nginx.url, '/ok', 8);
    await hit(nginx.url, '/fail', 2);
    const out = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0 + 5_000, monotonicMs: mono });
    expect(out.status).toMatchObject({ status: 'ok' });
    expect(out.status.error).toBeUndefined();
    expect(one(out.readings, 'traffic')).toMatchObject({ value: 2, samples: 10 });
    expect(one(out.readings, 'errors5xx')!.value).toBeCloseTo(0.2, 10);
    expect(one(out.readings, 'errors5xx', '/fail')!.value).toBe(1);
  });
});

describe('hand-written access logs', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  beforeAll(async () => {
    tmp = tempDir('logs');
    store = await openTestStore(tmp.dir);
  });
  afterAll(async () => {
    await store?.close();
    tmp?.cleanup();
  });

  it('Apache combined with %D (microseconds): traffic over the lines own span on a first read, malformed lines counted', async () => {
    const file = path.join(tmp.dir, 'apache.log');
    const line = (sec: number, p: string, status: number, us: number) =>
      `10.0.0.1 - frank [10/Oct/2000:13:55:${String(sec).padStart(2, '0')} -0700] "GET ${p} HTTP/1.1" ${status} 2326 "http://example.com/" "Mozilla/5.0 (X11; \\"quoted\\")" ${us}`;
    const lines = [line(0, '/a', 200, 10_000), line(10, '/a', 200, 20_000), 'garbage line', line(20, '/b', 500, 30_000), line(40, '/b', 200, 400_000)];
    writeFileSync(file, lines.join('\n') + '\n' + line(41, '/half-written', 200, 1)); // last line has no newline yet
    const out = await readAccessLogSource({ type: 'access-log', service: 'app', path: 'apache.log', format: 'combined', requestTimeUnit: 'us' }, { store, rootDir: tmp.dir, nowMs: Date.now(), monotonicMs: mono });
    expect(one(out.readings, 'traffic')).toMatchObject({ value: 4 / 40, samples: 4 });
    expect(one(out.readings, 'errors5xx')!.value).toBe(0.25);
    expect(one(out.readings, 'latencyP50')!.value).toBeCloseTo(20, 0);
    expect(one(out.readings, 'latencyP99')!.value).toBeCloseTo(400, -1);
    expect(out.status.error).toBe('1 line(s) not in combined format');
    expect(one(out.readings, 'traffic', '/half-written')).toBeUndefined();
  });

  it('envoy-style JSON with a field mapping and ms durations; copytruncate starts over', async () => {
    const file = path.join(tmp.dir, 'envoy.log');
    const rec = (p: string, code: number, ms: number) => JSON.stringify({ start_time: '2026-12-01T10:00:00Z', req: { path: p, method: 'GET' }, response_code: code, duration: ms });
    writeFileSync(file, [rec('/x', 200, 5), rec('/x', 502, 50), rec('/y', 200, 7)].join('\n') + '\n');
    const config: AccessLogSourceConfig = { type: 'access-log', service: 'edge', path: file, format: 'json', fields: { route: 'req.path', method: 'req.method' }, requestTimeUnit: 'ms' };
    const t0 = Date.now();
    const a = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0, monotonicMs: mono });
    expect(one(a.readings, 'errors5xx')!.value).toBeCloseTo(1 / 3, 10);
    expect(one(a.readings, 'latencyP99')!.value).toBeCloseTo(50, -1);
    truncateSync(file, 0);
    appendFileSync(file, rec('/z', 200, 1) + '\n');
    const b = await readAccessLogSource(config, { store, rootDir: tmp.dir, nowMs: t0 + 1_000, monotonicMs: mono });
    expect(one(b.readings, 'traffic')).toMatchObject({ value: 1, samples: 1 });
    expect(one(b.readings, 'traffic', '/z')!.samples).toBe(1);
  });

  it('a missing file: the source is down and every signal says why, nothing is zero', async () => {
    const out = await readAccessLogSource({ type: 'access-log', service: 'gone', path: 'nope.log', format: 'combined' }, { store, rootDir: tmp.dir, nowMs: Date.now(), monotonicMs: mono });
    expect(out.status.status).toBe('down');
    expect(out.status.error).toMatch(/nope\.log: ENOENT/);
    expect(out.readings.length).toBeGreaterThan(0);
    for (const r of out.readings) expect(r).toMatchObject({ value: null, error: expect.stringMatching(/ENOENT/) });
  });
});
