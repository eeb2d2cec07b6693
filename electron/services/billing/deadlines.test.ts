/**
 * Legal deadlines (art. R161-47) over weekends and every French public holiday of 2025–2027.
 * The expected holidays are written out from the public calendar (Easter Sunday 20 April 2025,
 * 5 April 2026, 28 March 2027), independently of date-holidays, and a naive reference count of
 * working days over that list checks every day of the three years.
 */
import { describe, expect, it } from 'vitest';
import { addDays, WorkingCalendar } from './calendar';
import { arlDueDate, deadlineStatus, transmissionDeadline, warningFrom } from './deadlines';

const NATIONAL: Record<number, string[]> = {
  2025: ['2025-01-01', '2025-04-21', '2025-05-01', '2025-05-08', '2025-05-29', '2025-06-09', '2025-07-14', '2025-08-15', '2025-11-01', '2025-11-11', '2025-12-25'],
  2026: ['2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25'],
  2027: ['2027-01-01', '2027-03-29', '2027-05-01', '2027-05-08', '2027-05-06', '2027-05-17', '2027-07-14', '2027-08-15', '2027-11-01', '2027-11-11', '2027-12-25'],
};
/** Alsace-Moselle (local law): Good Friday and 26 December as well. */
const ALSACE_EXTRA: Record<number, string[]> = {
  2025: ['2025-04-18', '2025-12-26'],
  2026: ['2026-04-03', '2026-12-26'],
  2027: ['2027-03-26', '2027-12-26'],
};

function referenceDeadline(holidays: Set<string>, care: string, n: number): string {
  let date = care;
  let left = n;
  while (left > 0) {
    date = addDays(date, 1);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(date)) left -= 1;
  }
  return date;
}

describe('working calendar', () => {
  const national = new WorkingCalendar('national');
  const alsace = new WorkingCalendar('alsace-moselle');

  it('knows every French public holiday of 2025–2027, and the two of Alsace-Moselle', () => {
    for (const year of [2025, 2026, 2027]) {
      expect(national.holidaysOf(year).map((h) => h.date).sort()).toEqual([...(NATIONAL[year] ?? [])].sort());
      expect(alsace.holidaysOf(year).map((h) => h.date).sort()).toEqual([...(NATIONAL[year] ?? []), ...(ALSACE_EXTRA[year] ?? [])].sort());
    }
    // Named, so the screen can say why a day does not count.
    expect(national.holidayName('2026-04-06')).toMatch(/Pâques/);
    expect(national.holidayName('2027-05-17')).toMatch(/Pentecôte/);
    expect(national.holidayName('2026-04-03')).toBeNull();
    expect(alsace.holidayName('2026-04-03')).toMatch(/Vendredi saint/);
  });

  it('matches a reference count on every day of 2025–2027, both modes, both calendars', () => {
    for (const [calendar, extra] of [
      [national, {}],
      [alsace, ALSACE_EXTRA],
    ] as const) {
      const holidays = new Set([...Object.values(NATIONAL).flat(), ...Object.values(extra as Record<number, string[]>).flat(), '2028-01-01']);
      for (let day = '2025-01-01'; day <= '2027-12-31'; day = addDays(day, 1)) {
        expect(transmissionDeadline(calendar, day, 'direct')).toBe(referenceDeadline(holidays, day, 3));
        expect(transmissionDeadline(calendar, day, 'tiers-payant')).toBe(referenceDeadline(holidays, day, 8));
      }
    }
  });

  it('does not count the day of care, weekends or holidays (worked examples)', () => {
    // Care on Friday after Ascension (Thursday 29 May 2025): Mon 2, Tue 3, Wed 4 June.
    expect(transmissionDeadline(national, '2025-05-30', 'direct')).toBe('2025-06-04');
    // Care on a holiday (8 May 2025): it counts as day zero like any other day.
    expect(transmissionDeadline(national, '2025-05-08', 'direct')).toBe('2025-05-13');
    // Saturday care: Monday is the first working day.
    expect(transmissionDeadline(national, '2025-06-14', 'direct')).toBe('2025-06-18');
    // Whit Monday 2025 (9 June) does not count.
    expect(transmissionDeadline(national, '2025-06-06', 'direct')).toBe('2025-06-12');
    // 14 July 2027 is a Wednesday.
    expect(transmissionDeadline(national, '2027-07-13', 'direct')).toBe('2027-07-19');
    // Tiers payant across Christmas and New Year: 8 working days.
    expect(transmissionDeadline(national, '2025-12-19', 'tiers-payant')).toBe('2026-01-02');
    expect(transmissionDeadline(alsace, '2025-12-19', 'tiers-payant')).toBe('2026-01-05');
    // Easter 2026 in Alsace-Moselle: Good Friday and Easter Monday both skipped.
    expect(transmissionDeadline(national, '2026-04-02', 'direct')).toBe('2026-04-08');
    expect(transmissionDeadline(alsace, '2026-04-02', 'direct')).toBe('2026-04-09');
    // 15 August 2026 is a Saturday, 1 November 2026 a Sunday: nothing more to skip.
    expect(transmissionDeadline(national, '2026-08-13', 'direct')).toBe('2026-08-18');
  });

  it('warns from the last working day before a deadline and alerts once it has passed', () => {
    const deadline = transmissionDeadline(national, '2025-05-30', 'direct'); // Wednesday 4 June
    expect(warningFrom(national, deadline)).toBe('2025-06-03');
    expect(deadlineStatus(national, deadline, '2025-06-02', null)).toEqual({ date: deadline, state: 'ok', workingDaysLeft: 2 });
    expect(deadlineStatus(national, deadline, '2025-06-03', null).state).toBe('due-soon');
    expect(deadlineStatus(national, deadline, '2025-06-04', null)).toEqual({ date: deadline, state: 'due-soon', workingDaysLeft: 0 });
    expect(deadlineStatus(national, deadline, '2025-06-05', null).state).toBe('passed');
    expect(deadlineStatus(national, deadline, '2025-06-05', '2025-06-04').state).toBe('met');
    expect(deadlineStatus(national, deadline, '2025-06-09', '2025-06-05').state).toBe('passed');
    // A Monday deadline is announced on the Friday before (no warning on a Sunday nobody sees).
    expect(warningFrom(national, '2025-06-16')).toBe('2025-06-13');
  });

  it('waits 2 working days for an acknowledgement before re-sending', () => {
    // Sent on Friday 30 May 2025: the ARL may come until Tuesday 3 June.
    expect(arlDueDate(national, '2025-05-30')).toBe('2025-06-03');
    // Sent on the eve of Easter Monday 2026.
    expect(arlDueDate(national, '2026-04-03')).toBe('2026-04-08');
  });
});
