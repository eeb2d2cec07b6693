/**
 * Issue 13, « worklist follow-up », through the composed démo host: the « à vérifier » list is the
 * identities whose status is « récupérée » now — found by a worklist or before it —, up to date
 * when a run ends, filterable and sortable; the CSV report names the patient and the file number,
 * in French statuses and local times, without error codes in its sentences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';

let host: TestHost;

beforeAll(async () => {
  host = await createTestHost();
});

afterAll(async () => {
  await host.close();
});

const idOf = async (query: string): Promise<string> => {
  const { results } = await host.dispatcher.invoke('patients.search', { query });
  const id = results[0]?.id;
  if (id === undefined) throw new Error(`no demo patient for ${query}`);
  return id;
};

describe('identities « à vérifier » after INSi', () => {
  it('lists the identities already « récupérée » before any run, by name, with their dates', async () => {
    const { patients, total } = await host.dispatcher.invoke('insi.worklist.toVerify', {});
    expect(total).toBe(patients.length);
    const names = patients.map((p) => p.birthName);
    expect(names).toEqual(expect.arrayContaining(['ADRUN', 'GARCIA']));
    const garcia = patients.find((p) => p.birthName === 'GARCIA');
    expect(garcia).toMatchObject({ firstGivenName: 'LUCAS', birthDate: '23/11/1984' });
  });

  it('filters by name and sorts by name, birth date or retrieval', async () => {
    const filtered = await host.dispatcher.invoke('insi.worklist.toVerify', { text: 'garc' });
    expect(filtered.patients.map((p) => p.birthName)).toEqual(['GARCIA']);
    const byName = await host.dispatcher.invoke('insi.worklist.toVerify', { sort: 'name' });
    const names = byName.patients.map((p) => `${p.birthName} ${p.firstGivenName}`);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'fr')));
    const byBirth = await host.dispatcher.invoke('insi.worklist.toVerify', { sort: 'birthDate' });
    const births = byBirth.patients.map((p) => p.birthDate.split('/').reverse().join(''));
    expect(births).toEqual([...births].sort());
  });

  it('is up to date when a run ends: found identities join, with those found before', async () => {
    const nessi = await idOf('nessi');
    const before = await host.dispatcher.invoke('insi.worklist.toVerify', {});
    expect(before.patients.some((p) => p.id === nessi)).toBe(false);
    host.clock.advance(60_000);
    const started = await host.dispatcher.invoke('insi.worklist.start', { selection: { kind: 'patients', ids: [nessi] } });
    await host.dispatcher.invoke('outbox.sync', {});
    const progress = await host.dispatcher.invoke('insi.worklist.progress', { worklistId: started.worklistId });
    expect(progress).toMatchObject({ finished: true, found: 1 });
    const after = await host.dispatcher.invoke('insi.worklist.toVerify', { sort: 'retrieved' });
    expect(after.patients[0]?.id).toBe(nessi);
    expect(after.patients.map((p) => p.birthName)).toEqual(expect.arrayContaining(['ADRUN', 'GARCIA', 'NESSI']));
    expect(after.patients[0]?.retrievedAt).not.toBeNull();

    // The report: the patient and the file number, French words, local times, no codes in sentences.
    const { csv } = await host.dispatcher.invoke('insi.worklist.report', { worklistId: started.worklistId });
    const [header, row] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('N° de dossier;Nom de naissance;Premier prénom;Date de naissance;Résultat;Identité après la recherche;Motif;Traité le;Code pour le support');
    expect(row).toContain(';NESSI;MICHELANGELO;');
    expect(row).toContain(';INS récupéré;Identité récupérée;');
    expect(row).toMatch(/;\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2};/);
    expect(row).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(row?.split(';')[0]).toBe(nessi);
  });
});
