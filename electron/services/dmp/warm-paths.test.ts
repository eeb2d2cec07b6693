/**
 * The fast paths of a DMP opening (issue 15), against the DMP simulator: one VIHF per patient and
 * validity window (renewed at the end of its validity, with a manual clock shared by the client and
 * the simulator), a VIHF refused by a stricter server signed again, the card's connection kept alive
 * across calls and pre-warmed, and an opening after a restart of the simulator.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_PATIENT, demoDmpPractitioner, demoDmpSettings, dmpTransports, migrateForDmp } from '../../../fixtures/wiring/dmp';
import { startDmpSimulator, type DmpSimulator } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { createManualClock, type ManualClock } from '../../platform/clock';
import { openDatabase } from '../../platform/db';
import type { HttpClient } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { DmpService, type DmpPatient, type DmpPractitioner } from './service';
import { VIHF_RENEW_BEFORE_MS, VIHF_VALIDITY_MS } from './vihf-cache';

const OTHER: DmpPatient = { id: 'p-adrtrois', status: 'QUAL', ins: { matricule: '297022A02077878', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'DOMINIQUE', sex: 'F', birthDate: '1997-02-01' };
const PATIENTS = new Map<string, DmpPatient>([
  [CRASH_PATIENT.id, CRASH_PATIENT],
  [OTHER.id, OTHER],
]);

describe('DMP opening: VIHF reuse, kept-alive and pre-warmed connections', () => {
  let pki: DemoPki;
  let clock: ManualClock;
  let sim: DmpSimulator;
  let transports: Record<'CPS' | 'STRUCTURE', HttpClient>;
  let signatures: number;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()?.();
  });
  afterAll(async () => {
    while (closers.length > 0) await closers.pop()?.();
  });

  const setUp = async (options: { vihfMaxAgeMs?: number; card?: boolean; endpoint?: string } = {}): Promise<DmpService> => {
    clock = createManualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
    sim = await startDmpSimulator({ pki, now: () => clock.now(), ...(options.vihfMaxAgeMs === undefined ? {} : { vihfMaxAgeMs: options.vihfMaxAgeMs }) });
    transports = dmpTransports(pki);
    const [started, pools] = [sim, transports];
    closers.push(async () => {
      pools.CPS.close();
      pools.STRUCTURE.close();
      await started.close();
    });
    const card = demoDmpPractitioner(pki);
    signatures = 0;
    // The card's signature key, counted: one VIHF signed = one signature.
    const practitioner: DmpPractitioner = { ...card, signer: { sign: (data) => ((signatures += 1), card.signer.sign(data)), certificateChain: () => card.signer.certificateChain() } };
    const db = openDatabase({ path: ':memory:' });
    migrateForDmp(db);
    closers.push(async () => void db.close());
    return new DmpService({
      db,
      clock,
      logger: createMemoryLogger(clock),
      audit: () => undefined,
      http: (credential) => transports[credential],
      practitioner: () => (options.card === false ? null : practitioner),
      patient: (id) => PATIENTS.get(id) as DmpPatient,
      settings: () => demoDmpSettings(options.endpoint ?? sim.url),
    });
  };
  const vihfIds = (): string[] => [...new Set(sim.requests.map((r) => r.vihfId).filter((id): id is string => id !== undefined))];

  it('signs one VIHF per patient and reuses it until a minute before the end of its validity, then signs a new one', async () => {
    const service = await setUp();
    const first = await service.open(CRASH_PATIENT.id, {}, 'test');
    expect(first.listed).toBe(true);
    // TD0.2 and the first search: two requests, one VIHF.
    expect(sim.requests.map((r) => r.fault)).toEqual([null, null]);
    expect(vihfIds()).toHaveLength(1);
    expect(signatures).toBe(1);

    // Still within the window: the same VIHF.
    clock.advance(VIHF_VALIDITY_MS - VIHF_RENEW_BEFORE_MS - 1);
    await service.open(CRASH_PATIENT.id, {}, 'test');
    expect(vihfIds()).toHaveLength(1);
    expect(signatures).toBe(1);

    // End of its useful validity: renewed, with the new time as IssueInstant, and accepted.
    clock.advance(1);
    const renewed = await service.open(CRASH_PATIENT.id, {}, 'test');
    expect(renewed.listed).toBe(true);
    expect(vihfIds()).toHaveLength(2);
    expect(signatures).toBe(2);
    expect(sim.requests.every((r) => r.fault === null)).toBe(true);

    // Another patient (resource-id) or a bris de glace (purpose of use): another VIHF each.
    await service.open(OTHER.id, {}, 'test');
    await service.open(CRASH_PATIENT.id, { access: { purposeOfUse: 'bris_de_glace', reason: 'Urgence vitale' } }, 'test');
    expect(vihfIds()).toHaveLength(4);
    expect(signatures).toBe(4);

    // The card session ends: no VIHF of it is used again.
    service.cardSessionEnded();
    await service.open(CRASH_PATIENT.id, {}, 'test');
    expect(vihfIds()).toHaveLength(5);
    expect(signatures).toBe(5);
  });

  it('signs a fresh VIHF and asks again once when the DMP refuses a reused one as too old', async () => {
    // A DMP stricter than the modelled window: VIHFs older than 2 minutes refused.
    const service = await setUp({ vihfMaxAgeMs: 2 * 60_000 });
    await service.open(CRASH_PATIENT.id, {}, 'test');
    clock.advance(3 * 60_000);
    const later = await service.open(CRASH_PATIENT.id, {}, 'test');
    expect(later.listed).toBe(true);
    expect(later.offline).toBeNull();
    // TD0.2 refused (stale VIHF), TD0.2 again with a new one, then the search with the new one.
    expect(sim.requests.slice(2).map((r) => r.fault)).toEqual(['DMPVIHFInvalid', null, null]);
    expect(signatures).toBe(2);
  });

  it('keeps the card connection alive across openings, and pre-warms it and the VIHF ahead of an opening', async () => {
    const service = await setUp();
    await service.prewarm(null);
    expect(transports.CPS.stats().connections).toBe(1);
    expect(signatures).toBe(0);
    await service.prewarm(CRASH_PATIENT.id);
    // The patient's VIHF is signed ahead; no second connection.
    expect(signatures).toBe(1);
    expect(transports.CPS.stats().connections).toBe(1);
    await service.open(CRASH_PATIENT.id, {}, 'test');
    await service.open(CRASH_PATIENT.id, {}, 'test');
    // Nothing but the round trips: no handshake, no signature during the openings.
    expect(transports.CPS.stats()).toMatchObject({ connections: 1 });
    expect(signatures).toBe(1);
    expect(vihfIds()).toHaveLength(1);
  });

  it('opens again after the DMP restarted, on a new connection, without an error', async () => {
    const service = await setUp();
    await service.open(CRASH_PATIENT.id, {}, 'test');
    const { port } = sim;
    expect(transports.CPS.stats().connections).toBe(1);
    await sim.close();
    const restarted = await startDmpSimulator({ pki, now: () => clock.now(), port });
    sim = restarted;
    closers.push(() => restarted.close());
    const after = await service.open(CRASH_PATIENT.id, {}, 'test');
    expect(after.offline).toBeNull();
    expect(after.status?.existence).toBe('active');
    expect(sim.requests.map((r) => r.fault)).toEqual([null, null]);
    expect(transports.CPS.stats().connections).toBe(2);
  });

  it('pre-warms nothing and fails nothing without a card or a configured DMP', async () => {
    const withoutCard = await setUp({ card: false });
    await expect(withoutCard.prewarm(CRASH_PATIENT.id)).resolves.toBeUndefined();
    expect(transports.CPS.stats().connections).toBe(0);
    const unconfigured = await setUp({ endpoint: '' });
    await expect(unconfigured.prewarm(CRASH_PATIENT.id)).resolves.toBeUndefined();
    expect(transports.CPS.stats().connections).toBe(0);
    expect(signatures).toBe(0);
    expect(sim.requests).toHaveLength(0);
  });
});
