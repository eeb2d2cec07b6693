/**
 * Contract handlers of the cards domain (thin adapters over CardsService), the card part of
 * `pupitre doctor` / the Diagnostic screen, and the production signer factory (PKCS#11 module
 * from settings, on the token of the holder whose PIN was verified).
 */
import type { Clock } from '../../platform/clock';
import { Pkcs11Signer, type PinProvider } from '../../platform/crypto';
import { AppError } from '../../contract';
import { holderTokenSelector, type CardSigners, type CardsService, type SignerFactory } from '../../services/cards';
import { Pkcs11Module } from '../../../native/pkcs11';
import type { DoctorCheck } from '../doctor';
import type { HandlerMap } from '../rpc';

export function createCardsHandlers(cards: CardsService): HandlerMap {
  return {
    'cards.readers': () => ({ service: cards.serviceState(), readers: cards.readers() }),
    'cards.readHolder': ({ reader }) => cards.readHolder(reader),
    'cards.verifyPin': ({ reader, pin }) => cards.verifyPin(pin, reader),
    'cards.readVitale': ({ reader }) => cards.readBeneficiaries(reader),
    'cards.session': () => cards.sessionSummary(),
  };
}

/**
 * A PinProvider that gives the PIN once, for the login that follows a correct VERIFY, then
 * forgets it: the signer asks the user again if its session is ever lost.
 */
export function pinOnce(pin: string): PinProvider {
  let kept: string | null = pin;
  return async () => {
    const value = kept;
    kept = null;
    if (value === null) throw new AppError('CARD_SESSION_REQUIRED');
    return value;
  };
}

/**
 * Logs both signers in now (keyInfo() needs the key, hence the PIN): the PIN is used and dropped
 * while the user is at the dialog, and a missing key or middleware shows up there, not at the
 * first signature. Closes both on failure.
 */
export async function loginNow(...signers: Pkcs11Signer[]): Promise<void> {
  try {
    for (const signer of signers) await signer.keyInfo();
  } catch (error) {
    await Promise.allSettled(signers.map((s) => s.close()));
    throw error;
  }
}

/**
 * Production: the signature and authentication keys through the CPS middleware's PKCS#11 module,
 * on the token of the holder whose PIN the card has just checked. The token is chosen from the
 * certificates every token shows without login (services/cards/signer-holder.ts), so another
 * CPx in another reader never gets this PIN (a wrong login there uses one of its 3 tries,
 * cards.md §1.6); no token of the holder → CARD_SIGNER_MISMATCH, and no login at all.
 */
export function pkcs11SignerFactory(modulePath: () => string, clock: Clock): SignerFactory {
  return async (holder, pin): Promise<CardSigners> => {
    try {
      const path = modulePath();
      // Held open until the login, so that the library (and its slot ids) stays initialised.
      const module = Pkcs11Module.open({ path });
      try {
        const token = holderTokenSelector(module.tokenCertificates(), holder);
        const signer = Pkcs11Signer.open({ modulePath: path, token, key: 'signature', pin: pinOnce(pin), clock });
        const authSigner = Pkcs11Signer.open({ modulePath: path, token, key: 'authentication', pin: pinOnce(pin), clock });
        await loginNow(signer, authSigner);
        return { signer, authSigner };
      } finally {
        module.close();
      }
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw new AppError('CARD_SIGNER_UNAVAILABLE', undefined, { cause });
    }
  };
}

/** Readers and cards for `pupitre doctor` and the Diagnostic screen, with the next step for each problem. */
export function cardsDoctorChecks(cards: CardsService): DoctorCheck[] {
  return [
    {
      id: 'card-readers',
      label: 'Lecteurs de cartes',
      run: async () => {
        if (!cards.isStarted()) {
          cards.start();
          // The CLI host does not watch readers in the background: give PC/SC a moment.
          await new Promise((resolve) => setTimeout(resolve, 600));
        }
        const state = cards.serviceState();
        if (state !== 'up') {
          return {
            status: 'error',
            detail: 'service PC/SC injoignable',
            next: 'Démarrez pcscd (« sudo systemctl start pcscd ») : Pupitre se reconnecte seul, sans redémarrer.',
          };
        }
        const readers = cards.readers();
        if (readers.length === 0) return { status: 'warn', detail: 'aucun lecteur', next: 'Branchez un lecteur de cartes PC/SC (bi-fente pour CPS et Vitale).' };
        const busy = readers.filter((r) => r.state === 'unavailable');
        const mute = readers.filter((r) => r.state === 'mute');
        const detail = readers
          .map((r) => `${r.name} : ${r.state === 'present' ? `${r.cardLabel ?? 'carte'} (ATR ${r.atr ?? '?'})` : r.state === 'empty' ? 'vide' : r.state === 'mute' ? 'carte muette' : 'indisponible'}`)
          .join(' ; ');
        if (busy.length > 0) return { status: 'warn', detail, next: 'Un autre programme utilise le lecteur : fermez-le (autre logiciel de lecture de carte).' };
        if (mute.length > 0) return { status: 'warn', detail, next: 'Une carte ne répond pas : retirez-la et réinsérez-la dans le bon sens.' };
        if (readers.some((r) => r.cardKind === 'UNKNOWN')) return { status: 'warn', detail, next: 'Carte non reconnue : insérez une carte CPS/CPE ou Vitale.' };
        return { status: 'ok', detail };
      },
    },
  ];
}
