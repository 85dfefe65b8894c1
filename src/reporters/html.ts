/**
 * `html`: `index.html`, ONE self-contained file that opens from disk with no server and makes no
 * network request: the health board (same numbers as status.md), step-duration charts per monitor
 * and location (uPlot, inlined) with step limits, anomaly, failure and deploy markers, web-vitals
 * trends per journey step over their rating bands, the network and console of each journey's latest
 * run, the latest failures (recovered or not) with their screenshot (inlined as a data: thumbnail)
 * and trace, and client-side filters by monitor, tag and location. Every time is in one zone
 * (`html.timeZone`, default UTC, 24-hour). A Content-Security-Policy with the hashes of its two
 * scripts forbids every fetch, so even a mistake cannot make the page call out.
 *
 * The live dashboard (src/live) serves this page and swaps its body on updates: see the contract in
 * src/live/README.md (the client script defines `window.observerBoard.dispose()`).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MAX_SLOWEST_REQUESTS, type DeployMarker, type Finding, type MonitorDefinition, type MonitorResult, type RunInfo, type StepResult } from '../model/index.js';
import type { ReportContext, Reporter, RunReport } from './reporter.js';
import type { ReporterOptions, SlaMap } from './options.js';
import { affectedOf, buildBoard, type GoldenSignal, type HealthBoard } from './board.js';
import { buildChartPayload, mergeSla, slaFromMonitors, vitalRating, type ChartPayload, type ChartSpec, type VitalsGroup } from './chart-data.js';
import { formatAgo, formatInstant, formatMs, formatPct, formatSignalValue, TREND_ARROW } from './format.js';
import { formatSystemValue, noDataText } from './system-signals.js';
import { SERVICE_PREFIX, SIGNALS, type SignalState } from '../sources/types.js';
import { CLIENT_JS, SERIES_COLORS } from './html-client.js';
import { REPORT_CSS } from './html-style.js';
import { h, safeRelativeHref, scriptJson, scriptSource, styleSource } from './html-escape.js';
import { redactContext, redactReport } from './redaction.js';
import { Redactor } from '../runtime/redact.js';
import { writeReportFile } from './write.js';
import { cmp, cmpText } from './stats.js';
import { gapsSectionHtml, readGapsReport } from './gaps-html.js';

const DEFAULT_INLINE_SCREENSHOT_BYTES = 400 * 1024;
/** Secret shapes (tokens in query strings, Bearer values, URL passwords) even when no redactor is configured. */
const SHAPES = new Redactor();
const MAX_FAILURE_CARDS = 12;

export class HtmlReporter implements Reporter {
  readonly name = 'html';
  private fromMonitors: SlaMap = {};
  constructor(private readonly opts: ReporterOptions = {}) {}

  /** Journey step SLAs and API response time limits of the monitors this run executes. */
  onBegin(_run: RunInfo, monitors: MonitorDefinition[]): void {
    this.fromMonitors = slaFromMonitors(monitors);
  }

  async onEnd(report: RunReport, context: ReportContext): Promise<string[]> {
    const html = await renderHtmlReport(redactReport(report, this.opts.redactor), redactContext(context, this.opts.redactor), {
      ...this.opts,
      sla: mergeSla(this.fromMonitors, this.opts.sla),
    });
    return [await writeReportFile(context.outDir, 'index.html', html)];
  }
}

/** uPlot's script and stylesheet, read from the installed package once per process. */
let assets: Promise<{ js: string; css: string }> | undefined;
function uplotAssets(): Promise<{ js: string; css: string }> {
  assets ??= (async () => {
    const require = createRequire(import.meta.url);
    const [js, css] = await Promise.all([
      readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    ]);
    return { js, css };
  })();
  assets.catch(() => (assets = undefined));
  return assets;
}

/** The body of the dashboard and the data its script draws from. */
export interface DashboardContent {
  /** Markup of `#observer-root`: header, filters, sections, footer (everything escaped). */
  html: string;
  /** The chart payload (`#observer-data`, written with `scriptJson`). */
  payload: ChartPayload;
  /** For `<title>`. */
  title: string;
}

/** The dashboard's content (reads the screenshots to inline; writes nothing). Same input as `renderHtmlReport`. */
export async function renderDashboardContent(report: RunReport, context: ReportContext, opts: ReporterOptions = {}): Promise<DashboardContent> {
  const board = buildBoard(report, context, {
    ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  const zone = timeZoneOf(opts.html?.timeZone);
  const t = clockIn(zone);
  const history = context.history.length ? context.history : report.results;
  // The monitor/tag/location filters apply to the signals too: each monitor's own signals, shown when a filter selects it.
  const boardOpts = { ...(opts.thresholds ? { thresholds: opts.thresholds } : {}), ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) };
  const perMonitor = [...new Set(history.map((r) => r.monitor))].sort().map((id) => {
    const mine = (r: { monitor: string }) => r.monitor === id;
    const own = history.filter(mine);
    const b = buildBoard({ ...report, results: report.results.filter(mine) }, { ...context, history: own, system: undefined }, boardOpts);
    return { id, name: own[own.length - 1]?.name ?? id, tags: [...new Set(own.flatMap((r) => r.tags))].sort(), locations: [...new Set(own.map((r) => r.location))].sort(), signals: b.signals.filter((x) => x.scope === 'monitors') };
  });
  const payload = buildChartPayload(history, board.anomalies.concat(board.resolved), context.deploys, opts.sla ?? {}, context.generatedAt, {}, zone);
  const failures = await failureCards(history, context.outDir, opts.html?.maxInlineScreenshotBytes ?? DEFAULT_INLINE_SCREENSHOT_BYTES);
  const title = opts.html?.title ?? 'production-observer';
  const tagsOf = tagIndex(history);
  const deploys = [...context.deploys].sort((a, b) => cmp(b.at, a.at) || cmp(a.id, b.id));
  const gaps = await readGapsReport(context.outDir);
  const html = `${headerHtml(board, title, t)}
${filtersHtml(board, payload)}
<main class="wrap">
${systemHtml(board)}
${signalsHtml(board, perMonitor)}
${incidentsHtml(board, t)}
${anomaliesHtml(board, tagsOf, t)}
${chartsHtml(payload)}
${failuresHtml(failures, board.generatedAt, t)}
${vitalsHtml(payload.vitals)}
${latestJourneysHtml(history, board.generatedAt, t, (text) => (opts.redactor ?? SHAPES).redact(text))}
${monitorsHtml(board)}
${deploysHtml(deploys, board, t)}
${opts.redactor ? opts.redactor.redact(gapsSectionHtml(gaps)) : gapsSectionHtml(gaps)}
</main>
<footer><div class="wrap">Generated by production-observer at ${h(t.instant(board.generatedAt))} · run ${h(board.run.id)} · one self-contained file: no server, no network.</div></footer>`;
  return { html, payload, title: `${statusWord(board)} · ${title} · ${board.run.environment}` };
}

/** The whole index.html (reads uPlot and the screenshots to inline; writes nothing). */
export async function renderHtmlReport(report: RunReport, context: ReportContext, opts: ReporterOptions = {}): Promise<string> {
  const content = await renderDashboardContent(report, context, opts);
  const { js, css } = await uplotAssets();
  const scripts = [scriptSource(js), scriptSource(CLIENT_JS)];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="referrer" content="no-referrer">
<title>${h(content.title)}</title>
<style>${styleSource(css)}</style>
<style>${styleSource(REPORT_CSS)}</style>
</head>
<body>
<div id="observer-root">
${content.html}
</div>
<script type="application/json" id="observer-data">${scriptJson(content.payload)}</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body>
</html>
`;
}

/** The configured IANA zone, checked (an unknown name is an error naming the setting), default UTC. */
export function timeZoneOf(zone: string | undefined): string {
  if (zone === undefined) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
  } catch (_) {
    throw new Error(`html.timeZone: unknown time zone "${zone}"; expected an IANA name such as UTC or Europe/Berlin`);
  }
  return zone;
}

/** How the page writes instants: `2026-11-25 19:27:06 UTC`, 24-hour, in one zone for tables and charts alike. */
export interface Clock {
  zone: string;
  instant(iso: string | null | undefined): string;
}

export function clockIn(zone: string): Clock {
  if (zone === 'UTC' || zone === 'Etc/UTC') return { zone: 'UTC', instant: formatInstant };
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return {
    zone,
    instant(iso) {
      const ms = iso ? Date.parse(iso) : NaN;
      if (!Number.isFinite(ms)) return '—';
      const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day} ${p.hour === '24' ? '00' : p.hour}:${p.minute}:${p.second} ${zone}`;
    },
  };
}

/** A monitor as people know it: its name as the title, its id beside it (muted) when they differ. */
function monitorTitle(name: string, id: string, tag: 'b' | 'span' = 'b'): string {
  return `<${tag} class="mname">${h(name)}</${tag}>${name !== id ? ` <span class="mid">${h(id)}</span>` : ''}`;
}

function statusWord(b: HealthBoard): string {
  return b.status.charAt(0).toUpperCase() + b.status.slice(1);
}

/** data-* attributes the filters match on. */
function filterAttrs(monitor: string, locations: string[], tags: string[]): string {
  return ` data-monitor="${h(monitor)}" data-locations="${h(JSON.stringify(locations))}" data-tags="${h(JSON.stringify(tags))}"`;
}

function tagIndex(history: readonly MonitorResult[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const r of history) {
    const set = out.get(r.monitor) ?? new Set<string>();
    for (const t of r.tags) set.add(t);
    out.set(r.monitor, set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

function headerHtml(b: HealthBoard, title: string, t: Clock): string {
  const c = b.counts;
  const reasons = b.reasons.length ? `<ul class="reasons">${b.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>` : '';
  return `<header class="top status-${b.status}"><div class="wrap">
<div class="brand">${h(title)}</div>
<h1>Production health <span class="pill ${b.status}" id="overall-status">${h(b.status)}</span></h1>
<p class="meta">As of <b>${h(t.instant(b.generatedAt))}</b> · environment <b>${h(b.run.environment)}</b> · location <b>${h(b.run.location)}</b> · run <span class="mono">${h(b.run.id)}</span>${b.run.shard ? ` (shard ${h(b.run.shard)})` : ''} · window <b>${h(b.window)}</b> · times in <b id="time-zone">${h(t.zone)}</b> (24-hour)</p>
${reasons}
<div class="counts"><span class="badge">${c.total} monitor${c.total === 1 ? '' : 's'} this run</span><span class="badge passed">${c.passed} passed</span><span class="badge degraded">${c.degraded} degraded</span><span class="badge failed">${c.failed} failed</span></div>
</div></header>`;
}

function filtersHtml(b: HealthBoard, payload: ChartPayload): string {
  const monitors = new Map<string, string>();
  const tags = new Set<string>();
  const locations = new Set<string>();
  for (const m of b.monitors) {
    monitors.set(m.monitor, m.name === m.monitor ? m.name : `${m.name} · ${m.monitor}`);
    m.tags.forEach((t) => tags.add(t));
    locations.add(m.location);
  }
  for (const ch of payload.charts) {
    monitors.set(ch.monitor, ch.name === ch.monitor ? ch.name : `${ch.name} · ${ch.monitor}`);
    ch.tags.forEach((t) => tags.add(t));
    locations.add(ch.location);
  }
  const options = (entries: [string, string][]): string =>
    entries.sort((x, y) => cmpText(x[1], y[1])).map(([v, label]) => `<option value="${h(v)}">${h(label)}</option>`).join('');
  return `<nav class="filters"><div class="wrap">
<label>Monitor <select id="filter-monitor"><option value="">All monitors</option>${options([...monitors])}</select></label>
<label>Tag <select id="filter-tag"><option value="">All tags</option>${options([...tags].map((t) => [t, t]))}</select></label>
<label>Location <select id="filter-location"><option value="">All locations</option>${options([...locations].map((l) => [l, l]))}</select></label>
<button type="button" id="filter-reset">Reset</button>
</div></nav>`;
}

function signalCard(s: GoldenSignal): string {
  return `<div class="signal ${s.status}" data-signal="${s.key}"${s.kind ? ` data-kind="${h(s.kind)}"` : ''}>
<div class="label"><span>${h(s.label)}</span><span class="badge ${s.status}">${s.status === 'unknown' ? 'n/a' : h(s.status)}</span></div>
<div class="value">${h(formatSignalValue(s, s.current))}<span class="trend" title="against baseline">${h(TREND_ARROW[s.trend])}</span></div>
<div class="base">baseline ${h(formatSignalValue(s, s.baseline))}</div>
<div class="note">${h(s.note)}</div>
</div>`;
}

function signalsHtml(b: HealthBoard, perMonitor: Array<{ id: string; name: string; tags: string[]; locations: string[]; signals: GoldenSignal[] }> = []): string {
  const all = b.signals.filter((s) => s.scope === 'monitors').map(signalCard).join('\n');
  const own = perMonitor
    .map(
      (m) =>
        `<div class="monitor-signals" data-filtered data-monitor="${h(m.id)}" data-locations="${h(JSON.stringify(m.locations))}" data-tags="${h(JSON.stringify(m.tags))}" hidden><h3>${monitorTitle(m.name, m.id, 'span')}</h3><div class="signals">${m.signals.map(signalCard).join('\n')}</div></div>`,
    )
    .join('\n');
  const cards = `<div class="signals" data-unfiltered>${all}</div>${own}`;
  const runner = b.signals.filter((s) => s.scope === 'runner').map(signalCard).join('\n');
  return `<section id="signals"><h2>${b.system ? 'Synthetic monitors' : 'Golden signals'}</h2>${cards}
<h3>Runner</h3><div class="signals runner">${runner}</div>
<p class="hint">${h(b.baselineNote)}</p></section>`;
}

/**
 * The system's signals: per service a card per signal with its recent readings charted against the
 * expected band (baseline, and the thresholds where the status changes), deploys marked.
 */
function systemHtml(b: HealthBoard): string {
  const sys = b.system;
  if (!sys) return '';
  const sources = sys.sources
    .map((s) => `<span class="badge ${s.status === 'ok' ? 'ok' : s.status === 'partial' ? 'warning' : 'critical'}" data-source="${h(s.name)}">${h(s.name)}: ${h(s.status)}${s.error ? ` — ${h(s.error)}` : ''}</span>`)
    .join(' ');
  const deploys = b.deploys.map((d) => Date.parse(d.at)).filter(Number.isFinite);
  // Findings of the anomaly core on a signal's own series (service:<name> / <source> / <metric>).
  const findingsOf = (svc: string, s: SignalState) =>
    b.anomalies.concat(b.resolved).filter((f) => f.series.monitor === SERVICE_PREFIX + svc && f.series.step === s.source && f.series.metric === SIGNALS[s.signal].metric);
  const services = sys.services
    .map((svc) => {
      const cards = svc.signals
        .map(
          (s) => `<div class="signal ${s.status}" data-service="${h(svc.service)}" data-system-signal="${h(s.signal)}">
<div class="label"><span>${h(s.label)}</span><span class="badge ${s.status}">${s.status === 'unknown' ? 'n/a' : h(s.status)}</span></div>
<div class="value">${s.value === null ? 'no data' : h(formatSystemValue(s, s.value))}<span class="trend" title="against baseline">${h(TREND_ARROW[s.trend])}</span></div>
<div class="base">${s.baseline === null ? 'no baseline yet' : `expected ${h(formatSystemValue(s, s.baseline))}`}${s.basis ? ` · ${h(s.basis)}` : ''}</div>
${sparkline(s, deploys, findingsOf(svc.service, s))}
<div class="note">${h(s.value === null ? noDataText(s) : `${s.note} · ${s.source}`)}</div>
</div>`,
        )
        .join('\n');
      const routes = svc.routes.length
        ? `<table class="routes"><thead><tr><th>Route</th><th>Traffic</th><th>5xx</th><th>4xx</th></tr></thead><tbody>${svc.routes
            .map((r) => `<tr><td>${h(r.route)}</td><td>${r.traffic ? h(formatSystemValue(r.traffic, r.traffic.value)) : '—'}</td><td>${r.errors5xx ? h(formatSystemValue(r.errors5xx, r.errors5xx.value)) : '—'}</td><td>${r.errors4xx ? h(formatSystemValue(r.errors4xx, r.errors4xx.value)) : '—'}</td></tr>`)
            .join('')}</tbody></table>`
        : '';
      return `<div class="service" data-service="${h(svc.service)}" data-monitors="${h(svc.monitors.join(' '))}"><h3>${h(svc.service)}</h3><div class="signals">${cards}</div>${routes}</div>`;
    })
    .join('\n');
  return `<section id="system"><h2>Golden signals of the system</h2><p class="sources">${sources}</p>${services}</section>`;
}

/** The expected band of a signal: around the baseline for traffic/latency, the status thresholds for ratios and shares. */
function band(s: SignalState): [number, number] | null {
  if (s.unit === 'share') return [0, 0.7];
  if (s.signal === 'errors5xx') return [0, 0.01];
  if (s.baseline === null) return null;
  if (s.unit === 'rps') return [s.baseline * 0.5, s.baseline * 1.5];
  return [0, s.baseline * 1.5];
}

/** Inline SVG: readings as a line, the expected band shaded, points outside it and deploys marked. */
function sparkline(s: SignalState, deploys: number[], findings: Finding[] = []): string {
  const pts = s.history;
  if (pts.length < 2) return '';
  const W = 220;
  const H = 48;
  const t0 = pts[0][0];
  const t1 = pts[pts.length - 1][0];
  const bnd = band(s);
  const hi = Math.max(...pts.map((p) => p[1]), bnd ? bnd[1] : 0) * 1.1 || 1;
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * W);
  const y = (v: number) => H - (v / hi) * H;
  const line = pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
  const shade = bnd ? `<rect class="band" x="0" y="${y(bnd[1]).toFixed(1)}" width="${W}" height="${(y(bnd[0]) - y(bnd[1])).toFixed(1)}"></rect>` : '';
  const marks = bnd
    ? pts
        .filter((p) => p[1] > bnd[1] || p[1] < bnd[0])
        .map((p) => `<circle class="anomaly" cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2.5"></circle>`)
        .join('')
    : '';
  const deployMarks = deploys
    .filter((d) => d >= t0 && d <= t1)
    .map((d) => `<line class="deploy" x1="${x(d).toFixed(1)}" x2="${x(d).toFixed(1)}" y1="0" y2="${H}"></line>`)
    .join('');
  // The anomaly core's findings: a ring where each started (at the nearest reading), the explanation as its title.
  const rings = findings
    .map((f) => {
      const at = Date.parse(f.startedAt);
      if (!(at >= t0 && at <= t1 + 60_000)) return '';
      const p = pts.reduce((best, q) => (Math.abs(q[0] - at) < Math.abs(best[0] - at) ? q : best), pts[0]);
      return `<circle class="finding ${h(f.severity)}" cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="4.5"><title>${h(f.explanation)}</title></circle>`;
    })
    .join('');
  return `<svg class="spark" viewBox="0 0 ${W} ${H}" width="100%" height="${H}" role="img" aria-label="${h(s.label)} over the last ${pts.length} readings">${shade}${deployMarks}<polyline points="${line}"></polyline>${marks}${rings}</svg>`;
}

function anomaliesHtml(b: HealthBoard, tagsOf: Map<string, string[]>, t: Clock): string {
  const head = `<h2>Active anomalies <span class="count">${b.anomalies.length}</span></h2>`;
  if (b.anomalies.length === 0) return `<section id="anomalies">${head}<p class="empty">No active anomalies.</p></section>`;
  const rows = b.anomalies
    .map((f) => {
      const a = affectedOf(f, b.names);
      const locations = f.locations?.length ? f.locations : [f.series.location];
      return `<tr${filterAttrs(f.series.monitor, locations, tagsOf.get(f.series.monitor) ?? [])}>
<td><span class="badge ${f.severity}">${h(f.severity)}</span></td>
<td class="nowrap">${h(t.instant(f.startedAt))}<div class="sub">${h(formatAgo(f.startedAt, b.generatedAt))}</div></td>
<td class="nowrap">${h(f.kind.replace(/_/g, ' '))}</td>
<td>${monitorTitle(a.monitor, f.series.monitor)}${a.step ? ` › ${h(a.step)}` : ''}<div class="sub">${h(a.location)} · ${h(f.series.metric)}</div></td>
<td>${h(f.explanation)}</td>
</tr>`;
    })
    .join('\n');
  return `<section id="anomalies">${head}<div class="panel table-scroll"><table>
<thead><tr><th>Severity</th><th>Since</th><th>Kind</th><th>Affected</th><th>Explanation</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}

function chartsHtml(payload: ChartPayload): string {
  const head = '<h2>Step durations</h2>';
  if (payload.charts.length === 0) return `<section id="charts">${head}<p class="empty">No results in the window yet.</p></section>`;
  const key = `<p class="legend-key"><span class="k-deg">degraded limit</span><span class="k-max">max limit</span><small>(a step's limits in its line's colour)</small><span class="k-anom">anomaly start</span><span class="k-res">resolved anomaly</span><span class="k-fail">failed run</span><span class="k-dep">deploy</span></p>`;
  const cards = payload.charts.map((c) => chartCard(c)).join('\n');
  return `<section id="charts">${head}${key}<div class="charts">${cards}</div><p class="empty" id="charts-empty" hidden>No chart matches the filters.</p></section>`;
}

function chartCard(c: ChartSpec): string {
  const last = c.status[c.status.length - 1];
  const tags = c.tags.map((t) => `<span class="badge tag">${h(t)}</span>`).join(' ');
  return `<article class="chart-card" id="${h(c.id)}"${filterAttrs(c.monitor, [c.location], c.tags)}>
<header><h3>${monitorTitle(c.name, c.monitor, 'span')} <span class="sub">· ${h(c.location)}</span></h3><div><span class="badge kind">${h(c.kind)}</span> <span class="badge ${h(last)}">${h(last)}</span></div></header>
<div class="plot" id="${h(c.id)}-plot"></div>
<div class="marker-note" id="${h(c.id)}-note" hidden></div>
<div class="sub">${c.x.length} run${c.x.length === 1 ? '' : 's'}${c.anomalies.length ? ` · ${c.anomalies.length} anomal${c.anomalies.length === 1 ? 'y' : 'ies'}` : ''} ${tags}</div>
</article>`;
}

interface FailureCard {
  result: MonitorResult;
  /** The first later run of the same monitor and location that did not fail: the failure is over. */
  recoveredBy: MonitorResult | null;
  failedStep: StepResult | null;
  screenshot: { href: string | null; dataUrl: string | null; path: string } | null;
  trace: { href: string | null; path: string } | null;
}

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif' };

async function failureCards(history: readonly MonitorResult[], outDir: string, maxInline: number): Promise<FailureCard[]> {
  const latest = new Map<string, MonitorResult>();
  for (const r of history) {
    if (r.status !== 'failed') continue;
    const key = `${r.monitor}\u0000${r.location}`;
    const seen = latest.get(key);
    if (!seen || r.startedAt >= seen.startedAt) latest.set(key, r);
  }
  const recovery = (f: MonitorResult): MonitorResult | null => {
    let first: MonitorResult | null = null;
    for (const r of history) {
      if (r.monitor !== f.monitor || r.location !== f.location || r.startedAt <= f.startedAt || r.status === 'failed' || r.status === 'skipped') continue;
      if (!first || r.startedAt < first.startedAt) first = r;
    }
    return first;
  };
  // Still failing first (newest first), then the recovered ones (newest first).
  const list = [...latest.values()]
    .map((r) => ({ r, recoveredBy: recovery(r) }))
    .sort((a, b) => Number(a.recoveredBy !== null) - Number(b.recoveredBy !== null) || cmp(b.r.startedAt, a.r.startedAt))
    .slice(0, MAX_FAILURE_CARDS);
  return Promise.all(
    list.map(async ({ r, recoveredBy }) => {
      const shot = r.artifacts?.screenshot;
      const trace = r.artifacts?.trace;
      let screenshot: FailureCard['screenshot'] = null;
      if (shot) {
        const href = safeRelativeHref(shot);
        screenshot = { href, path: shot, dataUrl: href ? await inlineImage(path.join(outDir, ...href.split('/').map(decodeURIComponent)), maxInline) : null };
      }
      return {
        result: r,
        recoveredBy,
        failedStep: firstFailed(r.steps),
        screenshot,
        trace: trace ? { href: safeRelativeHref(trace), path: trace } : null,
      };
    }),
  );
}

/** A data: URL for a small image inside the reports folder; null when missing, too big or not an image. */
async function inlineImage(file: string, maxBytes: number): Promise<string | null> {
  const type = IMAGE_TYPES[path.extname(file).toLowerCase()];
  if (!type) return null;
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > maxBytes) return null;
    return `data:${type};base64,${(await readFile(file)).toString('base64')}`;
  } catch (_) {
    return null;
  }
}

function firstFailed(steps: readonly StepResult[]): StepResult | null {
  for (const s of steps) {
    if (s.status === 'failed') return (s.steps && firstFailed(s.steps)) ?? s;
  }
  return null;
}

function failuresHtml(cards: FailureCard[], now: string, t: Clock): string {
  if (cards.length === 0) return '';
  const items = cards
    .map(({ result: r, recoveredBy, failedStep, screenshot, trace }) => {
      let shot = '';
      if (screenshot?.dataUrl) {
        shot = `<div class="shot"><a href="${h(screenshot.href)}" title="open the full screenshot"><img alt="${h(`screenshot of ${r.name}`)}" src="${h(screenshot.dataUrl)}"></a></div>`;
      } else if (screenshot?.href) {
        shot = `<div class="sub"><a href="${h(screenshot.href)}">screenshot</a></div>`;
      }
      const traceHtml = trace
        ? `<div>${trace.href ? `<a href="${h(trace.href)}">trace</a>` : `trace ${h(trace.path)}`} <span class="sub">(open it from this report's folder:)</span><code>npx playwright show-trace ${h(shellQuote(trace.path))}</code></div>`
        : '';
      const where = failedStep ? `step <b>${h(failedStep.name)}</b>${failedStep.location ? ` <span class="sub">${h(failedStep.location)}</span>` : ''}` : '';
      const loc = r.error?.location && r.error.location !== failedStep?.location ? ` <span class="sub">${h(r.error.location)}</span>` : '';
      const state = recoveredBy
        ? `<span class="badge passed">recovered</span> <span class="sub">at ${h(t.instant(recoveredBy.startedAt))} (${h(formatAgo(recoveredBy.startedAt, now))})</span>`
        : '<span class="badge failed">still failing</span>';
      const artifactErrors = r.artifacts?.errors?.length ? `<div class="sub">artifacts not saved: ${r.artifacts.errors.map((e) => h(e)).join('; ')}</div>` : '';
      return `<article class="failure ${recoveredBy ? 'recovered' : 'open'}"${filterAttrs(r.monitor, [r.location], r.tags)}>
${screenshot?.dataUrl ? shot : ''}<div class="body">
<h3>${monitorTitle(r.name, r.monitor, 'span')} <span class="sub">· ${h(r.location)}</span></h3>
<div class="state">${state}</div>
<div class="sub">failed ${h(t.instant(r.startedAt))} (${h(formatAgo(r.startedAt, now))}) · ${h(r.kind)} · ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}${r.httpStatus ? ` · HTTP ${r.httpStatus}` : ''}</div>
<div class="msg"><span class="badge failed">${h(r.error?.class ?? 'failed')}</span> ${h(r.error?.message ?? '')}${loc}</div>
${r.error?.details?.length ? `<ul class="details">${r.error.details.map((d) => `<li>${h(d)}</li>`).join('')}</ul>` : ''}
${where ? `<div>${where}</div>` : ''}${stepFacts(failedStep ?? r.steps[0])}
${screenshot && !screenshot.dataUrl ? shot : ''}${traceHtml}${artifactErrors}
</div></article>`;
    })
    .join('\n');
  const open = cards.filter((c) => !c.recoveredBy).length;
  return `<section id="failures"><h2>Latest failures <span class="count">${open} still failing</span>${cards.length > open ? `<span class="count">${cards.length - open} recovered</span>` : ''}</h2><div class="failures">${items}</div></section>`;
}

/** What a step saw beside its timings: redirects followed, the certificate, DNS answers. */
function stepFacts(step: StepResult | undefined): string {
  if (!step) return '';
  const out: string[] = [];
  if (step.redirects?.length) out.push(`redirects: ${step.redirects.map((r) => `${r.status} ${h(r.url)}`).join(' → ')}`);
  if (step.tls) {
    const t = step.tls;
    out.push(`certificate: ${h(t.subject)}, issuer ${h(t.issuer)}, valid to ${h(t.validTo.slice(0, 10))} (${t.daysToExpiry} days)${t.protocol ? `, ${h(t.protocol)}` : ''}${t.cipher ? ` ${h(t.cipher)}` : ''}`);
  }
  if (step.answers) out.push(`answers: ${h(step.answers.join(', ') || 'none')}`);
  return out.map((line) => `\n<div class="sub">${line}</div>`).join('');
}

/** Quote a path for a POSIX shell when it needs it. */
function shellQuote(p: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

function monitorsHtml(b: HealthBoard): string {
  const head = `<h2>Monitors <span class="count">last ${h(b.window)}</span></h2>`;
  if (b.monitors.length === 0) return `<section id="monitors">${head}<p class="empty">No results in the window.</p></section>`;
  const rows = b.monitors
    .map(
      (m) => `<tr${filterAttrs(m.monitor, [m.location], m.tags)}>
<td>${monitorTitle(m.name, m.monitor)}${m.tags.length ? `<div>${m.tags.map((t) => `<span class="badge tag">${h(t)}</span>`).join(' ')}</div>` : ''}</td>
<td><span class="badge kind">${h(m.kind)}</span></td>
<td>${h(m.location)}</td>
<td class="num">${m.runs}</td>
<td class="num">${h(formatPct(m.successRate))}</td>
<td class="num">${h(formatMs(m.avgMs))}</td>
<td class="num">${h(formatMs(m.p95Ms))}</td>
<td class="nowrap"><span class="badge ${m.lastStatus}">${h(m.lastStatus)}</span><div class="sub">${h(formatAgo(m.lastAt, b.generatedAt))}</div></td>
<td class="err">${m.lastError ? `<b>${h(m.lastError.class)}</b>: ${h(m.lastError.message)}<div class="sub">${h(formatAgo(m.lastError.at, b.generatedAt))}</div>` : '<span class="sub">—</span>'}</td>
</tr>`,
    )
    .join('\n');
  return `<section id="monitors">${head}<div class="panel table-scroll"><table>
<thead><tr><th>Monitor</th><th>Kind</th><th>Location</th><th class="num">Runs</th><th class="num">Success</th><th class="num">Avg</th><th class="num">p95</th><th>Last run</th><th>Last error</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}

/** Incidents (src/incidents): probable cause or "no change explains this", evidence, timeline, hints. */
function incidentsHtml(b: HealthBoard, t: Clock): string {
  if (b.incidents.length === 0) return '';
  const items = b.incidents
    .map((i) => {
      const cause = i.probable
        ? `<p><strong>Probable cause:</strong> ${h(i.probable.kind.replace('_', ' '))} <span class="mono">${h(i.probable.ref)}</span> (score ${i.probable.score}) — ${h(i.probable.evidence)}</p>`
        : '<p><strong>No change explains this.</strong></p>';
      const list = (title: string, xs: string[]) => (xs.length ? `<div class="sub">${h(title)}</div><ul>${xs.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : '');
      return `<div class="panel"><h3>${i.status === 'open' ? 'Open' : 'Resolved'}: ${i.monitors.map((id) => monitorTitle(b.names[id] ?? id, id, 'span')).join(', ')} <span class="sub">since ${h(t.instant(i.startedAt))} · ${h(i.locations.join(', '))}</span></h3>
${cause}
${list('Evidence', i.evidence.map((e) => e.text))}
${list('Timeline', i.timeline.map((e) => `${t.instant(e.at)} ${e.text}`))}
${list('What to do', i.hints)}</div>`;
    })
    .join('\n');
  return `<section id="incidents"><h2>Incidents <span class="count">${b.incidents.filter((i) => i.status === 'open').length} open</span></h2>${items}</section>`;
}

/** Every deploy marker of the window, newest first (the charts draw each one). */
function deploysHtml(deploys: readonly DeployMarker[], b: HealthBoard, t: Clock): string {
  const head = `<h2>Recent deploys${deploys.length ? ` <span class="count">${deploys.length}</span>` : ''}</h2>`;
  if (deploys.length === 0) return `<section id="deploys">${head}<p class="empty">No deploys in the window.</p></section>`;
  const rows = deploys
    .map(
      (d) => `<tr><td class="nowrap">${h(t.instant(d.at))}<div class="sub">${h(formatAgo(d.at, b.generatedAt))}</div></td>
<td class="mono">${h(d.version ?? '—')}</td><td>${h(d.environment)}</td><td>${h(d.description ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<section id="deploys">${head}<div class="panel table-scroll"><table>
<thead><tr><th>When</th><th>Version</th><th>Environment</th><th>Description</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}

function fmtVital(unit: 'ms' | 'score', v: number): string {
  return unit === 'ms' ? formatMs(v) : String(Math.round(v * 1000) / 1000);
}

/** Web vitals per journey and location: per vital a trend with a line per step over the rating bands. */
function vitalsHtml(groups: readonly VitalsGroup[]): string {
  if (groups.length === 0) return '';
  const cards = groups
    .map((g) => {
      const legend = g.steps.map((s, i) => `<span><i style="background:${SERIES_COLORS[i % SERIES_COLORS.length]}"></i>${h(s)}</span>`).join('');
      const metrics = g.metrics
        .map(
          (m) => `<div class="vital" data-vital="${m.key}"><div class="vital-head"><b title="${h(m.title)}">${h(m.label)}</b> <span class="sub">good ≤ ${h(fmtVital(m.unit, m.good))} · poor &gt; ${h(fmtVital(m.unit, m.poor))}</span></div>
<div class="plot mini" id="${h(g.id)}-${m.key}" role="img" aria-label="${h(`${m.title} of ${g.name} at ${g.location}, per step`)}"></div></div>`,
        )
        .join('\n');
      // The newest value of each vital per step, rated.
      const head = g.metrics.map((m) => `<th class="num" title="${h(m.title)}">${h(m.label)}</th>`).join('');
      const rows = g.steps
        .map((step, i) => {
          const cells = g.metrics
            .map((m) => {
              const k = m.series.findIndex((s) => s.index === i);
              const v = k >= 0 ? m.latest[k] : null;
              if (v === null) return `<td class="num" data-vital="${m.key}"><span class="sub">—</span></td>`;
              const rating = vitalRating(m, v);
              return `<td class="num r-${rating}" data-vital="${m.key}">${h(fmtVital(m.unit, v))} <small>${rating === 'needs-improvement' ? 'needs impr.' : rating}</small></td>`;
            })
            .join('');
          return `<tr><td><i style="background:${SERIES_COLORS[i % SERIES_COLORS.length]}"></i>${h(step)}</td>${cells}</tr>`;
        })
        .join('');
      const latest = `<div class="table-scroll"><table class="vitals-latest"><thead><tr><th>Latest run</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
      return `<article class="vitals-card" id="${h(g.id)}"${filterAttrs(g.monitor, [g.location], g.tags)}>
<header><h3>${monitorTitle(g.name, g.monitor, 'span')} <span class="sub">· ${h(g.location)} · ${g.x.length} run${g.x.length === 1 ? '' : 's'}</span></h3><div class="step-legend">${legend}</div></header>
<div class="vitals">${metrics}</div>
${latest}</article>`;
    })
    .join('\n');
  return `<section id="vitals"><h2>Web vitals per journey step</h2><p class="legend-key"><span class="k-good">good</span><span class="k-ni">needs improvement</span><span class="k-poor">poor</span><small>thresholds from web.dev; a step's value is its first navigation that measured it</small></p><div class="vitals-grid">${cards}</div></section>`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The newest run of each journey and location: its network per step and the console errors it saw. */
function latestJourneysHtml(history: readonly MonitorResult[], now: string, t: Clock, scrub: (text: string) => string): string {
  const latest = new Map<string, MonitorResult>();
  for (const r of history) {
    if (r.kind !== 'journey') continue;
    const key = `${r.monitor}\u0000${r.location}`;
    const seen = latest.get(key);
    if (!seen || r.startedAt >= seen.startedAt) latest.set(key, r);
  }
  if (latest.size === 0) return '';
  const runs = [...latest.values()].sort((a, b) => cmpText(a.name, b.name) || cmp(a.location, b.location));
  const cards = runs
    .map((r) => {
      const steps = r.steps.filter((s) => s.network);
      const total = steps.reduce((acc, s) => ({ requests: acc.requests + s.network!.requests, failed: acc.failed + s.network!.failedRequests, bytes: acc.bytes + s.network!.bytes }), { requests: 0, failed: 0, bytes: 0 });
      const rows = steps
        .map((s) => {
          const n = s.network!;
          const slowest = n.slowestUrl ? `<span class="url" title="${h(scrub(n.slowestUrl))}">${h(shortUrl(scrub(n.slowestUrl)))}</span> <span class="sub">${h(formatMs(n.slowestMs ?? null))}</span>` : '<span class="sub">—</span>';
          return `<tr><td>${h(s.name)}</td><td class="num">${n.requests}</td><td class="num${n.failedRequests ? ' bad' : ''}">${n.failedRequests}</td><td class="num">${h(formatBytes(n.bytes))}</td><td class="slowest">${slowest}</td></tr>`;
        })
        .join('');
      const table = steps.length
        ? `<div class="table-scroll"><table class="network per-step"><thead><tr><th>Step</th><th class="num">Requests</th><th class="num">Failed</th><th class="num">Bytes</th><th>Slowest request</th></tr></thead><tbody>${rows}</tbody>
<tfoot><tr><td>whole journey</td><td class="num">${total.requests}</td><td class="num${total.failed ? ' bad' : ''}">${total.failed}</td><td class="num">${h(formatBytes(total.bytes))}</td><td></td></tr></tfoot></table></div>`
        : '<p class="sub">No network data recorded.</p>';
      // The journey's slowest requests and its traffic per host: top-level steps hold their children's
      // requests and never share one, so their lists add up without counting a request twice.
      const slow: { step: string; url: string; ms: number; status?: number }[] = [];
      for (const s of steps) {
        const n = s.network!;
        const list = n.slowest ?? (n.slowestUrl && n.slowestMs !== undefined ? [{ url: n.slowestUrl, ms: n.slowestMs }] : []);
        for (const q of list) slow.push({ step: s.name, ...q });
      }
      const slowest = slow.sort((a, b) => b.ms - a.ms).slice(0, MAX_SLOWEST_REQUESTS);
      const hosts = new Map<string, { requests: number; failed: number; bytes: number }>();
      for (const s of steps) {
        for (const x of s.network!.hosts ?? []) {
          const e = hosts.get(x.host) ?? { requests: 0, failed: 0, bytes: 0 };
          e.requests += x.requests;
          e.failed += x.failedRequests;
          e.bytes += x.bytes;
          hosts.set(x.host, e);
        }
      }
      const slowHtml = slowest.length
        ? `<div class="net-block slow"><div class="sub">Slowest requests</div><ol>${slowest
            .map((q) => `<li><span class="num">${h(formatMs(q.ms))}</span>${q.status !== undefined ? ` <span class="badge ${q.status >= 400 ? 'failed' : 'tag'}">${q.status}</span>` : ''} <span class="url" title="${h(scrub(q.url))}">${h(shortUrl(scrub(q.url)))}</span> <span class="sub">${h(q.step)}</span></li>`)
            .join('')}</ol></div>`
        : '';
      const hostHtml = hosts.size
        ? `<div class="net-block hosts"><div class="sub">Per host</div><div class="table-scroll"><table class="network per-host"><thead><tr><th>Host</th><th class="num">Requests</th><th class="num">Failed</th><th class="num">Bytes</th></tr></thead><tbody>${[...hosts]
            .sort((a, b) => b[1].requests - a[1].requests || cmp(a[0], b[0]))
            .map(([host, e]) => `<tr><td class="mono">${h(host)}</td><td class="num">${e.requests}</td><td class="num${e.failed ? ' bad' : ''}">${e.failed}</td><td class="num">${h(formatBytes(e.bytes))}</td></tr>`)
            .join('')}</tbody></table></div></div>`
        : '';
      const errors: { step: string; text: string }[] = [];
      const seen = new Set<string>();
      for (const s of r.steps) {
        for (const text of s.consoleErrors ?? []) {
          if (seen.has(text)) continue;
          seen.add(text);
          errors.push({ step: s.name, text });
        }
      }
      const consoleHtml = errors.length
        ? `<div class="console"><div class="sub">Console errors (${errors.length})</div><ul>${errors.map((e) => `<li><span class="sub">${h(e.step)}:</span> <code>${h(scrub(e.text))}</code></li>`).join('')}</ul></div>`
        : '<div class="console sub">No console errors.</div>';
      return `<article class="latest-run panel"${filterAttrs(r.monitor, [r.location], r.tags)}>
<header><h3>${monitorTitle(r.name, r.monitor, 'span')} <span class="sub">· ${h(r.location)}</span></h3><div><span class="badge ${h(r.status)}">${h(r.status)}</span> <span class="sub">${h(t.instant(r.startedAt))} (${h(formatAgo(r.startedAt, now))})</span></div></header>
${table}
${slowHtml || hostHtml ? `<div class="net-blocks">${slowHtml}${hostHtml}</div>` : ''}
${consoleHtml}
</article>`;
    })
    .join('\n');
  return `<section id="latest-journeys"><h2>Latest journey runs: network and console</h2><div class="latest-grid">${cards}</div></section>`;
}

/** `https://shop.example/api/cart?x=1` → `shop.example/api/cart?x=1` (the scheme is noise in a narrow column). */
function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}${u.search}`;
  } catch (_) {
    return url;
  }
}
