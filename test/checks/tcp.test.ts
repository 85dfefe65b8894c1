/** TCP checks against real loopback servers: banner, send/expect, refused, silent and hung-up targets. */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLineServer, type LineServer } from '../../demo/tcp.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { Redactor } from '../../src/runtime/redact.js';
import { unusedPort } from '../helpers/fault-server.js';
import { ctx, errorOf } from './support.js';
import { tcpCheck } from './support-kinds.js';

let line: LineServer;
const extra: net.Server[] = [];
beforeAll(async () => {
  line = await startLineServer();
});
afterAll(async () => {
  await line.close();
  await Promise.all(extra.map((s) => new Promise((r) => s.close(r))));
});

const runner = () => new ApiCheckRunner({ redactor: new Redactor() });

async function rawServer(onSocket: (s: net.Socket) => void): Promise<number> {
  const s = net.createServer(onSocket);
  extra.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

describe('tcp checks', () => {
  it('passes on connect alone, with the connect time recorded', async () => {
    const r = await runner().run(tcpCheck(line.port), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.kind).toBe('tcp');
    const t = r.steps[0]!.timings!;
    expect(t.connectMs).toBeGreaterThan(0);
    expect(t.totalMs).toBeGreaterThanOrEqual(t.connectMs);
  });

  it('matches a banner', async () => {
    const r = await runner().run(tcpCheck(line.port, { expect: { banner: '^\\+OK .*ready' } }), ctx);
    expect(errorOf(r)).toBeNull();
    expect(r.steps[0]!.timings!.firstByteMs).toBeGreaterThan(0);
  });

  it('sends bytes and matches the answer (PING → +PONG)', async () => {
    const r = await runner().run(tcpCheck(line.port, { send: 'PING\r\n', expect: { banner: '\\+PONG' } }), ctx);
    expect(errorOf(r)).toBeNull();
  });

  it('fails as assertion when the server closes without the expected data, showing what came', async () => {
    const r = await runner().run(tcpCheck(line.port, { send: 'QUIT\r\n', expect: { banner: '\\+PONG' } }), ctx);
    expect(r.error?.class).toBe('assertion');
    expect(r.error?.message).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+ closed the connection without data matching \/\\\+PONG\/ \(got "\+OK demo-shop cache ready\\r\\n\+OK bye\\r\\n"\)$/);
  });

  it('classifies a refused port as connection_refused', async () => {
    const r = await runner().run(tcpCheck(await unusedPort()), ctx);
    expect(r.error?.class).toBe('connection_refused');
    expect(r.error?.message).toContain('ECONNREFUSED');
  });

  it('classifies a silent server as timeout, naming the awaited pattern', async () => {
    const port = await rawServer(() => undefined);
    const r = await runner().run(tcpCheck(port, { timeoutMs: 300, expect: { banner: 'SSH-2\\.0' } }), ctx);
    expect(r.error?.class).toBe('timeout');
    expect(r.error?.message).toMatch(/^timeout: no data matching \/SSH-2\\\.0\/ from tcp:\/\/127\.0\.0\.1:\d+ within 300 ms \(got ""\)$/);
  });

  it('classifies a reset as connection_reset and retries it', async () => {
    let hits = 0;
    const port = await rawServer((s) => {
      hits++;
      s.resetAndDestroy();
    });
    const r = await new ApiCheckRunner({ redactor: new Redactor(), retryBackoff: { initialMs: 1 } }).run(tcpCheck(port, { retries: 1, expect: { banner: 'x' } }), ctx);
    expect(r.error?.class).toBe('connection_reset');
    expect(r.attempts).toBe(2);
    expect(hits).toBe(2);
  });

  it('fails as sla over maxResponseTimeMs', async () => {
    const port = await rawServer((s) => setTimeout(() => s.end('late banner\n'), 150));
    const r = await runner().run(tcpCheck(port, { expect: { banner: 'late', maxResponseTimeMs: 50 } }), ctx);
    expect(r.error?.class).toBe('sla');
    expect(r.status).toBe('failed');
  });
});
