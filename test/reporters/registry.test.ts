import { describe, expect, it } from 'vitest';
import { UnknownReporterError } from '../../src/reporters/errors.js';
import { FindingsReporter } from '../../src/reporters/findings.js';
import { HtmlReporter } from '../../src/reporters/html.js';
import { JsonReporter } from '../../src/reporters/json.js';
import { JUnitReporter } from '../../src/reporters/junit.js';
import { MarkdownReporter } from '../../src/reporters/markdown.js';
import { createReporters, REPORTER_NAMES, REPORTERS } from '../../src/reporters/registry.js';

describe('reporter registry', () => {
  it('creates one reporter per name, in order, each named as in the registry', () => {
    const reporters = createReporters(['markdown', 'json', 'junit', 'html', 'findings', 'json']);
    expect(reporters.map((r) => r.name)).toEqual(['markdown', 'json', 'junit', 'html', 'findings']);
    expect(reporters[0]).toBeInstanceOf(MarkdownReporter);
    expect(reporters[1]).toBeInstanceOf(JsonReporter);
    expect(reporters[2]).toBeInstanceOf(JUnitReporter);
    expect(reporters[3]).toBeInstanceOf(HtmlReporter);
    expect(reporters[4]).toBeInstanceOf(FindingsReporter);
    for (const name of REPORTER_NAMES) expect(new REPORTERS[name]({}).name).toBe(name);
  });

  it('rejects an unknown name, listing every valid choice instead of falling back', () => {
    let error: unknown;
    try {
      createReporters(['json', 'xml', 'htm']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnknownReporterError);
    const e = error as UnknownReporterError;
    expect(e.code).toBe('ERR_UNKNOWN_REPORTER');
    expect(e.unknown).toEqual(['xml', 'htm']);
    expect(e.message).toBe('reporters: unknown reporter "xml", "htm"; expected one of: json, junit, markdown, html, findings, prometheus');
  });

  it('does not treat Object.prototype names as reporters', () => {
    expect(() => createReporters(['toString'])).toThrow(UnknownReporterError);
    expect(() => createReporters(['__proto__'])).toThrow(UnknownReporterError);
  });
});
