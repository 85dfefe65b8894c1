/**
 * The test-gaps section of `index.html`: a heat map of risk (one tile per documented operation,
 * red by risk = traffic share × (1 − coverage)), then the missing and inadequate tests. It is read
 * from `gaps.json` (written by `observer gaps`), so a later run's board keeps it; `observer gaps`
 * also replaces the section in an existing index.html between the two markers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { GapsReport } from '../gaps/analyze.js';
import { formatInstant, formatPct } from './format.js';
import { h } from './html-escape.js';

export const GAPS_BEGIN = '<!-- observer:gaps -->';
export const GAPS_END = '<!-- /observer:gaps -->';
const MAX_TILES = 200;

const LEVEL_TEXT = { none: 'no coverage', journey: 'reached by a journey', status: 'checked for status', asserted: 'schema/body asserted' } as const;

/** `gaps.json` of the reports folder, when `observer gaps` wrote one (unreadable or foreign: none). */
export async function readGapsReport(outDir: string): Promise<GapsReport | undefined> {
  try {
    const r = JSON.parse(await readFile(path.join(outDir, 'gaps.json'), 'utf8')) as GapsReport;
    return r && r.version === 1 && Array.isArray(r.operations) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The whole section, markers included (an empty string for no report). */
export function gapsSectionHtml(r: GapsReport | undefined): string {
  if (!r) return '';
  const maxRisk = Math.max(...r.operations.map((o) => o.risk), 0);
  const tiles = r.operations.slice(0, MAX_TILES).map((o) => {
    // Red by risk relative to the highest; covered operations with traffic are green.
    const heat = maxRisk > 0 ? o.risk / maxRisk : 0;
    const bg = o.requests === 0 ? '#eef0f3' : heat > 0 ? `rgba(220, 38, 38, ${(0.15 + 0.85 * heat).toFixed(2)})` : 'rgba(22, 163, 74, 0.25)';
    const fg = heat > 0.55 ? '#fff' : '#111';
    const title = `${o.key}: ${formatPct(o.share)} of traffic (${o.requests}), ${LEVEL_TEXT[o.level]}, risk ${o.risk.toFixed(3)}${o.errors5xx ? `, ${o.errors5xx} × 5xx` : ''}`;
    return `<div class="gaps-tile" data-risk="${o.risk.toFixed(4)}" title="${h(title)}" style="background:${bg};color:${fg}"><b>${h(o.key)}</b><span>${h(formatPct(o.share))} · ${h(LEVEL_TEXT[o.level])} · risk ${h(o.risk.toFixed(3))}</span></div>`;
  });
  const missing = r.missing.map((k) => r.operations.find((o) => o.key === k)).filter((o) => o !== undefined);
  const list = (items: string[], empty: string) => (items.length ? `<ul>${items.join('')}</ul>` : `<p class="gaps-empty">${h(empty)}</p>`);
  return `${GAPS_BEGIN}
<section id="gaps" class="gaps">
<style>.gaps-map{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:6px;margin:8px 0 14px}.gaps-tile{border-radius:6px;padding:8px;font-size:12px;line-height:1.35;overflow-wrap:anywhere}.gaps-tile b{display:block;font-size:12.5px}.gaps-empty{color:#555}</style>
<h2>Test gaps</h2>
<p>${h(r.openapi.title)} ${h(r.openapi.version)}: ${r.openapi.operations} documented operations, ${r.usage.requests} production requests${r.usage.firstAt ? ` (${h(formatInstant(r.usage.firstAt))} to ${h(formatInstant(r.usage.lastAt))})` : ''}, checks and journeys over ${h(r.window)}. Risk = traffic share × (1 − coverage); darker red is riskier, green is covered, grey is never called.${r.usage.malformed ? ` ${r.usage.malformed} log line(s) did not parse.` : ''}</p>
<div class="gaps-map">${tiles.join('')}</div>
<h3>Missing tests</h3>
${list(missing.map((o) => `<li><b>${h(o.key)}</b>: ${h(formatPct(o.share))} of traffic (${o.requests} requests${o.errors5xx ? `, ${o.errors5xx} × 5xx` : ''}), risk ${h(o.risk.toFixed(3))}</li>`), 'Every operation production calls is covered.')}
<h3>Inadequate tests</h3>
${list(r.inadequate.map((t) => `<li><b>${h(t.key)}</b>: ${h(t.errors.join('; '))}; add: ${h(t.add.join('; '))}</li>`), 'No production error on a covered operation went uncaught.')}
<h3>New scenarios</h3>
${list(r.newScenarios.map((n) => `<li>${h(n.kind === 'error' ? `${n.status} on ${n.key}` : `route ${n.key}`)}${n.documented ? '' : ' (undocumented)'}: ${n.count} time(s), first seen ${h(formatInstant(n.firstSeenAt))}</li>`), 'Nothing new that no monitor exercises.')}
<h3>Undocumented routes</h3>
${list(r.undocumented.map((d) => `<li>${h(d.key)}: ${d.requests} request(s), e.g. <code>${h(d.example)}</code></li>`), 'Every request matched a documented operation.')}
<p class="gaps-empty">Full lists: gaps.md and gaps.json next to this file.</p>
</section>
${GAPS_END}`;
}

/** `html` with its gaps section replaced (or inserted before `</main>`, else before `</body>`). */
export function withGapsSection(html: string, section: string): string {
  const a = html.indexOf(GAPS_BEGIN);
  const b = html.indexOf(GAPS_END);
  if (a >= 0 && b > a) return html.slice(0, a) + section + html.slice(b + GAPS_END.length);
  const at = html.lastIndexOf('</main>') >= 0 ? html.lastIndexOf('</main>') : html.lastIndexOf('</body>');
  return at >= 0 ? `${html.slice(0, at)}${section}\n${html.slice(at)}` : html + section;
}

/** A minimal self-contained page for the section when there is no index.html yet. */
export function gapsOnlyPage(section: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>Test gaps · production-observer</title>
</head>
<body style="font-family:system-ui,sans-serif;margin:24px">
<main>
${section}
</main>
</body>
</html>
`;
}
