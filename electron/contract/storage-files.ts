/**
 * Names of the files of an installation's data directory, shared by the Electron main process
 * (which seals the key with the OS key store) and the host (which opens the database).
 */
export const STORE_FILES = {
  /** The encrypted SQLite database (with its `-wal` and `-shm` companions). */
  database: 'pupitre.db',
  /**
   * Durable marker written once the database exists: a database that existed and is gone or
   * emptied is then refused instead of being silently recreated. Holds the key check value.
   */
  marker: 'pupitre.db.marker',
  /** Headless key: 64 hex characters, mode 0600. */
  keyFile: 'db.key',
  /** Electron: the key sealed by the OS key store (safeStorage). */
  sealedKey: 'db.key.sealed',
  /** Electron without a real OS key store: parameters of the passphrase-derived key (no secret). */
  passphrase: 'db.key.passphrase.json',
  /**
   * A restore under way (no secret): written before the database in place is moved, removed once
   * the restored one, its key and the marker are in place. Found at start, the restore is undone
   * (nothing swapped yet) or finished (swapped): a crash never leaves the installation without a base.
   */
  restoreJournal: 'pupitre.db.restauration.json',
  /**
   * A restore asked for from the desk (Paramètres → Sauvegardes), done at the next start before the
   * base is opened: a running Pupitre cannot swap the base it has open. No secret.
   */
  restoreRequest: 'pupitre.db.restauration-demandee.json',
} as const;
