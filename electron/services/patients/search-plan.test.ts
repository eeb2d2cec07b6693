/**
 * The search plan's shortcuts give the answers of the plain plan: a typed prefix looked up as its
 * few vocabulary terms matches the same patients as FTS5's prefix query, and the ranges of names
 * listed first are ordered and do not overlap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSyntheticPatients } from '../../../fixtures/data/synthetic-patients';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { PatientsService, patientsMigrations, patientsMigrations2 } from '.';
import { parseSearchQuery, prefixQuery, tolerantQuery } from './search';
import { prefixRanges } from './store';

describe('prefixRanges', () => {
  it('gives each word the range of names it starts, in name order, a longer word inside a shorter one dropped', () => {
    expect(prefixRanges(['MARTIN', 'DUPONT', 'MART', 'DUPONT', ''])).toEqual([
      ['DUPONT', 'DUPONU'],
      ['MART', 'MARU'],
    ]);
    expect(prefixRanges(['AZ'])).toEqual([['AZ', 'A[']]);
  });

  it('covers exactly the names starting with one of the words', () => {
    const word = fc.stringMatching(/^[A-Z]{1,4}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), word, (words, name) => {
        const ranges = prefixRanges(words);
        for (let i = 1; i < ranges.length; i += 1) expect((ranges[i - 1] as [string, string])[1] <= (ranges[i] as [string, string])[0]).toBe(true);
        expect(ranges.some(([from, to]) => name >= from && name < to)).toBe(words.some((w) => w !== '' && name.startsWith(w)));
      }),
    );
  });
});

describe('a typed prefix through the vocabulary', () => {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const service = new PatientsService({ db, clock, logger: createMemoryLogger(clock, 'warn'), audit: () => undefined, environment: () => 'demo' });
  const inputs = generateSyntheticPatients(3000, { seed: 5 });
  service.createMany(inputs, 'test');
  const vocabulary = db.prepare('SELECT term FROM patient_terms ORDER BY term').pluck().all() as string[];
  const hits = (match: string) => (db.prepare('SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? ORDER BY rowid').pluck().all(match) as number[]).join(',');
  const termsOf = (word: string) => new Map([[word, vocabulary.filter((term) => term.startsWith(word))]]);

  it('matches the same patients as the FTS5 prefix query, alone, with other words and with variants', () => {
    let compared = 0;
    for (const term of vocabulary.filter((_, i) => i % 7 === 0)) {
      for (const cut of [4, 5, term.length]) {
        if (term.length < cut) continue;
        const word = term.slice(0, cut);
        expect(hits(prefixQuery([word], termsOf(word))), word).toBe(hits(prefixQuery([word])));
        expect(hits(prefixQuery(['MA', word], termsOf(word))), word).toBe(hits(prefixQuery(['MA', word])));
        const variants = new Map([[word, ['MARTIN', 'DUPONT']]]);
        expect(hits(tolerantQuery([word], variants, termsOf(word))), word).toBe(hits(tolerantQuery([word], variants)));
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('finds through the service every patient the FTS5 prefix query finds', () => {
    for (const input of inputs.filter((_, i) => i % 50 === 0)) {
      const query = input.strictTraits.birthName.slice(0, 5);
      const { words } = parseSearchQuery(query);
      const exact = service.search({ query, limit: 3000 }, 'test').results.filter((r) => r.match === 'exact');
      expect(exact.length, query).toBe(hits(prefixQuery(words)).split(',').filter(Boolean).length);
    }
  });
});

describe('a typo in a common name (more FTS hits than the hit list takes)', () => {
  it('lists the birth names starting with the corrected word first, walking the name index', () => {
    const db = openDatabase({ path: ':memory:' });
    migrate(db, [...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
    const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
    const service = new PatientsService({ db, clock, logger: createMemoryLogger(clock, 'warn'), audit: () => undefined, environment: () => 'demo' });
    const day = (i: number) => `${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/19${50 + (i % 40)}`;
    service.createMany(
      [
        ...Array.from({ length: 340 }, (_, i) => ({ strictTraits: { birthName: 'Martin', birthGivenNames: `Jean${String.fromCharCode(65 + (i % 26))}`, birthDate: day(i), sex: 'M' as const } })),
        // used name Martin, birth names sorting before MARTIN
        ...Array.from({ length: 5 }, (_, i) => ({ strictTraits: { birthName: 'Abadie', birthGivenNames: `Anne${String.fromCharCode(65 + i)}`, birthDate: day(i), sex: 'F' as const }, usedTraits: { usedName: 'Martin' } })),
      ],
      'test',
    );
    const found = service.search({ query: 'matrin', limit: 50 }, 'test');
    expect(found.approximate).toBe(true);
    expect(found.results).toHaveLength(50);
    expect(found.results.every((r) => r.birthName === 'MARTIN')).toBe(true);
    // with room for everyone, the others follow
    expect(service.search({ query: 'matrin', limit: 400 }, 'test').results.slice(-5).map((r) => r.birthName)).toEqual(['ABADIE', 'ABADIE', 'ABADIE', 'ABADIE', 'ABADIE']);
  });
});
