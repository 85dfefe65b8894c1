/**
 * A status page scene over a real SQLite store: history.ts's two monitors, plus a third one that
 * is down now and whose name tries to inject markup; an active maintenance window on `web`, an
 * upcoming one, and a posted incident with updates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { resolveStatusPage, type ResolvedStatusPage } from '../../src/status/config.js';
import { HOUR, NOW, compactResult, fill } from './history.js';

export const EVIL_NAME = 'Search <img src=x onerror=alert(1)>';

export function scenePage(): ResolvedStatusPage {
  const { page, problems } = resolveStatusPage({
    title: 'Example Shop status',
    description: 'Everything customers touch, measured every two hours from eu-west.',
    slo: 99.5,
    groups: [
      { id: 'core', name: 'Core API', slo: 99.9, monitors: ['api', 'search'] },
      { name: 'Web shop', monitors: ['web'] },
    ],
    maintenance: [
      { start: new Date(NOW - HOUR).toISOString(), end: new Date(NOW + 2 * HOUR).toISOString(), monitors: ['web'], message: 'Database upgrade: the shop may be read-only.' },
      { start: '2026-12-05T02:00:00Z', end: '2026-12-05T03:00:00Z', groups: ['core'], message: 'Load balancer replacement' },
    ],
    incidents: [
      {
        title: 'Checkout errors for some cards',
        groups: ['web-shop'],
        updates: [
          { at: '2026-11-25T10:00:00Z', status: 'investigating', message: 'Some card payments fail with a timeout.' },
          { at: '2026-11-25T10:40:00Z', status: 'identified', message: 'The payment provider rotated a certificate.' },
          { at: '2026-11-25T11:30:00Z', status: 'resolved', message: 'Payments work again; no charge was duplicated.' },
        ],
      },
    ],
  });
  if (problems.some((p) => p.severity === 'error')) throw new Error(JSON.stringify(problems));
  return page;
}

export async function sceneStore(): Promise<{ store: Store; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'observer-status-'));
  const store = await openStore({ path: join(dir, 'observer.db') });
  await fill(store);
  // search: passing for 10 days, failing on its last two runs (down now).
  const search = Array.from({ length: 120 }, (_, k) => ({ ...compactResult('search', k, k < 2 ? 'failed' : 'passed', 'timeout'), name: EVIL_NAME }));
  await store.saveResults(search);
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
