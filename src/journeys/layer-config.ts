/**
 * The team's `playwright.config.*` with observer's settings layered on top, evaluated inside the
 * `playwright test` process by the generated config (playwright-process.ts).
 *
 * Kept from the team's config: every `use` option (baseURL, storageState, viewport, locale,
 * timezoneId, extraHTTPHeaders, httpCredentials, ...), `projects` with their `dependencies` (a setup
 * project runs first, once per run), `globalSetup`/`globalTeardown`, `testDir`/`testMatch`,
 * `webServer`, `expect` and `fullyParallel`.
 *
 * Observer wins, because the results depend on them: the browser (Debian Chromium, its flags,
 * headless), the trace, screenshot and video policy, the reporter and output folder, `workers`,
 * `retries` and the test `timeout` (each journey's own deadline from its settings), and `baseURL`
 * when it was given explicitly (`--env`, `OBSERVER_BASE_URL`). A project whose browser is not
 * Chromium (webkit, firefox) is dropped with one line on stderr; dependencies on it are removed.
 */
import path from 'node:path';

/** Plain data the generated config passes (JSON). */
export interface ObserverLayer {
  /** Top-level settings that replace the team's. */
  config: Record<string, unknown>;
  /** `use` options that replace the team's in every project. */
  use: Record<string, unknown> & { launchOptions?: { args?: string[]; executablePath?: string } };
  /** Set only when observer was given a base URL explicitly. */
  baseURL?: string;
  /** Print the skipped projects (once per run: the listing pass). */
  announce: boolean;
}

type Use = Record<string, unknown> & { launchOptions?: { args?: string[] } & Record<string, unknown> };
interface Project {
  name?: string;
  use?: Use;
  dependencies?: string[];
  testDir?: string;
  [key: string]: unknown;
}
interface UserConfig {
  use?: Use;
  projects?: Project[];
  testDir?: string;
  globalSetup?: string | string[];
  globalTeardown?: string | string[];
  [key: string]: unknown;
}

/** The browser a project would launch. */
export function projectBrowser(project: Project, top: Use | undefined): string {
  const use = { ...top, ...project.use };
  return String(use.browserName ?? use.defaultBrowserType ?? 'chromium');
}

function resolveFrom(dir: string, p: string | string[] | undefined): string | string[] | undefined {
  if (p === undefined) return undefined;
  return Array.isArray(p) ? p.map((x) => path.resolve(dir, x)) : path.resolve(dir, p);
}

function layerUse(use: Use | undefined, layer: ObserverLayer): Use {
  const own = use ?? {};
  const args = [...new Set([...(own.launchOptions?.args ?? []), ...(layer.use.launchOptions?.args ?? [])])];
  const out: Use = {
    ...own,
    ...layer.use,
    browserName: 'chromium',
    launchOptions: { ...own.launchOptions, ...layer.use.launchOptions, args },
  };
  // A channel (`chrome`, `msedge`) names a browser Playwright would look for; observer's executable wins.
  delete out.channel;
  delete out.defaultBrowserType;
  if (layer.baseURL) out.baseURL = layer.baseURL;
  return out;
}

/** The team's config (from `configFile`) with observer's layer on top. */
export function layerConfig(user: UserConfig, layer: ObserverLayer, configFile: string): Record<string, unknown> {
  const dir = path.dirname(configFile);
  const topUse = user.use;
  const projects = user.projects?.length ? user.projects : [{ name: '' }];
  const skipped = new Set<string>();
  for (const p of projects) {
    const browser = projectBrowser(p, topUse);
    if (browser === 'chromium') continue;
    skipped.add(p.name ?? '');
    if (layer.announce) {
      process.stderr.write(
        `observer: skipping Playwright project "${p.name ?? ''}" of ${path.basename(configFile)}: it needs ${browser}, and journeys run in Chromium only\n`,
      );
    }
  }
  const kept = projects
    .filter((p) => !skipped.has(p.name ?? ''))
    .map((p) => ({
      ...p,
      // Explicit, because the top-level testDir becomes observer's (the base of its test list).
      testDir: path.resolve(dir, p.testDir ?? user.testDir ?? '.'),
      ...(p.dependencies ? { dependencies: p.dependencies.filter((d) => !skipped.has(d)) } : {}),
      use: layerUse(p.use, layer),
    }));
  const globalSetup = resolveFrom(dir, user.globalSetup);
  const globalTeardown = resolveFrom(dir, user.globalTeardown);
  return {
    ...user,
    ...(globalSetup ? { globalSetup } : {}),
    ...(globalTeardown ? { globalTeardown } : {}),
    ...layer.config,
    metadata: { ...(user.metadata as object | undefined), ...(layer.config.metadata as object | undefined) },
    use: layerUse(topUse, layer),
    projects: kept,
  };
}
