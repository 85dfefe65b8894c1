/** HTTP plumbing of the demo shop: the route and reply types, cookies and request bodies. */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/** A failure a route answers with: its status and a stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What a route produces; the server serializes it (and applies body faults). */
export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string | string[]> }
  | { kind: 'html'; status: number; body: string; headers?: Record<string, string | string[]> }
  | { kind: 'svg'; status: number; body: string };

/** One request as routes see it. */
export interface Ctx {
  req: IncomingMessage;
  url: URL;
  method: string;
  params: Record<string, string>;
  cookies: Record<string, string>;
  /** Cookies to set on the response. */
  setCookies: string[];
}

/** A route of the shop: method + path pattern (`:name` segments) + what kind of answer it gives. */
export interface Route {
  /** GET routes also answer HEAD. */
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  keys: string[];
  /** Pages answer errors in HTML, the API in JSON. */
  kind: 'page' | 'api' | 'static';
  handle(ctx: Ctx): Promise<Reply> | Reply;
}

export const MAX_BODY_BYTES = 64 * 1024;
export function route(method: Route['method'], pattern: string, kind: Route['kind'], handle: Route['handle']): Route {
  const keys: string[] = [];
  const source = pattern.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  return { method, path: new RegExp(`^${source}$`), keys, kind, handle };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

/** A session cookie: HttpOnly, SameSite=Lax, whole site. */
export function cookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax`;
}

/** The request body as text, at most MAX_BODY_BYTES (413 beyond). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON or urlencoded body (forms posted without JS) as a flat record. */
export async function readFields(req: IncomingMessage, jsonOnly = false): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!jsonOnly && type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'INVALID_BODY', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Constant-time string comparison for credentials. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

