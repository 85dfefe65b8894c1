/** The statusPage rules a schema cannot say: unique ids, windows that end after they start, known references. */
import { describe, expect, it } from 'vitest';
import { resolveStatusPage, slugify } from '../../src/status/config.js';

describe('resolveStatusPage', () => {
  it('applies defaults: group ids from names, the page slo on groups without one, maintenance on every monitor', () => {
    const { page, problems } = resolveStatusPage({
      slo: 99.5,
      groups: [
        { name: 'API & Web', monitors: ['api', 'web'] },
        { id: 'jobs', name: 'Jobs', slo: 99, monitors: ['backup', 'api'] },
      ],
      maintenance: [{ start: '2026-12-05T02:00:00+01:00', end: '2026-12-05T03:00:00Z' }],
    });
    expect(problems).toEqual([]);
    expect(page.title).toBe('Status');
    expect(page.groups.map((g) => [g.id, g.slo])).toEqual([
      ['api-web', 99.5],
      ['jobs', 99],
    ]);
    expect(page.monitors).toEqual(['api', 'web', 'backup']);
    expect(page.maintenance[0]).toMatchObject({ startMs: Date.parse('2026-12-05T01:00:00Z'), monitors: ['api', 'web', 'backup'] });
    expect(page.detectedIncidents).toBe(true);
  });

  it('names every cross-field mistake with its path and what was expected', () => {
    const { problems } = resolveStatusPage(
      {
        groups: [
          { name: 'API', monitors: ['api'] },
          { name: 'Api', monitors: ['web'] },
        ],
        maintenance: [{ start: '2026-12-05T04:00:00Z', end: '2026-12-05T02:00:00Z', groups: ['nope'], monitors: ['db'] }],
        incidents: [
          { title: 'Down', updates: [{ at: '2026-12-05T02:00:00Z', status: 'resolved', message: '' }] },
          { title: 'down', updates: [{ at: '2026-12-05T02:00:00Z', status: 'resolved', message: '' }] },
        ],
      },
      new Set(['api']),
    );
    expect(problems).toEqual([
      { path: 'statusPage.groups[1].name', message: 'group id "api" is also the id of groups[0]; give each group its own "id"', severity: 'error' },
      { path: 'statusPage.groups[0].id', message: '"api" is also a monitor id: badges at /badge/api/ would be ambiguous; give the group another "id"', severity: 'error' },
      { path: 'statusPage.groups[1].monitors[0]', message: 'no check or journey has the id "web" (the page shows it as "no data" until results arrive)', severity: 'warning' },
      { path: 'statusPage.maintenance[0].end', message: 'must be after start (2026-12-05T04:00:00Z), got 2026-12-05T02:00:00Z', severity: 'error' },
      { path: 'statusPage.maintenance[0].groups[0]', message: 'no group has the id "nope"; expected one of api', severity: 'error' },
      { path: 'statusPage.maintenance[0].monitors[0]', message: '"db" is not on the page; expected a monitor of a group: api, web', severity: 'error' },
      { path: 'statusPage.incidents[1].title', message: 'incident id "down" is used twice; give each incident its own "id"', severity: 'error' },
    ]);
  });

  it('slugs names into ids', () => {
    expect(slugify('  Checkout & Payments (EU) ')).toBe('checkout-payments-eu');
    expect(slugify('✓✓')).toBe('group');
  });
});
