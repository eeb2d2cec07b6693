/**
 * Files that must never be seen half-written (the key, the marker, a backup): written to a
 * temporary file in the same folder, flushed (fsync), then moved into place in one step (rename,
 * or link when an existing file must not be replaced), and the folder flushed so that the new
 * name survives a power cut. On failure the temporary file is removed: nothing is left behind.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600: only its owner reads it). */
  mode?: number;
  /** When true, an existing file is never replaced: the write fails with EEXIST instead. */
  exclusive?: boolean;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null = null;
  try {
    fd = openSync(temporary, 'wx', options.mode ?? 0o600);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    if (options.exclusive === true) {
      // link() refuses to replace an existing name: two processes creating the key at once keep one.
      linkSync(temporary, path);
      rmSync(temporary, { force: true });
    } else {
      renameSync(temporary, path);
    }
  } catch (error) {
    if (fd !== null) closeQuietly(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(dir);
}

/** Makes a rename or a new file in `dir` durable. Windows has no directory handles to flush. */
export function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates an empty file readable by its owner only, failing if it exists (EEXIST). */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'wx', 0o600));
}

/** Removes group and other permissions from an existing file (a key or a database made elsewhere). */
export function restrictToOwner(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the first error is the one reported
  }
}
