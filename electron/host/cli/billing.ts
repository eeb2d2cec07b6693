/**
 * `pupitre billing`: billing from a terminal, on the same database as the app (leases make it safe
 * to sync while the app runs). `deadline` answers the legal question alone: the last day to
 * transmit care given on a date (art. R161-47), with the holiday calendar of Paramètres.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { billingModeSchema, lotStateSchema, type BillingMode, type InvoiceView, type LotView, type SessionView, type SyncResult } from '../../contract/domains/billing';
import { systemClock } from '../../platform/clock';
import { openDatabase } from '../../platform/db';
import { isIsoDate, transmissionDeadline, WorkingCalendar, type HolidayRegion } from '../../services/billing';
import { SettingsService } from '../../services/settings';
import { APP_NAME, APP_VERSION } from '../compose';
import { UsageError, flagString } from './args';
import type { Command } from './command';
import { openHost, print, resolveDbKey, type CliContext } from './context';

const USAGE = [
  'pupitre billing sessions [--json]',
  'pupitre billing invoices --session ID [--json]',
  'pupitre billing lots [--state to_send|sent|acknowledged|refused|resent|paper_duplicate] [--json]',
  'pupitre billing deadline AAAA-MM-JJ --mode direct|tiers-payant [--json]',
  'pupitre billing sync [--json]',
  'pupitre billing purge --yes [--json]',
].join('\n');

const LOT_STATE: Record<LotView['state'], string> = {
  to_send: 'à envoyer',
  sent: 'envoyé',
  acknowledged: 'accusé de réception positif',
  refused: 'refusé',
  resent: 'renvoyé',
  paper_duplicate: 'duplicata papier à envoyer',
};

const INVOICE_STATUS: Record<InvoiceView['status'], string> = {
  validated: 'à transmettre',
  sent: 'transmise',
  accepted: 'acceptée',
  rejected: 'rejetée (duplicata papier)',
  paid: 'payée',
  payment_rejected: 'paiement rejeté',
  cancelled: 'annulée',
};

const euros = (cents: number): string => `${(cents / 100).toFixed(2).replace('.', ',')} €`;
const frenchDate = (date: string): string =>
  new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));

export const billingCommand: Command = {
  name: 'billing',
  usage: USAGE,
  summary: 'Facturation : sessions, factures, lots et accusés de réception, délai légal de transmission, synchronisation.',
  valued: ['session', 'state', 'mode'],
  async run(ctx) {
    const [action, argument] = ctx.args.positionals;
    // Checked before opening anything: a usage error answers at once.
    const mode = flagString(ctx.args, 'mode');
    const state = flagString(ctx.args, 'state');
    if (action === 'deadline') {
      if (argument === undefined || !isIsoDate(argument)) throw new UsageError('usage : pupitre billing deadline AAAA-MM-JJ --mode direct|tiers-payant');
      if (!billingModeSchema.safeParse(mode).success) throw new UsageError('--mode attend direct ou tiers-payant');
      // No host: the answer needs only the calendar and the holiday setting (answers at once).
      const deadline = transmissionDeadline(new WorkingCalendar(await holidayRegion(ctx)), argument, mode as BillingMode);
      // --json prints exactly {"deadline":"YYYY-MM-DD"} (one line, for scripts).
      ctx.io.out(ctx.json ? JSON.stringify({ deadline }) : `Dernier jour pour transmettre les soins du ${frenchDate(argument)} (${mode === 'direct' ? 'paiement direct : 3 jours ouvrés' : 'tiers payant : 8 jours ouvrés'}) : ${frenchDate(deadline)}.`);
      return 0;
    } else if (action === 'invoices' && flagString(ctx.args, 'session') === undefined) {
      throw new UsageError('usage : pupitre billing invoices --session ID (pupitre billing sessions donne les identifiants)');
    } else if (action === 'lots' && state !== undefined && !lotStateSchema.safeParse(state).success) {
      throw new UsageError(`--state attend l'un de : ${lotStateSchema.options.join(', ')}`);
    } else if (action === 'purge' && ctx.args.flags.get('yes') !== true) {
      throw new UsageError('La purge des doubles électroniques (conservés 90 jours) est définitive. Confirmez avec --yes.');
    } else if (!['sessions', 'invoices', 'lots', 'sync', 'purge', 'deadline'].includes(action ?? '')) {
      throw new UsageError(USAGE);
    }
    const host = await openHost(ctx, 'in-process');
    try {
      switch (action) {
        case 'sessions': {
          const { sessions } = await host.dispatcher.invoke('billing.sessions', { limit: 50 });
          print(ctx, { sessions }, () => (sessions.length === 0 ? 'Aucune session de facturation.' : sessions.map(formatSession).join('\n')));
          return 0;
        }
        case 'invoices': {
          const { invoices } = await host.dispatcher.invoke('billing.invoices', { sessionId: flagString(ctx.args, 'session') as string, limit: 5000 });
          print(ctx, { invoices }, () => (invoices.length === 0 ? 'Aucune facture dans cette session.' : invoices.map(formatInvoice).join('\n')));
          return 0;
        }
        case 'lots': {
          const { lots } = await host.dispatcher.invoke('billing.lots', { limit: 500, ...(state === undefined ? {} : { state: state as LotView['state'] }) });
          print(ctx, { lots }, () => (lots.length === 0 ? 'Aucun lot.' : lots.map(formatLot).join('\n')));
          return 0;
        }
        case 'sync': {
          const result = await host.dispatcher.invoke('billing.sync', {});
          print(ctx, result, () => formatSync(result));
          // 75 (EX_TEMPFAIL): lots still wait for the network; 1: something needs a person.
          return result.paperDuplicates > 0 ? 1 : result.waiting > 0 ? 75 : 0;
        }
        case 'purge': {
          const result = await host.dispatcher.invoke('billing.purge', { confirm: true });
          print(ctx, result, () => `${result.purgedInvoices} double(s) électronique(s) et ${result.purgedReturns} accusé(s) de réception purgés (acquittés avant le ${frenchDate(result.keptUntil)}).`);
          return 0;
        }
        default:
          throw new UsageError(USAGE);
      }
    } finally {
      await host.close();
    }
  },
};

/** The holiday calendar of Paramètres (Alsace-Moselle or not); national without a database yet. */
async function holidayRegion(ctx: CliContext): Promise<HolidayRegion> {
  const path = join(ctx.dataDir, 'pupitre.db');
  if (!existsSync(path)) return 'national';
  const db = openDatabase({ path, keyHex: (await resolveDbKey(ctx.dataDir)).keyHex });
  try {
    return new SettingsService(db, systemClock, { name: APP_NAME, version: APP_VERSION }, () => undefined).get().billing.holidays;
  } finally {
    db.close();
  }
}

function formatSession(s: SessionView): string {
  const state = s.status === 'open' ? 'ouverte' : 'fermée';
  return `${s.id}  ${s.date}  ${state}, ${s.mode === 'online' ? 'en ligne' : 'hors ligne'}, ${s.place}  ${s.practitioner.name}  ${s.invoiceCount} facture(s), ${euros(s.totals.totalCents)}`;
}

function formatInvoice(i: InvoiceView): string {
  const who = `${i.beneficiary.surname} ${i.beneficiary.givenName}`;
  const lot = i.lot === null ? '' : `  lot ${i.lot.number}`;
  const duplicate = i.paperDuplicate !== null && i.paperDuplicate.sentAt === null ? '  DUPLICATA PAPIER À ENVOYER' : '';
  return `n° ${String(i.number).padStart(6)}  ${i.careDate}  ${who}  ${euros(i.totals.totalCents)} (AMO ${euros(i.totals.amoCents)})  ${i.mode === 'tiers-payant' ? 'tiers payant' : 'paiement direct'}  ${INVOICE_STATUS[i.status]}  délai ${i.deadline.date}${lot}${duplicate}`;
}

function formatLot(l: LotView): string {
  return `lot ${String(l.number).padStart(5)}  ${l.organism.label}  ${l.invoiceCount} facture(s)  ${euros(l.totalCents)}  ${LOT_STATE[l.state]}\n    ${l.next}`;
}

function formatSync(r: SyncResult): string {
  const lines = [
    `Lots formés : ${r.lotsFormed} ; envoyés : ${r.sent} ; en attente d’envoi : ${r.waiting}.`,
    `Retours relevés : ${r.returns} (accusés positifs : ${r.acknowledged}, refus : ${r.refused}, renvois : ${r.resent}).`,
  ];
  if (r.paperDuplicates > 0) lines.push(`${r.paperDuplicates} lot(s) à traiter en duplicata papier : pupitre billing lots --state paper_duplicate`);
  if (r.error !== null) lines.push(r.error);
  return lines.join('\n');
}
