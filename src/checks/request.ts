/**
 * From a resolved `HttpRequestSpec` to what goes on the wire: origin + path, headers with a
 * default user-agent, URL credentials turned into a Basic authorization header. Every secret the
 * request carries (secret-named headers, the credential part of `authorization`, URL credentials,
 * secret-named query parameters) is registered with the Redactor before anything is sent, so no
 * message or result can carry it.
 */
import type { HttpRequestSpec } from '../model/monitor.js';
import { isSecretHeader, type Redactor } from '../runtime/redact.js';
import type { ExchangeRequest } from './exchange.js';

export class InvalidRequestError extends Error {
  readonly code = 'OBS_CHECK_INVALID_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

export function prepareRequest(spec: HttpRequestSpec, redactor: Redactor, userAgent: string): ExchangeRequest {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new InvalidRequestError(`invalid URL ${JSON.stringify(redactor.redact(spec.url))}: the config loader should resolve it to an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidRequestError(`unsupported protocol ${url.protocol} in request.url (http: or https:)`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers)) {
    const key = name.toLowerCase();
    headers[key] = value;
    if (isSecretHeader(key)) registerCredential(redactor, value);
  }
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    redactor.add(pass);
    redactor.add(url.password);
    const basic = Buffer.from(`${user}:${pass}`).toString('base64');
    redactor.add(basic);
    headers.authorization ??= `Basic ${basic}`;
  }
  for (const [name, value] of url.searchParams) {
    if (isSecretHeader(name)) redactor.add(value);
  }
  headers['user-agent'] ??= userAgent;
  return {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: spec.method.toUpperCase(),
    headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  };
}

/** `Bearer abc…` registers both the whole value and the credential after the scheme. */
function registerCredential(redactor: Redactor, value: string): void {
  redactor.add(value);
  const space = value.indexOf(' ');
  if (space > 0) redactor.add(value.slice(space + 1).trim());
}
