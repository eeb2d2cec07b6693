/**
 * Document types (XDS typeCode) offered when sending to the DMP. The DMP restriction JDV_J66
 * "TypeCode-DMP" is not in the reference folder; its parent JDV_J07 "XdsTypeCode-CISIS" is, so the
 * list is J07 without the types that are not documents a practitioner sends (ASTM E1762 signature,
 * documents deposited by the patient DOCPAT*, patient expression EXPPAT_*, DMP-internal stylesheet
 * and export).
 */
import type { CodedValue } from './types';
import { VALUE_SETS } from './value-sets';

const NOT_SENT_BY_PRACTITIONERS = /^(?:E1762|DOCPAT\d+|EXPPAT_\d+|FEUILLE-DE-STYLE|EXPORT_DUI|IMG-KOS)$/;

let cached: readonly CodedValue[] | undefined;

function offered(): readonly CodedValue[] {
  cached ??= VALUE_SETS.typeCode.concepts
    .filter((c) => !NOT_SENT_BY_PRACTITIONERS.test(c.code))
    .map((c) => ({ ...c }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
  return cached;
}

export function documentTypes(): CodedValue[] {
  return offered().map((c) => ({ ...c }));
}

/** The offered type of this code (a copy), undefined when the list does not hold it. */
export function documentType(code: string): CodedValue | undefined {
  const type = offered().find((c) => c.code === code);
  return type === undefined ? undefined : { ...type };
}

export function documentTypesSource(): { name: string; version: string } {
  return { name: VALUE_SETS.typeCode.source, version: VALUE_SETS.typeCode.version };
}
