/**
 * CI-SIS value sets the CDA service needs, generated from the official SVS files by
 * `scripts/generate-value-sets.mjs` (source file name and version kept in each JSON).
 */
import j01 from './value-sets/JDV_J01_XdsAuthorSpecialty_CISIS.json';
import j02 from './value-sets/JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.json';
import j04 from './value-sets/JDV_J04_XdsPracticeSettingCode_CISIS.json';
import j07 from './value-sets/JDV_J07_XdsTypeCode_CISIS.json';
import j08 from './value-sets/JDV_J08_XdsConfidentialityCode_CISIS.json';
import routes from './value-sets/JDV_RouteofAdministration_CISIS.json';
import substitution from './value-sets/JDV_HL7_ActSubstanceAdminSubstitutionCode_CISIS.json';
import type { CodedValue } from './types';

export interface ValueSet {
  /** File it was generated from (e.g. JDV_J07_XdsTypeCode_CISIS.xml). */
  source: string;
  url: string;
  oid: string;
  description: string;
  /** SVS revisionDate. */
  version: string;
  concepts: readonly CodedValue[];
}

export const VALUE_SETS = {
  authorSpecialty: j01 as ValueSet,
  healthcareFacilityType: j02 as ValueSet,
  practiceSetting: j04 as ValueSet,
  typeCode: j07 as ValueSet,
  confidentiality: j08 as ValueSet,
  route: routes as ValueSet,
  substitution: substitution as ValueSet,
} as const;

export type ValueSetName = keyof typeof VALUE_SETS;

const indexes = new Map<ValueSetName, Map<string, CodedValue>>();

function index(name: ValueSetName): Map<string, CodedValue> {
  let map = indexes.get(name);
  if (map === undefined) {
    map = new Map(VALUE_SETS[name].concepts.map((c) => [c.code, c]));
    indexes.set(name, map);
  }
  return map;
}

/** The concept with this code in the value set, or undefined. */
export function lookup(name: ValueSetName, code: string): CodedValue | undefined {
  return index(name).get(code);
}
