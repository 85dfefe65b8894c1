/**
 * File writing for reporters: atomic (temp file + rename in the same folder), so a dashboard or a CI
 * step reading `latest.json` while a run writes it never sees half a file.
 */
import { mkdir, rename, writeFile, appendFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ReportWriteError } from './errors.js';

/** Write `content` to `outDir/name` atomically; returns the absolute path. */
export async function writeReportFile(outDir: string, name: string, content: string | Uint8Array): Promise<string> {
  const target = path.resolve(outDir, name);
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(tmp, content);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new ReportWriteError(target, err);
  }
  return target;
}

/** Append to a file that someone else owns (`$GITHUB_STEP_SUMMARY`); returns its path. */
export async function appendReportFile(file: string, content: string): Promise<string> {
  try {
    await appendFile(file, content);
  } catch (err) {
    throw new ReportWriteError(file, err);
  }
  return file;
}

/** A run id as a file name part: anything but `[A-Za-z0-9._-]` becomes `_`. */
export function fileSafe(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe || '_';
}
