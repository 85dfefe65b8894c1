/** The gaps report as `gaps.md`: the ranked coverage map first, then each list. Pure. */
import { formatInstant, formatPct } from '../reporters/format.js';
import { mdCell } from '../reporters/markdown.js';
import type { GapsReport } from './analyze.js';

const LEVEL_TEXT = { none: 'none', journey: 'reached by a journey', status: 'checked for status', asserted: 'checked with schema/body assertions' } as const;

/** `0.312` (3 decimals; risk is a share of traffic weighted by what is not covered). */
export function formatRisk(risk: number): string {
  return risk.toFixed(3);
}

export function renderGapsMarkdown(r: GapsReport): string {
  const out: string[] = [];
  const u = r.usage;
  out.push(`# Test gaps · ${mdCell(r.openapi.title)} ${mdCell(r.openapi.version)}`, '');
  out.push(
    `${r.openapi.operations} documented operation(s) in ${mdCell(r.openapi.file)}; ${u.requests} production request(s) from ${u.files.length} log file(s)` +
      (u.firstAt ? ` (${formatInstant(u.firstAt)} to ${formatInstant(u.lastAt)})` : '') +
      `; ${r.monitors.checksRan} API check(s) and ${r.monitors.journeysRan} journey(s) with results over ${mdCell(r.window)}.`,
  );
  if (u.malformed) out.push('', `⚠ ${u.malformed} log line(s) did not parse (skipped), e.g. \`${u.malformedSamples[0]?.replace(/`/g, "'") ?? ''}\`.`);
  if (u.outsideApi) out.push('', `${u.outsideApi} request(s) outside the API's base path(s) (pages, static files) are not API traffic and were left out.`);
  if (u.outsideWindow) out.push('', `${u.outsideWindow} request(s) older than ${mdCell(r.window)} were left out.`);
  if (r.monitors.notRun.length) out.push('', `Checks with no result in the window (they cover nothing): ${r.monitors.notRun.map(mdCell).join(', ')}.`);
  out.push('', 'Risk = share of production traffic × (1 − coverage); coverage: none 0, reached by a journey 0.25, checked for status 0.5, checked with a schema or body assertions 1.');

  out.push('', '## Coverage map', '', '| Rank | Operation | Traffic | 5xx | p99 | Coverage | Risk | Covered by |', '|---:|---|---:|---:|---:|---|---:|---|');
  r.operations.forEach((o, i) => {
    const by = [...o.checks, ...o.journeys.map((j) => `journey ${j}`)];
    out.push(
      `| ${i + 1} | ${mdCell(o.key)}${o.operationId ? ` (${mdCell(o.operationId)})` : ''} | ${formatPct(o.share)} (${o.requests}) | ${o.errors5xx} | ${o.p99Ms === null ? '—' : `${Math.round(o.p99Ms)} ms`} | ${LEVEL_TEXT[o.level]} | ${formatRisk(o.risk)} | ${by.length ? by.map(mdCell).join(', ') : '—'} |`,
    );
  });

  out.push('', '## Missing tests', '');
  if (r.missing.length === 0) out.push('Every operation production calls is covered by a check or a journey.');
  for (const key of r.missing) {
    const o = r.operations.find((x) => x.key === key);
    if (o) out.push(`- **${mdCell(key)}**: ${formatPct(o.share)} of traffic (${o.requests} requests${o.errors5xx ? `, ${o.errors5xx} × 5xx` : ''}), risk ${formatRisk(o.risk)}, no check or journey`);
  }

  out.push('', '## Inadequate tests', '');
  if (r.inadequate.length === 0) out.push('No production error on a covered operation went uncaught by its checks.');
  for (const t of r.inadequate) {
    out.push(`- **${mdCell(t.key)}** (${LEVEL_TEXT[t.level]} by ${t.checks.map(mdCell).join(', ')}): ${t.errors.map(mdCell).join('; ')}; the checks passed throughout. Add:`);
    for (const a of t.add) out.push(`  - ${mdCell(a)}`);
  }

  out.push('', '## New scenarios', '');
  if (r.newScenarios.length === 0) out.push('No route or error signature appeared recently that a monitor does not exercise.');
  for (const n of r.newScenarios) {
    const what = n.kind === 'error' ? `${n.status} on ${n.key}` : `route ${n.key}`;
    out.push(`- ${mdCell(what)}${n.documented ? '' : ' (undocumented)'}: ${n.count} time(s), first seen ${formatInstant(n.firstSeenAt)}; no monitor exercises it`);
  }

  out.push('', '## Undocumented routes', '');
  if (r.undocumented.length === 0) out.push('Every production request matched a documented operation.');
  else {
    out.push('| Route | Requests | 5xx | Example |', '|---|---:|---:|---|');
    for (const d of r.undocumented) out.push(`| ${mdCell(d.key)} | ${formatPct(d.share)} (${d.requests}) | ${d.errors5xx} | ${mdCell(d.example)} |`);
  }

  out.push('', '## Documented, never called by production', '');
  if (r.unused.length === 0) out.push('Production called every documented operation.');
  for (const x of r.unused) out.push(`- ${mdCell(x.key)}${x.operationId ? ` (${mdCell(x.operationId)})` : ''}${x.level !== 'none' ? ` (a monitor covers it: ${LEVEL_TEXT[x.level]})` : ''}`);

  if (r.monitors.unmatched.length) {
    out.push('', '## Checks requesting undocumented routes', '');
    for (const m of r.monitors.unmatched) out.push(`- ${mdCell(m.monitor)}: ${mdCell(`${m.method} ${m.url}`)}`);
  }
  if (r.generated?.length) {
    out.push('', '## Generated checks', '');
    for (const f of r.generated) out.push(`- ${mdCell(f)}`);
  }
  return out.join('\n') + '\n';
}
