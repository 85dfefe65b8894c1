/**
 * The static copy for plain web hosting (`observer report --status-page DIR`): `index.html`,
 * `status.json` and `badge/<id>/{status,uptime,uptime-24h,uptime-7d,uptime-30d,uptime-90d}.svg`
 * for every group and monitor on the page. Files are written whole, then renamed into place, so a
 * web server never serves half a page.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { badgeFor } from './badges.js';
import { renderStatusPage } from './page-html.js';
import type { StatusSnapshot } from './snapshot.js';
import { UPTIME_WINDOW_NAMES } from './uptime.js';

/** Ids that are safe as one path segment (config ids are slugs; anything else is skipped). */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function writeStatusSite(dir: string, s: StatusSnapshot, redact: (text: string) => string = (x) => x): Promise<string[]> {
  const files: Array<[string, string]> = [
    ['index.html', renderStatusPage(s, { redact, refreshSeconds: 300, badgeBase: 'badge' })],
    ['status.json', redact(JSON.stringify(s, null, 2)) + '\n'],
  ];
  for (const id of [...s.groups.map((g) => g.id), ...Object.keys(s.monitors)]) {
    if (!SAFE_ID.test(id)) continue;
    files.push([`badge/${id}/status.svg`, badgeFor(s, id, 'status', null, redact).svg]);
    files.push([`badge/${id}/uptime.svg`, badgeFor(s, id, 'uptime', null, redact).svg]);
    for (const w of UPTIME_WINDOW_NAMES) files.push([`badge/${id}/uptime-${w}.svg`, badgeFor(s, id, 'uptime', w, redact).svg]);
  }
  const written: string[] = [];
  for (const [rel, body] of files) {
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, file);
    written.push(file);
  }
  return written;
}
