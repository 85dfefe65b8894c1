/**
 * Redaction works on values, never on identifiers, and never leaks a secret in pieces: ordinary
 * words are not secrets, identifier fields are copied untouched, a secret cut by truncation loses
 * its prefix too, and its escaped, URL-encoded and base64 forms are replaced as well.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/runtime/redact.js';
import { jsonParseErrorText } from '../../src/runtime/json-error.js';
import { show } from '../../src/checks/assertions.js';

describe('Redactor: values, not identifiers', () => {
  it('does not register ordinary words (env values, database passwords) as secrets by themselves', () => {
    const r = new Redactor();
    for (const word of ['observer', 'production', 'alert', 'hook', '12345678']) expect(r.add(word), word).toBe(false);
    expect(r.redact('observer-api failed in production; channel observer-oncall')).toBe('observer-api failed in production; channel observer-oncall');
    for (const secret of ['first-value', 'Summer2024', 'kqzmxvbwplrtyhsdnfgc']) expect(r.add(secret), secret).toBe(true);
  });

  it('keeps identifier fields and keys of records untouched, redacts free text', () => {
    const r = new Redactor();
    r.add('observer-oncall-Tok3n'); // even a registered value stays in an identifier field
    const record = {
      id: 'observer-oncall-Tok3n',
      monitor: 'observer-oncall-Tok3n',
      channel: 'observer-oncall-Tok3n',
      schema: 'observer-oncall-Tok3n/alert@1',
      series: { monitor: 'observer-oncall-Tok3n', step: '', metric: 'durationMs', location: 'local' },
      message: 'sent observer-oncall-Tok3n',
      'observer-oncall-Tok3n': 1,
    };
    expect(r.redactDeep(record)).toEqual({ ...record, message: `sent ${REDACTED}` });
  });

  it('redacts by shape what was never registered: URL passwords, secret query values, Bearer tokens', () => {
    const r = new Redactor();
    expect(r.redact('connect postgres://postgres:observer@127.0.0.1:5432/db failed')).toBe(`connect postgres://postgres:${REDACTED}@127.0.0.1:5432/db failed`);
    expect(r.redact('GET https://x.test/a?access_token=abc123&page=2&sig=zz')).toBe(`GET https://x.test/a?access_token=${REDACTED}&page=2&sig=${REDACTED}`);
    expect(r.redact('authorization: Bearer abcdefgh12')).toBe(`authorization: Bearer ${REDACTED}`);
  });
});

describe('Redactor: never in pieces', () => {
  const secret = 'S3cr3tTok9f"q\\z/+ ==';

  it('redacts a secret cut by truncation (redact first, and any >= 4-char prefix at a cut)', () => {
    const r = new Redactor();
    r.add('S3cr3tTok9fAbCdEf');
    const shown = show(`${'x'.repeat(62)} Bearer S3cr3tTok9fAbCdEf and more`);
    expect(shown).toContain('…');
    expect(r.redact(shown)).not.toMatch(/S3cr/);
    expect(r.redact('value "S3cr..." was cut')).toBe(`value "${REDACTED}..." was cut`);
    expect(r.redact('a S3c…')).toBe('a S3c…'); // 3 characters say nothing
    expect(r.truncate(`${'y'.repeat(20)}S3cr3tTok9fAbCdEf`, 26)).toBe(`${'y'.repeat(20)}${REDACTED}`.slice(0, 25) + '…');
  });

  it('redacts the JSON-escaped, URL-encoded and base64 forms', () => {
    const r = new Redactor();
    r.add(secret);
    for (const form of [JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
      expect(r.redact(`x ${form} y`)).toBe(`x ${REDACTED} y`);
    }
    expect(r.redactDeep(JSON.parse(JSON.stringify({ body: JSON.stringify({ token: secret }) })))).toEqual({ body: `{"token":"${REDACTED}"}` });
  });

  it('JSON.parse error text never quotes the input', () => {
    for (const text of ['S3cr3tTok9fxyz', '{"a": S3cr3tTok9f}', '[1,,S3cr3t]']) {
      let message = '';
      try {
        JSON.parse(text);
      } catch (err) {
        message = jsonParseErrorText(err);
      }
      expect(message).toMatch(/^Unexpected token '.' in JSON$/);
      expect(message).not.toContain('S3cr3');
    }
  });
});
