/**
 * The restore journal (issue 14, point 4: a crash in the middle of a restore loses nothing). A
 * restore first prepares everything beside the database (the backup copied to a flushed temporary
 * file, the other installation's key to a temporary key file), then writes this journal, then
 * moves the database in place aside and the copy into place, then installs the key and the marker,
 * and removes the journal. Whoever next opens the data directory finds a journal left by a crash:
 * - the copy is still in its temporary file: nothing was swapped, the restore is undone (whatever
 *   was moved aside comes back) and the base in place is the one from before;
 * - the copy is gone: it is the database now, the restore is finished (key, marker).
 * Every step is a rename within the data directory, flushed with the directory.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STORE_FILES } from '../../contract/storage-files';
import { fsyncDirectory, writeFileAtomic } from './files';
import { databasePath, statOrNull, writeMarker } from './marker';

export interface RestoreJournal {
  format: 1;
  /** Temporary copy of the backup (a name in the data directory). */
  staged: string;
  /** Temporary key file holding the backup's key, or null when the key does not change. */
  stagedKey: string | null;
  /** Name the database in place is moved to (null when there was none). */
  setAside: string | null;
  /** Name the key file in place is moved to when the key changes. */
  keySetAside: string | null;
  /** The marker to write once the restored database is in place. */
  marker: { createdAt: string; keyCheck: string };
}

/** Database files, main file last: its name is what says a base is there. */
export const DATABASE_SUFFIXES = ['-wal', '-shm', ''] as const;

export function journalPath(dataDir: string): string {
  return join(dataDir, STORE_FILES.restoreJournal);
}

export function writeRestoreJournal(dataDir: string, journal: RestoreJournal): void {
  writeFileAtomic(journalPath(dataDir), `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
}

export function readRestoreJournal(dataDir: string): RestoreJournal | null {
  let text: string;
  try {
    text = readFileSync(journalPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const value = JSON.parse(text) as RestoreJournal;
  if (value.format !== 1 || typeof value.staged !== 'string' || typeof value.marker?.keyCheck !== 'string') {
    throw new Error('restore journal unreadable');
  }
  return value;
}

export type PendingRestoreOutcome = 'none' | 'undone' | 'finished';

/** Undoes or finishes a restore that a crash interrupted (see the file comment). */
export function completePendingRestore(dataDir: string): PendingRestoreOutcome {
  const journal = readRestoreJournal(dataDir);
  if (journal === null) return 'none';
  if (statOrNull(join(dataDir, journal.staged)) !== null) {
    undoRestore(dataDir, journal);
    return 'undone';
  }
  finishRestore(dataDir, journal);
  return 'finished';
}

/** Puts back what was moved aside and removes what was prepared; the journal goes last. */
export function undoRestore(dataDir: string, journal: RestoreJournal): void {
  const dbPath = databasePath(dataDir);
  if (journal.setAside !== null) {
    const aside = join(dataDir, journal.setAside);
    for (const suffix of DATABASE_SUFFIXES) {
      if (statOrNull(`${aside}${suffix}`) !== null && statOrNull(`${dbPath}${suffix}`) === null) renameSync(`${aside}${suffix}`, `${dbPath}${suffix}`);
    }
  }
  rmSync(join(dataDir, journal.staged), { force: true });
  if (journal.stagedKey !== null) rmSync(join(dataDir, journal.stagedKey), { force: true });
  fsyncDirectory(dataDir);
  rmSync(journalPath(dataDir), { force: true });
  fsyncDirectory(dataDir);
}

/** Once the restored database is in place: its key (kept key set aside), its marker, then no journal. */
export function finishRestore(dataDir: string, journal: RestoreJournal): void {
  if (journal.stagedKey !== null) {
    const staged = join(dataDir, journal.stagedKey);
    if (statOrNull(staged) !== null) {
      const keyFile = join(dataDir, STORE_FILES.keyFile);
      if (journal.keySetAside !== null && statOrNull(keyFile) !== null && statOrNull(join(dataDir, journal.keySetAside)) === null) {
        renameSync(keyFile, join(dataDir, journal.keySetAside));
      }
      renameSync(staged, keyFile);
    }
  }
  writeMarker(dataDir, { format: 1, createdAt: journal.marker.createdAt, keyCheck: journal.marker.keyCheck });
  rmSync(journalPath(dataDir), { force: true });
  fsyncDirectory(dataDir);
}
