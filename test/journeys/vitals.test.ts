/**
 * Vitals by the book (Google's web-vitals in the page): a step that navigates twice records both
 * navigations with their URL, a slow click sets INP on the step that clicked, a single-page app's
 * pushState after a click is its own soft-navigation entry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctx, def, fixture, makeRunner } from './helpers.js';

const page = (title: string, body: string): string =>
  `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

const PAGES: Record<string, string> = {
  '/': page('One', '<p>First page with some text to paint.</p>'),
  '/two': page(
    'Two',
    `<button id="slow">Slow</button><p id="out"></p><script>
document.getElementById('slow').addEventListener('click', () => {
  const end = performance.now() + 150; while (performance.now() < end) {}
  document.getElementById('out').textContent = 'clicked';
});</script>`,
  ),
  '/spa': page(
    'Home view',
    `<a href="/spa/next" id="next">Next view</a><main id="view"></main><script>
document.getElementById('next').addEventListener('click', (ev) => {
  ev.preventDefault();
  history.pushState({}, '', '/spa/next');
  document.querySelector('h1').textContent = 'Next view';
  const p = document.createElement('p'); p.textContent = 'A whole new view, painted after the click.'.repeat(5);
  document.getElementById('view').append(p);
});</script>`,
  ),
};

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const body = PAGES[path];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('journey vitals', () => {
  it('records each navigation of a step, INP of a click and a soft navigation', async () => {
    const t = makeRunner(baseUrl, { trace: 'off' });
    try {
      const [r] = await t.runner.run([def(fixture('vitals', 'vitals.spec.ts'), 'Vitals', { id: 'vitals' })], ctx('run-vitals'));
      expect(r.error).toBeNull();
      const [two, click, spa] = r.steps;
      expect(two.vitals?.map((v) => v.url)).toEqual([`${baseUrl}/`, `${baseUrl}/two`]);
      for (const v of two.vitals ?? []) {
        expect(v.navigationType).toBe('navigate');
        expect(v.ttfbMs).toBeGreaterThan(0);
        expect(v.fcpMs).toBeGreaterThan(0);
        expect(v.lcpMs).toBeGreaterThanOrEqual(v.fcpMs!);
        expect(v.cls).toBe(0);
      }
      expect(two.vitals?.[1].loadMs).toBeGreaterThan(0);
      // The 150 ms busy handler: INP covers input delay, processing and the next paint.
      const inp = click.vitals?.find((v) => v.url === `${baseUrl}/two`)?.inpMs;
      expect(inp).toBeGreaterThanOrEqual(150);
      const soft = spa.vitals?.find((v) => v.navigationType === 'soft-navigation');
      expect(spa.vitals?.[0].url).toBe(`${baseUrl}/spa`);
      expect(soft?.url).toBe(`${baseUrl}/spa/next`);
    } finally {
      t.cleanup();
    }
  });
});
