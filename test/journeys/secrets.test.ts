/** Secrets registered with the Redactor never reach step names, errors or logs of a journey. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDemoShop, type DemoShop } from '../../demo/server.js';
import { REDACTED, Redactor } from '../../src/runtime/redact.js';
import { ctx, def, fixture, makeRunner, type TestRunner } from './helpers.js';

const SECRET = 'hunter2-very-secret-Pa55';

let shop: DemoShop;
let t: TestRunner;
const logs: string[] = [];

beforeEach(async () => {
  shop = await startDemoShop({ env: {} });
  const redactor = new Redactor();
  redactor.add(SECRET);
  logs.length = 0;
  t = makeRunner(shop.url, { redactor, env: { ...process.env, OBSERVER_TEST_SECRET: SECRET }, log: (line) => logs.push(line), trace: 'off' });
});
afterEach(async () => {
  t.cleanup();
  await shop.close();
});

describe('JourneyRunner: secrets', () => {
  it('redacts the secret from step names, error messages and worker output', async () => {
    const [r] = await t.runner.run([def(fixture('secrets', 'secret.journey.ts'), 'Secret login', { id: 'secret' })], ctx('run-secret'));
    expect(r.status).toBe('failed');
    expect(r.steps[0].name).toBe(`Sign in with ${REDACTED}`);
    expect(r.error?.message).toContain(REDACTED);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(logs.some((l) => l.includes(`typing ${REDACTED}`))).toBe(true);
    expect(logs.join('\n')).not.toContain(SECRET);
  });
});
