/**
 * Issue 13, « DMP panel offline », at the service: when the DMP cannot be reached, opening a
 * patient gives the last known state with the time it was checked, the documents already listed
 * here and the rights of the card (sending works through the outbox); a read fails with a message
 * that says when it will be possible — never that it will be « renvoyée ».
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDmpPractitioner, demoDmpSettings, demoDmpStructure, type DmpHarness, migrateForDmp, startDmpHarness } from '../../../fixtures/wiring/dmp';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { createManualClock, type ManualClock } from '../../platform/clock';
import { openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import { DmpService, type DmpPatient } from './service';

const DUPONT: DmpPatient = { id: 'p-dupont', status: 'QUAL', ins: { matricule: '258036311304224', oid: '1.2.250.1.213.1.4.11' }, birthName: 'DUPONT', firstNames: 'MARIE', sex: 'F', birthDate: '1958-03-12' };
const ADRTROIS: DmpPatient = { id: 'p-adrtrois', status: 'QUAL', ins: { matricule: '297022A02077878', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'DOMINIQUE', sex: 'F', birthDate: '1997-02-01' };

describe('DmpService while the DMP is unreachable', () => {
  let pki: DemoPki;
  let harness: DmpHarness;
  let clock: ManualClock;
  const audit: AuditInput[] = [];

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
    harness = await startDmpHarness(pki, { now: () => clock.now() });
  });
  afterAll(async () => {
    await harness.close();
  });

  const service = (): DmpService => {
    const db = openDatabase({ path: ':memory:' });
    migrateForDmp(db);
    return new DmpService({
      db,
      clock,
      logger: createMemoryLogger(clock),
      audit: (entry) => audit.push(entry),
      http: (credential) => harness.transports[credential],
      practitioner: () => demoDmpPractitioner(pki),
      structure: () => demoDmpStructure(pki),
      patient: (id) => (id === DUPONT.id ? DUPONT : ADRTROIS),
      settings: () => demoDmpSettings(harness.sim.url),
    });
  };

  it('opens with the last known state, its date, the known documents and the right to send', async () => {
    const dmp = service();
    const online = await dmp.open(DUPONT.id, {}, 'dr');
    expect(online.offline).toBeNull();
    const checkedAt = online.status?.checkedAt;
    await harness.sim.setMode('down');
    try {
      clock.advance(3_600_000);
      const offline = await dmp.open(DUPONT.id, {}, 'dr');
      expect(offline.offline).toEqual({ lastCheckedAt: checkedAt });
      expect(offline.status).toMatchObject({ existence: 'active', authorisation: 'VALIDE', checkedAt });
      expect(offline.documents.map((d) => d.uniqueId)).toEqual(online.documents.map((d) => d.uniqueId));
      expect(offline.rights.send.allowed).toBe(true);
      expect(offline.listError?.message).toContain('la consultation sera possible au retour du service');
      expect(offline.listError?.message).not.toMatch(/renvoy/);
      // Every attempt is still in the audit trail.
      expect(audit.filter((a) => a.action === 'dmp.td02' && a.patientRef === DUPONT.id)).toHaveLength(2);
    } finally {
      await harness.sim.setMode('up');
    }
  });

  it('opens a patient never checked from here with no state rather than an error', async () => {
    const dmp = service();
    await harness.sim.setMode('down');
    try {
      const offline = await dmp.open(ADRTROIS.id, {}, 'dr');
      expect(offline.offline).toEqual({ lastCheckedAt: null });
      expect(offline.status).toBeNull();
      expect(offline.documents).toEqual([]);
      expect(offline.rights.send.allowed).toBe(true);
    } finally {
      await harness.sim.setMode('up');
    }
  });

  it('refuses a read offline with a message about the consultation, not about resending', async () => {
    const dmp = service();
    const online = await dmp.open(DUPONT.id, {}, 'dr');
    const first = online.documents[0];
    expect(first).toBeDefined();
    await harness.sim.setMode('down');
    try {
      const error = await dmp.document(DUPONT.id, first!.uniqueId, undefined, 'dr').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DMP_OFFLINE_READ' });
      expect((error as Error).message).toContain('la consultation sera possible au retour du service');
      expect((error as Error).message).not.toMatch(/renvoy/);
    } finally {
      await harness.sim.setMode('up');
    }
  });
});
