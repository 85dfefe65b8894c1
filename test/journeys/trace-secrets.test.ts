/**
 * Secrets typed into a page stay out of trace.zip: a registered `${env:}` secret typed with
 * pressSequentially and a `process.env` value typed with fill are redacted from the action log,
 * the network log with its bodies and the console, and every JSON line of the trace still parses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { REDACTED, Redactor } from '../../src/runtime/redact.js';
import { ctx, def, fixture, makeRunner } from './helpers.js';

const REGISTERED = 'registered-user-S3cret';
const ENV_ONLY = 'env-only-Pa55word-xyz';
let shop: DemoShop;

beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
});
afterEach(async () => {
  await shop.close();
});

describe('trace.zip without secrets', () => {
  it('redacts typed secrets from action parameters, network bodies and console, keeping the trace valid', async () => {
    const redactor = new Redactor();
    redactor.add(REGISTERED);
    const t = makeRunner(shop.url, {
      redactor,
      trace: 'retain-on-failure',
      env: { ...process.env, TRACE_USER_SECRET: REGISTERED, TRACE_PASSWORD: ENV_ONLY },
    });
    try {
      const [r] = await t.runner.run([def(fixture('trace-secrets', 'typed.spec.ts'), 'Typed secrets', { id: 'typed' })], ctx('run-trace-secrets'));
      expect(r.status).toBe('failed');
      expect(r.artifacts?.trace).toBeDefined();
      const entries = unzipSync(new Uint8Array(readFileSync(path.join(t.outDir, r.artifacts!.trace!))));
      const names = Object.keys(entries);
      expect(names.some((n) => n.endsWith('.trace'))).toBe(true);
      expect(names.some((n) => n.endsWith('.network'))).toBe(true);
      let all = '';
      for (const [name, bytes] of Object.entries(entries)) {
        if (/\.(png|jpe?g)$/.test(name)) continue;
        const text = strFromU8(bytes);
        all += text;
        if (name.endsWith('.trace') || name.endsWith('.network')) {
          for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
        }
      }
      for (const secret of [REGISTERED, ENV_ONLY]) {
        for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(all).not.toContain(form);
      }
      // The actions, the POST body and the console line are still there, redacted.
      expect(all).toMatch(/"method":"fill"/);
      expect(all).toContain(`password field holds ${REDACTED}`);
      expect(all).toContain('/api/login');
      expect(all.split(REDACTED).length).toBeGreaterThan(3);
    } finally {
      t.cleanup();
    }
  });
});
