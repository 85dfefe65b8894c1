import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportWriteError } from '../../src/reporters/errors.js';
import { FindingsReporter } from '../../src/reporters/findings.js';
import { JsonReporter } from '../../src/reporters/json.js';
import { Redactor } from '../../src/runtime/redact.js';
import { RUN_ID, scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('json reporter', () => {
  it('writes latest.json and run-<id>.json with the RunReport in a stable key order', async () => {
    const { report, context } = scenario(dir);
    const files = await new JsonReporter().onEnd(report, context);
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['latest.json', `run-${RUN_ID}.json`]);
    const latest = await readFile(path.join(dir, 'latest.json'), 'utf8');
    expect(await readFile(path.join(dir, `run-${RUN_ID}.json`), 'utf8')).toBe(latest);
    expect(latest).toMatch(/^\{\n {2}"run": \{\n {4}"id": /);
    expect(latest.endsWith('}\n')).toBe(true);

    const doc = JSON.parse(latest);
    expect(Object.keys(doc)).toEqual(['run', 'results', 'findings']);
    expect(Object.keys(doc.run)).toEqual(['id', 'startedAt', 'finishedAt', 'location', 'environment']);
    expect(doc.run.id).toBe(RUN_ID);
    expect(doc.results).toHaveLength(4);
    const failed = doc.results[1];
    expect(Object.keys(failed).slice(0, 7)).toEqual(['monitor', 'name', 'kind', 'status', 'durationMs', 'attempts', 'error']);
    expect(failed).toMatchObject({ monitor: 'checkout-api', kind: 'api', status: 'failed', attempts: 3, httpStatus: 503 });
    expect(failed.error).toEqual({ class: 'http_status', message: expect.stringContaining('status (503) == 200') });
    expect(Object.keys(failed.steps[0]).slice(0, 4)).toEqual(['name', 'status', 'durationMs', 'timings']);
    expect(Object.keys(failed.steps[0].timings)).toEqual(['dnsMs', 'connectMs', 'tlsMs', 'sendMs', 'firstByteMs', 'downloadMs', 'totalMs', 'reusedConnection']);
    expect(doc.results[0].error).toBeNull();
    expect(doc.results[2].steps.map((s: { name: string }) => s.name)).toEqual(['open home', 'search', 'add to cart', 'checkout']);
    expect(doc.findings.map((f: { id: string }) => f.id)).toEqual(['f-regression-purchase-checkout', 'f-error-rate-checkout-api']);
    expect(Object.keys(doc.findings[0].series)).toEqual(['monitor', 'step', 'metric', 'location']);
  });

  it('gives the same bytes for the same data whatever the key order of the input', async () => {
    const { report, context } = scenario(dir);
    const shuffled = JSON.parse(JSON.stringify(report), function (_k, v) {
      if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).reverse());
      return v;
    });
    await new JsonReporter().onEnd(report, context);
    const a = await readFile(path.join(dir, 'latest.json'), 'utf8');
    await new JsonReporter().onEnd(shuffled, context);
    const b = await readFile(path.join(dir, 'latest.json'), 'utf8');
    expect(b).toBe(a);
  });

  it('redacts every string with the Redactor it is given, even when results arrive unredacted', async () => {
    const { report, context } = scenario(dir);
    report.results[1].error!.message = 'upstream said: token sk_live_abcdef123456 is invalid';
    const redactor = new Redactor();
    redactor.add('sk_live_abcdef123456');
    await new JsonReporter({ redactor }).onEnd(report, context);
    const text = await readFile(path.join(dir, 'latest.json'), 'utf8');
    expect(text).not.toContain('sk_live_abcdef123456');
    expect(text).toContain('token [REDACTED] is invalid');
  });

  it('keeps a file-system-safe run file name for odd run ids', async () => {
    const { report, context } = scenario(dir);
    report.run.id = '../../etc/passwd';
    const files = await new JsonReporter().onEnd(report, context);
    for (const f of files) expect(path.dirname(f)).toBe(path.resolve(dir));
    expect(files.map((f) => path.basename(f))).toContain('run-__.._etc_passwd.json');
  });

  it('keeps only the newest run files when keepRuns is set', async () => {
    const { report, context } = scenario(dir);
    const reporter = new JsonReporter({ json: { keepRuns: 2 } });
    for (const id of ['20261125T100000Z-aaaa0001', '20261125T101500Z-aaaa0002', '20261125T103000Z-aaaa0003']) {
      await reporter.onEnd({ ...report, run: { ...report.run, id } }, context);
    }
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['latest.json', 'run-20261125T101500Z-aaaa0002.json', 'run-20261125T103000Z-aaaa0003.json']);
    expect(JSON.parse(await readFile(path.join(dir, 'latest.json'), 'utf8')).run.id).toBe('20261125T103000Z-aaaa0003');
  });
});

describe('report writing', () => {
  it('fails with ReportWriteError naming the file when the folder cannot be created', async () => {
    const { report, context } = scenario(dir);
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const error = await new JsonReporter().onEnd(report, { ...context, outDir: path.join(blocker, 'reports') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportWriteError);
    expect((error as ReportWriteError).code).toBe('ERR_REPORT_WRITE');
    expect((error as ReportWriteError).message).toMatch(/^cannot write .*not-a-folder\/reports\/run-.*\.json: /);
    expect((await readdir(dir)).sort()).toEqual(['not-a-folder']);
  });
});

describe('findings reporter', () => {
  it('writes open findings by severity and the ones resolved in the window', async () => {
    const { report, context } = scenario(dir);
    const [file] = await new FindingsReporter().onEnd(report, context);
    expect(path.basename(file)).toBe('findings.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(doc).toMatchObject({ window: '6h', runId: RUN_ID, counts: { open: 2, critical: 1, warning: 1, info: 0, resolved: 1 } });
    expect(doc.open.map((f: { id: string }) => f.id)).toEqual(['f-regression-purchase-checkout', 'f-error-rate-checkout-api']);
    expect(doc.resolved.map((f: { id: string }) => f.id)).toEqual(['f-spike-catalog']);
    expect(doc.resolved[0].resolvedAt).toBe('2026-11-25T07:30:00.000Z');
  });
});
