/**
 * Scheduled encrypted backups (issue 14, point 4): a verified copy of the database in the backup
 * folder every `intervalHours`, the `keep` newest kept, each run recorded and audited. The copy is
 * made with SQLite's online backup API while the desk keeps working (platform/db/backup.ts).
 * Restoring is done with Pupitre stopped (`pupitre restore`), or asked for from the desk and done at
 * the next start (restore-request.ts).
 */
import type { BackupEntry, BackupRun, BackupStatus, Settings } from '../../contract';
import { AppError } from '../../contract';
import type { Clock } from '../../platform/clock';
import { backupDatabase, listBackups, rotateBackups, type Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import type { AuditWriter } from '../audit';
import { nextBackupDue } from './schedule';

export { backupMigrations } from './schema';
export { nextBackupDue, RETRY_AFTER_FAILURE_MS } from './schedule';
export { RestoreRequests, type RestoreRequestDeps } from './restore-request';

export interface BackupServiceDeps {
  db: Db;
  keyHex: string;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  settings: () => Settings['backup'];
  actor: () => string;
  notify?: (run: BackupRun) => void;
  /** Puts into the copy what is kept beside the database (platform/db/backup.ts `complete`). */
  completeCopy?: (copy: Db) => Promise<number>;
}

interface RunRow {
  started_at: number;
  ended_at: number;
  trigger: BackupRun['trigger'];
  ok: number;
  error_code: string | null;
  file: string | null;
}

/** The scheduler looks again at least this often (settings may have changed). */
const MAX_SLEEP_MS = 15 * 60_000;

export class BackupService {
  private running: Promise<{ run: BackupRun; backup: BackupEntry | null }> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private readonly logger: Logger;
  private readonly insertRun;
  private readonly lastRun;
  private readonly lastSuccess;

  constructor(private readonly deps: BackupServiceDeps) {
    this.logger = deps.logger.child('backup');
    this.insertRun = deps.db.prepare<{ startedAt: number; endedAt: number; trigger: string; ok: number; code: string | null; file: string | null; size: number | null }>(
      `INSERT INTO backup_run (started_at, ended_at, trigger, ok, error_code, file, size_bytes)
       VALUES (@startedAt, @endedAt, @trigger, @ok, @code, @file, @size)`,
    );
    this.lastRun = deps.db.prepare<[], RunRow>('SELECT * FROM backup_run ORDER BY id DESC LIMIT 1');
    this.lastSuccess = deps.db.prepare<[], RunRow>('SELECT * FROM backup_run WHERE ok = 1 ORDER BY id DESC LIMIT 1');
  }

  /** One backup now; a run already under way is joined rather than doubled. */
  run(trigger: BackupRun['trigger']): Promise<{ run: BackupRun; backup: BackupEntry | null }> {
    this.running ??= this.runOnce(trigger).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The schedule and the backups of the folder (the wiring adds the restore's state). */
  status(): Omit<BackupStatus, 'pendingRestore' | 'lastRestore'> {
    const settings = this.deps.settings();
    const last = this.lastRun.get();
    const success = this.lastSuccess.get();
    return {
      folder: settings.folder,
      intervalHours: settings.intervalHours,
      keep: settings.keep,
      lastRun: last === undefined ? null : toRun(last),
      lastSuccessAt: success === undefined ? null : new Date(success.ended_at).toISOString(),
      nextAt: this.scheduled ? new Date(Math.max(this.nextDue(), this.deps.clock.now())).toISOString() : null,
      backups: listBackups(settings.folder).map((b) => ({ file: b.file, at: b.createdAt, sizeBytes: b.sizeBytes, schemaVersion: b.schemaVersion })),
    };
  }

  /** When the next scheduled backup is due (ms since the epoch). */
  nextDue(): number {
    const last = this.lastRun.get();
    const success = this.lastSuccess.get();
    return nextBackupDue(
      { lastRunAt: last?.ended_at ?? null, lastRunOk: last === undefined ? null : last.ok === 1, lastSuccessAt: success?.ended_at ?? null },
      this.deps.settings().intervalHours * 3600_000,
    );
  }

  /** Runs the scheduled backup if it is due; the host's timer calls it, tests call it directly. */
  async runIfDue(): Promise<BackupRun | null> {
    if (this.deps.clock.now() < this.nextDue()) return null;
    return (await this.run('scheduled')).run;
  }

  /** Starts the schedule (the app and `pupitre serve`; CLI commands do not schedule). */
  start(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.scheduled = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // A backup under way finishes: its temporary file would otherwise be left behind.
    await this.running?.catch(() => undefined);
  }

  private arm(delayMs: number): void {
    if (!this.scheduled) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runIfDue()
        .catch((error: unknown) => this.logger.error('backup.schedule_failed', { code: (error as { code?: string }).code ?? 'unknown' }))
        .finally(() => this.arm(Math.min(Math.max(this.nextDue() - this.deps.clock.now(), 1_000), MAX_SLEEP_MS)));
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(trigger: BackupRun['trigger']): Promise<{ run: BackupRun; backup: BackupEntry | null }> {
    const settings = this.deps.settings();
    const startedAt = this.deps.clock.now();
    let backup: BackupEntry | null = null;
    let code: string | null = null;
    let file: string | null = null;
    let size: number | null = null;
    try {
      if (settings.folder === '') throw new AppError('BACKUP_FOLDER_UNAVAILABLE', { reason: 'not-set' });
      const made = await backupDatabase(this.deps.db, { folder: settings.folder, keyHex: this.deps.keyHex, now: new Date(startedAt), ...(this.deps.completeCopy ? { complete: this.deps.completeCopy } : {}) });
      file = made.file;
      size = made.sizeBytes;
      backup = { file: made.file, at: made.createdAt, sizeBytes: made.sizeBytes, schemaVersion: made.schemaVersion };
      const removed = rotateBackups(settings.folder, settings.keep);
      this.logger.info('backup.done', { sizeBytes: made.sizeBytes, removed: removed.length, trigger });
    } catch (error) {
      code = error instanceof AppError ? error.code : 'BACKUP_FAILED';
      this.logger.error('backup.failed', { code, trigger });
    }
    const endedAt = this.deps.clock.now();
    this.insertRun.run({ startedAt, endedAt, trigger, ok: code === null ? 1 : 0, code, file, size });
    // A backup copies every patient's data: it is recorded like any access.
    this.deps.audit({ actor: this.deps.actor(), patientRef: null, action: 'db.backup', details: { trigger, ok: code === null, file, errorCode: code } });
    const run: BackupRun = { at: new Date(endedAt).toISOString(), ok: code === null, errorCode: code, file, trigger };
    this.deps.notify?.(run);
    return { run, backup };
  }
}

function toRun(row: RunRow): BackupRun {
  return { at: new Date(row.ended_at).toISOString(), ok: row.ok === 1, errorCode: row.error_code, file: row.file, trigger: row.trigger };
}
