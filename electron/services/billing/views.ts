/**
 * Rows → what the screen and the CLI see. Where an invoice stands comes from its lot (jFSE-like
 * statuses, wave2.md §5.3); each lot says what happens next, or what the practitioner must do, in
 * French, without codes.
 */
import type {
  BillingMode,
  Coverage,
  DeadlineItem,
  EmissionView,
  InvoiceStatus,
  InvoiceView,
  LotView,
  Organism,
  PricedLine,
  RightsSummary,
  SessionView,
  Totals,
} from '../../contract/domains/billing';
import { REGIME_LABELS } from '../adri';
import { parisDate, type WorkingCalendar } from './calendar';
import { arlDueDate, deadlineStatus } from './deadlines';
import type { EmissionRow, InvoiceWithLotRow, LotRow, SessionRow } from './store';

/** The part of an invoice kept as JSON (`content`): what the FSE said, for the practitioner's records. */
export interface InvoiceContentRecord {
  beneficiary: { surname: string; usedName: string | null; givenName: string; birthDate: string; birthRank: number; nir: string | null; insuredNir: string };
  rights: RightsSummary;
  lines: PricedLine[];
  totals: Totals;
  apcvContextId: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function organismLabel(organism: Organism): string {
  const regime = REGIME_LABELS[organism.regime] ?? `Régime ${organism.regime}`;
  return `${regime} — caisse ${organism.caisse}, centre ${organism.centre}`;
}

export function sessionView(row: SessionRow, totals: { n: number; total: number | null; amo: number | null; patient: number | null }): SessionView {
  return {
    id: row.id,
    status: row.status,
    mode: row.mode,
    place: row.place,
    openedAt: new Date(row.opened_at).toISOString(),
    closedAt: iso(row.closed_at),
    date: row.session_date,
    practitioner: { idNat: row.id_nat, name: row.practitioner_name, billingNumber: row.practitioner },
    invoiceCount: totals.n,
    totals: { totalCents: totals.total ?? 0, amoCents: totals.amo ?? 0, patientCents: totals.patient ?? 0 },
  };
}

export function invoiceStatusOf(row: InvoiceWithLotRow): InvoiceStatus {
  if (row.state === 'cancelled') return 'cancelled';
  switch (row.lot_state) {
    case null:
    case 'to_send':
      return 'validated';
    case 'sent':
    case 'resent':
    case 'refused':
      return 'sent';
    case 'paper_duplicate':
      return 'rejected';
    case 'acknowledged':
      if (row.payment_status === 'P') return 'paid';
      if (row.payment_status === 'R') return 'payment_rejected';
      return 'accepted';
  }
}

const PAYMENT_LABEL = { P: 'Payée', C: 'Paiement en attente', R: 'Paiement rejeté', A: 'Anomalie de paiement' } as const;

export function invoiceView(row: InvoiceWithLotRow, calendar: WorkingCalendar, today: string): InvoiceView {
  const content = JSON.parse(row.content ?? '{}') as InvoiceContentRecord;
  const organism: Organism = { regime: row.regime ?? '', caisse: row.caisse ?? '', centre: row.centre ?? '' };
  const deadline = row.deadline ?? today;
  return {
    id: row.id,
    number: row.number,
    sessionId: row.session_id,
    patientId: row.patient_id,
    createdAt: iso(row.created_at) ?? new Date(row.reserved_at).toISOString(),
    careDate: row.care_date ?? today,
    status: invoiceStatusOf(row),
    securing: row.securing ?? 'degradee',
    mode: (row.mode ?? 'direct') as BillingMode,
    coverage: (row.coverage ?? 'maladie') as Coverage,
    rights: content.rights,
    beneficiary: { surname: content.beneficiary.usedName ?? content.beneficiary.surname, givenName: content.beneficiary.givenName, birthDate: content.beneficiary.birthDate },
    organism: { ...organism, label: organismLabel(organism) },
    lines: content.lines,
    totals: content.totals,
    deadline: row.state === 'cancelled' ? { date: deadline, state: 'met', workingDaysLeft: 0 } : deadlineStatus(calendar, deadline, today, row.lot_first_sent_on),
    lot: row.lot_id === null || row.lot_number === null || row.lot_state === null ? null : { id: row.lot_id, number: row.lot_number, state: row.lot_state },
    paperDuplicate: row.paper_duplicate_at === null ? null : { since: new Date(row.paper_duplicate_at).toISOString(), sentAt: iso(row.paper_duplicate_sent_at) },
    scorRequired: row.securing === 'degradee',
    payment:
      row.payment_status === null
        ? null
        : { status: row.payment_status, label: row.payment_label ?? PAYMENT_LABEL[row.payment_status], amountCents: row.payment_cents, at: iso(row.payment_at) ?? '' },
    purgedAt: iso(row.purged_at),
  };
}

export function deadlineItem(row: InvoiceWithLotRow, calendar: WorkingCalendar, today: string): DeadlineItem {
  const view = invoiceView(row, calendar, today);
  return {
    invoiceId: view.id,
    number: view.number,
    beneficiary: `${view.beneficiary.surname} ${view.beneficiary.givenName}`,
    careDate: view.careDate,
    mode: view.mode,
    deadline: view.deadline,
    lot: view.lot,
  };
}

export function emissionView(row: EmissionRow, calendar: WorkingCalendar): EmissionView {
  return {
    emission: row.emission,
    jobId: row.job_id,
    queuedAt: new Date(row.queued_at).toISOString(),
    sentAt: iso(row.sent_at),
    arlDueDate: row.sent_on === null ? null : arlDueDate(calendar, row.sent_on),
    arl: row.arl_at === null || row.arl_positive === null ? null : { positive: row.arl_positive === 1, at: new Date(row.arl_at).toISOString(), label: row.arl_label ?? '' },
  };
}

const day = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** What happens next for a lot, or what the practitioner must do. */
export function lotNext(row: LotRow, emissions: readonly EmissionView[], today: string, unreadableArls = 0): string {
  const first = emissions.find((e) => e.emission === 1);
  const second = emissions.find((e) => e.emission === 2);
  if (unreadableArls > 0 && (row.state === 'sent' || row.state === 'resent')) {
    const awaited = (row.state === 'sent' ? first : second)?.arlDueDate;
    const renvoi = row.state === 'sent' ? 'Pupitre renverra le lot automatiquement' : 'des duplicatas papier seront nécessaires';
    if (!(row.state === 'sent' && second !== undefined && second.sentAt === null)) {
      return `Un accusé de réception illisible est arrivé pour ce lot (conservé) : sans accusé lisible${awaited ? ` d’ici le ${day(awaited)}` : ''}, ${renvoi}.`;
    }
  }
  switch (row.state) {
    case 'to_send':
      return today > row.deadline
        ? `Délai légal dépassé (${day(row.deadline)}) : le lot partira dès le retour du réseau. Prévenez votre caisse si la transmission reste impossible.`
        : `En attente d’envoi : il partira dès que le réseau est disponible (délai légal : ${day(row.deadline)}).`;
    case 'sent':
      if (second !== undefined && second.sentAt === null) return 'Accusé de réception non reçu après 2 jours ouvrés : le lot est renvoyé automatiquement.';
      return first?.arlDueDate ? `Envoyé ; accusé de réception attendu au plus tard le ${day(first.arlDueDate)}, sinon renvoi automatique.` : 'Envoyé ; accusé de réception attendu.';
    case 'refused':
      return `Refusé par la caisse${first?.arl?.label ? ` (« ${first.arl.label} »)` : ''} : Pupitre le renvoie automatiquement. Si le renvoi est refusé aussi, il faudra envoyer des duplicatas papier.`;
    case 'resent':
      return second?.arlDueDate
        ? `Renvoyé ; accusé de réception attendu au plus tard le ${day(second.arlDueDate)}. Sans réponse, des duplicatas papier seront nécessaires.`
        : 'Renvoyé ; accusé de réception attendu.';
    case 'acknowledged':
      return 'Accusé de réception positif : les factures sont prises en charge par la caisse.';
    case 'paper_duplicate':
      return `Le renvoi a échoué aussi${second?.arl?.label ? ` (« ${second.arl.label} »)` : ''} : imprimez la liste des duplicatas, établissez un duplicata papier de chaque facture et envoyez-les à la caisse (${organismLabel(row)}).`;
  }
}

export function lotView(row: LotRow, emissions: readonly EmissionRow[], calendar: WorkingCalendar, now: number, unreadableArls = 0): LotView {
  const views = emissions.map((e) => emissionView(e, calendar));
  const organism = { regime: row.regime, caisse: row.caisse, centre: row.centre };
  return {
    id: row.id,
    number: row.number,
    sessionId: row.session_id,
    organism: { ...organism, label: organismLabel(organism) },
    kind: row.kind,
    state: row.state,
    invoiceCount: row.invoice_count,
    totalCents: row.total_cents,
    createdAt: new Date(row.created_at).toISOString(),
    emissions: views,
    deadline: row.deadline,
    next: lotNext(row, views, parisDate(now), unreadableArls),
  };
}
