import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { tlv, vitaleDirectory } from '../../../fixtures/cards';
import { assembleVitale } from './drivers/vitale';
import { parseTlv } from './tlv';
import { parseVitaleBirthDate, parseVitaleDirectory, sexOfNir, validNir } from './vitale-data';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

describe('Vitale birth dates (AAAAMMJJ, lunar dates kept)', () => {
  it('accepts every calendar date and gives JJ/MM/AAAA back', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1850-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (d) => {
        const raw = d.toISOString().slice(0, 10).replace(/-/g, '');
        const parsed = parseVitaleBirthDate(raw);
        expect(parsed.lunar).toBe(false);
        expect(parsed.display).toBe(`${raw.slice(6)}/${raw.slice(4, 6)}/${raw.slice(0, 4)}`);
        expect([parsed.year, parsed.month, parsed.day]).toEqual([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
      }),
    );
  });

  it('on any 8 characters, either parses consistently or throws CARD_DATA_INVALID', () => {
    fc.assert(
      fc.property(fc.oneof(digits(8), fc.string({ maxLength: 10 })), (raw) => {
        try {
          const parsed = parseVitaleBirthDate(raw);
          expect(parsed.raw).toBe(raw);
          expect(parsed.lunar).toBe(parsed.month === null || parsed.day === null || new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day)).getUTCDate() !== parsed.day);
        } catch (error) {
          expect((error as AppError).code).toBe('CARD_DATA_INVALID');
        }
      }),
    );
  });

  it('flags 00 parts and days outside the calendar as lunar', () => {
    expect(parseVitaleBirthDate('19520000')).toMatchObject({ month: null, day: null, lunar: true, display: '00/00/1952' });
    expect(parseVitaleBirthDate('19800231')).toMatchObject({ month: 2, day: 31, lunar: true });
    expect(() => parseVitaleBirthDate('19801301')).toThrow(AppError);
  });
});

describe('NIR on the card', () => {
  it('keeps a NIR only when its key is right, and reads the sex from it', () => {
    expect(validNir('185047505612372')).toBe('185047505612372');
    expect(validNir('185047505612373')).toBeNull();
    expect(validNir('')).toBeNull();
    expect(sexOfNir('287096912304577')).toBe('F');
    expect(sexOfNir(null)).toBeNull();
  });
});

describe('Vitale directory and beneficiaries', () => {
  it('reads the EF 2001 directory (applications and files)', () => {
    const dir = parseVitaleDirectory(vitaleDirectory());
    expect(dir.applications.map((a) => a.aid)).toEqual(['D2500000024D465F564954414C45', 'D250000002564954414C45']);
    expect(dir.files.map((f) => [f.name, f.fid.toString(16)])).toEqual([
      ['ASSURE', '2002'],
      ['CARTE', '2003'],
      ['BENEF', '2004'],
    ]);
  });

  it('reads random directories back, and refuses truncated ones only with CARD_DATA_INVALID', () => {
    const entry = fc.record({ name: fc.stringMatching(/^[A-Z]{1,8}$/), index: fc.integer({ min: 0, max: 0xffff }), fid: fc.integer({ min: 0, max: 0xffff }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.nat(), (files, cut) => {
        const bytes = tlv(0xe0, [
          [0xa0, [[0x82, Uint8Array.from([0x00, 0x02, 0x00, 0x00, 0xd2, 0x50, 0x00, 0x00, 0x02])]]],
          ...files.map((f) => [0x80, Uint8Array.from([...Buffer.from(f.name.padEnd(8, ' '), 'latin1'), f.index >> 8, f.index & 0xff, f.fid >> 8, f.fid & 0xff])] as [number, Uint8Array]),
        ]);
        expect(parseVitaleDirectory(bytes).files).toEqual(files);
        try {
          parseVitaleDirectory(bytes.slice(0, cut % bytes.length));
        } catch (error) {
          expect((error as AppError).code).toBe('CARD_DATA_INVALID');
        }
      }),
    );
  });

  it('refuses a card without beneficiaries or with an unreadable one', () => {
    expect(() => assembleVitale(parseTlv(tlv(0x66, [[0x80, '20240101']])))).toThrow(AppError);
    expect(() => assembleVitale(parseTlv(tlv(0x65, [[0x80, 'X'], [0x81, 'Y'], [0x82, '1980'], [0x93, '185047505612372']])))).toThrow(AppError);
  });

  it('takes the insured NIR from the first own NIR when the insured template is missing', () => {
    const card = assembleVitale(parseTlv(tlv(0x65, [[0x80, 'LEROUX'], [0x81, 'JULIEN'], [0x82, '19850412'], [0x93, '185047505612372']])));
    expect(card.beneficiaries[0]).toMatchObject({ insuredNir: '185047505612372', quality: { code: '00', insured: true }, birthRank: 1 });
  });

  it('parses random beneficiary templates without crashing (truncated responses included)', () => {
    const template = fc.record({ surname: fc.stringMatching(/^[A-Z]{1,20}$/), given: fc.stringMatching(/^[A-Z]{0,20}$/), birth: digits(8), rank: fc.integer({ min: 1, max: 9 }) });
    fc.assert(
      fc.property(fc.array(template, { minLength: 1, maxLength: 4 }), fc.nat(), (people, cut) => {
        const bytes = Buffer.concat(
          people.map((p) => Buffer.from(tlv(0x65, [[0x80, p.surname], [0x81, p.given], [0x82, p.birth], [0x83, String(p.rank)], [0x93, '185047505612372']]))),
        );
        const truncated = Uint8Array.from(bytes.subarray(0, bytes.length - (cut % 3 === 0 ? 0 : cut % bytes.length)));
        try {
          const card = assembleVitale(parseTlv(truncated));
          expect(card.beneficiaries.length).toBeGreaterThan(0);
          expect(card.beneficiaries.every((b, i) => b.index === i && b.birthRank >= 1)).toBe(true);
        } catch (error) {
          expect((error as AppError).code).toBe('CARD_DATA_INVALID');
        }
      }),
    );
  });
});
