/**
 * The new kinds in check files: the same validation and messages from YAML and TypeScript (file,
 * field, what was expected), defaults applied, and `observer check`-style exit 2 for a bad file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { DnsCheckDefinition, HeartbeatDefinition, TcpCheckDefinition, TlsCheckDefinition } from '../../src/model/monitor.js';
import { diagnosticsOf, expectDiagnostic } from '../config/helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'observer-kinds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
const load = (files: string[]) => loadConfig({ cwd: dir, files, env: { HB_TOKEN: 'hb-token-0123456789abcdef' } });

describe('new kinds in check files', () => {
  it('resolves dns, tcp, tls and heartbeat with their defaults', async () => {
    write('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const file = write(
      'kinds.check.yaml',
      `- { id: resolver, kind: dns, query: { name: shop.example.test, type: MX, resolver: "127.0.0.1:5353" }, expect: { answers: [{ op: lengthGte, value: 1 }] } }
- { id: cache, kind: tcp, host: 127.0.0.1, port: "6379", send: "PING\\r\\n", expect: { banner: "\\\\+PONG" } }
- { id: cert, kind: tls, host: shop.example.test, ca: ca.pem }
- { id: backup, kind: heartbeat, periodMs: 3600000, token: "\${env:HB_TOKEN}", schedule: "*/5 * * * *" }
`,
    );
    const config = await load([file]);
    const [dns, tcp, tls, hb] = config.checks as [DnsCheckDefinition, TcpCheckDefinition, TlsCheckDefinition, HeartbeatDefinition];
    expect(dns).toMatchObject({ kind: 'dns', query: 'shop.example.test', recordType: 'MX', resolver: '127.0.0.1:5353', expect: { answers: [{ source: 'json', path: '$', op: 'lengthGte', target: 1 }] } });
    expect(tcp).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 6379, send: 'PING\r\n', expect: { banner: '\\+PONG' } });
    expect(tls).toMatchObject({ kind: 'tls', port: 443, servername: 'shop.example.test', certificate: { degradedDays: 14, failedDays: 7 }, minProtocol: 'TLSv1.2', caFile: path.join(dir, 'ca.pem') });
    expect(hb).toMatchObject({ kind: 'heartbeat', periodMs: 3_600_000, graceMs: 720_000, retries: 0 });
    // The token came from the environment: a secret.
    expect(config.redactor.redact('hb-token-0123456789abcdef')).not.toContain('hb-token');
  });

  it('reports every problem with file, field and what was expected, the same from YAML and TS', async () => {
    const yaml = write(
      'bad.check.yaml',
      `- { id: a, kind: dsn, query: { name: x } }
- { id: b, kind: dns, query: { name: "bad name!", type: SOA, resolver: "dns.example.com" } }
- { id: c, kind: tcp, host: "tcp://db:5432", port: 70000, expect: { banner: "(" } }
- { id: d, kind: tls, host: h.test, certificate: { degradedDays: 3, failedDays: 9 }, ca: missing.pem }
- { id: e, kind: heartbeat, periodMs: 500, token: short }
`,
    );
    const ts = write(
      'bad.check.ts',
      `export default [
  { id: 'f', kind: 'dsn', query: { name: 'x' } },
  { id: 'g', kind: 'tcp', host: 'tcp://db:5432', port: 70000, expect: { banner: '(' } },
];
`,
    );
    const d = await diagnosticsOf(load([yaml, ts]));
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[0].kind', message: 'unknown kind "dsn"; expected one of api, api-flow, dns, tcp, tls, heartbeat', line: 1 });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[1].query.type', message: 'must be one of' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[1].query.name', message: '"bad name!" is not a valid DNS name' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[1].query.resolver', message: 'expected an IP address, optionally with a port' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[2].port', message: 'must be <= 65535 (got 70000)' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[2].host', message: '"tcp://db:5432" is not a host name or IP address (give the port in `port`, without a scheme)' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[2].expect.banner', message: 'not a valid regular expression' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[3].certificate.failedDays', message: 'failedDays (9) must not be above degradedDays (3)' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[3].ca', message: 'CA file not found: missing.pem' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[4].periodMs', message: 'must be >= 1000' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[4].schedule', message: 'never evaluated by the daemon', severity: 'warning' });
    expectDiagnostic(d, { file: path.basename(yaml), path: 'checks[4].token', message: 'must be a secret of at least 16 characters (got 5; use ${env:NAME})' });
    expect(d.map((x) => x.message).join('\n')).not.toContain('short');
    // TypeScript files: the same messages for the same mistakes.
    expectDiagnostic(d, { file: path.basename(ts), path: 'checks[0].kind', message: 'unknown kind "dsn"; expected one of api, api-flow' });
    expectDiagnostic(d, { file: path.basename(ts), path: 'checks[1].port', message: 'must be <= 65535 (got 70000)' });
    expectDiagnostic(d, { file: path.basename(ts), path: 'checks[1].host', message: 'is not a host name or IP address' });
    expectDiagnostic(d, { file: path.basename(ts), path: 'checks[1].expect.banner', message: 'not a valid regular expression' });
  });

  it('checks api-flow placeholders and captures at load time', async () => {
    const file = write(
      'flow.check.yaml',
      `id: f
kind: api-flow
steps:
  - name: one
    request: { url: "https://shop.example.test/a" }
    capture: { token: { json: "$.token", header: x } }
  - name: two
    request: { url: "https://shop.example.test/b/{{cartid}}", headers: { authorization: "Bearer {{token}}" } }
  - name: two
    request: { url: "https://shop.example.test/c" }
    capture: { bad: { regex: "(" } }
`,
    );
    const d = await diagnosticsOf(load([file]));
    expectDiagnostic(d, { file: path.basename(file), path: 'steps[0].capture.token', message: 'must name exactly one source' });
    expectDiagnostic(d, { file: path.basename(file), path: 'steps[1].request.url', message: '{{cartid}} is not captured by an earlier step' });
    expectDiagnostic(d, { file: path.basename(file), path: 'steps[2].name', message: 'step name "two" is used twice' });
    expectDiagnostic(d, { file: path.basename(file), path: 'steps[2].capture.bad.regex', message: 'not a valid regular expression' });
  });

  it('warns about a heartbeat without a schedule', async () => {
    const file = write('hb.check.yaml', 'id: hb\nkind: heartbeat\nperiodMs: 60000\ntoken: "${env:HB_TOKEN}"\n');
    const config = await load([file]);
    expect(config.warnings.map((w) => [w.path, w.message])).toEqual([['schedule', 'a heartbeat without a schedule is never evaluated by the daemon: set one at least as frequent as periodMs']]);
  });
});
