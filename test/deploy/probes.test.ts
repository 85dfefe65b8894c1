/** The daemon manifest's probe and scrape paths hit the real daemon HTTP endpoints. */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startMetricsServer } from '../../src/scheduler/http.js';
import { ObserverMetrics } from '../../src/metrics/registry.js';
import { asObj, at, container, loadManifests } from './k8s.js';

const manifests = loadManifests();
const daemon = manifests.find((m) => m.kind === 'Deployment' && m.name === 'observer-daemon');
if (!daemon) throw new Error('deployment-daemon.yaml: no Deployment observer-daemon');
const c = container(daemon);
const service = manifests.find((m) => m.kind === 'Service' && m.name === 'observer-metrics');
if (!service) throw new Error('service-metrics.yaml: no Service observer-metrics');
const scrapePath = String(asObj(asObj(service.doc.metadata, 'metadata').annotations, 'annotations')['prometheus.io/path']);

let server: { port: number; close(): Promise<void> } | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await request(`http://127.0.0.1:${server?.port}${path}`);
  return { status: res.statusCode, text: await res.body.text() };
}

describe('daemon probes against the real metrics server', () => {
  it('liveness, readiness and the scrape path answer 200 when the daemon is ready', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: new ObserverMetrics({ processMetrics: false }), health: { ready: true, monitorCount: 3 } });
    expect((await get(String(at(c, 'livenessProbe.httpGet.path')))).status).toBe(200);
    expect((await get(String(at(c, 'readinessProbe.httpGet.path')))).status).toBe(200);
    const metrics = await get(scrapePath);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^# (HELP|TYPE) /m);
  });

  it('readiness fails (and liveness does not) while the daemon is not scheduling', async () => {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: new ObserverMetrics({ processMetrics: false }), health: { ready: false, monitorCount: 0 } });
    expect((await get(String(at(c, 'readinessProbe.httpGet.path')))).status).toBe(503);
    expect((await get(String(at(c, 'livenessProbe.httpGet.path')))).status).toBe(200);
  });
});
