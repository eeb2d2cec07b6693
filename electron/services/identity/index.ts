/**
 * INS domain: matricule INS (NIR/NIA) and OIDs, strict and used traits, lexical normalisation for
 * INSi, RNIV statuses and attributes as a state machine, identity devices, INS datamatrix.
 * Pure functions (the datamatrix renderer aside): the patients service persists what they compute.
 */
export {
  INS_OID,
  allowedOids,
  checkIns,
  checkOidForEnvironment,
  cleanMatriculeInput,
  computeMatriculeKey,
  insOidInfo,
  parseMatricule,
  type Ins,
  type InsOid,
  type InsOidInfo,
  type InsOidKind,
  type Matricule,
  type MatriculeFields,
  type MatriculeParse,
  type OidEnvironmentCheck,
} from './matricule';
export {
  MAX_TRAIT_LENGTH,
  TRAIT_FIELD_LABEL,
  foldForComparison,
  isInsiConformant,
  normalizeTrait,
  type NormalizationError,
  type NormalizationResult,
  type NormalizationStep,
  type TraitField,
} from './normalize';
export {
  ageAt,
  changedStrictTraits,
  cleanUsedTraits,
  completeBirthDate,
  firstOfGivenNames,
  formatBirthDate,
  isFirstGivenNameConsistent,
  isValidCog,
  normalizeStrictTraits,
  parseBirthDate,
  parseSex,
  strictTraitsKey,
  type BirthDate,
  type BirthDateParse,
  type Sex,
  type StrictTraitName,
  type StrictTraits,
  type StrictTraitsInput,
  type StrictTraitsNormalization,
  type TraitFieldError,
  type UsedTraits,
} from './traits';
export {
  IDENTITY_DEVICES,
  IDENTITY_STATUS_LABEL,
  NO_ATTRIBUTES,
  applyIdentityEvent,
  assertInsiCallAllowed,
  canShareIns,
  deriveStatus,
  identityDevice,
  initialIdentityState,
  insiCallBlock,
  type DocumentCheck,
  type IdentityAttributes,
  type IdentityDevice,
  type IdentityDeviceCode,
  type IdentityEvent,
  type IdentityHistoryEntry,
  type IdentityRecord,
  type IdentityState,
  type IdentityStatus,
  type InsiBlock,
  type Transition,
  type TransitionContext,
} from './rniv';
export {
  DATAMATRIX_HEADER,
  DatamatrixPayloadError,
  GS,
  decodeInsDatamatrix,
  encodeInsDatamatrix,
  insDatamatrixPayload,
  renderInsDatamatrixPng,
  renderInsDatamatrixSvg,
  type InsDatamatrixPayload,
  type RenderOptions,
} from './datamatrix';
export { evaluateInsiAcceptance, type AcceptanceFinding, type InsTraits, type InsiAcceptance } from './acceptance';
export { nameLikeness, namesAlike, phoneticKey, probableDuplicate, type NameLikeness } from './likeness';
export { birthPlaceLabel, birthPlaceSources, describeBirthPlace, sameBirthPlaceLineage, searchBirthPlaces, type BirthPlace, type BirthPlaceKind } from './birth-place';
export { insDatamatrixRecogniser, insDatamatrixText, readInsDatamatrix } from './scan-recogniser';
