/**
 * The status page as one self-contained HTML document (no script, no external asset): overall
 * banner, maintenance, open incidents, groups of monitors with 90 daily uptime bars, past
 * incidents. Light and dark follow prefers-color-scheme; the layout flows from a 360 px phone (the
 * last 30 bars) to a 1920 px wall screen (groups side by side from the top, maintenance and
 * incidents in a column on the right, larger type). Every text is
 * redacted, then escaped.
 */
import { h, styleSource } from '../reporters/html-escape.js';
import { formatInstant } from '../reporters/format.js';
import { formatDurationMs } from '../model/duration.js';
import type { DayBar, GroupStatus, MonitorState, MonitorStatus, PageIncident, PageMaintenance, StatusSnapshot } from './snapshot.js';
import { formatUptime, total, UPTIME_WINDOW_NAMES } from './uptime.js';

export interface StatusPageRenderOptions {
  /** Applied to every text before escaping. */
  redact?: (text: string) => string;
  /** `<meta http-equiv="refresh">` after this many seconds (a wall screen stays current); none when absent. */
  refreshSeconds?: number;
  /** Where the badges are, relative to the page (`badge` for the static copy, `/badge` when served). */
  badgeBase?: string;
}

const STATE_TEXT: Record<MonitorState, string> = { up: 'Operational', degraded: 'Degraded', down: 'Down', maintenance: 'Maintenance', unknown: 'No data' };
const UPDATE_TEXT: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

export function renderStatusPage(s: StatusSnapshot, opts: StatusPageRenderOptions = {}): string {
  const redact = opts.redact ?? ((x: string) => x);
  const t = (x: string | null | undefined): string => h(x === null || x === undefined ? '' : redact(x));
  const open = s.incidents.filter((i) => i.resolvedAt === null);
  const past = s.incidents.filter((i) => i.resolvedAt !== null);
  const badgeBase = opts.badgeBase ?? 'badge';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${opts.refreshSeconds ? `<meta http-equiv="refresh" content="${Math.max(5, Math.floor(opts.refreshSeconds))}">\n` : ''}<title>${t(s.title)}: ${h(s.overall.text)}</title>
<style>${styleSource(STATUS_CSS)}</style>
</head>
<body>
<header class="top"><div class="wrap">
<h1>${t(s.title)}</h1>
${s.description ? `<p class="desc">${t(s.description)}</p>` : ''}
<div class="banner o-${h(s.overall.state)}" role="status"><span class="dot" aria-hidden="true"></span>${h(s.overall.text)}</div>
<p class="meta">Updated <time datetime="${h(s.generatedAt)}">${h(formatInstant(s.generatedAt))}</time>${s.environment ? ` · environment <b>${t(s.environment)}</b>` : ''}</p>
</div></header>
<main class="wrap">
${s.maintenance.length ? `<section class="s-maint" aria-labelledby="maint-h"><h2 id="maint-h">Maintenance</h2>${s.maintenance.map((m) => maintenanceHtml(m, t)).join('')}</section>` : ''}
${open.length ? `<section class="s-open" aria-labelledby="open-h"><h2 id="open-h">Ongoing incidents</h2>${open.map((i) => incidentHtml(i, t)).join('')}</section>` : ''}
<section class="s-groups" aria-labelledby="groups-h"><h2 id="groups-h" class="sr">Monitors</h2>
<div class="groups">${s.groups.map((g) => groupHtml(g, t)).join('')}</div>
<p class="legend"><span class="bar b-ok"></span> at or above target <span class="bar b-minor"></span> below target <span class="bar b-warn"></span> under 99% <span class="bar b-bad"></span> under 95% <span class="bar b-maint"></span> maintenance <span class="bar b-none"></span> no runs. Uptime is the share of runs that were up (degraded counts as up); runs in maintenance windows are not counted. Days are UTC.</p>
</section>
<section class="s-past" aria-labelledby="past-h"><h2 id="past-h">Past incidents <span class="muted">(14 days)</span></h2>
${past.length ? past.map((i) => incidentHtml(i, t)).join('') : '<p class="empty">No incidents in the last 14 days.</p>'}
</section>
</main>
<footer class="wrap"><p>Badges: <code>${h(badgeBase)}/&lt;id&gt;/status.svg</code>, <code>${h(badgeBase)}/&lt;id&gt;/uptime.svg</code> (30 days${badgeBase.startsWith('/') ? '; <code>?window=24h|7d|30d|90d</code>' : '; <code>uptime-24h.svg</code>, <code>uptime-7d.svg</code>, <code>uptime-90d.svg</code>'}) for ${s.groups.map((g) => `<code>${t(g.id)}</code>`).join(', ')} and every monitor id. production-observer.</p></footer>
</body>
</html>
`;
}

type Text = (x: string | null | undefined) => string;

function groupHtml(g: GroupStatus, t: Text): string {
  return `<article class="group" id="group-${t(g.id)}">
<header class="ghead"><h3>${t(g.name)}</h3>${pill(g.state)}<span class="u90" title="mean uptime of its monitors over 90 days">${h(formatUptime(g.uptime['90d']))}</span></header>
<ul class="monitors">${g.monitors.map((m) => monitorHtml(m, t)).join('')}</ul>
</article>`;
}

function monitorHtml(m: MonitorStatus, t: Text): string {
  const windows = UPTIME_WINDOW_NAMES.map((w) => `<div><dt>${h(w)}</dt><dd>${h(formatUptime(m.uptime[w]))}</dd></div>`).join('');
  return `<li class="monitor" id="monitor-${t(m.id)}">
<div class="mrow"><span class="mname">${t(m.name)}</span>${pill(m.state)}</div>
${m.lastError ? `<p class="err">${t(m.lastError)}</p>` : ''}
<div class="bars" role="img" aria-label="${t(m.name)}: daily uptime over 90 days, ${h(formatUptime(m.uptime['90d']))}">${m.days.map((d) => barHtml(d, m.slo)).join('')}</div>
<div class="axis"><span><span class="d90">90 days ago</span><span class="d30">30 days ago</span></span><span>${h(formatUptime(m.uptime['90d']))} over 90 days${m.slo !== undefined ? ` · target ${h(m.slo)}%` : ''}</span><span>today</span></div>
<dl class="windows">${windows}</dl>
</li>`;
}

/** Bar colour by the day's uptime against the target (99.9 without one). */
export function barClass(d: DayBar, slo: number | undefined): string {
  if (d.uptimePct === null) return d.maintenance ? 'b-maint' : 'b-none';
  if (d.uptimePct >= (slo ?? 99.9)) return 'b-ok';
  if (d.uptimePct >= 99) return 'b-minor';
  if (d.uptimePct >= 95) return 'b-warn';
  return 'b-bad';
}

function barHtml(d: DayBar, slo: number | undefined): string {
  const n = total(d.counts);
  const detail = n === 0 ? 'no runs' : `${formatUptime(d.uptimePct)} up: ${n} run${n === 1 ? '' : 's'}, ${d.counts.failed} failed, ${d.counts.degraded} degraded`;
  return `<span class="bar ${barClass(d, slo)}" title="${h(`${d.day}: ${detail}${d.maintenance ? ' (maintenance)' : ''}`)}"></span>`;
}

function pill(state: MonitorState): string {
  return `<span class="pill s-${h(state)}">${h(STATE_TEXT[state])}</span>`;
}

function maintenanceHtml(m: PageMaintenance, t: Text): string {
  return `<div class="card maint${m.active ? ' active' : ''}"><p class="when"><b>${m.active ? 'In progress' : 'Scheduled'}</b> ${h(formatInstant(m.start))} – ${h(formatInstant(m.end))}</p>
${m.message ? `<p>${t(m.message)}</p>` : ''}<p class="muted">Affects ${m.monitors.map((x) => t(x)).join(', ')}</p></div>`;
}

function incidentHtml(i: PageIncident, t: Text): string {
  const span = i.resolvedAt ? ` · lasted ${h(formatDurationMs(Date.parse(i.resolvedAt) - Date.parse(i.startedAt)))}` : '';
  return `<article class="card incident${i.resolvedAt ? '' : ' open'}" id="incident-${t(i.id)}">
<h3>${t(i.title)} <span class="tag u-${h(i.status)}">${h(UPDATE_TEXT[i.status] ?? i.status)}</span>${i.source === 'detected' ? ' <span class="tag">detected</span>' : ''}</h3>
<p class="muted">Started ${h(formatInstant(i.startedAt))}${span}${i.monitors.length ? ` · ${i.monitors.map((x) => t(x)).join(', ')}` : ''}</p>
<ol class="updates">${i.updates.map((u) => `<li><b>${h(UPDATE_TEXT[u.status] ?? u.status)}</b> <time datetime="${h(u.at)}">${h(formatInstant(u.at))}</time><p>${t(u.message)}</p></li>`).join('')}</ol>
</article>`;
}

export const STATUS_CSS = `
:root { color-scheme: light dark;
  --bg: #f5f7fa; --panel: #ffffff; --text: #0f172a; --muted: #5b6b80; --line: #e2e8f0;
  --ok: #15803d; --ok-bg: #dcfce7; --warn: #b45309; --warn-bg: #fef3c7; --bad: #b91c1c; --bad-bg: #fee2e2;
  --info: #1d4ed8; --info-bg: #dbeafe; --na: #64748b; --na-bg: #eef2f6;
  --b-ok: #22c55e; --b-minor: #a3d977; --b-warn: #f59e0b; --b-bad: #ef4444; --b-maint: #60a5fa; --b-none: #d5dbe3; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #0b1220; --panel: #121b2d; --text: #e5ecf5; --muted: #93a3b8; --line: #24314a;
  --ok: #4ade80; --ok-bg: #12351f; --warn: #fbbf24; --warn-bg: #3a2a09; --bad: #f87171; --bad-bg: #3d1515;
  --info: #93c5fd; --info-bg: #16284a; --na: #94a3b8; --na-bg: #1e293b;
  --b-ok: #22c55e; --b-minor: #86c35a; --b-warn: #f59e0b; --b-bad: #ef4444; --b-maint: #3b82f6; --b-none: #2a3850; } }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.wrap { max-width: 1080px; margin: 0 auto; padding: 0 16px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.muted { color: var(--muted); font-weight: 400; }
header.top { background: var(--panel); border-bottom: 1px solid var(--line); }
header.top .wrap { padding-top: 20px; padding-bottom: 18px; }
h1 { margin: 0 0 4px; font-size: 26px; font-weight: 700; }
.desc { margin: 0 0 12px; color: var(--muted); }
.banner { display: flex; align-items: center; gap: 12px; font-size: 19px; font-weight: 650; padding: 14px 18px; border-radius: 10px; margin-top: 10px; background: var(--na-bg); color: var(--na); }
.banner .dot { width: 14px; height: 14px; border-radius: 50%; background: currentColor; flex: none; }
.o-operational { background: var(--ok-bg); color: var(--ok); }
.o-degraded { background: var(--warn-bg); color: var(--warn); }
.o-partial_outage, .o-major_outage { background: var(--bad-bg); color: var(--bad); }
.o-maintenance { background: var(--info-bg); color: var(--info); }
.meta { color: var(--muted); margin: 10px 0 0; font-size: 13px; }
main { padding-bottom: 24px; }
section { margin-top: 24px; }
h2 { font-size: 18px; margin: 0 0 10px; }
h3 { font-size: 16px; margin: 0; }
.groups { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; align-items: start; }
.group { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px 6px; min-width: 0; }
.ghead { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; padding-bottom: 10px; border-bottom: 1px solid var(--line); }
.ghead h3 { flex: 1 1 auto; min-width: 0; }
.u90 { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 13px; }
.monitors { list-style: none; margin: 0; padding: 0; }
.monitor { padding: 12px 0; border-bottom: 1px solid var(--line); min-width: 0; }
.monitor:last-child { border-bottom: 0; }
.mrow { display: flex; align-items: center; justify-content: space-between; gap: 10px; }
.mname { font-weight: 600; min-width: 0; }
.pill { display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 650; white-space: nowrap; background: var(--na-bg); color: var(--na); }
.pill::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
.s-up { background: var(--ok-bg); color: var(--ok); } .s-degraded { background: var(--warn-bg); color: var(--warn); }
.s-down { background: var(--bad-bg); color: var(--bad); } .s-maintenance { background: var(--info-bg); color: var(--info); }
.err { margin: 6px 0 0; color: var(--bad); font-size: 13px; }
.bars { display: grid; grid-template-columns: repeat(90, minmax(0, 1fr)); gap: 2px; height: 32px; margin-top: 10px; }
.bar { display: inline-block; border-radius: 2px; min-width: 0; height: 100%; background: var(--b-none); }
.b-ok { background: var(--b-ok); } .b-minor { background: var(--b-minor); } .b-warn { background: var(--b-warn); }
.b-bad { background: var(--b-bad); } .b-maint { background: var(--b-maint); } .b-none { background: var(--b-none); }
.bar:hover { opacity: .7; }
.axis { display: flex; justify-content: space-between; gap: 8px; color: var(--muted); font-size: 12px; margin-top: 4px; }
.axis > span:nth-child(2) { text-align: center; }
.d30 { display: none; }
.windows { display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 6px 0 0; font-size: 13px; }
.windows div { display: flex; gap: 6px; } .windows dt { color: var(--muted); } .windows dd { margin: 0; font-variant-numeric: tabular-nums; font-weight: 600; }
.legend { color: var(--muted); font-size: 12.5px; margin: 12px 0 0; }
.legend .bar { width: 10px; height: 10px; vertical-align: -1px; margin-left: 6px; }
.card { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--na); border-radius: 10px; padding: 12px 16px; margin-bottom: 12px; }
.card p { margin: 4px 0; }
.card.open { border-left-color: var(--bad); } .card.maint { border-left-color: var(--info); }
.tag { display: inline-block; font-size: 11.5px; font-weight: 650; padding: 1px 8px; border-radius: 999px; background: var(--na-bg); color: var(--na); vertical-align: 2px; }
.u-investigating, .u-identified { background: var(--bad-bg); color: var(--bad); } .u-monitoring { background: var(--warn-bg); color: var(--warn); } .u-resolved { background: var(--ok-bg); color: var(--ok); }
.updates { list-style: none; margin: 8px 0 0; padding: 0 0 0 12px; border-left: 2px solid var(--line); }
.updates li { margin: 0 0 8px; font-size: 14px; } .updates time { color: var(--muted); font-size: 12.5px; margin-left: 6px; }
.empty { color: var(--muted); border: 1px dashed var(--line); border-radius: 10px; padding: 12px 16px; margin: 0; }
footer { color: var(--muted); font-size: 12.5px; padding-bottom: 28px; }
@media (max-width: 640px) {
  h1 { font-size: 22px; } .banner { font-size: 17px; padding: 12px 14px; }
  .bars { grid-template-columns: repeat(30, minmax(0, 1fr)); }
  .bars .bar:nth-child(-n+60) { display: none; }
  .d90 { display: none; } .d30 { display: inline; }
  .axis > span:nth-child(2) { display: none; }
}
@media (min-width: 1500px) {
  body { font-size: 17px; }
  .wrap { max-width: none; padding: 0 40px; }
  h1 { font-size: 34px; } .banner { font-size: 24px; } h3 { font-size: 19px; }
  /* The wall: monitors take the left 70% from the top; maintenance and incidents run down the right. */
  main.wrap { display: grid; grid-template-columns: minmax(0, 7fr) minmax(0, 3fr); column-gap: 32px; align-items: start;
    grid-template-areas: "groups maint" "groups open" "groups past"; grid-template-rows: auto auto 1fr; }
  .s-groups { grid-area: groups; } .s-maint { grid-area: maint; } .s-open { grid-area: open; } .s-past { grid-area: past; }
  .groups { grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); }
  .bars { height: 40px; }
}
`;
