/**
 * CardsService: the card layer the rest of Pupitre uses. Watches readers through the PC/SC
 * supervisor, recognises cards by masked ATR, runs the card drivers inside exclusive
 * transactions, caches what it read per inserted card (cleared on removal) and holds the
 * practitioner session opened by a correct PIN on a CPS/CPE.
 *
 * The PIN is never stored: it goes to the card (VERIFY) and once to `signerFactory`, which gives
 * the Signer for the card's signature key (PKCS#11); a signer whose certificate is not the
 * holder's is refused (signer-holder.ts). Removing the card closes the session.
 * Every Vitale read is written to the audit trail (no names or NIR in it).
 */
import { AppError } from '../../contract';
import type { CardKind, CardSessionSummary, CardsChange, CpsHolder, ReaderView, VitaleCard } from '../../contract/domains/cards';
import type { CardChannel, PcscEvent, PcscServiceState, ReaderSnapshot } from '../../../native/pcsc';
import type { Clock } from '../../platform/clock';
import type { Signer } from '../../platform/crypto';
import type { Logger } from '../../platform/log';
import type { AuditWriter } from '../audit';
import { CARD_LABEL, recogniseAtr } from './atr';
import { driverFor, type CardDriver, type CpsDriver, type VitaleDriver } from './drivers';
import { signersMismatch } from './signer-holder';

/** What the service needs of native/pcsc's PcscSupervisor (tests may pass a double). */
export interface PcscSupervisorLike {
  start(): void;
  stop(): void;
  service(): PcscServiceState;
  readers(): ReaderSnapshot[];
  on(listener: (event: PcscEvent) => void): () => void;
  withCard<T>(reader: string, operation: (channel: CardChannel) => Promise<T>): Promise<T>;
}

export interface CardSigners {
  /** The signature key (CPS_PRIV_SIG, nonRepudiation). */
  signer: Signer;
  /** The authentication key (CPS_PRIV_AUT), when the middleware exposes it. */
  authSigner?: Signer;
}

/** Gives the card's signers after a correct PIN; the PIN must not be kept beyond the login. */
export type SignerFactory = (holder: CpsHolder, pin: string) => Promise<CardSigners> | CardSigners;

export interface CardsServiceDeps {
  pcsc: PcscSupervisorLike;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  notify: (change: CardsChange) => void;
  signerFactory: SignerFactory;
  /** Who acts for the audit trail when no practitioner session is open. */
  deskActor?: string;
}

export interface PractitionerSession {
  reader: string;
  holder: CpsHolder;
  signer: Signer;
  authSigner?: Signer;
  openedAt: string;
}

interface InsertedCard {
  atr: string;
  kind: CardKind;
  holder?: CpsHolder;
  vitale?: VitaleCard;
}

const CPS_KINDS: readonly CardKind[] = ['CPS3', 'CPS3_CL', 'CPS4', 'CPS2TER'];
const VITALE_KINDS: readonly CardKind[] = ['VITALE_2', 'VITALE_1'];

export class CardsService {
  private readonly cards = new Map<string, InsertedCard>();
  private session: PractitionerSession | null = null;
  private readonly listeners = new Set<(change: CardsChange) => void>();
  private unsubscribe: (() => void) | null = null;
  private readonly logger: Logger;

  constructor(private readonly deps: CardsServiceDeps) {
    this.logger = deps.logger.child('cards');
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.pcsc.on((event) => this.onPcsc(event));
    this.deps.pcsc.start();
    for (const reader of this.deps.pcsc.readers()) {
      if (reader.status.present && reader.atr) this.cards.set(reader.name, { atr: reader.atr, kind: recogniseAtr(reader.atr) });
    }
  }

  isStarted(): boolean {
    return this.unsubscribe !== null;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.closeSession();
    this.deps.pcsc.stop();
    this.cards.clear();
  }

  onChange(listener: (change: CardsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  serviceState(): PcscServiceState {
    return this.deps.pcsc.service();
  }

  readers(): ReaderView[] {
    return this.deps.pcsc.readers().map((r) => {
      const kind = r.status.present && r.atr ? recogniseAtr(r.atr) : null;
      return {
        name: r.name,
        state: r.status.present ? (r.status.mute ? 'mute' : 'present') : 'empty',
        atr: r.status.present ? r.atr : null,
        cardKind: kind,
        cardLabel: kind ? CARD_LABEL[kind] : null,
      };
    });
  }

  /** The CPS/CPE holder; situations are there once the PIN was verified. Cached per card. */
  async readHolder(reader?: string): Promise<CpsHolder> {
    const { name, card, driver } = this.pick(reader, 'cps');
    if (card.holder) return card.holder;
    const holder = await this.deps.pcsc.withCard(name, (channel) => this.holderFrom(driver, channel, card.kind, false)).catch(unreadable(card.kind));
    this.remember(name, card, { holder });
    return holder;
  }

  /**
   * Verifies the PIN on the card; when it is right, reads the situations, asks `signerFactory`
   * for the signers and opens the practitioner session.
   */
  async verifyPin(pin: string, reader?: string): Promise<{ ok: boolean; triesLeft: number }> {
    const { name, card, driver } = this.pick(reader, 'cps');
    const outcome = await this.deps.pcsc
      .withCard(name, async (channel) => {
        const result = await driver.verifyPin(channel, pin);
        if (!result.ok) return { result, holder: null };
        return { result, holder: await this.holderFrom(driver, channel, card.kind, true) };
      })
      .catch(unreadable(card.kind));
    this.logger.info('cards.pin', { ok: outcome.result.ok, triesLeft: outcome.result.triesLeft });
    if (outcome.holder === null) return outcome.result;
    const holder = outcome.holder;
    this.remember(name, card, { holder });
    if (holder.expired) throw new AppError('CARD_EXPIRED', { expiresAt: holder.expiresAt });
    let signers: CardSigners;
    try {
      signers = await this.deps.signerFactory(holder, pin);
    } catch (error) {
      this.logger.warn('cards.signer-unavailable', { code: error instanceof AppError ? error.code : 'unknown' });
      throw error instanceof AppError ? error : new AppError('CARD_SIGNER_UNAVAILABLE', undefined, { cause: error });
    }
    await this.refuseOtherHolder(signers, holder, name);
    await this.closeSession();
    this.session = {
      reader: name,
      holder,
      signer: signers.signer,
      ...(signers.authSigner ? { authSigner: signers.authSigner } : {}),
      openedAt: new Date(this.deps.clock.now()).toISOString(),
    };
    this.deps.audit({ actor: holder.idNat, patientRef: null, action: 'cards.session.opened', details: { cardType: holder.cardType, reader: name } });
    this.emit({ reason: 'session-opened', reader: name });
    return outcome.result;
  }

  /**
   * Defence in depth behind the signer factory (signer-holder.ts): the session's keys must be
   * those of the card whose PIN was verified, shown by their certificates. Otherwise the signers
   * are closed before anything is signed, the refusal is audited (the holder, card type, reader
   * and a reason: nothing of the other card) and CARD_SIGNER_MISMATCH is thrown.
   */
  private async refuseOtherHolder(signers: CardSigners, holder: CpsHolder, reader: string): Promise<void> {
    const all = [signers.signer, ...(signers.authSigner ? [signers.authSigner] : [])];
    let mismatch: Awaited<ReturnType<typeof signersMismatch>>;
    try {
      mismatch = await signersMismatch(all, holder);
    } catch (error) {
      await Promise.allSettled(all.map((s) => s.close()));
      throw error;
    }
    if (mismatch === null) return;
    await Promise.allSettled(all.map((s) => s.close()));
    this.logger.warn('cards.signer-mismatch', { reason: mismatch });
    this.deps.audit({ actor: holder.idNat, patientRef: null, action: 'cards.session.refused', details: { cardType: holder.cardType, reader, reason: 'signer-mismatch' } });
    throw new AppError('CARD_SIGNER_MISMATCH', { reason: mismatch });
  }

  /** Every beneficiary of the Vitale card (assuré and ayants droit). Cached per card; audited. */
  async readBeneficiaries(reader?: string): Promise<VitaleCard> {
    const { name, card, driver } = this.pick(reader, 'vitale');
    const vitale = card.vitale ?? (await this.deps.pcsc.withCard(name, (channel) => driver.readBeneficiaries(channel)));
    this.remember(name, card, { vitale });
    this.deps.audit({
      actor: this.session?.holder.idNat ?? this.deps.deskActor ?? 'poste',
      patientRef: null,
      action: 'cards.vitale.read',
      details: { reader: name, beneficiaries: vitale.beneficiaries.length, cached: card.vitale !== undefined },
    });
    return vitale;
  }

  practitionerSession(): { holder: CpsHolder; signer: Signer; authSigner?: Signer } | null {
    if (this.session === null) return null;
    const { holder, signer, authSigner } = this.session;
    return authSigner ? { holder, signer, authSigner } : { holder, signer };
  }

  sessionSummary(): CardSessionSummary {
    const s = this.session;
    if (s === null) return null;
    return {
      reader: s.reader,
      cardType: s.holder.cardType,
      idNat: s.holder.idNat,
      surname: s.holder.surname,
      givenName: s.holder.givenName,
      profession: s.holder.profession,
      situation: s.holder.situations[0] ?? null,
      openedAt: s.openedAt,
    };
  }

  private async holderFrom(driver: CpsDriver, channel: CardChannel, kind: CardKind, situations: boolean): Promise<CpsHolder> {
    const holder = await driver.readHolder(channel, { situations, now: this.deps.clock.now() });
    return { ...holder, cardKind: kind };
  }

  private pick(reader: string | undefined, family: 'cps'): { name: string; card: InsertedCard; driver: CpsDriver };
  private pick(reader: string | undefined, family: 'vitale'): { name: string; card: InsertedCard; driver: VitaleDriver };
  private pick(reader: string | undefined, family: CardDriver['family']): { name: string; card: InsertedCard; driver: CardDriver } {
    if (this.deps.pcsc.service() !== 'up') throw new AppError('CARD_PCSC_UNAVAILABLE');
    const readers = this.deps.pcsc.readers();
    if (readers.length === 0) throw new AppError('CARD_NO_READER');
    const kinds = family === 'cps' ? CPS_KINDS : VITALE_KINDS;
    let name: string;
    if (reader !== undefined) {
      if (!readers.some((r) => r.name === reader)) throw new AppError('CARD_READER_NOT_FOUND');
      name = reader;
    } else {
      const withCard = [...this.cards.entries()].filter(([n]) => readers.some((r) => r.name === n));
      const match = withCard.find(([, c]) => kinds.includes(c.kind));
      if (match === undefined) throw new AppError(withCard.length === 0 ? 'CARD_ABSENT' : 'CARD_WRONG_TYPE', { expected: family });
      name = match[0];
    }
    const card = this.cards.get(name);
    if (card === undefined) throw new AppError('CARD_ABSENT');
    if (card.kind === 'UNKNOWN') throw new AppError('CARD_UNKNOWN', { atr: card.atr });
    const driver = driverFor(card.kind);
    if (!kinds.includes(card.kind) || driver === null || driver.family !== family) {
      throw new AppError('CARD_WRONG_TYPE', { expected: family, cardKind: card.kind });
    }
    return { name, card, driver };
  }

  /** Keeps a result only if the same card is still in the reader. */
  private remember(reader: string, card: InsertedCard, update: Partial<InsertedCard>): void {
    if (this.cards.get(reader) === card) Object.assign(card, update);
  }

  private onPcsc(event: PcscEvent): void {
    switch (event.type) {
      case 'card-inserted':
        this.cards.set(event.reader, { atr: event.atr, kind: recogniseAtr(event.atr) });
        this.logger.info('cards.inserted', { reader: event.reader, kind: recogniseAtr(event.atr) });
        this.emit({ reason: 'card-inserted', reader: event.reader });
        return;
      case 'card-removed':
        this.cards.delete(event.reader);
        this.emit({ reason: 'card-removed', reader: event.reader });
        if (this.session?.reader === event.reader) void this.closeSession();
        return;
      case 'card-mute':
        this.emit({ reason: 'card-inserted', reader: event.reader });
        return;
      case 'reader-added':
        this.emit({ reason: 'reader-added', reader: event.reader });
        return;
      case 'reader-removed':
        this.cards.delete(event.reader);
        this.emit({ reason: 'reader-removed', reader: event.reader });
        if (this.session?.reader === event.reader) void this.closeSession();
        return;
      case 'service':
        this.emit({ reason: 'service', reader: null });
        return;
    }
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    this.session = null;
    this.deps.audit({ actor: session.holder.idNat, patientRef: null, action: 'cards.session.closed', details: { reader: session.reader } });
    this.emit({ reason: 'session-closed', reader: session.reader });
    await Promise.allSettled([session.signer.close(), session.authSigner?.close()]);
  }

  private emit(change: CardsChange): void {
    try {
      this.deps.notify(change);
    } catch (error) {
      this.logger.error('cards.notify-failed', { reason: error instanceof Error ? error.message : String(error) });
    }
    for (const listener of this.listeners) listener(change);
  }
}

/** Short card names for messages (« Carte CPS3 reconnue mais illisible »). */
const CARD_NAME: Partial<Record<CardKind, string>> = { CPS3: 'CPS3', CPS3_CL: 'CPS3', CPS4: 'CPS4', CPS2TER: 'CPS2ter' };

/**
 * A CPx recognised by its ATR whose files answer with an error status word or unreadable content:
 * the user is told which card it is and what to do, not « la carte a refusé une commande ».
 */
function unreadable(kind: CardKind): (error: unknown) => never {
  return (error) => {
    if (error instanceof AppError && (error.code === 'CARD_STATUS_WORD' || error.code === 'CARD_DATA_INVALID')) {
      throw new AppError('CARD_CPS_UNREADABLE', { card: CARD_NAME[kind] ?? 'CPS', ...(error.details ?? {}) }, { cause: error });
    }
    throw error;
  };
}
