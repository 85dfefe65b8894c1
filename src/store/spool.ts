/**
 * A Store decorator that keeps writes on local disk while the database is down or slow, so a run
 * finishes and nothing it measured is lost.
 *
 * - A write that fails with StoreUnavailableError is appended to a JSON-lines file in the spool
 *   folder (`{"v":1,"id","seq","op","at","payload"}`), fsync'ed, and the call succeeds.
 * - While anything is spooled, later writes are spooled too (order is kept: a run's "finished"
 *   update can never land before its "started" row), until a replay succeeds.
 * - Replay happens before the next write or read once the retry interval has passed, at
 *   `migrate()` (hence at open) and on `flushSpool()`. Lines are applied in order; a file is
 *   rewritten without its applied lines, or removed, only after those lines were committed.
 *   Every write is idempotent on its ids, so a line applied twice (crash between commit and
 *   rewrite) still leaves one row.
 * - After an availability failure the store is considered down for `retryIntervalMs`: writes go
 *   straight to disk and reads fail at once with StoreUnavailableError instead of waiting for
 *   another connection timeout.
 * - Files left by a runner that died are adopted (renamed to this instance) and replayed: on this
 *   host when their process is gone, from other hosts when untouched for `orphanAfterMs`.
 * - A line the database rejects for another reason (bad data, a bug) is moved to `rejected.jsonl`
 *   in the same folder with its error and reported through `log`, so it cannot block the spool.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DeployMarker, Finding, MonitorResult, RunInfo } from '../model/index.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import type { Redactor } from '../runtime/redact.js';
import type { AlertRecord, DeliveryRecord, FindingQuery, ResultQuery, StateUpdate, StatusChange, Store, UptimeCount, UptimeQuery } from './store.js';
import { RowCodec } from './codec.js';
import { SpoolError, StoreUnavailableError, isStoreUnavailable, messageOf } from './errors.js';

export const DEFAULT_SPOOL_DIR = '.observer/spool';

/** The writes a spool can hold, with the payload each line carries. */
export interface SpoolPayloads {
  saveRun: RunInfo;
  saveResults: MonitorResult[];
  saveFindings: Finding[];
  putStates: { namespace: string; entries: [string, unknown][] };
  addDeployMarker: DeployMarker;
  saveAlert: AlertRecord;
  enqueueDelivery: DeliveryRecord;
  markDelivery: { id: string; outcome: { deliveredAt: string | null; attempts: number; lastError: string | null } };
}
export type SpoolOp = keyof SpoolPayloads;

/** One line of a spool file. */
export type SpoolLine = { [K in SpoolOp]: { v: 1; id: string; seq: number; op: K; at: string; payload: SpoolPayloads[K] } }[SpoolOp];

export interface SpoolOptions {
  /** Folder for spool files (created when needed). Default `.observer/spool`. */
  dir?: string;
  /** Warnings: entering spool mode, replays, rejected lines. */
  log?: (msg: string) => void;
  /** Spooled payloads are redacted like the store would (secrets never reach the disk). */
  redactor?: Redactor;
  /**
   * After an availability failure, how long to go straight to disk before trying the database
   * again (default 5000); doubles on each further failure up to `maxRetryIntervalMs` (default 60000).
   */
  retryIntervalMs?: number;
  maxRetryIntervalMs?: number;
  /** Spool files of another host untouched for this long are adopted (default 15 min). */
  orphanAfterMs?: number;
  clock?: Clock;
}

export interface SpoolStatus {
  dir: string;
  /** Lines waiting for the database (this instance's files, adopted ones included). */
  pendingLines: number;
  /** True while writes go straight to disk (retry interval after a failure). */
  down: boolean;
}

export interface FlushReport {
  /** Lines applied to the database by this flush. */
  replayed: number;
  /** Lines still on disk (the database went away again). */
  pending: number;
  /** Lines moved to `rejected.jsonl`. */
  rejected: number;
}

const FILE_RE = /^(\d{13})-(.+)-(\d+)-([0-9a-f]{8})(?:-a\d+)?\.jsonl$/;
export const REJECTED_FILE = 'rejected.jsonl';

/** Instance tags of spools open in this process: their files are not orphans. */
const liveTags = new Set<string>();

export class SpoolingStore implements Store {
  readonly description: string;
  readonly dir: string;
  private readonly host = hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';
  private readonly tag = randomBytes(4).toString('hex');
  private readonly clock: Clock;
  private readonly retryIntervalMs: number;
  private readonly maxRetryIntervalMs: number;
  private failures = 0;
  private readonly orphanAfterMs: number;
  /** This instance's spool files with unreplayed lines, oldest first. */
  private files: string[] = [];
  private pendingLines = 0;
  private seq = 0;
  private adoptCount = 0;
  private downUntilMs = Number.NEGATIVE_INFINITY;
  private migrated = false;
  private queue: Promise<unknown> = Promise.resolve();
  private dirReady = false;

  constructor(
    private readonly inner: Store,
    private readonly opts: SpoolOptions = {},
  ) {
    this.description = inner.description;
    this.dir = opts.dir ?? DEFAULT_SPOOL_DIR;
    this.clock = opts.clock ?? systemClock;
    this.retryIntervalMs = opts.retryIntervalMs ?? 5_000;
    this.maxRetryIntervalMs = Math.max(this.retryIntervalMs, opts.maxRetryIntervalMs ?? 60_000);
    this.orphanAfterMs = opts.orphanAfterMs ?? 15 * 60_000;
    liveTags.add(this.tag);
  }

  /** The wrapped store. */
  get target(): Store {
    return this.inner;
  }

  status(): SpoolStatus {
    return { dir: this.dir, pendingLines: this.pendingLines, down: this.isDown() };
  }

  /**
   * Migrate the database, then replay the spool (this instance's and orphaned files). When the
   * database is unreachable this does not throw: it warns and the store runs in spool mode.
   */
  async migrate(): Promise<void> {
    await this.serial(async () => {
      await this.adoptOrphans();
      if (!(await this.ensureMigrated())) return;
      await this.replay();
    });
  }

  /** Replay spooled writes now, whatever the retry interval says. */
  async flushSpool(): Promise<FlushReport> {
    return this.serial(async () => {
      await this.adoptOrphans();
      this.downUntilMs = Number.NEGATIVE_INFINITY;
      if (!(await this.ensureMigrated())) return { replayed: 0, pending: this.pendingLines, rejected: 0 };
      return this.replay();
    });
  }

  saveRun(run: RunInfo): Promise<void> {
    return this.write('saveRun', run);
  }
  saveResults(results: MonitorResult[]): Promise<void> {
    return results.length ? this.write('saveResults', results) : Promise.resolve();
  }
  saveFindings(findings: Finding[]): Promise<void> {
    return findings.length ? this.write('saveFindings', findings) : Promise.resolve();
  }
  putStates(namespace: string, entries: Map<string, unknown>): Promise<void> {
    return entries.size ? this.write('putStates', { namespace, entries: [...entries] }) : Promise.resolve();
  }
  addDeployMarker(marker: DeployMarker): Promise<void> {
    return this.write('addDeployMarker', marker);
  }
  saveAlert(alert: AlertRecord): Promise<void> {
    return this.write('saveAlert', alert);
  }
  enqueueDelivery(delivery: DeliveryRecord): Promise<void> {
    return this.write('enqueueDelivery', delivery);
  }
  markDelivery(id: string, outcome: { deliveredAt: string | null; attempts: number; lastError: string | null }): Promise<void> {
    return this.write('markDelivery', { id, outcome });
  }

  getRun(id: string): Promise<RunInfo | null> {
    return this.read(() => this.inner.getRun(id));
  }
  listRuns(query?: { since?: string; limit?: number }): Promise<RunInfo[]> {
    return this.read(() => this.inner.listRuns(query));
  }
  listResults(query?: ResultQuery): Promise<MonitorResult[]> {
    return this.read(() => this.inner.listResults(query));
  }
  listFindings(query?: FindingQuery): Promise<Finding[]> {
    return this.read(() => this.inner.listFindings(query));
  }
  uptimeCounts(query: UptimeQuery): Promise<UptimeCount[]> {
    return this.read(() => this.inner.uptimeCounts(query));
  }
  statusChanges(query: UptimeQuery): Promise<StatusChange[]> {
    return this.read(() => this.inner.statusChanges(query));
  }
  getStates(namespace: string, keys: string[]): Promise<Map<string, unknown>> {
    return this.read(() => this.inner.getStates(namespace, keys));
  }
  listStateKeys(namespace: string): Promise<string[]> {
    return this.read(() => this.inner.listStateKeys(namespace));
  }
  /**
   * Never spooled (a state written blind, replayed late, would overwrite newer state): replays
   * what is pending, then runs on the database, or fails with StoreUnavailableError while it is
   * down. Outside the spool's queue, so the update may write through this store.
   */
  async updateStates(namespace: string, keys: string[], update: StateUpdate): Promise<void> {
    await this.read(async () => undefined);
    await this.guardRead(() => this.inner.updateStates(namespace, keys, update));
  }
  listDeployMarkers(query?: { since?: string; environment?: string }): Promise<DeployMarker[]> {
    return this.read(() => this.inner.listDeployMarkers(query));
  }
  getAlert(id: string): Promise<AlertRecord | null> {
    return this.read(() => this.inner.getAlert(id));
  }
  listAlerts(query?: { status?: 'open' | 'resolved'; since?: string; monitor?: string }): Promise<AlertRecord[]> {
    return this.read(() => this.inner.listAlerts(query));
  }
  pendingDeliveries(limit?: number): Promise<DeliveryRecord[]> {
    return this.read(() => this.inner.pendingDeliveries(limit));
  }

  /** Replays what it can when the database is reachable, then closes it; spooled lines stay on disk for the next runner. */
  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.pendingLines > 0 && !this.isDown() && (await this.ensureMigrated())) await this.replay();
      if (this.pendingLines > 0) {
        this.warn(`${this.pendingLines} write(s) for ${this.description} remain spooled in ${this.dir}; the next runner to open the store replays them`);
      }
    });
    liveTags.delete(this.tag);
    await this.inner.close();
  }

  // ---- internals -------------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private isDown(): boolean {
    return this.clock.monotonicMs() < this.downUntilMs;
  }

  private markDown(err: unknown): void {
    const firstFailure = this.failures === 0;
    const waitMs = Math.min(this.maxRetryIntervalMs, this.retryIntervalMs * 2 ** Math.min(this.failures, 16));
    this.failures++;
    this.downUntilMs = this.clock.monotonicMs() + waitMs;
    if (firstFailure) this.warn(`${this.description} is unavailable (${messageOf(err)}); writes are spooled to ${this.dir} until it is back`);
  }

  private warn(msg: string): void {
    this.opts.log?.(this.opts.redactor ? this.opts.redactor.redact(msg) : msg);
  }

  /** Migrates once; false when the database is unavailable (then it is marked down). */
  private async ensureMigrated(): Promise<boolean> {
    if (this.migrated) return true;
    try {
      await this.inner.migrate();
      this.migrated = true;
      this.failures = 0;
      return true;
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      this.markDown(err);
      return false;
    }
  }

  private write<K extends SpoolOp>(op: K, payload: SpoolPayloads[K]): Promise<void> {
    return this.serial(async () => {
      if (!this.isDown() && (await this.ensureMigrated())) {
        if (this.pendingLines > 0) await this.replay();
        if (this.pendingLines === 0 && !this.isDown()) {
          try {
            await apply(this.inner, op, payload);
            this.failures = 0;
            return;
          } catch (err) {
            if (!isStoreUnavailable(err)) throw err;
            this.markDown(err);
          }
        }
      }
      await this.append(op, payload);
    });
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.pendingLines === 0 && !this.isDown() && this.migrated) {
      return this.guardRead(fn);
    }
    return this.serial(async () => {
      if (this.isDown() || !(await this.ensureMigrated())) {
        throw new StoreUnavailableError(
          `${this.description} is unavailable (retrying in ${Math.max(0, Math.ceil(this.downUntilMs - this.clock.monotonicMs()))} ms); ${this.pendingLines} write(s) spooled in ${this.dir}`,
        );
      }
      if (this.pendingLines > 0) await this.replay();
      if (this.isDown()) throw new StoreUnavailableError(`${this.description} went away again while replaying the spool; ${this.pendingLines} write(s) spooled in ${this.dir}`);
      return this.guardRead(fn);
    });
  }

  private async guardRead<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isStoreUnavailable(err)) this.markDown(err);
      throw err;
    }
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    try {
      await mkdir(this.dir, { recursive: true });
    } catch (err) {
      throw new SpoolError(`spool ${this.dir}: cannot create the folder: ${messageOf(err)}`, { cause: err });
    }
    this.dirReady = true;
  }

  private ownName(startMs: number, adopted = false): string {
    const base = `${String(Math.floor(startMs)).padStart(13, '0')}-${this.host}-${process.pid}-${this.tag}`;
    return adopted ? `${base}-a${++this.adoptCount}.jsonl` : `${base}.jsonl`;
  }

  /** Appends one line and fsyncs it; the write is then safe and the caller's call succeeds. */
  private async append<K extends SpoolOp>(op: K, payload: SpoolPayloads[K]): Promise<void> {
    // Bad input fails now, as it would against the database, instead of being rejected at replay.
    validate(op, payload);
    await this.ensureDir();
    const seq = ++this.seq;
    const clean = op === 'putStates' || !this.opts.redactor ? payload : this.opts.redactor.redactDeep(payload);
    const line = { v: 1, id: `${this.tag}-${seq}`, seq, op, at: new Date(this.clock.nowMs()).toISOString(), payload: clean };
    let file = this.files.at(-1);
    const fresh = file === undefined || !file.endsWith(`-${this.tag}.jsonl`);
    if (fresh) file = this.ownName(this.clock.nowMs());
    const path = join(this.dir, file as string);
    try {
      const handle = await open(path, 'a');
      try {
        await handle.write(JSON.stringify(line) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (fresh) await syncDir(this.dir);
    } catch (err) {
      throw new SpoolError(`spool ${path}: cannot keep a ${op} write while ${this.description} is unavailable: ${messageOf(err)}`, { cause: err });
    }
    if (fresh) this.files.push(file as string);
    this.pendingLines++;
  }

  /** Renames spool files of dead runners to this instance, keeping their time prefix (order). */
  private async adoptOrphans(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new SpoolError(`spool ${this.dir}: cannot list: ${messageOf(err)}`, { cause: err });
    }
    const adopted: string[] = [];
    for (const name of names.sort()) {
      const m = FILE_RE.exec(name);
      if (!m || this.files.includes(name)) continue;
      const [, startMs, host, pid, tag] = m;
      if (!(await this.isOrphan(name, host, Number(pid), tag))) continue;
      const mine = this.ownName(Number(startMs), true);
      try {
        await rename(join(this.dir, name), join(this.dir, mine));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // another runner claimed it first
        throw new SpoolError(`spool ${this.dir}: cannot adopt ${name}: ${messageOf(err)}`, { cause: err });
      }
      adopted.push(mine);
      this.pendingLines += await countLines(join(this.dir, mine));
    }
    if (adopted.length) {
      this.files = [...this.files, ...adopted].sort();
      await syncDir(this.dir);
      this.warn(`spool ${this.dir}: adopted ${adopted.length} file(s) left by a runner that stopped`);
    }
  }

  private async isOrphan(name: string, host: string, pid: number, tag: string): Promise<boolean> {
    if (host !== this.host) {
      try {
        const st = await stat(join(this.dir, name));
        return this.clock.nowMs() - st.mtimeMs > this.orphanAfterMs;
      } catch {
        return false;
      }
    }
    if (pid === process.pid) return !liveTags.has(tag);
    return !processAlive(pid);
  }

  /** Applies spooled lines in order; stops at the first availability failure. */
  private async replay(): Promise<FlushReport> {
    const report: FlushReport = { replayed: 0, pending: 0, rejected: 0 };
    while (this.files.length > 0) {
      const name = this.files[0];
      const path = join(this.dir, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SpoolError(`spool ${path}: cannot read: ${messageOf(err)}`, { cause: err });
        text = '';
      }
      const lines = text.split('\n');
      // A crash mid-append leaves a last line without its newline: that write never returned.
      const complete = lines.slice(0, -1);
      if (!text.endsWith('\n') && lines.at(-1)) this.warn(`spool ${path}: ignoring an incomplete last line (the process stopped while writing it)`);
      for (let i = 0; i < complete.length; i++) {
        const raw = complete[i];
        if (!raw.trim()) continue;
        let line: SpoolLine;
        try {
          line = parseLine(raw);
        } catch (err) {
          await this.reject(raw, err);
          report.rejected++;
          this.pendingLines = Math.max(0, this.pendingLines - 1);
          continue;
        }
        try {
          await apply(this.inner, line.op, line.payload);
        } catch (err) {
          if (isStoreUnavailable(err)) {
            this.markDown(err);
            if (report.replayed + report.rejected > 0) await rewrite(path, complete.slice(i));
            report.pending = this.pendingLines;
            return report;
          }
          await this.reject(raw, err);
          report.rejected++;
          this.pendingLines = Math.max(0, this.pendingLines - 1);
          continue;
        }
        report.replayed++;
        this.pendingLines = Math.max(0, this.pendingLines - 1);
      }
      try {
        await unlink(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SpoolError(`spool ${path}: cannot remove after replay: ${messageOf(err)}`, { cause: err });
      }
      await syncDir(this.dir);
      this.files.shift();
    }
    this.pendingLines = 0;
    this.failures = 0;
    if (report.replayed || report.rejected) {
      this.warn(`${this.description} is back: replayed ${report.replayed} spooled write(s) from ${this.dir}${report.rejected ? `, ${report.rejected} rejected (see ${join(this.dir, REJECTED_FILE)})` : ''}`);
    }
    return report;
  }

  private async reject(raw: string, err: unknown): Promise<void> {
    const path = join(this.dir, REJECTED_FILE);
    const entry = JSON.stringify({ at: new Date(this.clock.nowMs()).toISOString(), error: messageOf(err), line: raw }) + '\n';
    try {
      const handle = await open(path, 'a');
      try {
        await handle.write(entry);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (writeErr) {
      throw new SpoolError(`spool ${path}: cannot set aside a rejected line: ${messageOf(writeErr)}`, { cause: writeErr });
    }
    this.warn(`spool ${this.dir}: the database rejected a spooled write (${messageOf(err)}); moved to ${path}`);
  }
}

/** Runs one spooled operation against a store. */
export async function apply<K extends SpoolOp>(store: Store, op: K, payload: SpoolPayloads[K]): Promise<void> {
  const line = { op, payload } as Pick<SpoolLine, 'op' | 'payload'> as SpoolLine;
  switch (line.op) {
    case 'saveRun':
      return store.saveRun(line.payload);
    case 'saveResults':
      return store.saveResults(line.payload);
    case 'saveFindings':
      return store.saveFindings(line.payload);
    case 'putStates':
      return store.putStates(line.payload.namespace, new Map(line.payload.entries));
    case 'addDeployMarker':
      return store.addDeployMarker(line.payload);
    case 'saveAlert':
      return store.saveAlert(line.payload);
    case 'enqueueDelivery':
      return store.enqueueDelivery(line.payload);
    case 'markDelivery':
      return store.markDelivery(line.payload.id, line.payload.outcome);
  }
}

const validator = new RowCodec();

/** The checks the stores make before any SQL (ids, instants), without a database. */
function validate<K extends SpoolOp>(op: K, payload: SpoolPayloads[K]): void {
  const line = { op, payload } as Pick<SpoolLine, 'op' | 'payload'> as SpoolLine;
  switch (line.op) {
    case 'saveRun':
      return void validator.run(line.payload);
    case 'saveResults':
      return line.payload.forEach((r, i) => validator.result(r, `results[${i}]`));
    case 'saveFindings':
      return line.payload.forEach((f, i) => validator.finding(f, `findings[${i}]`));
    case 'putStates':
      return;
    case 'addDeployMarker':
      return void validator.deploy(line.payload);
    case 'saveAlert':
      return void validator.alert(line.payload);
    case 'enqueueDelivery':
      return void validator.delivery(line.payload);
    case 'markDelivery':
      return void validator.deliveryOutcome(line.payload.outcome);
  }
}

const OPS: ReadonlySet<string> = new Set<SpoolOp>(['saveRun', 'saveResults', 'saveFindings', 'putStates', 'addDeployMarker', 'saveAlert', 'enqueueDelivery', 'markDelivery']);

export function parseLine(raw: string): SpoolLine {
  const value = JSON.parse(raw) as Partial<SpoolLine> | null;
  if (!value || typeof value !== 'object' || value.v !== 1 || typeof value.op !== 'string' || !OPS.has(value.op) || !('payload' in value)) {
    throw new SpoolError(`spool line: expected {"v":1,"op":<one of ${[...OPS].join(', ')}>,"payload":...}, got ${raw.slice(0, 120)}`);
  }
  return value as SpoolLine;
}

/** Replaces a file's content atomically (temp file, fsync, rename). */
async function rewrite(path: string, lines: string[]): Promise<void> {
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, lines.map((l) => l + '\n').join(''));
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    throw new SpoolError(`spool ${path}: cannot drop replayed lines: ${messageOf(err)}`, { cause: err });
  }
}

async function countLines(path: string): Promise<number> {
  try {
    const text = await readFile(path, 'utf8');
    return text.split('\n').filter((l, i, all) => l.trim() && (i < all.length - 1 || text.endsWith('\n'))).length;
  } catch {
    return 0;
  }
}

/** fsync a folder so a created/renamed/removed entry survives a crash (best effort off Linux). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the file data itself is already synced.
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
