/**
 * Rights kept per patient with their date (owned by services/adri). Every answer is a new row, so
 * billing can show what was known when; the latest row is the patient's current rights. The
 * database is encrypted at rest; rows carry no name, only the patient id and the rights.
 */
import type { AdriRights } from '../../contract/domains/adri';
import type { Db } from '../../platform/db';
import { sameBeneficiary, type BeneficiaryKey } from './beneficiary-match';

/**
 * The beneficiary the rights were asked for is kept inside the row's JSON (no new column: rows
 * written before it have none and are never reused for billing).
 */
type StoredRights = AdriRights & { beneficiary?: BeneficiaryKey };

export const adriMigrations = [
  {
    name: 'adri: rights per patient, with their date',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE adri_rights (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          patient_id  TEXT NOT NULL,
          checked_at  TEXT NOT NULL,
          status      TEXT NOT NULL CHECK (status IN ('open', 'closed', 'unverified')),
          reason      TEXT,
          rights      TEXT NOT NULL
        );
        CREATE INDEX adri_rights_patient ON adri_rights(patient_id, id);
      `);
    },
  },
] as const;

export class AdriStore {
  private readonly insertRow;
  private readonly latestRow;

  constructor(db: Db) {
    this.insertRow = db.prepare('INSERT INTO adri_rights (patient_id, checked_at, status, reason, rights) VALUES (?, ?, ?, ?, ?)');
    this.latestRow = db.prepare('SELECT rights FROM adri_rights WHERE patient_id = ? ORDER BY id DESC LIMIT 1');
  }

  save(rights: AdriRights, beneficiary: BeneficiaryKey): void {
    const stored: StoredRights = { ...rights, beneficiary };
    this.insertRow.run(rights.patientId, rights.checkedAt, rights.status, rights.reason, JSON.stringify(stored));
  }

  latest(patientId: string): AdriRights | null {
    const stored = this.latestStored(patientId);
    if (stored === null) return null;
    const { beneficiary: _beneficiary, ...rights } = stored;
    return rights;
  }

  /** The latest rights only when they were asked for this beneficiary (another twin's never count). */
  latestFor(patientId: string, beneficiary: BeneficiaryKey): AdriRights | null {
    const stored = this.latestStored(patientId);
    if (stored?.beneficiary === undefined || !sameBeneficiary(stored.beneficiary, beneficiary)) return null;
    const { beneficiary: _beneficiary, ...rights } = stored;
    return rights;
  }

  private latestStored(patientId: string): StoredRights | null {
    const row = this.latestRow.get(patientId) as { rights: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.rights) as StoredRights);
  }
}
