/**
 * `GET /artifacts/<path>`: the failure artifacts the board links to (full screenshots, traces,
 * videos) from reports/artifacts/, read-only. Only plain files strictly inside that folder (no
 * `..`, no encoded separators, symlinks resolved and checked); served with `nosniff` and a CSP that
 * forbids everything, so an HTML or SVG artifact cannot run a script in the dashboard's origin.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webm': 'video/webm',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export async function serveArtifact(outDir: string, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const notFound = () => void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such artifact\n');
  const raw = url.pathname.slice('/artifacts/'.length).split('/');
  let parts: string[];
  try {
    parts = raw.map((p) => decodeURIComponent(p));
  } catch {
    return notFound();
  }
  if (parts.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..' || /[/\\\0]/.test(p))) return notFound();
  const root = path.resolve(outDir, 'artifacts');
  let file: string;
  try {
    const realRoot = await realpath(root);
    file = await realpath(path.join(root, ...parts));
    if (!file.startsWith(realRoot + path.sep) || !(await stat(file)).isFile()) return notFound();
  } catch {
    return notFound();
  }
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=3600',
    ...(type === 'application/zip' || type === 'application/octet-stream' ? { 'content-disposition': `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"` } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
