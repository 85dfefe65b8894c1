/** The dashboard's failure cards show what a failing step of the new kinds saw. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCert, makeKey } from '../../demo/certs.js';
import { ApiCheckRunner } from '../../src/checks/index.js';
import { HtmlReporter } from '../../src/reporters/html.js';
import { Redactor } from '../../src/runtime/redact.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { scenario } from '../reporters/fixtures.js';
import { apiCheck, ctx } from './support.js';
import { startTlsServer, tlsCheck } from './support-kinds.js';

let dir: string;
let server: FaultServer;
let tlsServer: { port: number; close(): Promise<void> };
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'observer-dash-'));
  server = await startFaultServer();
  server.route('/loop-a', (_req, res) => void res.writeHead(302, { location: '/loop-b' }).end());
  server.route('/loop-b', (_req, res) => void res.writeHead(302, { location: '/loop-a' }).end());
  tlsServer = await startTlsServer(makeCert({ hosts: ['localhost'], key: makeKey(), notBeforeDays: -30, notAfterDays: -2 }));
});
afterAll(async () => {
  await server.close();
  await tlsServer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('shows the redirect hops and the certificate of failing checks', async () => {
    const runner = new ApiCheckRunner({ redactor: new Redactor() });
    const { report, context } = scenario(dir);
    const at = { ...ctx, runId: report.run.id, location: report.run.location, environment: report.run.environment };
    const loop = await runner.run(apiCheck(server.url('/loop-a'), { id: 'loop', name: 'Loop' }), at);
    const cert = await runner.run(tlsCheck(tlsServer.port, { id: 'cert', name: 'Cert' }), at);
    expect([loop.error?.class, cert.error?.class]).toEqual(['redirect', 'tls']);
    report.results.push(loop, cert);
    context.history.push(loop, cert);
    const [file] = await new HtmlReporter().onEnd(report, context);
    const html = readFileSync(file!, 'utf8');
    expect(html).toContain(`redirects: 302 ${server.url('/loop-a')} → 302 ${server.url('/loop-b')}`);
    expect(html).toMatch(/certificate: CN=localhost, issuer CN=localhost, valid to \d{4}-\d\d-\d\d \(-[23] days\), TLSv1\.3/);
  });
});
