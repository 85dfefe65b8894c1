/**
 * Prometheus source against a real Prometheus (Debian's package) scraping the test exporter, whose
 * traffic, errors, latency and CPU the test drives; then Prometheus down, slow, and wrong.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrometheusSource, type PrometheusSourceConfig, type SignalReading } from '../../src/sources/index.js';
import { freePort, startExporter, startPrometheus, tempDir, type Exporter, type Prometheus } from './helpers.js';

const mono = () => performance.now();
const one = (rs: SignalReading[], signal: string, route?: string) => rs.find((r) => r.signal === signal && r.route === route);

describe('Prometheus source on a real Prometheus', () => {
  let tmp: ReturnType<typeof tempDir>;
  let exporter: Exporter;
  let prom: Prometheus;
  beforeAll(async () => {
    tmp = tempDir('prom');
    exporter = await startExporter();
    prom = await startPrometheus(tmp.dir, 'shop', [`127.0.0.1:${exporter.port}`], 500);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await exporter?.stop();
    tmp?.cleanup();
  });

  it('reads traffic, 5xx and 4xx ratios, latency quantiles per service and route, and CPU the test burns', async () => {
    await prom.waitFor('up{job="shop"}', (v) => v === 1);
    // A counter's first scraped value is not an increase: create the series first, let them be scraped.
    await exporter.drive('/api/products', 1);
    await exporter.drive('/api/checkout', 1, { status: 503 });
    await exporter.drive('/api/login', 1, { status: 401 });
    await prom.waitFor('count(http_requests_total{job="shop"})', (v) => v >= 3);
    await exporter.drive('/api/products', 60, { delayMs: 30 });
    await exporter.drive('/api/checkout', 15, { status: 503 });
    await exporter.drive('/api/login', 5, { status: 401 });
    await prom.waitFor('sum(http_requests_total{job="shop"})', (v) => v >= 83);
    // CPU at rest, then one core kept busy until the reading is taken (stopped right after). The
    // machine is shared, so the burn gets what the scheduler gives: assert against the rest level.
    const cpuQuery = 'sum(rate(process_cpu_seconds_total{job="shop"}[3s]))';
    const idle = await prom.waitFor(cpuQuery, (v) => v >= 0);
    await exporter.burn(60_000);
    await prom.waitFor(cpuQuery, (v) => v > idle + 0.1 && v > 0.1);
    // CPU over a short window of its own (an override, as a user would write one).
    const config: PrometheusSourceConfig = { type: 'prometheus', url: prom.url, services: { shop: { window: '30s', queries: { cpu: 'sum(rate(process_cpu_seconds_total{{selector}}[3s]))' } } } };
    const { readings, status } = await readPrometheusSource(config, { nowMs: Date.now(), monotonicMs: mono });
    await exporter.burn(0);
    expect(status).toMatchObject({ name: 'prometheus', type: 'prometheus' });
    expect(one(readings, 'traffic')!.value).toBeGreaterThan(0);
    // Ratios of the same rate() window: the extrapolation cancels out.
    expect(one(readings, 'errors5xx')!.value).toBeCloseTo(15 / 80, 1);
    expect(one(readings, 'errors4xx')!.value).toBeCloseTo(5 / 80, 1);
    expect(one(readings, 'errors5xx', '/api/checkout')!.value).toBeCloseTo(1, 5);
    expect(one(readings, 'errors5xx', '/api/products')!.value).toBe(0);
    expect(one(readings, 'traffic', '/api/products')!.value).toBeGreaterThan(one(readings, 'traffic', '/api/login')!.value!);
    // 60 of 80 requests took >= 30 ms: the median is at least in the 25-50 ms bucket (a loaded machine may add more).
    expect(one(readings, 'latencyP50')!.value).toBeGreaterThanOrEqual(25);
    expect(one(readings, 'latencyP99')!.value).toBeGreaterThanOrEqual(one(readings, 'latencyP95')!.value!);
    expect(one(readings, 'latencyP99')!.value).toBeLessThanOrEqual(1000);
    expect(one(readings, 'cpu')!.value).toBeGreaterThan(idle + 0.05);
    expect(one(readings, 'cpu')!.value).toBeLessThan(1.1);
    expect(one(readings, 'connections')!.value).toBeGreaterThan(0);
    expect(one(readings, 'connections')!.value).toBeLessThan(1);
    // No memory limit given: no memory signal is asked (not a made-up number).
    expect(one(readings, 'memory')).toBeUndefined();
    expect(one(readings, 'traffic')!.query).toBe('sum(rate(http_requests_total{job="shop"}[30s]))');
  }, 90_000);

  it('an unknown service, a broken query: no data with the query and Prometheus error text, never zero', async () => {
    const config: PrometheusSourceConfig = {
      type: 'prometheus',
      url: prom.url,
      services: { ghost: { selector: 'job="ghost"', queries: { latencyP50: 'sum(rate(http_requests_total[5m]', cpu: false } } },
    };
    const { readings, status } = await readPrometheusSource(config, { nowMs: Date.now(), monotonicMs: mono });
    expect(status.status).toBe('partial');
    expect(one(readings, 'traffic')).toMatchObject({ value: null, error: 'no data: the query returned no series', query: 'sum(rate(http_requests_total{job="ghost"}[5m]))' });
    expect(one(readings, 'errors5xx')).toMatchObject({ value: null });
    expect(one(readings, 'latencyP50')!.error).toMatch(/^bad_data: .*parse error/);
    expect(one(readings, 'cpu')).toBeUndefined();
    for (const r of readings) expect(r.value).toBeNull();
  });
});

describe('Prometheus down or slow', () => {
  it('down: every signal is no data with the connection error, the source is down', async () => {
    const port = await freePort(); // nothing listens there
    const config: PrometheusSourceConfig = { type: 'prometheus', name: 'prom-eu', url: `http://127.0.0.1:${port}`, services: { api: {} } };
    const { readings, status } = await readPrometheusSource(config, { nowMs: Date.now(), monotonicMs: mono });
    expect(status).toMatchObject({ name: 'prom-eu', status: 'down', readings: 0 });
    expect(status.error).toMatch(/unreachable: ECONNREFUSED/);
    expect(readings.length).toBeGreaterThan(5);
    for (const r of readings) expect(r).toMatchObject({ value: null, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('slow: a Prometheus that never answers is cut off at timeoutMs, and the source is down', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer(() => {
      // never answers
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const t0 = performance.now();
      const { readings, status } = await readPrometheusSource({ type: 'prometheus', url, timeoutMs: 300, services: { api: {} } }, { nowMs: Date.now(), monotonicMs: mono });
      expect(performance.now() - t0).toBeLessThan(10_000); // bounded, not hung (the bound is the point, not the speed)
      expect(status.status).toBe('down');
      for (const r of readings) expect(r).toMatchObject({ value: null, error: expect.stringMatching(/no answer within 300 ms/) });
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
