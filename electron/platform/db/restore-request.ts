/**
 * A restore asked for from the desk (issue 14, point 4). The running host cannot swap the base it
 * has open, so the desk's confirmed request is written down (which backup, when, by whom) and the
 * next start does it before opening the base, with the same checks and the same crash-safe swap as
 * `pupitre restore` (restore.ts). The request is used once: done or refused, it is removed and
 * the outcome is handed to the host, which records it in the audit trail and shows it. A start
 * that finds the base open by another process (a CLI command while the desk runs) leaves it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract';
import { STORE_FILES } from '../../contract/storage-files';
import { fsyncDirectory, writeFileAtomic } from './files';
import { restoreDatabase } from './restore';

export interface RestoreRequest {
  format: 1;
  /** Absolute path of the verified backup. */
  backupPath: string;
  /** When the backup was made (from its description), to say which one in the desk. */
  backupCreatedAt: string | null;
  requestedAt: string;
  /** Who confirmed it (the audit trail's actor). */
  actor: string;
}

export interface RestoreOutcome {
  ok: boolean;
  at: string;
  backupPath: string;
  backupCreatedAt: string | null;
  actor: string;
  /** Where the base that was in place was moved to (ok only). */
  setAside: string | null;
  /** Why it was not done (the base in place was kept). */
  errorCode: string | null;
  schemaVersion: number | null;
}

const requestPath = (dataDir: string) => join(dataDir, STORE_FILES.restoreRequest);

export function writeRestoreRequest(dataDir: string, request: RestoreRequest): void {
  writeFileAtomic(requestPath(dataDir), `${JSON.stringify(request, null, 2)}\n`, { mode: 0o600 });
}

export function readRestoreRequest(dataDir: string): RestoreRequest | null {
  let text: string;
  try {
    text = readFileSync(requestPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<RestoreRequest>;
    if (value.format !== 1 || typeof value.backupPath !== 'string' || typeof value.requestedAt !== 'string') return null;
    return {
      format: 1,
      backupPath: value.backupPath,
      backupCreatedAt: typeof value.backupCreatedAt === 'string' ? value.backupCreatedAt : null,
      requestedAt: value.requestedAt,
      actor: typeof value.actor === 'string' ? value.actor : 'poste',
    };
  } catch {
    return null;
  }
}

/** True when there was a request to cancel. */
export function cancelRestoreRequest(dataDir: string): boolean {
  const had = readRestoreRequest(dataDir) !== null;
  rmSync(requestPath(dataDir), { force: true });
  fsyncDirectory(dataDir);
  return had;
}

export interface ApplyRestoreOptions {
  dataDir: string;
  keyHex: string;
  supportedVersion: number;
  requiredTables: readonly string[];
  now: Date;
}

/** Does the requested restore, if any (null when none was asked for). Never throws for the backup's faults. */
export async function applyRestoreRequest(options: ApplyRestoreOptions): Promise<RestoreOutcome | null> {
  let request: RestoreRequest | null;
  try {
    request = readRestoreRequest(options.dataDir);
  } catch {
    request = null;
  }
  if (request === null) {
    // An unreadable request is not acted upon.
    rmSync(requestPath(options.dataDir), { force: true });
    return null;
  }
  const base = { at: options.now.toISOString(), backupPath: request.backupPath, backupCreatedAt: request.backupCreatedAt, actor: request.actor };
  let done = true;
  try {
    const report = await restoreDatabase({
      dataDir: options.dataDir,
      backupPath: request.backupPath,
      keyHex: options.keyHex,
      currentKeyHex: options.keyHex,
      installKeyFile: false,
      supportedVersion: options.supportedVersion,
      requiredTables: options.requiredTables,
      now: options.now,
    });
    return { ...base, ok: true, setAside: report.setAside, errorCode: null, schemaVersion: report.restored.schemaVersion };
  } catch (error) {
    if (error instanceof AppError && error.code === 'DB_IN_USE') {
      // Another process has the base open (a CLI command while the desk runs): the request waits
      // for the start of the desk itself.
      done = false;
      return null;
    }
    return { ...base, ok: false, setAside: null, errorCode: error instanceof AppError ? error.code : 'BACKUP_FAILED', schemaVersion: null };
  } finally {
    if (done) {
      rmSync(requestPath(options.dataDir), { force: true });
      fsyncDirectory(options.dataDir);
    }
  }
}
