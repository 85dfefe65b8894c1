/**
 * `observer record URL`: record a journey by using the site. Wraps `playwright codegen` (in the
 * monitoring Chromium, Debian's by default) and saves the recording as `journeys/<name>.journey.ts`,
 * grouped into `test.step`s at each navigation (src/journeys/record.ts), ready for `observer run`
 * and `npx playwright test`. Codegen opens a browser window: it needs a display (a desktop, or
 * `xvfb-run observer record ...`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveChromium } from '../journeys/chromium.js';
import { slugify } from '../journeys/discover.js';
import { playwrightCliPath } from '../journeys/playwright-process.js';
import { recordingToJourney } from '../journeys/record.js';
import { parse, UsageError } from './args.js';
import { ExitCode } from './exit-codes.js';
import type { CommandIO } from './io.js';

export const RECORD_USAGE = `Usage: observer record URL [--name NAME] [--out DIR] [--force]

Opens URL in Chromium with Playwright's recorder; use the site, then close the window. The actions
are saved as DIR/<name>.journey.ts (default DIR journeys, NAME from the URL), one test.step per
navigation. Needs a display (or xvfb-run).`;

export async function recordCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { name: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    RECORD_USAGE,
  );
  if (values.help) {
    io.stdout.write(RECORD_USAGE + '\n');
    return ExitCode.Ok;
  }
  const [url] = positionals;
  if (!url || positionals.length > 1) throw new UsageError('expected one URL to record', RECORD_USAGE);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`expected an absolute URL (https://...), got "${url}"`, RECORD_USAGE);
  }
  const name = values.name ?? (parsed.hostname + (parsed.pathname === '/' ? '' : parsed.pathname));
  const file = path.resolve(io.cwd, values.out ?? 'journeys', `${slugify(name) || 'recording'}.journey.ts`);
  if (existsSync(file) && !values.force) throw new UsageError(`${path.relative(io.cwd, file)} exists; choose another --name or pass --force`);
  if (!io.env.DISPLAY && !io.env.WAYLAND_DISPLAY) {
    throw new UsageError('recording opens a browser window and needs a display: run it on a desktop, or as `xvfb-run observer record ...`');
  }
  const chromium = resolveChromium(io.env);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'observer-record-'));
  try {
    const output = path.join(dir, 'recording.spec.ts');
    const code = await new Promise<number | null>((resolve) => {
      // PWTEST_CLI_EXECUTABLE_PATH: how Playwright's CLI takes a browser executable (codegen has no flag for it).
      const child = spawn(process.execPath, [playwrightCliPath(), 'codegen', '--target', 'playwright-test', '--output', output, url], {
        cwd: io.cwd,
        env: { ...io.env, PWTEST_CLI_EXECUTABLE_PATH: chromium.executablePath },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.once('exit', resolve);
      child.once('error', () => resolve(null));
    });
    if (!existsSync(output)) {
      io.stderr.write(`observer record: nothing was recorded (codegen exited with ${code ?? 'an error'})\n`);
      return ExitCode.MonitorFailed;
    }
    const journey = recordingToJourney(readFileSync(output, 'utf8'), { name, origin: parsed.origin });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, journey);
    io.stdout.write(`saved ${path.relative(io.cwd, file)}; run it with \`observer run ${path.relative(io.cwd, file)}\` (baseURL ${parsed.origin})\n`);
    return ExitCode.Ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
