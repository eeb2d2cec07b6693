/** Display helpers of Facturation: French labels and tones of states, amounts, dates, the top-bar badge. */
import type { BillingStatus, DeadlineItem, InvoiceView, LotView } from '../../../electron/contract/domains/billing';
import type { Tone } from '../../ui';

export const LOT_STATE_LABELS: Record<LotView['state'], string> = {
  to_send: 'À envoyer',
  sent: 'Envoyé',
  acknowledged: 'Accusé de réception reçu',
  refused: 'Refusé',
  resent: 'Renvoyé',
  paper_duplicate: 'Duplicata papier nécessaire',
};

export const LOT_STATE_TONES: Record<LotView['state'], Tone> = {
  to_send: 'neutral',
  sent: 'info',
  acknowledged: 'ok',
  refused: 'error',
  resent: 'warn',
  paper_duplicate: 'error',
};

export const INVOICE_STATUS_LABELS: Record<InvoiceView['status'], string> = {
  validated: 'À transmettre',
  sent: 'Transmise',
  accepted: 'Acceptée',
  rejected: 'Rejetée',
  paid: 'Payée',
  payment_rejected: 'Paiement rejeté',
  cancelled: 'Annulée',
};

export const INVOICE_STATUS_TONES: Record<InvoiceView['status'], Tone> = {
  validated: 'neutral',
  sent: 'info',
  accepted: 'ok',
  rejected: 'error',
  paid: 'ok',
  payment_rejected: 'error',
  cancelled: 'neutral',
};

export const COVERAGE_LABELS = { maladie: 'Maladie (70 %)', ald: 'ALD (100 %)', maternite: 'Maternité (100 %)', atmp: 'AT/MP (100 %)' } as const;
export const SECURING_LABELS = { vitale: 'Carte Vitale', apcv: 'Appli carte Vitale', degradee: 'Mode dégradé' } as const;
export const PLACE_LABELS = { cabinet: 'Cabinet', domicile: 'Visites à domicile', centre: 'Centre de santé' } as const;

const EUROS = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** 3000 → « 30,00 € » (with the narrow no-break space French uses). */
export function euros(cents: number): string {
  return EUROS.format(cents / 100);
}

/** 2025-06-04 → « mer. 04/06/2025 ». */
export function shortDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = new Intl.DateTimeFormat('fr-FR', { weekday: 'short', timeZone: 'UTC' }).format(d);
  return `${weekday} ${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

export function deadlineText(item: Pick<DeadlineItem, 'deadline'>): { tone: Tone; text: string } {
  const d = item.deadline;
  switch (d.state) {
    case 'passed':
      return { tone: 'error', text: `Délai dépassé (${shortDate(d.date)})` };
    case 'due-soon':
      return { tone: 'warn', text: d.workingDaysLeft === 0 ? `Dernier jour : aujourd’hui (${shortDate(d.date)})` : `À transmettre d’ici ${shortDate(d.date)}` };
    case 'met':
      return { tone: 'ok', text: `Transmise à temps (délai ${shortDate(d.date)})` };
    case 'ok':
      return { tone: 'neutral', text: `Délai ${shortDate(d.date)} (${d.workingDaysLeft} jour${d.workingDaysLeft > 1 ? 's' : ''} ouvré${d.workingDaysLeft > 1 ? 's' : ''})` };
  }
}

export interface BadgeView {
  tone: Tone;
  text: string;
  title: string;
}

/** The top-bar badge: passed deadlines first, then due soon, then what a person must do; null when all is well. */
export function billingBadge(status: BillingStatus | undefined): BadgeView | null {
  if (status === undefined) return null;
  const a = status.attention;
  if (a.overdue > 0) {
    return { tone: 'error', text: `Facturation : ${a.overdue} hors délai`, title: 'Des factures n’ont pas été transmises dans le délai légal : synchronisez, ou prévenez votre caisse.' };
  }
  if (a.paperDuplicates > 0) {
    return { tone: 'error', text: `Facturation : ${a.paperDuplicates} duplicata${a.paperDuplicates > 1 ? 's' : ''} papier`, title: 'Des lots ont été refusés deux fois : imprimez et envoyez les duplicatas papier.' };
  }
  if (a.dueSoon > 0) {
    return { tone: 'warn', text: `Facturation : ${a.dueSoon} à transmettre`, title: 'Des factures arrivent au bout du délai légal de transmission : synchronisez aujourd’hui.' };
  }
  if (a.refusedLots > 0) {
    return { tone: 'warn', text: `Facturation : ${a.refusedLots} lot${a.refusedLots > 1 ? 's' : ''} refusé${a.refusedLots > 1 ? 's' : ''}`, title: 'Un lot a été refusé : Pupitre le renvoie automatiquement.' };
  }
  return null;
}
