/**
 * Legal timing of SESAM-Vitale billing (code de la sécurité sociale, art. R161-47; research
 * cards.md §7, wave2.md §5.1):
 * - the FSE is transmitted within 3 working days of the care when the patient pays (paiement
 *   direct), 8 working days in tiers payant (dispense d'avance de frais); the day of care does not
 *   count, so the last day to transmit is the 3rd (or 8th) working day after it;
 * - when the acknowledgement (ARL) is negative or has not come 2 working days after sending, the
 *   lot is sent again (réémission); if that fails too, a paper duplicate goes to the caisse;
 * - the electronic double and its acknowledgements are kept at least 90 days.
 * The desk warns from the last working day before a deadline, and alerts once it has passed.
 */
import type { BillingMode, DeadlineState } from '../../contract/domains/billing';
import { addDays, type WorkingCalendar } from './calendar';

/** R161-47: working days allowed to transmit, by who pays. */
export const TRANSMISSION_WORKING_DAYS: Record<BillingMode, number> = { direct: 3, 'tiers-payant': 8 };
/** R161-47: working days an ARL is awaited before the lot is sent again. */
export const ARL_WAIT_WORKING_DAYS = 2;
/** R161-47: the electronic double and its acknowledgements are kept at least this long. */
export const RETENTION_DAYS = 90;

export function transmissionDeadline(calendar: WorkingCalendar, careDate: string, mode: BillingMode): string {
  return calendar.addWorkingDays(careDate, TRANSMISSION_WORKING_DAYS[mode]);
}

/** From this day on the screen warns: the last working day before the deadline. */
export function warningFrom(calendar: WorkingCalendar, deadline: string): string {
  return calendar.previousWorkingDay(deadline);
}

export interface DeadlineStatus {
  date: string;
  state: DeadlineState;
  /** Working days left after today until the deadline (0 on the day itself and after). */
  workingDaysLeft: number;
}

/** Where an invoice stands against its deadline; `transmittedOn` is the day its lot first left. */
export function deadlineStatus(calendar: WorkingCalendar, deadline: string, today: string, transmittedOn: string | null): DeadlineStatus {
  const workingDaysLeft = calendar.workingDaysBetween(today, deadline);
  if (transmittedOn !== null) return { date: deadline, state: transmittedOn <= deadline ? 'met' : 'passed', workingDaysLeft };
  if (today > deadline) return { date: deadline, state: 'passed', workingDaysLeft: 0 };
  if (today >= warningFrom(calendar, deadline)) return { date: deadline, state: 'due-soon', workingDaysLeft };
  return { date: deadline, state: 'ok', workingDaysLeft };
}

/** The last day an ARL may still come for a lot sent on `sentOn`; re-send the day after. */
export function arlDueDate(calendar: WorkingCalendar, sentOn: string): string {
  return calendar.addWorkingDays(sentOn, ARL_WAIT_WORKING_DAYS);
}

export function retentionEnd(acknowledgedOn: string): string {
  return addDays(acknowledgedOn, RETENTION_DAYS);
}
