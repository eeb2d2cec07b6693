/**
 * Identifiers and code systems used by CDA headers and XDS metadata in France. Each one cites the
 * document that defines it.
 */

/** HL7 v3 namespace of CDA R2 (CDA R2 §1.1). */
export const HL7_NS = 'urn:hl7-org:v3';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

// CI-SIS Volet structuration minimale §2 (en-tête): conformance declarations.
export const TEMPLATE_HL7_FRANCE = '2.16.840.1.113883.2.8.2.1';
export const TEMPLATE_CI_SIS = '1.2.250.1.213.1.1.1.1';
/** IHE ITI TF-3 §5.2 XDS-SD (scanned/unstructured documents). */
export const TEMPLATE_XDS_SD = '1.3.6.1.4.1.19376.1.2.20';
/** CDA R2 typeId (CDA R2 §4.2.1.1). */
export const CDA_TYPE_ID = { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' } as const;

// Patient identifiers: INS (Référentiel INS; CI-SIS structuration minimale, recordTarget).
export const INS_NIR_OID = '1.2.250.1.213.1.4.8';
export const INS_NIA_OID = '1.2.250.1.213.1.4.9';
export const INS_NIR_TEST_OID = '1.2.250.1.213.1.4.10';
export const INS_NIR_DEMO_OID = '1.2.250.1.213.1.4.11';
export const INS_OIDS: readonly string[] = [INS_NIR_OID, INS_NIA_OID, INS_NIR_TEST_OID, INS_NIR_DEMO_OID];

// Professionals and structures (ANS RPPS/ADELI and FINESS/SIRET national identifiers).
/** Identifiant national de PS (IdNat_PS, "8" + RPPS or "0" + ADELI). */
export const IDNAT_PS_OID = '1.2.250.1.71.4.2.1';
/** Identifiant national de structure (IdNat_Struct). */
export const IDNAT_STRUCT_OID = '1.2.250.1.71.4.2.2';

// Code systems.
export const LOINC_OID = '2.16.840.1.113883.6.1';
/** HL7 v3 Confidentiality (N, R, V). */
export const HL7_CONFIDENTIALITY_OID = '2.16.840.1.113883.5.25';
/** TRE_A07 (DMP confidentiality: MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX). */
export const DMP_CONFIDENTIALITY_OID = '1.2.250.1.213.1.1.4.13';
/** HL7 v3 AdministrativeGender. */
export const HL7_GENDER_OID = '2.16.840.1.113883.5.1';
/** TRE_A03 ClasseDocument (XDS classCode; official DMPi TD2.1/TD3.1 examples). */
export const CLASS_CODE_OID = '1.2.250.1.213.1.1.4.1';
/** IHE format codes (XDS formatCode codingScheme in the official DMPi examples). */
export const IHE_FORMAT_CODE_OID = '1.3.6.1.4.1.19376.1.2.3';
/** TRE_G15 Profession (the VIHF role code system). */
export const PROFESSION_G15_OID = '1.2.250.1.71.1.2.7';
/** TRE_R38 savoir-faire / specialty (as read on the CPS and used in the VIHF). */
export const SPECIALTY_R38_OID = '1.2.250.1.71.4.2.5';
/** JDV_J01 XdsAuthorSpecialty codes "G15_xx/SMyy" (CI-SIS). */
export const AUTHOR_SPECIALTY_OID = '1.2.250.1.213.1.1.4.5';
/** TRE_R02 SecteurActivite (healthcareFacilityTypeCode). */
export const FACILITY_TYPE_OID = '1.2.250.1.71.4.2.4';
/** TRE_A01/practiceSettingCode (JDV_J04). */
export const PRACTICE_SETTING_OID = '1.2.250.1.213.1.1.4.9';

/** XDS patientId assigning authority form (IHE ITI TF-3 §4.2.3.2.16, CX with CX.5 = NH in France). */
export function xdsPatientId(ins: string, oid: string): string {
  return `${ins}^^^&${oid}&ISO^NH`;
}

/** XDS uniqueId of a CDA document: root, or root^extension (IHE ITI TF-3 §4.2.3.2.26). */
export function xdsUniqueId(root: string, extension?: string): string {
  return extension === undefined || extension === '' ? root : `${root}^${extension}`;
}

/** OID syntax (ISO/IEC 8824, as XDS uniqueIds require: digits and dots, at most 64 characters). */
export function isOid(value: string): boolean {
  return value.length <= 64 && /^[0-2](?:\.(?:0|[1-9]\d*))+$/.test(value);
}
