/**
 * Use case: restore a backup from the desk (Paramètres → Sauvegardes, issue 14, point 4). The user
 * picks one of the backups of the folder and confirms; the backup is verified at once (so that a
 * damaged one is said now, not at the next start) and the request is written down; the next start
 * of Pupitre does the restore before opening the base (platform/db/restore-request.ts).
 */
import type { PendingRestore } from '../../contract/domains/storage';
import { AppError } from '../../contract';
import type { Clock } from '../../platform/clock';
import { cancelRestoreRequest, listBackups, readRestoreRequest, verifyBackup, writeRestoreRequest } from '../../platform/db';
import type { AuditWriter } from '../audit';

export interface RestoreRequestDeps {
  dataDir: string;
  keyHex: string;
  folder: () => string;
  /** Last schema version this Pupitre knows. */
  supportedVersion: number;
  /** Tables a Pupitre base has. */
  requiredTables: readonly string[];
  clock: Clock;
  audit: AuditWriter;
}

export class RestoreRequests {
  constructor(private readonly deps: RestoreRequestDeps) {}

  /** Verifies the backup named `file` in the backup folder and asks for its restore at the next start. */
  async request(file: string, actor: string): Promise<PendingRestore> {
    // Only a backup of the folder, by its name: never a path given by a client.
    const entry = listBackups(this.deps.folder()).find((b) => b.file === file);
    if (entry === undefined) throw new AppError('BACKUP_NOT_FOUND', { file: 'not-in-folder' });
    const verified = await verifyBackup(entry.path, this.deps.keyHex, this.deps.supportedVersion);
    if (this.deps.requiredTables.some((table) => !verified.tables.includes(table))) throw new AppError('BACKUP_NOT_PUPITRE');
    const requestedAt = new Date(this.deps.clock.now()).toISOString();
    writeRestoreRequest(this.deps.dataDir, { format: 1, backupPath: entry.path, backupCreatedAt: entry.createdAt, requestedAt, actor });
    this.deps.audit({ actor, patientRef: null, action: 'db.restore_requested', details: { file: entry.file, backupAt: entry.createdAt } });
    return { file: entry.file, backupAt: entry.createdAt, requestedAt };
  }

  cancel(actor: string): boolean {
    const cancelled = cancelRestoreRequest(this.deps.dataDir);
    if (cancelled) this.deps.audit({ actor, patientRef: null, action: 'db.restore_cancelled', details: {} });
    return cancelled;
  }

  pending(): PendingRestore | null {
    let request;
    try {
      request = readRestoreRequest(this.deps.dataDir);
    } catch {
      return null;
    }
    if (request === null) return null;
    return { file: request.backupPath.split(/[\\/]/).pop() ?? request.backupPath, backupAt: request.backupCreatedAt, requestedAt: request.requestedAt };
  }
}
