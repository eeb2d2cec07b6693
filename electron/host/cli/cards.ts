/**
 * `pupitre cards list|read`: readers and cards from a terminal, through the same CardsService as
 * the app. `read` prints the card type, the ATR and the holder (CPS/CPE) or the beneficiaries
 * (Vitale). Without --reader it reads the first reader holding a card.
 */
import { AppError } from '../../contract';
import type { CpsHolder, ReaderView, VitaleCard } from '../../contract/domains/cards';
import type { Host } from '../compose';
import { flagString } from './args';
import type { Command } from './command';
import { openHost, print } from './context';

/** The CLI host does not watch readers in the background: start, then wait until PC/SC has reported. */
async function readersOf(host: Host, settleMs = 800): Promise<ReaderView[]> {
  host.cards.start();
  const deadline = Date.now() + settleMs;
  let previous = '';
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = JSON.stringify(host.cards.readers());
    if (host.cards.serviceState() === 'up' && now === previous && now !== '[]') break;
    previous = now;
  }
  return host.cards.readers();
}

function readerLine(r: ReaderView): string {
  const card = r.state === 'present' ? `${r.cardLabel ?? 'carte'} — ATR ${r.atr ?? '?'}` : r.state === 'empty' ? 'aucune carte' : r.state;
  return `${r.name} : ${card}`;
}

export const cardsListCommand: Command = {
  name: 'cards',
  subcommand: 'list',
  usage: 'pupitre cards list [--json]',
  summary: 'Lecteurs de cartes, carte présente et type reconnu (ATR).',
  async run(ctx) {
    const host = await openHost(ctx, 'in-process', undefined, { demoReaders: 'system' });
    try {
      const readers = await readersOf(host);
      const service = host.cards.serviceState();
      print(ctx, { service, readers }, () => (service !== 'up' ? 'Service PC/SC (pcscd) injoignable.' : readers.length === 0 ? 'Aucun lecteur.' : readers.map(readerLine).join('\n')));
      return service === 'up' ? 0 : 1;
    } finally {
      await host.close();
    }
  },
};

function holderText(h: CpsHolder): string {
  return [
    `${h.cardType} ${h.surname} ${h.givenName} — IdNat ${h.idNat}`,
    h.profession ? `Profession : ${h.profession.label}${h.specialty ? ` (${h.specialty.label})` : ''}` : null,
    `Carte n° ${h.serial}, valable jusqu'au ${h.expiresAt?.slice(0, 10) ?? '?'}${h.expired ? ' (EXPIRÉE)' : ''}`,
    h.situationsLocked ? 'Situations d’exercice : après saisie du code porteur.' : null,
  ]
    .filter((l) => l !== null)
    .join('\n');
}

function vitaleText(v: VitaleCard): string {
  return [
    `Carte Vitale 2 — régime ${v.regime ?? '?'}, caisse ${v.caisse ?? '?'}, centre ${v.centre ?? '?'}`,
    ...v.beneficiaries.map(
      (b) => `  ${b.index + 1}. ${b.surname}${b.usedName ? ` (${b.usedName})` : ''} ${b.givenName} — né(e) le ${b.birthDate.display}${b.birthRank > 1 ? `, rang ${b.birthRank}` : ''} — ${b.quality.label}${b.nir ? ` — NIR ${b.nir}` : ''}`,
    ),
  ].join('\n');
}

export const cardsReadCommand: Command = {
  name: 'cards',
  subcommand: 'read',
  usage: 'pupitre cards read [--reader NOM] [--json]',
  summary: 'Lit la carte insérée : porteur CPS/CPE, ou bénéficiaires de la carte Vitale.',
  valued: ['reader'],
  async run(ctx) {
    const host = await openHost(ctx, 'in-process', undefined, { demoReaders: 'system' });
    try {
      const readers = await readersOf(host);
      if (host.cards.serviceState() !== 'up') throw new AppError('CARD_PCSC_UNAVAILABLE');
      const wanted = flagString(ctx.args, 'reader');
      const reader = wanted === undefined ? readers.find((r) => r.state === 'present') : readers.find((r) => r.name === wanted);
      if (reader === undefined) throw new AppError(wanted === undefined ? (readers.length === 0 ? 'CARD_NO_READER' : 'CARD_ABSENT') : 'CARD_READER_NOT_FOUND');
      if (reader.state !== 'present') throw new AppError('CARD_ABSENT');
      const family = reader.cardKind?.startsWith('VITALE') ? 'vitale' : reader.cardKind === 'UNKNOWN' ? null : 'cps';
      if (family === null) throw new AppError('CARD_UNKNOWN', { atr: reader.atr });
      if (family === 'vitale') {
        const vitale = await host.dispatcher.invoke('cards.readVitale', { reader: reader.name });
        print(ctx, { reader: reader.name, cardKind: reader.cardKind, atr: reader.atr, vitale }, () => `${readerLine(reader)}\n${vitaleText(vitale)}`);
      } else {
        const holder = await host.dispatcher.invoke('cards.readHolder', { reader: reader.name });
        print(ctx, { reader: reader.name, cardKind: reader.cardKind, atr: reader.atr, holder }, () => `${readerLine(reader)}\n${holderText(holder)}`);
      }
      return 0;
    } finally {
      await host.close();
    }
  },
};
