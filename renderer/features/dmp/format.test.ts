import { describe, expect, it } from 'vitest';
import { authorisationBadge, filterDocuments, formatDate, groupByMonth, NO_FILTERS, visibleRange, type DmpDocument } from './format';

const doc = (over: Partial<DmpDocument>): DmpDocument => ({
  uniqueId: Math.random().toString(),
  entryUuid: 'urn:uuid:x',
  title: 'Compte rendu',
  mimeType: 'text/xml',
  typeCode: { code: '11488-4', codeSystem: '2.16.840.1.113883.6.1', displayName: 'Compte rendu de consultation' },
  classCode: null,
  formatCode: null,
  status: 'Approved',
  restrictions: [],
  authorName: 'MAX LIBRE',
  authorIdNat: '899900063480',
  institution: null,
  creationTime: '2026-03-02T10:00:00Z',
  serviceStartTime: '2026-03-02T10:00:00Z',
  firstSeenAt: '2026-11-30T09:00:00Z',
  isNew: false,
  own: false,
  patientDocument: false,
  size: null,
  ...over,
});

describe('DMP panel helpers', () => {
  it('groups documents by month, most recent first, with counts', () => {
    const rows = groupByMonth([doc({ serviceStartTime: '2026-01-05T00:00:00Z' }), doc({ serviceStartTime: '2026-03-02T00:00:00Z' }), doc({ serviceStartTime: '2026-03-20T00:00:00Z' })]);
    expect(rows.map((r) => (r.kind === 'group' ? `${r.label}:${r.count}` : 'd'))).toEqual(['Mars 2026:2', 'd', 'd', 'Janvier 2026:1', 'd']);
  });

  it('filters by type, author, date, status, new and text', () => {
    const docs = [
      doc({ title: 'Radio thorax', typeCode: { code: '18748-4', codeSystem: 'x', displayName: 'Imagerie' }, authorIdNat: 'A' }),
      doc({ title: 'Consultation', isNew: true, status: 'Archived', serviceStartTime: '2024-01-01T00:00:00Z' }),
    ];
    expect(filterDocuments(docs, { ...NO_FILTERS, typeCode: '18748-4' })).toHaveLength(1);
    expect(filterDocuments(docs, { ...NO_FILTERS, author: 'A' })).toHaveLength(1);
    expect(filterDocuments(docs, { ...NO_FILTERS, from: '2025-01-01' })).toHaveLength(1);
    expect(filterDocuments(docs, { ...NO_FILTERS, status: 'Archived' })).toHaveLength(1);
    expect(filterDocuments(docs, { ...NO_FILTERS, onlyNew: true })).toHaveLength(1);
    expect(filterDocuments(docs, { ...NO_FILTERS, text: 'radio' })).toHaveLength(1);
    expect(filterDocuments(docs, NO_FILTERS)).toHaveLength(2);
  });

  it('renders only the rows in view (virtualisation) with overscan', () => {
    expect(visibleRange(2000, 32, 320, 0, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(2000, 32, 320, 32 * 1000, 5)).toEqual({ start: 995, end: 1015 });
    expect(visibleRange(20, 32, 3200, 0, 5)).toEqual({ start: 0, end: 20 });
  });

  it('formats dates as the French locale does', () => {
    for (const iso of ['2026-12-07T12:00:00Z', '2024-02-29T08:30:00Z', '1999-01-05T23:00:00Z']) expect(formatDate(iso)).toBe(new Date(iso).toLocaleDateString('fr-FR'));
    expect(formatDate('2026-12-07T12:00:00Z')).toBe('07/12/2026');
    expect(formatDate(null)).toBe('—');
  });

  it('labels every authorisation', () => {
    for (const a of ['VALIDE', 'EXPIRE', 'INTERDIT', 'NON_EXISTE'] as const) {
      expect(authorisationBadge({ existence: 'active', authorisation: a, treatingDoctor: false, mesAttachment: null, oppositions: [], checkedAt: '' })?.label).toBeTruthy();
    }
  });
});
