/**
 * Discovery without a process (static-list.ts): a flat journey file is listed from its source, and
 * that list must equal what `playwright test --list` reports for the same file (titles, lines,
 * tags, journey() settings); a file whose tests only Playwright can know falls back to Playwright.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listWithPlaywright } from '../../src/journeys/discover.js';
import { listStatically } from '../../src/journeys/static-list.js';
import { ROOT } from './helpers.js';

const FLAT = [
  'journeys/purchase.journey.ts',
  'journeys/login.journey.ts',
  'test/fixtures/journeys/plain/plain.spec.ts',
  'test/fixtures/journeys/plain-failing/codegen.spec.ts',
  'test/fixtures/journeys/newline-title/newline.spec.ts',
  'test/fixtures/journeys/vitals/vitals.spec.ts',
  'test/fixtures/journeys/trace-secrets/typed.spec.ts',
];

describe('listStatically', () => {
  it('lists flat journey files exactly as playwright test --list does, in one go and in Playwright\'s file order', async () => {
    const files = FLAT.map((f) => path.join(ROOT, f));
    const known = listStatically([...files].reverse());
    expect(known).toBeDefined();
    expect(known!.length).toBeGreaterThanOrEqual(FLAT.length);
    const listed = await listWithPlaywright({ rootDir: ROOT, journeyFiles: files });
    expect(known).toEqual(listed);
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'observer-static-list-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Record<string, string> = {
    'a describe block': `import { test } from '@playwright/test';\ntest.describe('group', () => { test('a', async () => {}); });\n`,
    'a local import that may declare tests': `import { test } from '@playwright/test';\nimport './more';\ntest('a', async () => {});\n`,
    'a computed title': `import { test } from '@playwright/test';\nconst name = 'a';\ntest(name, async () => {});\n`,
    'a computed setting': `import { journey, test } from 'production-observer/journey';\nconst t = 5000;\ntest('a', journey({ timeoutMs: t }), async () => {});\n`,
    'a tag in the title': `import { test } from '@playwright/test';\ntest('a @smoke', async () => {});\n`,
    'a loop': `import { test } from '@playwright/test';\nfor (const n of ['a', 'b']) test(n, async () => {});\n`,
    'a call at load time': `import { test } from '@playwright/test';\nconst x = setup();\ntest('a', async () => {});\n`,
    'duplicate titles': `import { test } from '@playwright/test';\ntest('a', async () => {});\ntest('a', async () => {});\n`,
    'a syntax error': `import { test } from '@playwright/test';\ntest('a', async () => {;\n`,
  };
  it.each(Object.entries(cases))('leaves a file with %s to Playwright', (name, source) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.spec.ts`);
    writeFileSync(file, source);
    expect(listStatically([file])).toBeUndefined();
  });

  it('reads test(), journey() literals and process.env defaults without running the file', () => {
    const file = path.join(dir, 'flat.spec.ts');
    writeFileSync(
      file,
      `import { journey, test } from 'production-observer/journey';\nconst user = process.env.SHOP_USER ?? 'demo';\nfunction helper() { return user; }\n\ntest('Buy', journey({ id: 'buy', tags: ['smoke'], timeoutMs: 30_000 }), async () => { helper(); });\n`,
    );
    expect(listStatically([file])).toEqual([
      {
        file,
        titlePath: ['Buy'],
        line: 5,
        tags: ['@smoke'],
        annotations: [{ type: 'observer:journey', description: JSON.stringify({ id: 'buy', tags: ['smoke'], timeoutMs: 30000 }) }],
      },
    ]);
  });
});
