import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonitorDefinition, MonitorResult, RunInfo } from '../../src/model/index.js';
import { ReporterError } from '../../src/reporters/errors.js';
import { Multiplexer } from '../../src/reporters/multiplexer.js';
import { createReporters } from '../../src/reporters/registry.js';
import type { ReportContext, Reporter, RunReport } from '../../src/reporters/reporter.js';
import { scenario } from './fixtures.js';
import { tempDir } from './helpers.js';

/** A reporter that records every hook call as `name.hook[:detail]`. */
class Recorder implements Reporter {
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}
  onBegin(run: RunInfo): void {
    this.log.push(`${this.name}.onBegin:${run.id}`);
  }
  onMonitorBegin(m: MonitorDefinition): void {
    this.log.push(`${this.name}.onMonitorBegin:${m.id}`);
  }
  onMonitorEnd(r: MonitorResult): void {
    this.log.push(`${this.name}.onMonitorEnd:${r.monitor}`);
  }
  onError(e: Error): void {
    this.log.push(`${this.name}.onError:${e.message}`);
  }
  onEnd(_r: RunReport, c: ReportContext): string[] {
    this.log.push(`${this.name}.onEnd`);
    return [`${c.outDir}/${this.name}.out`];
  }
}

const monitor: MonitorDefinition = {
  kind: 'journey',
  id: 'purchase',
  name: 'Purchase journey',
  file: 'journeys/purchase.journey.ts',
  retries: 0,
  timeoutMs: 30_000,
  stepTimeoutMs: 10_000,
  steps: {},
  tags: [],
};

describe('Multiplexer', () => {
  it('calls every hook on every reporter in the order given and gathers the written files', async () => {
    const log: string[] = [];
    const { report, context } = scenario('/out');
    const mux = new Multiplexer([new Recorder('a', log), new Recorder('b', log)]);
    await mux.onBegin(report.run, [monitor]);
    mux.onMonitorBegin(monitor);
    mux.onMonitorEnd(report.results[2]);
    mux.onError(new Error('store unavailable'));
    const files = await mux.onEnd(report, context);
    expect(log).toEqual([
      `a.onBegin:${report.run.id}`,
      `b.onBegin:${report.run.id}`,
      'a.onMonitorBegin:purchase',
      'b.onMonitorBegin:purchase',
      'a.onMonitorEnd:purchase',
      'b.onMonitorEnd:purchase',
      'a.onError:store unavailable',
      'b.onError:store unavailable',
      'a.onEnd',
      'b.onEnd',
    ]);
    expect(files).toEqual(['/out/a.out', '/out/b.out']);
    expect(mux.errors).toEqual([]);
  });

  it('isolates a reporter that throws: the others go on and hear it as onError, the error is collected', async () => {
    const log: string[] = [];
    const seen: ReporterError[] = [];
    const { report, context } = scenario('/out');
    const broken: Reporter = {
      name: 'broken',
      onMonitorEnd() {
        throw new Error('disk full');
      },
      async onEnd() {
        throw new Error('cannot write broken.out');
      },
    };
    const mux = new Multiplexer([new Recorder('a', log), broken, new Recorder('b', log)], (e) => seen.push(e));
    mux.onMonitorEnd(report.results[0]);
    const files = await mux.onEnd(report, context);

    expect(files).toEqual(['/out/a.out', '/out/b.out']);
    expect(mux.errors.map((e) => [e.reporter, e.hook, e.code])).toEqual([
      ['broken', 'onMonitorEnd', 'ERR_REPORTER_FAILED'],
      ['broken', 'onEnd', 'ERR_REPORTER_FAILED'],
    ]);
    expect(mux.errors[0]).toBeInstanceOf(ReporterError);
    expect(mux.errors[0].message).toBe('reporter "broken" failed in onMonitorEnd: disk full');
    expect((mux.errors[0].cause as Error).message).toBe('disk full');
    expect(seen).toEqual(mux.errors);
    expect(log).toEqual([
      'a.onMonitorEnd:catalog-api',
      'a.onError:reporter "broken" failed in onMonitorEnd: disk full',
      'b.onError:reporter "broken" failed in onMonitorEnd: disk full',
      'b.onMonitorEnd:catalog-api',
      'a.onEnd',
      'a.onError:reporter "broken" failed in onEnd: cannot write broken.out',
      'b.onError:reporter "broken" failed in onEnd: cannot write broken.out',
      'b.onEnd',
    ]);
  });

  it('collects rejections of promises returned by synchronous hooks before onEnd', async () => {
    const log: string[] = [];
    const { report, context } = scenario('/out');
    const asyncBroken = {
      name: 'async-broken',
      async onMonitorEnd(r: MonitorResult) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error(`late failure for ${r.monitor}`);
      },
    } as unknown as Reporter;
    const mux = new Multiplexer([asyncBroken, new Recorder('a', log)]);
    mux.onMonitorEnd(report.results[1]);
    expect(mux.errors).toHaveLength(0);
    await mux.onEnd(report, context);
    expect(mux.errors.map((e) => e.message)).toEqual(['reporter "async-broken" failed in onMonitorEnd: late failure for checkout-api']);
    expect(log.indexOf('a.onError:reporter "async-broken" failed in onMonitorEnd: late failure for checkout-api')).toBeLessThan(log.indexOf('a.onEnd'));
  });

  it('does not bounce a failing onError back and forth', async () => {
    const { report, context } = scenario('/out');
    let calls = 0;
    const loud: Reporter = {
      name: 'loud',
      onBegin() {
        throw new Error('begin failed');
      },
      onError() {
        calls++;
        throw new Error('onError failed too');
      },
    };
    const other: Reporter = {
      name: 'other',
      onError() {
        calls++;
        throw new Error('other onError failed');
      },
    };
    const mux = new Multiplexer([loud, other]);
    await mux.onBegin(report.run, []);
    await mux.onEnd(report, context);
    expect(calls).toBe(1);
    expect(mux.errors.map((e) => `${e.reporter}.${e.hook}`)).toEqual(['loud.onBegin', 'other.onError']);
  });

  it('lets the real writers finish when one of them fails', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { report, context } = scenario(dir);
      const failing: Reporter = {
        name: 'failing',
        onEnd: async () => {
          throw new Error('out of disk');
        },
      };
      const [json, markdown] = createReporters(['json', 'markdown'], { env: {} });
      const mux = new Multiplexer([json, failing, markdown]);
      const files = await mux.onEnd(report, context);
      expect(files.map((f) => path.basename(f))).toEqual(['latest.json', `run-${report.run.id}.json`, 'status.md']);
      expect((await readdir(dir)).sort()).toEqual(['latest.json', `run-${report.run.id}.json`, 'status.md']);
      expect(mux.errors.map((e) => e.message)).toEqual(['reporter "failing" failed in onEnd: out of disk']);
    } finally {
      await cleanup();
    }
  });

  it('survives a failing error callback', async () => {
    const { report, context } = scenario('/out');
    const mux = new Multiplexer(
      [{ name: 'x', onEnd: () => Promise.reject(new Error('nope')) }],
      () => {
        throw new Error('logger broke');
      },
    );
    await expect(mux.onEnd(report, context)).resolves.toEqual([]);
    expect(mux.errors).toHaveLength(1);
  });
});
