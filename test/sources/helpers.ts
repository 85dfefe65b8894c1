/**
 * Real parts for the source tests: Debian's Prometheus and nginx started on free loopback ports
 * with generated configs in a temp folder, the test exporter as a child process, a SQLite store.
 * Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PROMETHEUS = process.env.OBSERVER_PROMETHEUS ?? '/usr/bin/prometheus';
export const NGINX = process.env.OBSERVER_NGINX ?? '/usr/sbin/nginx';

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `observer-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function openTestStore(dir: string): Promise<SqliteStore> {
  const store = new SqliteStore({ path: path.join(dir, 'observer.db') });
  await store.migrate();
  return store;
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms: ${buf.slice(-1500)}`)), timeoutMs);
    const on = (c: Buffer) => {
      buf += c.toString();
      const m = pattern.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${buf.slice(-1500)}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface Exporter {
  url: string;
  port: number;
  /** Send `n` requests to `route` with this status and delay (loopback only). */
  drive(route: string, n: number, opts?: { status?: number; delayMs?: number }): Promise<void>;
  burn(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startExporter(): Promise<Exporter> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'exporter.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:(\d+))/, 'the test exporter');
  const url = m[1];
  return {
    url,
    port: Number(m[2]),
    async drive(route, n, opts = {}) {
      const q = `?status=${opts.status ?? 200}&delayMs=${opts.delayMs ?? 0}`;
      for (let i = 0; i < n; i += 10) {
        await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => fetch(`${url}${route}${q}`).then((r) => r.arrayBuffer())));
      }
    },
    async burn(ms) {
      await fetch(`${url}/__burn?ms=${ms}`).then((r) => r.text());
    },
    stop: () => stopChild(child),
  };
}

export interface Prometheus {
  url: string;
  /** Instant query through the API (for waiting on data). */
  value(promql: string): Promise<number | null>;
  /** Wait (bounded) until `promql` has a value that satisfies `ok`. */
  waitFor(promql: string, ok: (v: number) => boolean, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Prometheus scraping `targets` (host:port) as job `job` every `scrapeMs`, evaluating `ruleFiles` as often. */
export async function startPrometheus(dir: string, job: string, targets: string[], scrapeMs = 500, opts: { ruleFiles?: string[] } = {}): Promise<Prometheus> {
  const port = await freePort();
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${scrapeMs}ms`,
      `  evaluation_interval: ${scrapeMs}ms`,
      ...(opts.ruleFiles?.length ? ['rule_files:', ...opts.ruleFiles.map((f) => `  - '${f}'`)] : []),
      'scrape_configs:',
      `  - job_name: ${job}`,
      `    scrape_interval: ${scrapeMs}ms`,
      `    scrape_timeout: ${scrapeMs}ms`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const child = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  const value = async (promql: string): Promise<number | null> => {
    try {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const j = (await r.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      const v = j.data?.result?.[0]?.value?.[1];
      return v === undefined ? null : Number(v);
    } catch {
      return null;
    }
  };
  const ready = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode})`);
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('prometheus not ready within 30 s');
  };
  await ready();
  return {
    url,
    value,
    async waitFor(promql, ok, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: number | null = null;
      while (Date.now() < deadline) {
        last = await value(promql);
        if (last !== null && ok(last)) return last;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`${promql}: no satisfying value within ${timeoutMs} ms (last ${last})`);
    },
    stop: () => stopChild(child),
  };
}

export interface Nginx {
  url: string;
  dir: string;
  accessLog: string;
  jsonLog: string;
  /** Ask nginx to reopen its logs (what logrotate's postrotate does). */
  reopen(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * nginx on a free loopback port, `daemon off`, everything under `dir`. Routes: `/ok` 200, `/fail`
 * 503, `/missing` 404, `/items/<n>` 200. Two logs: combined plus `$request_time`, and JSON lines.
 */
export async function startNginx(dir: string): Promise<Nginx> {
  const port = await freePort();
  // nginx's worker runs as an unprivileged user and reopens the logs itself: it must reach the folder.
  chmodSync(dir, 0o755);
  const accessLog = path.join(dir, 'access.log');
  const jsonLog = path.join(dir, 'access.json.log');
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process on;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} notice;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  log_format timed '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';
  log_format jsonl escape=json '{"time":"$time_iso8601","request":"$request","status":$status,"bytes":$body_bytes_sent,"request_time":$request_time}';
  access_log ${accessLog} timed;
  access_log ${jsonLog} jsonl;
  server {
    listen 127.0.0.1:${port};
    location = /ok { return 200 "ok\\n"; }
    location = /fail { return 503; }
    location = /missing { return 404; }
    location /items/ { return 200 "item\\n"; }
  }
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode})`);
    if (await fetch(`${url}/ok`).then((r) => r.text().then(() => true), () => false)) break;
    if (Date.now() > deadline) throw new Error('nginx did not answer within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    accessLog,
    jsonLog,
    async reopen() {
      const errorLog = path.join(dir, 'error.log');
      const reopened = () => (existsSync(errorLog) ? (readFileSync(errorLog, 'utf8').match(/reopening logs/g) ?? []).length : 0);
      const before = reopened();
      child.kill('SIGUSR1');
      // The master reopens the files, then tells its worker: wait until both said so (bounded).
      for (let i = 0; i < 200 && reopened() < before + 2; i++) await new Promise((r) => setTimeout(r, 25));
      if (reopened() < before + 2) throw new Error('nginx did not reopen its logs within 5 s');
    },
    stop: () => stopChild(child),
  };
}

/** `n` requests to nginx, sequentially (lines in a known order). */
export async function hit(url: string, route: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await fetch(`${url}${route}`).then((r) => r.arrayBuffer());
}
