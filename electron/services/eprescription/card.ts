/**
 * Who acts, from the card session: a prescriber writes and registers (a CPS with a profession other
 * than pharmacist), a pharmacist consults and executes (TRE_G15 profession 21). The base caller is
 * the holder with the card's signature key (the assertion PS) and the numéro AM from the settings.
 */
import { AppError } from '../../contract';
import type { CardSession, EprescriptionContext } from './context';
import type { Prescriber } from './model';
import type { Professional } from './cda/parts';
import type { BaseCaller } from './teleservice/base';

/** TRE_G15 ProfessionSante: 21 Pharmacien. */
export const PHARMACIST_PROFESSION = '21';

export function isPharmacist(session: CardSession | null): boolean {
  return session?.holder.profession?.code === PHARMACIST_PROFESSION;
}

export function requirePrescriber(ctx: EprescriptionContext): CardSession {
  const session = ctx.session();
  if (session === null) throw new AppError('ERX_CARD_REQUIRED');
  if (session.holder.cardType !== 'CPS' || session.holder.profession === null || isPharmacist(session)) throw new AppError('ERX_NOT_A_PRESCRIBER');
  return session;
}

export function requirePharmacist(ctx: EprescriptionContext): CardSession {
  const session = ctx.session();
  if (session === null) throw new AppError('ERX_CARD_REQUIRED');
  if (!isPharmacist(session)) throw new AppError('ERX_NOT_A_PHARMACIST');
  return session;
}

/**
 * The prescriber as the ordonnance names him. The numéro AM of Paramètres is one per desk, and a
 * doctor's is his own (the identifiant de facturation printed on the ordonnance, with his RPPS): in a
 * health centre, another doctor's card would otherwise print the colleague's number on its
 * prescriptions. Known to belong to another card (billing's rule, identity.ts), it is refused.
 */
export function prescriberOf(ctx: EprescriptionContext, session: CardSession): Prescriber {
  const settings = ctx.settings();
  if (settings.amNumber === '') throw new AppError('ERX_AM_NUMBER_MISSING');
  const h = session.holder;
  const holder = ctx.amNumberHolder?.(settings.amNumber) ?? null;
  if (holder !== null && holder !== h.idNat) throw new AppError('ERX_AM_NUMBER_OTHER_PRACTITIONER');
  const situation = h.situations[0];
  return {
    idNat: h.idNat,
    rpps: h.rpps,
    givenName: h.givenName,
    surname: h.surname,
    profession: h.profession,
    specialty: h.specialty,
    amNumber: settings.amNumber,
    structure: {
      id: situation?.structureId ?? '',
      name: situation?.structureName ?? '',
      address: settings.address,
      phone: settings.phone,
    },
  };
}

export function professionalOf(session: CardSession): Professional {
  const h = session.holder;
  const situation = h.situations[0];
  return {
    idNat: h.idNat,
    givenName: h.givenName,
    surname: h.surname,
    profession: h.profession,
    specialty: h.specialty,
    structure: { id: situation?.structureId || h.idNat, name: situation?.structureName || `${h.givenName} ${h.surname}` },
  };
}

export function callerOf(ctx: EprescriptionContext, session: CardSession): BaseCaller {
  const amNumber = ctx.settings().amNumber;
  return {
    idNat: session.holder.idNat,
    billingNumber: amNumber === '' ? null : amNumber,
    activitySector: session.holder.situations[0]?.activitySector ?? null,
    signer: session.signer,
  };
}
