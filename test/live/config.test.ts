/** The dashboard settings: defaults, validation naming the field, and flags checked before serving. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, formatDiagnostics, loadConfig } from '../../src/config/index.js';
import { makeSandbox, runCli } from '../e2e/sandbox.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'observer-live-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function load(config: string, env: NodeJS.ProcessEnv = {}) {
  writeFileSync(path.join(dir, 'observer.config.mjs'), `export default ${config};\n`);
  return loadConfig({ cwd: dir, env });
}

describe('dashboard settings', () => {
  it('defaults, and an ${env:...} token registered as a secret', async () => {
    const c = await load(`{ dashboard: { token: '\${env:DASH_TOKEN}' }, daemon: { host: '127.0.0.1' } }`, { DASH_TOKEN: 'env-dashboard-token-123' });
    expect(c.dashboard).toEqual({ enabled: true, token: 'env-dashboard-token-123', window: '24h', writeIntervalSeconds: 60, pollIntervalSeconds: 5, maxClients: 100, heartbeatSeconds: 15 });
    expect(c.daemon.host).toBe('127.0.0.1');
    expect(c.redactor.redact('token env-dashboard-token-123')).not.toContain('env-dashboard-token-123');
    const literal = await load(`{ dashboard: { token: 'literal-dashboard-token-456' } }`);
    expect(literal.redactor.redact('literal-dashboard-token-456')).not.toContain('literal-dashboard-token-456');
  });

  it('rejects a bad window, a negative interval and unknown keys, naming each field', async () => {
    const err = await load(`{ dashboard: { window: 'soon', writeIntervalSeconds: -1, maxClient: 3 } }`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = formatDiagnostics((err as ConfigError).diagnostics);
    expect(text).toMatch(/dashboard\.writeIntervalSeconds/);
    expect(text).toMatch(/dashboard.*maxClient/);
    const bad = await load(`{ dashboard: { window: 'soon' } }`).catch((e: unknown) => e);
    expect(formatDiagnostics((bad as ConfigError).diagnostics)).toMatch(/dashboard\.window.*expected a duration such as 90m, 24h or 7d, got "soon"/);
  });

  it('observer serve: bad flags exit 2 with one line, no stack', async () => {
    const box = makeSandbox('live');
    try {
      const r = await runCli(['serve', '--window', 'later', '--port', '0', '--host', '127.0.0.1'], { cwd: box.dir, env: { DASHBOARD_TOKEN: 'x-token-value-789' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--window: expected a duration such as 90m, 24h or 7d, got "later"');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const t = await runCli(['serve', '--token', '', '--port', '0', '--host', '127.0.0.1'], { cwd: box.dir, env: { DASHBOARD_TOKEN: 'x-token-value-789' } });
      expect(t.code).toBe(2);
      expect(t.stderr).toContain('--token: expected a non-empty token');
      const help = await runCli(['serve', '--help'], { cwd: box.dir });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--poll-interval');
    } finally {
      box.cleanup();
    }
  });
});
