/** The HTML dashboard's system section: per-service cards, charts with the expected band and the core's findings, no data said as such. */
import { expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/reporters/html.js';
import { judge, type SignalHistory, type SystemSignals } from '../../src/sources/index.js';
import { scenario } from '../reporters/fixtures.js';

it('charts each signal against its band, rings the anomaly core findings, says no data with the query', async () => {
  const { report, context } = scenario('/unused');
  const now = Date.parse(context.generatedAt);
  const h: SignalHistory = { points: [] };
  let cpu = judge({ service: 'api', signal: 'cpu', value: 0.3, source: 'prometheus' }, h, now - 20 * 60_000);
  for (let i = 19; i >= 0; i--) cpu = judge({ service: 'api', signal: 'cpu', value: i === 0 ? 0.95 : 0.3, source: 'prometheus' }, h, now - i * 60_000);
  const missing = judge({ service: 'api', signal: 'traffic', value: null, source: 'prometheus', query: 'sum(rate(http_requests_total{job="api"}[5m]))', error: 'no data: the query returned no series' }, { points: [] }, now);
  const system: SystemSignals = {
    at: context.generatedAt,
    sources: [{ name: 'prometheus', type: 'prometheus', status: 'partial', error: 'no data: the query returned no series', readings: 1, durationMs: 12 }],
    signals: [cpu, missing],
    monitorsByService: { api: ['checkout-api'] },
  };
  context.findings = [
    ...context.findings,
    {
      id: 'spike:cpu',
      kind: 'spike',
      severity: 'critical',
      status: 'open',
      series: { monitor: 'service:api', step: 'prometheus', metric: 'cpuSaturation', location: 'local' },
      observed: 0.95,
      expected: { value: 0.3 },
      unit: 'ratio',
      magnitude: {},
      startedAt: context.generatedAt,
      updatedAt: context.generatedAt,
      resolvedAt: null,
      count: 1,
      explanation: 'service:api cpuSaturation jumped to 95%.',
    },
  ];
  const html = await renderHtmlReport(report, { ...context, system });
  const section = html.slice(html.indexOf('<section id="system">'), html.indexOf('</section>', html.indexOf('<section id="system">')));
  expect(section).toContain('<h2>Golden signals of the system</h2>');
  expect(section).toContain('data-source="prometheus">prometheus: partial');
  expect(section).toContain('data-monitors="checkout-api"');
  const cpuCard = section.slice(section.indexOf('data-system-signal="cpu"'));
  expect(cpuCard).toContain('<div class="value">95%');
  expect(cpuCard).toMatch(/<rect class="band"/);
  expect(cpuCard.match(/<circle class="anomaly"/g)).toHaveLength(1); // the one reading above 70%
  expect(cpuCard).toContain('<circle class="finding critical"');
  expect(cpuCard).toContain('<title>service:api cpuSaturation jumped to 95%.</title>');
  const trafficCard = section.slice(section.indexOf('data-system-signal="traffic"'), section.indexOf('data-system-signal="cpu"'));
  expect(trafficCard).toContain('<div class="value">no data');
  expect(trafficCard).toContain('no data: the query returned no series — query: sum(rate(http_requests_total{job=&quot;api&quot;}[5m]))');
  expect(trafficCard).not.toContain('<svg');
});
