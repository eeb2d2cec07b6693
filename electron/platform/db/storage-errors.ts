/**
 * Turns what the file system and SQLite report into the store's stable codes, so that the user is
 * told the real cause and its next step: « clé invalide » only when the key is wrong; damage, a
 * read-only disk, missing rights and a full disk each have their own code (issue 14, point 3).
 */
import { accessSync, constants, statfsSync } from 'node:fs';
import { AppError, type ErrorCode } from '../../contract';

/** Codes of a storage failure that a caller may rethrow as they are. */
export const STORAGE_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'DB_MISSING',
  'DB_DAMAGED',
  'DB_UNREADABLE',
  'DB_KEY_INVALID',
  'DB_KEY_MISSING',
  'DB_KEY_FILE_DAMAGED',
  'DB_DISK_FULL',
  'DB_READ_ONLY',
  'DB_PERMISSION_DENIED',
  'DB_IO_ERROR',
  'DB_NEWER_SCHEMA',
]);

const ERRNO_CODES: Record<string, ErrorCode> = {
  ENOSPC: 'DB_DISK_FULL',
  EDQUOT: 'DB_DISK_FULL',
  EROFS: 'DB_READ_ONLY',
  EACCES: 'DB_PERMISSION_DENIED',
  EPERM: 'DB_PERMISSION_DENIED',
  EIO: 'DB_IO_ERROR',
};

/**
 * The store code for a Node file-system error or a SQLite error, or null when the error is
 * something else (a bug, a constraint). `writablePath` is probed when SQLite only says it could
 * not write (it falls back to read-only when the file cannot be opened for writing), to tell a
 * read-only file system from missing rights.
 */
export function storageErrorOf(error: unknown, writablePath?: string, options: { sqliteOnly?: boolean } = {}): AppError | null {
  if (error instanceof AppError) return STORAGE_ERROR_CODES.has(error.code) ? error : null;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  // A file-system error met outside the store (a document the user chose, say) is not the store's:
  // callers that only know the error came from somewhere in the host pass `sqliteOnly`.
  const errno = options.sqliteOnly === true ? undefined : ERRNO_CODES[code];
  if (errno !== undefined) return new AppError(errno, { cause: code }, { cause: error });
  if (!code.startsWith('SQLITE_')) return null;
  const details = { sqlite: code };
  if (code === 'SQLITE_FULL') return new AppError('DB_DISK_FULL', details, { cause: error });
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) return new AppError('DB_DAMAGED', details, { cause: error });
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new AppError(writeDenialCode(writablePath), details, { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    // SQLite reports some out-of-space writes as I/O errors (growing the WAL index gives
    // SQLITE_IOERR_SHMSIZE): look at the disk before blaming it.
    if (writablePath !== undefined) {
      if (isOutOfSpace(writablePath)) return new AppError('DB_DISK_FULL', details, { cause: error });
      if (writeDenialCode(writablePath) === 'DB_READ_ONLY') return new AppError('DB_READ_ONLY', details, { cause: error });
    }
    return new AppError('DB_IO_ERROR', details, { cause: error });
  }
  return null;
}

/** Why a path cannot be written: a read-only file system, or missing rights (the default). */
function writeDenialCode(path: string | undefined): ErrorCode {
  if (path === undefined) return 'DB_PERMISSION_DENIED';
  try {
    accessSync(path, constants.W_OK);
    return 'DB_PERMISSION_DENIED';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS' ? 'DB_READ_ONLY' : 'DB_PERMISSION_DENIED';
  }
}

/** Less than one SQLite page of room left for this user on the file system of `path`. */
function isOutOfSpace(path: string): boolean {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize < 64 * 1024;
  } catch {
    return false;
  }
}
