/**
 * One driver per card family (STYLE.md "Cards", after OpenSC's per-card operation tables): the
 * registry picks it by masked ATR, then the service calls its named operations inside one
 * exclusive card transaction.
 */
import type { CardKind, CpsHolder, VitaleCard } from '../../../contract/domains/cards';
import type { CardChannel } from '../../../../native/pcsc';

export interface HolderReadOptions {
  /** Read the PIN-protected situations too (after a successful VERIFY in the same card session). */
  situations: boolean;
  /** For `expired`, ms since epoch. */
  now: number;
}

export interface CpsDriver {
  family: 'cps';
  kinds: readonly CardKind[];
  readHolder(channel: CardChannel, options: HolderReadOptions): Promise<CpsHolder>;
  /** Wrong PIN → ok:false with the tries left; blocked before trying → CARD_PIN_BLOCKED. */
  verifyPin(channel: CardChannel, pin: string): Promise<{ ok: boolean; triesLeft: number }>;
}

export interface VitaleDriver {
  family: 'vitale';
  kinds: readonly CardKind[];
  readBeneficiaries(channel: CardChannel): Promise<VitaleCard>;
}

export type CardDriver = CpsDriver | VitaleDriver;
