/**
 * ADRi at the desk: asks the rights after a card or app read, keeps them per patient with their
 * date, and answers billing's question « what is known of this patient's rights, and since when ».
 */
import { AppError } from '../../contract';
import type { AdriCoverage, AdriRights } from '../../contract/domains/adri';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import type { AuditWriter } from '../audit';
import { acquireRights } from './acquire-rights';
import { recordMismatch, requireLivingRecord, type BeneficiaryKey, type RecordIdentity } from './beneficiary-match';
import type { AdriClient, AdriCredentials } from './client';
import { AdriStore } from './store';

export interface AdriServiceDeps {
  db: Db;
  /** Null when the spec-level configuration is missing: rights stay « non vérifiés » (not-configured). */
  client: AdriClient | null;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  credentials: () => AdriCredentials | null;
  /** The record's birth date and NIR (services/patients, read audited under `actor`); null when unknown. */
  patientIdentity: (patientId: string, actor: string) => RecordIdentity | null;
  notify?: (change: { patientId: string; status: AdriRights['status'] }) => void;
}

export class AdriService {
  private readonly store: AdriStore;
  private readonly logger: Logger;

  constructor(private readonly deps: AdriServiceDeps) {
    this.store = new AdriStore(deps.db);
    this.logger = deps.logger.child('adri');
  }

  /**
   * acquerirLesDroits for one patient; the result (even « non vérifiés ») is stored and audited.
   * The record must be a living one (PATIENT_MERGED otherwise) and the beneficiary read (birth
   * date, NIR when both have one; ADRI_PATIENT_MISMATCH otherwise): else nothing is asked nor stored.
   * `readRecord` is the record as the caller has just read it for the same act (billing, for the
   * invoice it builds): checked here all the same, not read a second time, so that one invoice is
   * one audited access to the record. Asked alone (the patient screen), the record is read here.
   */
  async acquire(patientId: string, coverage: AdriCoverage, actor: string, readRecord?: RecordIdentity): Promise<AdriRights> {
    const record = readRecord ?? this.deps.patientIdentity(patientId, actor);
    if (record === null) throw new AppError('ADRI_PATIENT_UNKNOWN');
    requireLivingRecord(record);
    const beneficiary = beneficiaryOf(coverage);
    const mismatch = recordMismatch(record, beneficiary);
    if (mismatch !== null) throw new AppError('ADRI_PATIENT_MISMATCH', { reason: mismatch });
    const now = new Date(this.deps.clock.now());
    const rights = await acquireRights(this.deps.client, this.deps.credentials(), {
      patientId,
      coverage,
      referenceDate: now.toISOString().slice(0, 10),
      checkedAt: now.toISOString(),
    });
    this.store.save(rights, beneficiary);
    if (rights.status === 'unverified') this.logger.info('adri.unverified', { reason: rights.reason });
    this.deps.audit({ actor, patientRef: patientId, action: 'adri.rights.acquired', details: { status: rights.status, reason: rights.reason, source: coverage.source } });
    this.deps.notify?.({ patientId, status: rights.status });
    return rights;
  }

  /** The latest rights known for the patient, with their date (billing reads this). */
  rights(patientId: string, actor: string): AdriRights | null {
    const rights = this.store.latest(patientId);
    if (rights !== null) this.deps.audit({ actor, patientRef: patientId, action: 'adri.rights.read', details: { status: rights.status } });
    return rights;
  }

  /**
   * For billing, without an audit entry of its own (billing audits the invoice it builds): only
   * rights asked for this very beneficiary.
   */
  latestRights(patientId: string, beneficiary: BeneficiaryKey): AdriRights | null {
    return this.store.latestFor(patientId, beneficiary);
  }
}

export function beneficiaryOf(coverage: AdriCoverage): BeneficiaryKey {
  return { insuredNir: coverage.insuredNir, nir: coverage.beneficiaryNir, birthDate: coverage.birthDate, birthRank: coverage.birthRank };
}
