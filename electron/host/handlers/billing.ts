/**
 * Contract handlers of the billing domain: thin adapters to the billing service, with the actor
 * (the card holder) for the audit trail. Démo switches are registered by the wiring.
 */
import type { BillingService } from '../../services/billing';
import type { DoctorCheck } from '../doctor';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

export function createBillingHandlers(billing: BillingService, options: { actor?: () => string } = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  return {
    'billing.status': () => billing.status(),
    'billing.sessions': ({ limit }) => ({ sessions: billing.sessions(limit) }),
    'billing.openSession': ({ mode, place }) => billing.openSession({ mode, place }),
    'billing.setSessionMode': ({ sessionId, mode }) => billing.setSessionMode(sessionId, mode),
    'billing.closeSession': ({ sessionId }) => billing.closeSession(sessionId),
    'billing.tariffs': ({ date }) => billing.tariffs(date),
    'billing.quote': ({ lines, coverage, mode, careDate, birthDate }) =>
      billing.quote({ lines, coverage, mode, ...(careDate === undefined ? {} : { careDate }), ...(birthDate === undefined ? {} : { birthDate }) }),
    'billing.createInvoice': ({ sessionId, source, patientId, lines, coverage, mode, careDate }) =>
      billing.createInvoice({ sessionId, source, patientId, lines, coverage, mode, careDate }),
    'billing.cancelInvoice': ({ invoiceId }) => billing.cancelInvoice(invoiceId, actor()),
    'billing.invoices': ({ sessionId, lotId, paperDuplicate, limit }) => ({
      invoices: billing.invoices(
        {
          limit,
          ...(sessionId === undefined ? {} : { sessionId }),
          ...(lotId === undefined ? {} : { lotId }),
          ...(paperDuplicate === undefined ? {} : { paperDuplicate }),
        },
        actor(),
      ),
    }),
    'billing.lots': ({ state, limit }) => ({ lots: billing.lots({ limit, ...(state === undefined ? {} : { state }) }) }),
    'billing.deadlines': () => billing.deadlines(actor()),
    'billing.deadline': ({ date, mode }) => ({ deadline: billing.deadline(date, mode) }),
    'billing.sync': () => billing.sync(actor()),
    'billing.markPaperDuplicatesSent': ({ invoiceIds }) => ({ marked: billing.markPaperDuplicatesSent(invoiceIds, actor()) }),
    'billing.purge': () => billing.purge(actor()),
  };
}

/** The Diagnostic screen's and `pupitre doctor`'s view of billing: deadlines first. */
export function billingDoctorCheck(billing: BillingService): DoctorCheck {
  return {
    id: 'billing',
    label: 'Facturation',
    run: () => {
      const status = billing.status();
      const a = status.attention;
      const mode = status.mode === 'modelled' ? 'démo (formats modélisés)' : 'bibliothèque SESAM-Vitale non configurée';
      const detail = [
        mode,
        `${a.toSend} lot(s) à envoyer`,
        `${a.awaitingArl} en attente d’accusé de réception`,
        ...(a.overdue > 0 ? [`${a.overdue} facture(s) hors délai`] : []),
        ...(a.dueSoon > 0 ? [`${a.dueSoon} facture(s) à transmettre d’ici demain`] : []),
        ...(a.paperDuplicates > 0 ? [`${a.paperDuplicates} duplicata(s) papier à envoyer`] : []),
      ].join(' ; ');
      if (a.overdue > 0) {
        return { status: 'error', detail, next: 'Rétablissez la connexion puis « Synchroniser » dans Facturation ; si la transmission reste impossible, prévenez votre caisse.' };
      }
      if (a.dueSoon > 0 || a.paperDuplicates > 0 || a.refusedLots > 0) {
        return { status: 'warn', detail, next: 'Ouvrez Facturation : synchronisez les lots et traitez les duplicatas demandés (pupitre billing lots).' };
      }
      if (status.mode === 'unavailable') {
        return { status: 'warn', detail, next: 'La facturation SESAM-Vitale nécessite la bibliothèque certifiée du GIE SESAM-Vitale ; en attendant, facturez sur feuille de soins papier.' };
      }
      if (!status.identity.complete) return { status: 'warn', detail, next: 'Renseignez votre numéro AM, votre spécialité et votre secteur conventionnel dans Paramètres.' };
      return { status: 'ok', detail };
    },
  };
}
