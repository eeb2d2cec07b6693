/**
 * Working days (jours ouvrés) for the legal billing deadlines: Monday to Friday, except French
 * public holidays. Holidays come from `date-holidays` (maintained data, STYLE.md « never a
 * hand-kept table »), country FR; Alsace-Moselle (Bas-Rhin 67, Haut-Rhin 68, Moselle 57) adds
 * Good Friday and 26 December under local law — a setting, since a desk cannot guess where it is.
 * Only days of type `public` count (not `observance` such as Mother's Day or Whit Sunday).
 *
 * Dates are civil dates in Europe/Paris written `YYYY-MM-DD`; arithmetic is done on UTC midnights
 * so that no daylight-saving change moves a day.
 */
import Holidays from 'date-holidays';

export type HolidayRegion = 'national' | 'alsace-moselle';

const DAY_MS = 86_400_000;
const PARIS_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The civil date in France (Europe/Paris) at an instant. */
export function parisDate(ms: number): string {
  return PARIS_DATE.format(new Date(ms));
}

export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === value;
}

function toUtc(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match === null || !isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

export interface Holiday {
  date: string;
  name: string;
}

export class WorkingCalendar {
  private readonly holidays: Holidays;
  private readonly years = new Map<number, Map<string, string>>();

  constructor(readonly region: HolidayRegion) {
    // Bas-Rhin (67) carries the Alsace-Moselle days in date-holidays; 68 and 57 have the same.
    this.holidays = region === 'alsace-moselle' ? new Holidays('FR', '67') : new Holidays('FR');
  }

  /** Public holidays of a year, by date. */
  holidaysOf(year: number): Holiday[] {
    return [...this.yearTable(year).entries()].map(([date, name]) => ({ date, name }));
  }

  holidayName(date: string): string | null {
    return this.yearTable(Number(date.slice(0, 4))).get(date) ?? null;
  }

  isWorkingDay(date: string): boolean {
    const weekday = new Date(toUtc(date)).getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    return this.holidayName(date) === null;
  }

  /**
   * The `n`-th working day after `date` (the day itself never counts): the deadline rule of
   * R161-47, where the day of care is day zero.
   */
  addWorkingDays(date: string, n: number): string {
    let current = date;
    let left = n;
    while (left > 0) {
      current = addDays(current, 1);
      if (this.isWorkingDay(current)) left -= 1;
    }
    return current;
  }

  /** The last working day strictly before `date`. */
  previousWorkingDay(date: string): string {
    let current = addDays(date, -1);
    while (!this.isWorkingDay(current)) current = addDays(current, -1);
    return current;
  }

  /** Working days in (from, to]: 0 when `to` ≤ `from`. */
  workingDaysBetween(from: string, to: string): number {
    if (to <= from) return 0;
    let n = 0;
    for (let current = addDays(from, 1); current <= to; current = addDays(current, 1)) {
      if (this.isWorkingDay(current)) n += 1;
    }
    return n;
  }

  private yearTable(year: number): Map<string, string> {
    let table = this.years.get(year);
    if (table === undefined) {
      table = new Map();
      for (const holiday of this.holidays.getHolidays(year)) {
        if (holiday.type !== 'public') continue;
        table.set(holiday.date.slice(0, 10), holiday.name);
      }
      this.years.set(year, table);
    }
    return table;
  }
}
