/**
 * The card that signs must be the card whose PIN was verified. With two CPx in two readers (the
 * secretary's CPE and a doctor's CPS), "the first PKCS#11 token" may be the other person's card:
 * a login there with this PIN uses up one of its tries (3 block it, cards.md §1.6), and with the
 * same PIN VIHFs and prescriptions would be signed with another professional's key under this
 * holder's name.
 *
 * How a certificate names its holder: IGC-Santé CPx certificates carry the holder's IdNat in the
 * subject CN (`C=FR, title=Médecin, GN=MAX + SN=LIBRE + CN=899900063480`,
 * shared/reference/dmp/examples/TD2.1-SignatureXades.xml); the CPS driver reads the holder's IdNat
 * from that same field (drivers/cps.ts). When one holder has several cards in the readers, the
 * card number (IGC-Santé extension 1.2.250.1.71.1.2.3, "issuer id/serial") is compared with the
 * serial read from EF.SN.ICC (prefix 8025000001, cards.md §1.4).
 */
import { AppError } from '../../contract';
import type { CpsHolder } from '../../contract/domains/cards';
import { describeCertificate, type CertificateDescription, type Signer } from '../../platform/crypto';
import type { Pkcs11TokenCertificates, Pkcs11TokenSelector } from '../../../native/pkcs11';

type HolderKeys = Pick<CpsHolder, 'idNat' | 'serial'>;

function describe(certificate: string | Buffer): CertificateDescription | null {
  try {
    return describeCertificate(certificate);
  } catch {
    return null;
  }
}

/** True when the certificate's subject CN is the holder's IdNat. */
export function certificateNamesHolder(certificate: string | Buffer, holder: Pick<CpsHolder, 'idNat'>): boolean {
  return describe(certificate)?.subjectValue('CN') === holder.idNat;
}

function cardNumberIs(certificate: Buffer, holder: HolderKeys): boolean {
  const cardNumber = describe(certificate)?.igcSante.cardNumber;
  return typeof cardNumber === 'string' && cardNumber.replace('/', '').toUpperCase() === holder.serial.toUpperCase();
}

/**
 * The token to log into for this holder, chosen from the certificates the tokens show before any
 * login. None, or several cards of the holder that the card number does not tell apart:
 * CARD_SIGNER_MISMATCH, and no token gets a login.
 */
export function holderTokenSelector(tokens: readonly Pkcs11TokenCertificates[], holder: HolderKeys): Pkcs11TokenSelector {
  const ofHolder = tokens.filter((t) => t.certificates.some((der) => certificateNamesHolder(der, holder)));
  const candidates = ofHolder.length > 1 ? ofHolder.filter((t) => t.certificates.some((der) => cardNumberIs(der, holder))) : ofHolder;
  const [chosen] = candidates;
  if (chosen === undefined || candidates.length > 1) {
    throw new AppError('CARD_SIGNER_MISMATCH', { reason: ofHolder.length === 0 ? 'no-token-of-holder' : 'several-tokens-of-holder', tokens: tokens.length });
  }
  // The slot pins this card; label and serial make a card put in that slot later not match.
  return { slotId: chosen.token.slotId, label: chosen.token.label, serialNumber: chosen.token.serialNumber };
}

/**
 * Why these signers are not the holder's, or null when every one's certificate names the holder.
 * A signer without a certificate cannot prove whose key it holds: refused too.
 */
export async function signersMismatch(signers: readonly Signer[], holder: Pick<CpsHolder, 'idNat'>): Promise<'other-holder' | 'no-certificate' | null> {
  for (const signer of signers) {
    const [leaf] = await signer.certificateChain();
    if (leaf === undefined) return 'no-certificate';
    if (!certificateNamesHolder(leaf, holder)) return 'other-holder';
  }
  return null;
}
