import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUtc, parseHl7Time, toCdaTime, toXdsTime } from './hl7-time';

describe('HL7 TS → XDS DTM', () => {
  it('converts a zoned timestamp to UTC (ITI TF-3 §4.2.3.1.7)', () => {
    expect(toXdsTime('20210401134745+0100')).toBe('20210401124745');
    expect(toXdsTime('20191231233000-0200')).toBe('20200101013000');
  });

  it('keeps the precision written and leaves unzoned values as they are', () => {
    expect(toXdsTime('20190221')).toBe('20190221');
    expect(toXdsTime('202101040735+0100')).toBe('202101040635');
    expect(toXdsTime('20200312101700')).toBe('20200312101700');
    expect(toXdsTime('20190221+0100')).toBe('20190221');
  });

  it('refuses impossible dates and malformed values', () => {
    expect(toXdsTime('20210230')).toBeUndefined();
    expect(toXdsTime('2021-02-03')).toBeUndefined();
    expect(toXdsTime('20210203256000')).toBeUndefined();
    expect(parseHl7Time('20210203+2500')).toBeNull();
  });

  it('agrees with Date arithmetic on random zoned timestamps', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (date, offset) => {
          const local = formatUtc(date.getTime() + offset * 60_000);
          const sign = offset < 0 ? '-' : '+';
          const zone = `${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}${String(Math.abs(offset) % 60).padStart(2, '0')}`;
          expect(toXdsTime(`${local}${zone}`)).toBe(formatUtc(Math.floor(date.getTime() / 1000) * 1000));
        },
      ),
    );
  });
});

describe('input time → CDA header TS', () => {
  it('writes ISO instants in UTC with an explicit zone, dates as dates', () => {
    expect(toCdaTime('2026-11-30T09:00:00+01:00')).toBe('20261130080000+0000');
    expect(toCdaTime('2026-11-30T09:00:00Z')).toBe('20261130090000+0000');
    expect(toCdaTime('2026-11-30')).toBe('20261130');
    expect(toCdaTime('20261130100000+0100')).toBe('20261130090000+0000');
  });

  it('refuses what is not a time', () => {
    expect(toCdaTime('demain')).toBeNull();
    expect(toCdaTime('2026-02-30')).toBeNull();
    expect(toCdaTime('2026-11-30T09:00:00')).toBeNull();
  });
});
