/**
 * The INSi client against the simulator over real HTTPS (demo PKI): the CNDA-like scenarios
 * (insi.md §3.1) end to end, both authentication modes, and the faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../platform/clock';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { demoPractitionerSession, startInsiHarness, type InsiHarness } from '../../../fixtures/wiring/insi';
import { normalizeStrictTraits, type StrictTraits, type StrictTraitsInput } from '../identity';
import type { InsiCredentials } from './client';
import { runStrategy } from './strategy';

const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
let pki: DemoPki;
let harness: InsiHarness;
let cps: InsiCredentials;
const structure: InsiCredentials = { mode: 'structure', emitter: '10B9990001' };

function traits(input: StrictTraitsInput): StrictTraits {
  const result = normalizeStrictTraits(input, { today: '2026-01-15' });
  if (!result.ok) throw new Error('bad traits');
  return result.traits;
}

function lookup(input: StrictTraitsInput, credentials: InsiCredentials = cps) {
  return runStrategy(traits(input), (query) => harness.client.searchByTraits(query, credentials));
}

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  harness = await startInsiHarness(pki, clock);
  const session = demoPractitionerSession(pki.practitioner);
  cps = { mode: 'cps', holder: session.holder, signer: session.signer };
});

afterAll(async () => {
  await harness.close();
  harness.transports.cps.close();
  harness.transports.structure.close();
});

describe('CNDA-like scenarios against the simulator', () => {
  it('finds ADRTROIS TOUSSAINT born in 2B020 (2.03 cas 2) with a signed assertion PS', async () => {
    const outcome = await lookup({ birthName: 'Adrtrois', birthGivenNames: 'Toussaint', birthDate: '01/01/1960', sex: 'M', birthPlaceCode: '2B020' });
    expect(outcome.outcome).toBe('found');
    expect(outcome.result.identity?.active).toMatchObject({ number: '160012B020777', key: '13', keyValid: true, oid: '1.2.250.1.213.1.4.10', kind: 'TEST' });
    expect(outcome.attempts).toEqual([{ givenNames: ['TOUSSAINT'], withBirthPlace: false, code: '00' }]);
    expect(harness.sim.requests.at(-1)).toMatchObject({ authentication: 'cps', emitter: '899700123450', code: '00' });
  });

  it('returns the INS history of ECETINSI PIERRE-ALAIN (2.04) and the full first-name list', async () => {
    const outcome = await lookup({ birthName: 'ECETINSI', birthGivenNames: 'PIERRE-ALAIN', birthDate: '14/07/2009', sex: 'M' });
    const identity = outcome.result.identity;
    expect(identity?.active.matricule).toBe('109076322083489');
    expect(identity?.history.map((h) => h.matricule)).toEqual(['209076322083439']);
    // TEST_2.04_cas2: DateDeb after DateFin is kept as is.
    expect(identity?.history[0]).toMatchObject({ startDate: '2019-03-01', endDate: '2019-02-28' });
    expect(identity?.traits).toMatchObject({ birthGivenNames: 'PIERRE-ALAIN MURIEL FLORIANT', firstGivenName: 'PIERRE-ALAIN', birthPlaceCode: '63220' });
  });

  it('gets « several » for DE VINCI LEONARDO, then resolves it with the birth place (2.06)', async () => {
    const outcome = await lookup({ birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', birthDate: '01/02/2014', sex: 'M', birthPlaceCode: '63220' });
    expect(outcome.attempts).toEqual([
      { givenNames: ['LEONARDO'], withBirthPlace: false, code: '02' },
      { givenNames: ['LEONARDO'], withBirthPlace: true, code: '00' },
    ]);
    expect(outcome.outcome).toBe('found');
    expect(outcome.result.identity?.traits.birthPlaceCode).toBe('63220');
  });

  it('stays « several » without a birth place', async () => {
    const outcome = await lookup({ birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', birthDate: '01/02/2014', sex: 'M' });
    expect(outcome.outcome).toBe('several');
    expect(outcome.result.code).toBe('02');
    expect(outcome.attempts).toHaveLength(1);
  });

  it('retries first name by first name for TCHITCHI: OLA → 01, CATARINA → 00 (2.07 cas 1)', async () => {
    const outcome = await lookup({ birthName: 'TCHITCHI', birthGivenNames: 'OLA CATARINA BELLA', birthDate: '21/06/1936', sex: 'F' });
    expect(outcome.attempts.map((a) => [a.givenNames.join(' '), a.code])).toEqual([
      ['OLA', '01'],
      ['CATARINA', '00'],
    ]);
    expect(outcome.result.identity?.active.matricule).toBe('236066322083656');
    expect(outcome.result.identity?.traits.birthGivenNames).toBe('CATARINA BELLA');
  });

  it('gets « not found » for HOUILLES after each name and the whole list (2.07 cas 2)', async () => {
    const outcome = await lookup({ birthName: 'HOUILLES', birthGivenNames: 'PIERRE PAUL JACQUES', birthDate: '27/01/1993', sex: 'M' });
    expect(outcome.outcome).toBe('not-found');
    expect(outcome.attempts.map((a) => a.givenNames.join(' '))).toEqual(['PIERRE', 'PAUL', 'JACQUES', 'PIERRE PAUL JACQUES']);
    expect(outcome.attempts.every((a) => a.code === '01')).toBe(true);
  });

  it('returns a NIA-based INS with the NIA OID (2.05)', async () => {
    const outcome = await lookup({ birthName: 'PROVISOIRE', birthGivenNames: 'MATRICULE', birthDate: '01/07/2009', sex: 'M' });
    expect(outcome.result.identity?.active).toMatchObject({ matricule: '109076322088835', oid: '1.2.250.1.213.1.4.9', kind: 'NIA' });
  });

  it('finds CORSE ANTHONY with birth place 2B020 (2.08 cas 1) and keeps a history key mismatch (2.08 cas 2)', async () => {
    const corse = await lookup({ birthName: 'CORSE', birthGivenNames: 'ANTHONY', birthDate: '02/03/1980', sex: 'M' });
    expect(corse.result.identity?.active.matricule).toBe('180032B02040123');
    expect(corse.result.identity?.traits.birthPlaceCode).toBe('2B020');
    const hermann = await lookup({ birthName: 'HERMANN', birthGivenNames: 'GATIEN', birthDate: '24/03/1981', sex: 'M' });
    expect(hermann.result.identity?.active).toMatchObject({ matricule: '181036322045660', keyValid: false });
    expect(hermann.result.identity?.history[0]?.number).toBe('2810363220456');
  });

  it('authenticates with the INSI-MANU structure certificate over mutual TLS (no assertion)', async () => {
    const outcome = await lookup({ birthName: 'ADRUN', birthGivenNames: 'ZOE', birthDate: '31/12/1975', sex: 'F' }, structure);
    expect(outcome.result.identity?.active.matricule).toBe('275126322074974');
    const last = harness.sim.requests.at(-1);
    expect(last).toMatchObject({ authentication: 'structure', emitter: '10B9990001' });
    expect(last?.envelopeXml).not.toContain('Assertion');
  });

  it('looks up from the carte Vitale data (rechercherInsAvecCarteVitale)', async () => {
    const result = await harness.client.searchByVitale(
      { beneficiaryNumber: null, insuredNumber: '2751263220749', birthName: 'ADRUN', birthDate: '1975-12-31', birthRank: 1 },
      { insured: { number: '2751263220749', key: '74' }, beneficiary: { number: null, key: null, birthDate: '1975-12-31', rank: 1 } },
      cps,
    );
    expect(result.code).toBe('00');
    expect(result.identity?.active.matricule).toBe('275126322074974');
  });
});

describe('faults', () => {
  it('refuses an unknown IDAM with the real fault shape (siram_100 / desir_550)', async () => {
    const bad = await startInsiHarness(pki, clock, { lps: { idam: 'INCONNU', name: 'Pupitre', version: '0', instance: 'x' } });
    try {
      const session = demoPractitionerSession(pki.practitioner);
      await expect(bad.client.searchByTraits({ birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCode: null }, { mode: 'cps', ...session })).rejects.toMatchObject({
        code: 'INSI_SOFTWARE_NOT_AUTHORIZED',
        details: { subcodes: ['siram_100'], detailCode: 'desir_550', httpStatus: 500 },
      });
    } finally {
      await bad.close();
      bad.transports.cps.close();
      bad.transports.structure.close();
    }
  });

  it('refuses a structure certificate whose CN is not INSI-AUTO/INSI-MANU (DESIR_560)', async () => {
    const other = await startInsiHarness(pki, clock, { structure: pki.structure.dmpAuthentication });
    try {
      await expect(
        other.client.searchByTraits({ birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCode: null }, structure),
      ).rejects.toMatchObject({ code: 'INSI_RIGHTS_INSUFFICIENT' });
    } finally {
      await other.close();
      other.transports.cps.close();
      other.transports.structure.close();
    }
  });

  it('maps injected faults: temporarily unavailable, technical error, HTTP 503', async () => {
    const query = { birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F' as const, birthDate: '1975-12-31', birthPlaceCode: null };
    harness.sim.injectFaults('unavailable', 'technical', 'http-503');
    await expect(harness.client.searchByTraits(query, cps)).rejects.toMatchObject({ code: 'INSI_TEMPORARILY_UNAVAILABLE', details: { detailCode: 'desir_1020' } });
    await expect(harness.client.searchByTraits(query, cps)).rejects.toMatchObject({ code: 'INSI_TEMPORARILY_UNAVAILABLE', details: { detailCode: 'insi_102' } });
    await expect(harness.client.searchByTraits(query, cps)).rejects.toMatchObject({ code: 'TRANSPORT_HTTP_SERVER_ERROR' });
    await expect(harness.client.searchByTraits(query, cps)).resolves.toMatchObject({ code: '00' });
  });

  it('reports a missing mandatory trait as a rejected request', async () => {
    await expect(harness.client.searchByTraits({ birthName: '', givenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCode: null }, cps)).rejects.toMatchObject({
      code: 'INSI_REQUEST_REJECTED',
      details: { detailCode: 'insi_19' },
    });
  });
});
