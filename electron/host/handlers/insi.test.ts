/**
 * The INSi domain through the composed host in démo (simulator started by demo-insi.ts, INSI-MANU
 * structure certificate), over the validated contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';

let host: TestHost;

beforeAll(async () => {
  host = await createTestHost();
});

afterAll(async () => {
  await host.close();
});

describe('insi handlers in the composed démo host', () => {
  it('handles every method of the domain', () => {
    expect(host.dispatcher.unhandledMethods().filter((m) => m.startsWith('insi.'))).toEqual([]);
  });

  it('searches typed traits through the simulator with the structure certificate', async () => {
    const lookup = await host.dispatcher.invoke('insi.searchTraits', { traits: { birthName: 'Adrtrois', birthGivenNames: 'Toussaint', birthDate: '01/01/1960', sex: 'M' } });
    expect(lookup).toMatchObject({ outcome: 'found', authentication: 'structure', result: { identity: { active: { matricule: '160012B02077713' } } } });
  });

  it('looks up a seeded patient, accepts the identity, and the status becomes RECUP', async () => {
    const { results } = await host.dispatcher.invoke('patients.search', { query: 'nessi' });
    const id = results[0]?.id as string;
    const lookup = await host.dispatcher.invoke('insi.lookupPatient', { patientId: id });
    expect(lookup.comparison?.every((row) => row.same || row.field === 'birthPlaceCode')).toBe(true);
    const accepted = await host.dispatcher.invoke('insi.accept', { patientId: id, lookupId: lookup.lookupId });
    expect(accepted).toEqual({ status: 'RECUP', matricule: '110086322083060', oid: '1.2.250.1.213.1.4.10' });
  });

  it('parses a saved response and refuses garbage with a French message', async () => {
    const xml = '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>01</CodeCR><LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT>';
    expect(await host.dispatcher.invoke('insi.parse', { xml })).toEqual({ code: '01', label: 'Aucune identite trouvee', identity: null });
    await expect(host.dispatcher.invoke('insi.parse', { xml: '<x/>' })).rejects.toMatchObject({ code: 'INSI_RESPONSE_INVALID' });
  });
});
