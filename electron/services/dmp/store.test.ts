import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../platform/db';
import { createDmpStore } from './store';
import type { DocumentEntry } from './xds';
import { migrateForDmp } from '../../../fixtures/wiring/dmp';

const entry = (over: Partial<DocumentEntry> = {}): DocumentEntry => ({
  entryUuid: 'urn:uuid:1',
  logicalId: 'urn:uuid:1',
  uniqueId: '1.2.3.1',
  status: 'Approved',
  version: 1,
  title: 'Compte rendu',
  mimeType: 'text/xml',
  typeCode: null,
  classCode: null,
  formatCode: null,
  healthcareFacilityTypeCode: null,
  practiceSettingCode: null,
  confidentialityCodes: [],
  eventCodes: [],
  creationTime: '20261201120000',
  serviceStartTime: null,
  serviceStopTime: null,
  languageCode: 'fr-FR',
  patientId: '1^^^&1.2.250.1.213.1.4.8&ISO',
  repositoryUniqueId: null,
  size: null,
  hash: null,
  authors: [],
  ...over,
});

function freshStore() {
  const db = openDatabase({ path: ':memory:' });
  migrateForDmp(db);
  const updatedAt = (uniqueId: string): string | undefined =>
    db.prepare<[string], { updated_at: string }>('SELECT updated_at FROM dmp_documents WHERE unique_id = ?').get(uniqueId)?.updated_at;
  return { store: createDmpStore(db), updatedAt };
}

describe('DMP document cache', () => {
  it('says which entries are new, keeps the first-seen date and the seen mark across updates', () => {
    const { store } = freshStore();
    store.putLastCall('p', '2026-12-01T09:00:00Z', 'ins-of-p');
    expect(store.upsertDocument('p', entry(), '2026-12-01T10:00:00Z', false)).toBe(true);
    store.markSeen('p', ['1.2.3.1']);
    expect(store.upsertDocument('p', entry({ title: 'Compte rendu (corrigé)' }), '2026-12-02T10:00:00Z', false)).toBe(false);
    expect(store.document('p', '1.2.3.1')).toEqual({ entry: entry({ title: 'Compte rendu (corrigé)' }), firstSeenAt: '2026-12-01T10:00:00Z', seen: true });
  });

  it('does not rewrite an entry listed again unchanged, and rewrites a changed one', () => {
    const { store, updatedAt } = freshStore();
    store.putLastCall('p', '2026-12-01T09:00:00Z', 'ins-of-p');
    store.upsertDocument('p', entry(), '2026-12-01T10:00:00Z', false);
    store.upsertDocument('p', entry(), '2026-12-02T10:00:00Z', false);
    expect(updatedAt('1.2.3.1')).toBe('2026-12-01T10:00:00Z');
    store.upsertDocument('p', entry({ status: 'Archived' }), '2026-12-03T10:00:00Z', false);
    expect(updatedAt('1.2.3.1')).toBe('2026-12-03T10:00:00Z');
    expect(store.document('p', '1.2.3.1')?.entry.status).toBe('Archived');
  });

  it('shows a list only under the INS it was fetched with: another INS drops it, a list kept without its INS stays hidden', () => {
    const { store } = freshStore();
    store.upsertDocument('p', entry(), '2026-12-01T10:00:00Z', false);
    // No INS recorded for the list (kept before the INS was recorded with it): nothing shown.
    expect(store.documents('p')).toEqual([]);
    expect(store.document('p', '1.2.3.1')).toBeNull();
    store.putLastCall('p', '2026-12-01T10:00:00Z', 'ins-x');
    // A write under an INS drops what was kept without one (an opening takes back the entries it found again first: adoptList).
    expect(store.documents('p')).toEqual([]);
    store.upsertDocument('p', entry(), '2026-12-01T10:00:00Z', false);
    store.upsertDocument('p', entry({ uniqueId: '1.2.3.2', entryUuid: 'urn:uuid:2', logicalId: 'urn:uuid:2' }), '2026-12-01T10:00:00Z', false);
    expect(store.state('p')).toMatchObject({ lastCallAt: '2026-12-01T10:00:00Z', insKey: 'ins-x' });
    expect(store.documents('p')).toHaveLength(2);
    store.adoptList('p', 'ins-x', new Set(['1.2.3.2']));
    store.putLastCall('p', '2026-12-02T10:00:00Z', 'ins-x');
    expect(store.documents('p').map((d) => d.entry.uniqueId)).toEqual(['1.2.3.2']);
    // Status written under another INS: the former INS's list goes whole.
    store.putStatus('p', { existence: 'active', authorisation: 'VALIDE', treatingDoctor: false, mesAttachment: false } as never, '2026-12-03T10:00:00Z', 'ins-y');
    expect(store.documents('p')).toEqual([]);
    expect(store.state('p')).toMatchObject({ lastCallAt: null, insKey: 'ins-y' });
  });
});
