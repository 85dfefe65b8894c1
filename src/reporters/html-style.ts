/**
 * The html report's stylesheet (inlined after uPlot's). Dense, status colors from one palette;
 * light or dark after the system (prefers-color-scheme); fluid from a 360-pixel phone to a wall
 * screen (no fixed width: wide screens get more columns).
 */
export const REPORT_CSS = `
:root {
  --bg: #f5f7fa; --panel: #ffffff; --text: #0f172a; --muted: #64748b; --line: #e5e9f0; --line-soft: #f1f4f8;
  --ok: #15803d; --ok-bg: #dcfce7; --warn: #b45309; --warn-bg: #fef3c7; --bad: #b91c1c; --bad-bg: #fee2e2;
  --info: #1d4ed8; --info-bg: #dbeafe; --na: #64748b; --na-bg: #f1f5f9; --accent: #2563eb; --deploy: #7c3aed;
  --grid: #eef1f5; --label-bg: rgba(255, 255, 255, 0.85); --th-bg: #f8fafc; --hover: #fafbfd; --err: #7f1d1d; --nav-bg: rgba(245,247,250,.94);
  --kind-bg: #eef2ff; --kind: #4338ca; --tag: #334155; --input: #cbd5e1;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b1120; --panel: #111827; --text: #e5e7eb; --muted: #94a3b8; --line: #1f2937; --line-soft: #1a2332;
    --ok: #4ade80; --ok-bg: #14532d; --warn: #fbbf24; --warn-bg: #451a03; --bad: #f87171; --bad-bg: #450a0a;
    --info: #93c5fd; --info-bg: #1e3a8a; --na: #94a3b8; --na-bg: #1e293b; --accent: #60a5fa; --deploy: #a78bfa;
    --grid: #1f2937; --label-bg: rgba(17, 24, 39, 0.85); --th-bg: #0f172a; --hover: #162032; --err: #fca5a5; --nav-bg: rgba(11,17,32,.94);
    --kind-bg: #1e1b4b; --kind: #a5b4fc; --tag: #cbd5e1; --input: #334155;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.wrap { max-width: 3200px; margin: 0 auto; padding: 0 clamp(10px, 2vw, 32px); }
header.top { background: var(--panel); border-bottom: 1px solid var(--line); border-top: 4px solid var(--na); }
header.top.status-healthy { border-top-color: var(--ok); }
header.top.status-degraded { border-top-color: #d97706; }
header.top.status-down { border-top-color: #dc2626; }
header.top .wrap { padding-top: 18px; padding-bottom: 18px; }
.brand { color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; font-weight: 600; }
h1 { margin: 6px 0 4px; font-size: 24px; font-weight: 650; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.pill { display: inline-flex; align-items: center; gap: 8px; padding: 3px 12px 3px 10px; border-radius: 999px; font-size: 14px; font-weight: 650; text-transform: uppercase; letter-spacing: .04em; }
.pill::before { content: ""; width: 9px; height: 9px; border-radius: 50%; background: currentColor; }
.pill.healthy { color: var(--ok); background: var(--ok-bg); }
.pill.degraded { color: var(--warn); background: var(--warn-bg); }
.pill.down { color: var(--bad); background: var(--bad-bg); }
.meta { color: var(--muted); margin: 0; }
.meta b { color: var(--text); font-weight: 600; }
.reasons { margin: 10px 0 0; padding-left: 18px; }
.reasons li { margin: 2px 0; }
.counts { margin-top: 10px; display: flex; gap: 8px; flex-wrap: wrap; }
nav.filters { position: sticky; top: 0; z-index: 5; background: var(--nav-bg); backdrop-filter: blur(4px); border-bottom: 1px solid var(--line); }
nav.filters .wrap { display: flex; gap: 16px; align-items: center; padding-top: 10px; padding-bottom: 10px; flex-wrap: wrap; }
nav.filters label { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; display: flex; gap: 8px; align-items: center; }
select, button { font: inherit; font-size: 13px; color: var(--text); background: var(--panel); border: 1px solid var(--input); border-radius: 6px; padding: 5px 8px; }
select { min-width: 0; max-width: 100%; }
nav.filters label { min-width: 0; max-width: 100%; }
button { cursor: pointer; }
button:hover { background: var(--line-soft); }
main { padding-bottom: 40px; }
section { margin-top: 26px; }
h2 { font-size: 16px; font-weight: 650; margin: 0 0 10px; display: flex; align-items: center; gap: 8px; }
h2 .count { font-size: 12px; font-weight: 600; color: var(--muted); background: var(--na-bg); border-radius: 999px; padding: 1px 8px; }
.hint { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.empty { color: var(--muted); background: var(--panel); border: 1px dashed var(--line); border-radius: 10px; padding: 14px 16px; margin: 0; }
.signals { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.signal { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--na); border-radius: 10px; padding: 12px 14px; }
.signal.ok { border-left-color: #16a34a; } .signal.warning { border-left-color: #d97706; } .signal.critical { border-left-color: #dc2626; }
.signal .label { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; display: flex; justify-content: space-between; align-items: flex-start; gap: 6px; }
.signal .label .badge { flex: none; }
.signal .value { font-size: 24px; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
.signal .trend { font-size: 18px; margin-left: 6px; color: var(--muted); }
.signal .base { color: var(--muted); font-size: 12px; }
.signal .note { color: var(--muted); font-size: 11.5px; margin-top: 6px; }
.spark { display: block; margin-top: 6px; } .spark polyline { fill: none; stroke: #2563eb; stroke-width: 1.5; }
.spark .band { fill: #16a34a22; } .spark .anomaly { fill: #dc2626; } .spark .finding { fill: none; stroke: #dc2626; stroke-width: 1.5; } .spark .finding.warning { stroke: #d97706; } .spark .finding.info { stroke: #2563eb; } .spark .deploy { stroke: #7c3aed; stroke-dasharray: 3 2; }
#system .service { margin-bottom: 16px; } #system .sources .badge { margin-right: 6px; } #system table.routes { margin-top: 8px; font-size: 12.5px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.table-scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 11.5px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; background: var(--th-bg); border-bottom: 1px solid var(--line); padding: 9px 12px; white-space: nowrap; }
td { padding: 9px 12px; border-bottom: 1px solid var(--line-soft); vertical-align: top; }
tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: var(--hover); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.err { color: var(--err); max-width: 420px; overflow-wrap: anywhere; }
.sub { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; font-size: 11.5px; font-weight: 600; padding: 1px 8px; border-radius: 999px; white-space: nowrap; background: var(--na-bg); color: var(--na); }
.badge.passed, .badge.ok, .badge.healthy { background: var(--ok-bg); color: var(--ok); }
.badge.degraded, .badge.warning { background: var(--warn-bg); color: var(--warn); }
.badge.failed, .badge.critical, .badge.down { background: var(--bad-bg); color: var(--bad); }
.badge.info { background: var(--info-bg); color: var(--info); }
.badge.kind { background: var(--kind-bg); color: var(--kind); }
.badge.tag { background: var(--line-soft); color: var(--tag); font-weight: 500; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 14px; }
.mid { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; font-weight: 500; }
#monitors td .mid, #anomalies td .mid { display: block; }
.chart-card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px 8px; min-width: 0; }
.chart-card header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; margin-bottom: 6px; }
.chart-card h3 { font-size: 14px; margin: 0; font-weight: 650; overflow-wrap: anywhere; }
.chart-card .plot { width: 100%; min-height: 230px; }
.chart-card { position: relative; }
/* Over the top of the plot, so hovering never moves the layout. */
.marker-note { position: absolute; left: 84px; right: 18px; top: 42px; z-index: 3; pointer-events: none; font-size: 12px; background: var(--warn-bg); border: 1px solid var(--warn); color: var(--text); border-radius: 6px; padding: 4px 8px; box-shadow: 0 2px 6px rgba(15, 23, 42, .08); }
.legend-key small { font-size: 12px; }
.legend-key { display: flex; gap: 16px; flex-wrap: wrap; color: var(--muted); font-size: 12px; margin: 0 0 10px; }
.legend-key span::before { content: ""; display: inline-block; width: 14px; height: 0; border-top: 2px dashed; vertical-align: middle; margin-right: 6px; }
.legend-key .k-max::before { border-color: #dc2626; } .legend-key .k-deg::before { border-color: #d97706; } .legend-key .k-dep::before { border-color: var(--deploy); border-top-style: dotted; }
.legend-key .k-anom::before { width: 9px; height: 9px; border: 0; border-radius: 50%; background: #dc2626; }
.legend-key .k-res::before { width: 7px; height: 7px; border: 2px solid #d97706; border-radius: 50%; }
.legend-key .k-good::before, .legend-key .k-ni::before, .legend-key .k-poor::before { width: 14px; height: 10px; border: 0; border-radius: 2px; }
.legend-key .k-good::before { background: rgba(22, 163, 74, 0.3); } .legend-key .k-ni::before { background: rgba(217, 119, 6, 0.3); } .legend-key .k-poor::before { background: rgba(220, 38, 38, 0.3); }
.legend-key .k-fail::before { width: 0; height: 0; border: 0; border-left: 5px solid transparent; border-right: 5px solid transparent; border-bottom: 9px solid #dc2626; }
.failures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 14px; }
.failure { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid #dc2626; border-radius: 10px; padding: 12px 14px; display: flex; gap: 14px; min-width: 0; flex-wrap: wrap; }
.failure.recovered { border-left-color: #16a34a; opacity: .82; }
.failure .state { margin: 2px 0 4px; }
.failure .shot { max-width: 100%; }
.failure .shot img { max-width: 100%; width: 180px; height: 112px; object-fit: cover; object-position: top; border: 1px solid var(--line); border-radius: 6px; display: block; }
.failure .body { min-width: 0; flex: 1; }
.failure h3 { margin: 0 0 4px; font-size: 14px; overflow-wrap: anywhere; }
.failure .msg { color: var(--err); overflow-wrap: anywhere; margin: 6px 0; }
.failure code { display: block; background: #0f172a; color: #e2e8f0; border: 1px solid var(--line); padding: 6px 8px; border-radius: 6px; margin-top: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 12px; padding: 18px 0 30px; border-top: 1px solid var(--line); }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; text-align: left; }
.u-legend .u-marker { border-radius: 2px; }
.u-legend th { text-transform: none; letter-spacing: 0; background: none; border: 0; padding: 2px 4px; font-weight: 600; color: var(--text); }
.u-legend td { border: 0; padding: 2px 4px; }
.u-legend tr:hover td { background: none; }
.vitals-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 1100px), 1fr)); gap: 14px; }
.vitals-card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.vitals-card header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; flex-wrap: wrap; margin-bottom: 8px; }
.vitals-card h3 { font-size: 14px; margin: 0; font-weight: 650; overflow-wrap: anywhere; }
.step-legend, .vital-latests { display: flex; gap: 4px 12px; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
.step-legend i, .vital-latest i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.vitals { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 210px), 1fr)); gap: 10px 14px; }
table.vitals-latest { font-size: 12.5px; margin-top: 8px; }
table.vitals-latest td, table.vitals-latest th { padding: 4px 8px; }
table.vitals-latest td i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
table.vitals-latest small { font-size: 10.5px; font-weight: 600; }
td.r-good small { color: var(--ok); } td.r-needs-improvement { color: var(--warn); } td.r-poor { color: var(--bad); font-weight: 650; }
.vital { min-width: 0; }
.vital-head { font-size: 12.5px; margin-bottom: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.plot.mini { width: 100%; min-height: 150px; }
.vital-latest { font-variant-numeric: tabular-nums; color: var(--text); }
.latest-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 14px; }
.latest-run { padding: 12px 14px; min-width: 0; }
.latest-run header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; flex-wrap: wrap; margin-bottom: 6px; }
.latest-run h3 { font-size: 14px; margin: 0; overflow-wrap: anywhere; }
table.network { font-size: 12.5px; }
table.network td, table.network th { padding: 5px 8px; }
table.network tfoot td { border-top: 1px solid var(--line); font-weight: 600; }
table.network td.bad { color: var(--bad); font-weight: 650; }
table.network td.slowest { max-width: 360px; }
table.network .url { display: inline-block; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; }
.net-blocks { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 380px), 1fr)); gap: 8px 16px; margin-top: 8px; }
.net-block { min-width: 0; font-size: 12.5px; }
.net-block ol { margin: 4px 0 0; padding-left: 20px; }
.net-block li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.net-block .url, table.network .url { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; }
.net-block .num { font-variant-numeric: tabular-nums; font-weight: 600; }
.console { margin-top: 8px; font-size: 12.5px; }
.console ul { margin: 4px 0 0; padding-left: 18px; }
.console code { color: var(--err); overflow-wrap: anywhere; white-space: pre-wrap; }
/* Wall screens: more of everything side by side. */
@media (min-width: 1700px) {
  .charts { grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
  #signals .signals { grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); }
}
@media (max-width: 640px) {
  h1 { font-size: 20px; }
  nav.filters { position: static; }
  nav.filters .wrap { gap: 8px; }
  nav.filters label { flex: 1 1 45%; }
  nav.filters select { flex: 1; }
  .marker-note { left: 12px; right: 12px; }
  .signals { grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); }
}
`;
