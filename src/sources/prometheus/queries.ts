/**
 * Default PromQL per signal for the common exporters, each overridable per service. `{selector}`
 * is the service's label matchers (default `job="<service>"`), `{window}` the rate() window.
 * Ratios divide by the total, so a service without requests gives nothing or NaN (reported as no data), never 0.
 */
import type { PrometheusServiceConfig, SignalName } from '../types.js';

export type QueryName = SignalName | 'trafficByRoute' | 'errors5xxByRoute' | 'errors4xxByRoute';

/** The PromQL of every signal of one service; a signal without a query is not asked. */
export function queriesFor(service: string, c: PrometheusServiceConfig): Partial<Record<QueryName, string>> {
  const sel = c.selector ?? `job="${service}"`;
  const win = c.window ?? '5m';
  const req = c.requestsMetric ?? 'http_requests_total';
  const dur = c.durationMetric ?? 'http_request_duration_seconds';
  const code = c.statusLabel ?? 'code';
  const route = c.routeLabel ?? 'route';
  const and = (extra: string) => (sel ? `${sel},${extra}` : extra);
  const rate = (m: string, s: string) => `rate(${m}{${s}}[${win}])`;
  // A service (or route) with requests but no error series has a measured ratio of 0: `or ... * 0` supplies it.
  const ratio = (cls: string, by = '') => `(sum${by}(${rate(req, and(`${code}=~"${cls}.."`))}) or sum${by}(${rate(req, sel)}) * 0) / sum${by}(${rate(req, sel)})`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (${rate(`${dur}_bucket`, sel)})) * 1000`;
  const byRoute = ` by (${route})`;
  const out: Partial<Record<QueryName, string>> = {
    traffic: `sum(${rate(req, sel)})`,
    errors5xx: ratio('5'),
    errors4xx: ratio('4'),
    latencyP50: quantile(0.5),
    latencyP95: quantile(0.95),
    latencyP99: quantile(0.99),
    trafficByRoute: `sum${byRoute}(${rate(req, sel)})`,
    errors5xxByRoute: ratio('5', byRoute),
    errors4xxByRoute: ratio('4', byRoute),
  };
  switch (c.exporter ?? 'http') {
    case 'http':
      out.cpu = `sum(rate(process_cpu_seconds_total{${sel}}[${win}])) / ${c.cpuCores ?? 1}`;
      if (c.memoryLimitBytes) out.memory = `sum(process_resident_memory_bytes{${sel}}) / ${c.memoryLimitBytes}`;
      out.connections = `max(process_open_fds{${sel}} / process_max_fds{${sel}})`;
      break;
    case 'node':
      out.cpu = `1 - avg(rate(node_cpu_seconds_total{${and('mode="idle"')}}[${win}]))`;
      out.memory = `1 - sum(node_memory_MemAvailable_bytes{${sel}}) / sum(node_memory_MemTotal_bytes{${sel}})`;
      out.disk = `max(1 - node_filesystem_avail_bytes{${and('fstype!~"tmpfs|overlay|squashfs"')}} / node_filesystem_size_bytes{${and('fstype!~"tmpfs|overlay|squashfs"')}})`;
      out.connections = `max(node_nf_conntrack_entries{${sel}} / node_nf_conntrack_entries_limit{${sel}})`;
      break;
    case 'cadvisor':
      out.cpu = `sum(rate(container_cpu_usage_seconds_total{${and('container!=""')}}[${win}])) / sum(container_spec_cpu_quota{${and('container!=""')}} / container_spec_cpu_period{${and('container!=""')}})`;
      out.memory = `max(container_memory_working_set_bytes{${and('container!=""')}} / (container_spec_memory_limit_bytes{${and('container!=""')}} > 0))`;
      break;
  }
  for (const [k, v] of Object.entries(c.queries ?? {}) as Array<[QueryName, string | false]>) {
    if (v === false) delete out[k];
    else out[k] = v.replaceAll('{selector}', sel).replaceAll('{window}', win);
  }
  return out;
}
