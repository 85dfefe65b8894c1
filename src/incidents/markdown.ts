/** Incidents as Markdown: `observer incidents` and the board's section share it. */
import type { Incident } from './incidents.js';

const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function incidentsMarkdown(incidents: readonly Incident[], heading = '##'): string {
  if (!incidents.length) return `${heading} Incidents\n\n_No incidents in the window._\n`;
  const out: string[] = [`${heading} Incidents (${incidents.filter((i) => i.status === 'open').length} open, ${incidents.length} in the window)`, ''];
  for (const i of incidents) {
    out.push(`${heading}# ${i.status === 'open' ? '🔴' : '✅'} ${i.monitors.join(', ')} since ${i.startedAt} (${i.status})`, '');
    out.push(
      i.probable
        ? `**Probable cause:** ${i.probable.kind.replace('_', ' ')} **${cell(i.probable.ref)}** (score ${i.probable.score}: timing ${i.probable.timing} × scope ${i.probable.scope}) — ${cell(i.probable.evidence)}`
        : '**No change explains this.**',
      '',
    );
    out.push(`Affected: ${i.monitors.join(', ')}${i.steps.length ? `; steps ${i.steps.join(', ')}` : ''}; locations ${i.locations.join(', ')}.`, '');
    if (i.evidence.length) out.push('Evidence:', ...i.evidence.map((e) => `- ${cell(e.text)}`), '');
    if (i.causes.length) {
      out.push('| Candidate cause | When | Timing | Scope | Score | Evidence |', '|---|---|---|---|---|---|');
      for (const c of i.causes.slice(0, 5)) out.push(`| ${c.kind.replace('_', ' ')} ${cell(c.ref)} | ${c.at} | ${c.timing} | ${c.scope} | ${c.score} | ${cell(c.evidence)} |`);
      out.push('');
    }
    out.push('Timeline:', ...i.timeline.slice(0, 20).map((t) => `- ${t.at} ${cell(t.text)}`), '');
    if (i.hints.length) out.push('What to do:', ...i.hints.map((h) => `- ${cell(h)}`), '');
  }
  return out.join('\n');
}
