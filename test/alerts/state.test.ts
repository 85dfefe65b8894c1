/** The pure parts of the state machine: gate precedence, worsening, snapshots, flap counting, backoff. */
import { describe, expect, it } from 'vitest';
import { resolveAlertsConfig } from '../../src/alerts/index.js';
import { gateFor } from '../../src/alerts/gate.js';
import { isWorse, markAnnounced, reconcile } from '../../src/alerts/reconcile.js';
import { emptyState, transitions, type Incident } from '../../src/alerts/state.js';
import { backoffMs } from '../../src/alerts/outbox.js';

function incident(over: Partial<Incident> = {}): Incident {
  return {
    alertId: 'al_1',
    key: 'm|failing',
    rule: 'failures',
    cause: 'failing',
    severity: 'critical',
    state: 'open',
    openedAt: '2026-11-25T10:00:00.000Z',
    resolvedAt: null,
    locations: ['a'],
    affected: ['a'],
    errorClasses: ['http_status'],
    explanation: '',
    announced: null,
    notified: null,
    version: 0,
    flaps: 0,
    flapsAnnounced: 0,
    lastAnnouncedAtMs: null,
    ...over,
  };
}

describe('gate', () => {
  const window = { start: '2026-11-25T10:00:00Z', end: '2026-11-25T11:00:00Z', monitors: ['Checkout'] };
  const config = resolveAlertsConfig({ mute: { tags: ['beta'] }, maintenance: [window] });
  const at = (iso: string) => Date.parse(iso);

  it('mute wins over maintenance, maintenance over flapping; names match as well as ids; end is exclusive', () => {
    const s = { ...emptyState('checkout-api'), name: 'Checkout', flapping: true };
    expect(gateFor(s, config, at('2026-11-25T10:30:00Z'))).toEqual({ kind: 'maintenance' });
    expect(gateFor({ ...s, tags: ['beta'] }, config, at('2026-11-25T10:30:00Z'))).toEqual({ kind: 'muted' });
    expect(gateFor(s, config, at('2026-11-25T11:00:00Z'))).toEqual({ kind: 'flapping' });
    expect(gateFor({ ...s, flapping: false }, config, at('2026-11-25T09:59:59Z'))).toEqual({ kind: 'ok' });
    expect(gateFor({ ...emptyState('search'), name: 'Search' }, config, at('2026-11-25T10:30:00Z'))).toEqual({ kind: 'ok' });
  });
});

describe('reconcile', () => {
  const rules = resolveAlertsConfig({ rules: { reminderIntervalMs: 600_000 } }).rules;

  it('worse means a higher severity, more locations or an error class not told before', () => {
    const told = { severity: 'warning' as const, locationCount: 2, errorClasses: ['timeout'] };
    expect(isWorse(told, { ...told })).toBe(false);
    expect(isWorse(told, { ...told, severity: 'critical' })).toBe(true);
    expect(isWorse(told, { ...told, severity: 'info' })).toBe(false);
    expect(isWorse(told, { ...told, locationCount: 3 })).toBe(true);
    expect(isWorse(told, { ...told, locationCount: 1 })).toBe(false);
    expect(isWorse(told, { ...told, errorClasses: ['dns'] })).toBe(true);
  });

  it('keeps the worst snapshot told so far: better then slightly worse again is not news', () => {
    const inc = incident({ locations: ['a', 'b', 'c'] });
    markAnnounced(inc, 'open', 0);
    inc.locations = ['a'];
    expect(reconcile(inc, { kind: 'ok' }, rules, 1).event).toBe(null);
    inc.locations = ['a', 'b'];
    expect(reconcile(inc, { kind: 'ok' }, rules, 2).event).toBe(null);
    inc.locations = ['a', 'b', 'c', 'd'];
    expect(reconcile(inc, { kind: 'ok' }, rules, 3).event).toBe('update');
  });

  it('reminders are due reminderIntervalMs after the last message; none while muted', () => {
    const inc = incident();
    markAnnounced(inc, 'open', 1_000);
    expect(reconcile(inc, { kind: 'ok' }, rules, 600_999).event).toBe(null);
    expect(reconcile(inc, { kind: 'muted' }, rules, 601_000).event).toBe(null);
    expect(reconcile(inc, { kind: 'ok' }, rules, 601_000).event).toBe('reminder');
  });

  it('while flapping nothing is sent and nothing is closed; a never-told incident resolved under mute closes silently', () => {
    expect(reconcile(incident({ state: 'resolved', announced: 'open' }), { kind: 'flapping' }, rules, 0)).toEqual({ event: null, close: false, settled: false });
    expect(reconcile(incident({ state: 'resolved' }), { kind: 'muted' }, rules, 0)).toEqual({ event: null, close: true, settled: false });
    expect(reconcile(incident({ state: 'resolved', announced: 'open' }), { kind: 'maintenance' }, rules, 0)).toEqual({ event: 'resolved', close: true, settled: false });
  });
});

describe('helpers', () => {
  it('counts pass/fail changes in a window', () => {
    expect(transitions('')).toBe(0);
    expect(transitions('ffff')).toBe(0);
    expect(transitions('fpfp')).toBe(3);
  });

  it('backoff doubles from the base and is capped', () => {
    expect([0, 1, 2, 3, 10].map((r) => backoffMs(r, 100, 500))).toEqual([100, 200, 400, 500, 500]);
  });
});
