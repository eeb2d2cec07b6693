/**
 * Cards: demo environment → virtual cards through pcscd+vpcd when reachable, else in-process
 * (demo-cards.ts, loaded only in demo so production never loads fixtures); other environments →
 * pcsclite + the PKCS#11 module from Paramètres. The card holder becomes the audit actor.
 */
import { PcscliteBackend, PcscSupervisor } from '../../../native/pcsc';
import { CardsService } from '../../services/cards';
import { cardsDoctorChecks, createCardsHandlers, pkcs11SignerFactory } from '../handlers/cards';
import { DESK_ACTOR } from '../handlers/core';
import type { WiringContext } from './context';

export async function wireCards(ctx: WiringContext): Promise<CardsService> {
  // A CLI host in démo gets readers of its own unless it asked for the system's: it must never
  // insert a virtual card into the vpcd reader of a desk running beside it (instance-lock.ts).
  // Tests that must not share the machine's pcscd ask for in-process cards (demoCardsInProcess).
  const preferVpcd = ctx.demoCardsInProcess !== true && (ctx.transport !== 'in-process' || ctx.demoReaders === 'system');
  const demoCards =
    ctx.environment === 'demo' ? await (await import('../demo-cards')).attachDemoCards({ dataDir: ctx.dataDir, logger: ctx.logger.child('host'), clock: ctx.clock, preferVpcd }) : null;
  const pcsc = new PcscSupervisor({ createBackend: demoCards?.createBackend ?? (() => new PcscliteBackend()), logger: ctx.logger.child('pcsc') });
  ctx.pcsc = pcsc;
  const cards = new CardsService({
    pcsc,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    notify: (change) => ctx.dispatcher.emit('cards.changed', change),
    signerFactory: demoCards?.signerFactory ?? pkcs11SignerFactory(() => ctx.settings.get().pkcs11Module, ctx.clock),
    deskActor: DESK_ACTOR,
  });
  ctx.dispatcher.register(createCardsHandlers(cards));
  if (demoCards) ctx.dispatcher.register(demoCards.handlers);
  ctx.actor.current = () => cards.practitionerSession()?.holder.idNat ?? DESK_ACTOR;
  // The audit trail records the IdNat; the screens show the person's name (audit screen, histories).
  cards.onChange((change) => {
    const holder = change.reason === 'session-opened' ? cards.practitionerSession()?.holder : undefined;
    if (holder !== undefined) ctx.audit.rememberPerson({ actor: holder.idNat, name: personName(holder.givenName, holder.surname), cardType: holder.cardType });
  });
  ctx.doctorChecks.push(...cardsDoctorChecks(cards));
  if (ctx.transport !== 'in-process') cards.start();
  // Jobs waiting for the practitioner's card (blocked) resume when a card is inserted or its PIN typed.
  ctx.dispatcher.subscribe((event) => {
    if (event === 'cards.changed') ctx.outbox.wake('cards.changed');
  });
  ctx.closers.push(async () => {
    await cards.stop();
    await demoCards?.close();
  });
  return cards;
}

/** « Camille PUPITRE », « Marie-Hélène DURAND »: the given name capitalised, the surname as on the card. */
export function personName(givenName: string, surname: string): string {
  const given = givenName.toLocaleLowerCase('fr-FR').replace(/(^|[\s'’-])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toLocaleUpperCase('fr-FR'));
  return `${given} ${surname}`.trim();
}
