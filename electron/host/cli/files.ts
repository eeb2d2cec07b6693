/**
 * Files named on the command line: a missing file is « fichier introuvable » (FILE_NOT_FOUND), a
 * folder or a file without read permission « illisible » (FILE_UNREADABLE), and a file above the
 * command's bound gets that command's size message before a byte is read — never INTERNAL
 * (issue 14 point 9). The path stays in the details, for the person who typed it.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError, type ErrorCode } from '../../contract';

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR']);
const UNREADABLE = new Set(['EACCES', 'EPERM', 'EISDIR']);

/** An error of the file system about `file` → its AppError; anything else unchanged. */
export function fileError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (NOT_FOUND.has(code)) return new AppError('FILE_NOT_FOUND', { file }, { cause: error });
  if (UNREADABLE.has(code)) return new AppError('FILE_UNREADABLE', { file, reason: code }, { cause: error });
  return error;
}

/** Reads a file named by the user, refusing it above `maxBytes` (with `tooLarge`'s message) first. */
export function readInputFile(file: string, limit?: { maxBytes: number; tooLarge: ErrorCode }): Buffer {
  const path = resolve(file);
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new AppError('FILE_UNREADABLE', { file, reason: 'EISDIR' });
    if (limit !== undefined && stat.size > limit.maxBytes) throw new AppError(limit.tooLarge, { file, bytes: stat.size, maxBytes: limit.maxBytes });
    return readFileSync(path);
  } catch (error) {
    throw fileError(error, file);
  }
}
