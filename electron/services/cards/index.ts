/**
 * services/cards: PC/SC readers, the professional's CPS/CPE and the patient's carte Vitale
 * (ARCHITECTURE.md §2). Public face of the service.
 */
export { ATR_TABLE, atrMatches, CARD_LABEL, recogniseAtr, type AtrPattern } from './atr';
export { CARD_DRIVERS, driverFor, type CardDriver, type CpsDriver, type VitaleDriver } from './drivers';
export { berTotalLength } from './drivers/cps';
export { assembleVitale } from './drivers/vitale';
export {
  CardsService,
  type CardSigners,
  type CardsServiceDeps,
  type PcscSupervisorLike,
  type PractitionerSession,
  type SignerFactory,
} from './service';
export { certificateNamesHolder, holderTokenSelector, signersMismatch } from './signer-holder';
export { childText, findTlv, parseTlv, type Tlv } from './tlv';
export { parseBeneficiary, parseVitaleBirthDate, parseVitaleDirectory, qualityOf, sexOfNir, validNir } from './vitale-data';
