/**
 * Rights are filed under a record only when it is the beneficiary read, and billing reuses stored
 * rights only for that same beneficiary (twins share a record by mistake, never their rights).
 */
import { describe, expect, it } from 'vitest';
import type { AdriCoverage } from '../../contract/domains/adri';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import type { RecordIdentity } from './beneficiary-match';
import { AdriService } from './service';
import { adriMigrations } from './store';

const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
const lea: AdriCoverage = { source: 'vitale', regime: '01', caisse: '751', centre: '0001', insuredNir: '285047505612342', beneficiaryNir: '216067505611142', birthDate: '20160602', birthRank: 1 };
const leane: AdriCoverage = { ...lea, beneficiaryNir: '216067505622244', birthRank: 2 };
const RECORDS: Record<string, RecordIdentity> = {
  'record-lea': { birthDate: { year: 2016, month: 6, day: 2 }, nir: '216067505611142', mergedInto: null },
  'record-other-birth': { birthDate: { year: 2016, month: 6, day: 3 }, nir: null, mergedInto: null },
  'record-no-nir': { birthDate: { year: 2016, month: 6, day: 2 }, nir: null, mergedInto: null },
  // Léa's duplicate, merged into her record: read-only, out of the search (patients/merge.ts).
  'record-lea-merged': { birthDate: { year: 2016, month: 6, day: 2 }, nir: '216067505611142', mergedInto: 'record-lea' },
};

function service() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, adriMigrations.map((step, index) => ({ version: index + 1, name: step.name, up: step.up })));
  const audit: AuditInput[] = [];
  /** The ids of the records ADRi read (each read is an audited access on the desk). */
  const reads: string[] = [];
  const adri = new AdriService({
    db,
    client: null,
    clock,
    logger: createMemoryLogger(clock),
    audit: (entry) => audit.push(entry),
    credentials: () => null,
    patientIdentity: (id) => {
      reads.push(id);
      return RECORDS[id] ?? null;
    },
  });
  return { adri, audit, db, reads };
}

describe('ADRi rights under a local record', () => {
  it('refuses a record whose NIR or birth date differs from the beneficiary, asking and storing nothing', async () => {
    const { adri, audit, db } = service();
    await expect(adri.acquire('record-lea', leane, 'idnat')).rejects.toMatchObject({ code: 'ADRI_PATIENT_MISMATCH', message: expect.stringContaining('Ouvrez la fiche de ce bénéficiaire') });
    await expect(adri.acquire('record-other-birth', lea, 'idnat')).rejects.toMatchObject({ code: 'ADRI_PATIENT_MISMATCH' });
    await expect(adri.acquire('unknown', lea, 'idnat')).rejects.toMatchObject({ code: 'ADRI_PATIENT_UNKNOWN' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM adri_rights').get()).toEqual({ n: 0 });
    expect(audit).toEqual([]);
    await expect(adri.acquire('record-lea', lea, 'idnat')).resolves.toMatchObject({ patientId: 'record-lea', status: 'unverified', reason: 'not-configured' });
  });

  it('refuses a record merged into another (PATIENT_MERGED, naming the record kept), asking and storing nothing', async () => {
    const { adri, audit, db } = service();
    await expect(adri.acquire('record-lea-merged', lea, 'idnat')).rejects.toMatchObject({
      code: 'PATIENT_MERGED',
      message: expect.stringContaining('Ouvrez la fiche conservée'),
      details: { mergedInto: 'record-lea' },
    });
    // Also when the caller hands over the record it has just read (billing).
    await expect(adri.acquire('record-lea-merged', lea, 'idnat', RECORDS['record-lea-merged'])).rejects.toMatchObject({ code: 'PATIENT_MERGED' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM adri_rights').get()).toEqual({ n: 0 });
    expect(audit).toEqual([]);
  });

  it('checks the record its caller has just read without reading it again, and reads it when asked alone', async () => {
    const { adri, reads } = service();
    await expect(adri.acquire('record-lea', leane, 'idnat', RECORDS['record-lea'])).rejects.toMatchObject({ code: 'ADRI_PATIENT_MISMATCH' });
    await expect(adri.acquire('record-lea', lea, 'idnat', RECORDS['record-lea'])).resolves.toMatchObject({ patientId: 'record-lea' });
    expect(reads).toEqual([]);
    await adri.acquire('record-lea', lea, 'idnat');
    expect(reads).toEqual(['record-lea']);
  });

  it('gives billing the stored rights only for the beneficiary they were asked for', async () => {
    const { adri } = service();
    await adri.acquire('record-no-nir', lea, 'idnat');
    const key = (c: AdriCoverage) => ({ insuredNir: c.insuredNir, nir: c.beneficiaryNir, birthDate: c.birthDate, birthRank: c.birthRank });
    expect(adri.latestRights('record-no-nir', key(lea))).toMatchObject({ patientId: 'record-no-nir' });
    expect(adri.latestRights('record-no-nir', key(leane))).toBeNull();
    expect(adri.rights('record-no-nir', 'idnat')).not.toHaveProperty('beneficiary');
  });
});
