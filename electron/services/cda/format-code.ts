/**
 * XDS formatCode of a CDA document. Unstructured documents (IHE XDS-SD, CI-SIS structuration
 * minimale): the format follows the nonXMLBody media type, with the codes and labels of the
 * official DMPi TD2.1/TD3.1 examples. Structured documents: the CI-SIS content profile
 * (templateId) gives it (ASS_A11 "CorresModeleCDA-XdsFormatCode", not shipped in the reference
 * folder: only the profiles listed below are known; others are reported missing).
 */
import { IHE_FORMAT_CODE_OID } from './oids';
import type { CodedValue } from './types';

const format = (code: string, displayName: string): CodedValue => ({ code, codeSystem: IHE_FORMAT_CODE_OID, displayName });

/** nonXMLBody/text/@mediaType → formatCode (official DMPi TD3.1 response). */
const BY_MEDIA_TYPE: Readonly<Record<string, CodedValue>> = {
  'application/pdf': format('urn:ihe:iti:xds-sd:pdf:2008', 'Document à corps non structuré en Pdf/A-1'),
  'text/plain': format('urn:ihe:iti:xds-sd:text:2008', 'Document à corps non structuré en texte brut'),
  'text/rtf': format('urn:ihe:iti-fr:xds-sd:rtf:2010', 'Document à corps non structuré en format rtf'),
  'image/jpeg': format('urn:ihe:iti-fr:xds-sd:jpeg:2010', 'Document à corps non structuré en format jpeg'),
  'image/tiff': format('urn:ihe:iti-fr:xds-sd:tiff:2010', 'Document à corps non structuré en format tiff'),
};

/** Structured content profiles (templateId root) → formatCode. */
const BY_TEMPLATE: Readonly<Record<string, CodedValue>> = {
  // IHE XD-LAB (official DMPi TD3.1 response: CR de biologie structuré).
  '1.3.6.1.4.1.19376.1.3.3': format('urn:ihe:lab:xd-lab:2008', "Compte rendu structuré d'examens de biologie médicale"),
  // CI-SIS VSM (research/dmp.md §3, JDV_J10/J60).
  '1.2.250.1.213.1.1.1.13': format('urn:asip:ci-sis:vsm:2012', 'Volet de synthèse médicale'),
  // CI-SIS IPS-FR (research/dmp.md §3, JDV_J10/J60).
  '1.2.250.1.213.1.1.1.51': format('urn:ihe:pcc:ips:2020', 'Synthèse médicale (IPS-FR)'),
  // CI-SIS eP-MED-DM and eDISP-MED: ASS_A11-CorresModeleCDA-XdsFormatCode-CISIS v5.0.0 (ANS
  // « Terminologies de Santé » IG, ConceptMap group TRE_R220 → TRE_A11), labels of TRE_A11.
  '1.2.250.1.213.1.1.1.39': format('urn:ihe:pharm:pre:2010', 'Prescription de médicaments'),
  '1.2.250.1.213.1.1.1.54': format('urn:ihe:pharm:dis:2010', 'Dispensation médicamenteuse'),
};

export function formatCodeFor(templateIds: readonly string[], mediaType: string | undefined): CodedValue | undefined {
  if (mediaType !== undefined) return BY_MEDIA_TYPE[mediaType.toLowerCase()];
  for (const id of templateIds) {
    const known = BY_TEMPLATE[id];
    if (known !== undefined) return known;
  }
  return undefined;
}

export const NON_XML_MEDIA_TYPES: readonly string[] = Object.keys(BY_MEDIA_TYPE);
