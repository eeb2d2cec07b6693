import { describe, expect, it } from 'vitest';
import type { BillingStatus } from '../../../electron/contract/domains/billing';
import { billingBadge, deadlineText, euros, shortDate } from './format';

const status = (attention: Partial<BillingStatus['attention']>): BillingStatus => ({
  mode: 'modelled',
  endpoint: 'https://127.0.0.1',
  identity: { amNumber: '991130972', specialty: '01', conventionSector: 'secteur-1', complete: true },
  holidays: 'national',
  today: '2025-06-13',
  session: null,
  attention: { overdue: 0, dueSoon: 0, refusedLots: 0, paperDuplicates: 0, toSend: 0, awaitingArl: 0, ...attention },
  lastReturnsAt: null,
  lastReturnsError: null,
});

describe('billing display', () => {
  it('writes amounts and dates the French way', () => {
    expect(euros(3000).replace(/\s/g, ' ')).toBe('30,00 €');
    expect(euros(105).replace(/\s/g, ' ')).toBe('1,05 €');
    expect(shortDate('2025-06-04')).toBe('mer. 04/06/2025');
  });

  it('shows the badge only when something is due, passed deadlines first', () => {
    expect(billingBadge(status({ toSend: 3, awaitingArl: 2 }))).toBeNull();
    expect(billingBadge(status({ dueSoon: 2 }))).toMatchObject({ tone: 'warn', text: 'Facturation : 2 à transmettre' });
    expect(billingBadge(status({ dueSoon: 2, overdue: 1, paperDuplicates: 1 }))).toMatchObject({ tone: 'error', text: 'Facturation : 1 hors délai' });
    expect(billingBadge(status({ paperDuplicates: 2 }))?.text).toBe('Facturation : 2 duplicatas papier');
    expect(billingBadge(status({ refusedLots: 1 }))?.tone).toBe('warn');
  });

  it('says where an invoice stands against its deadline', () => {
    expect(deadlineText({ deadline: { date: '2025-06-18', state: 'ok', workingDaysLeft: 3 } })).toEqual({ tone: 'neutral', text: 'Délai mer. 18/06/2025 (3 jours ouvrés)' });
    expect(deadlineText({ deadline: { date: '2025-06-18', state: 'due-soon', workingDaysLeft: 0 } }).text).toMatch(/aujourd’hui/);
    expect(deadlineText({ deadline: { date: '2025-06-18', state: 'passed', workingDaysLeft: 0 } }).tone).toBe('error');
  });
});
