/**
 * Identifiers of the DMPi interface and of IHE XDS.b used by the DMP client and its simulator.
 * Sources: official DMPi example messages v02.05.00 (shared/reference/dmp/examples), IHE ITI TF-3
 * §4.2.3 (XDS metadata UUIDs), CI-SIS "Volet partage de documents de santé" (DMP status values).
 */

/** SOAP actions (wsa:Action) — dmp.md §1.1 table, from the official examples. */
export const DMP_ACTIONS = {
  td02: 'urn:hl7-org:v3:PRPA_IN201307UV02',
  td02Response: 'urn:hl7-org:v3:PRPA_IN201308UV02',
  td03: 'urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization',
  iti18: 'urn:ihe:iti:2007:RegistryStoredQuery',
  iti18Response: 'urn:ihe:iti:2007:RegistryStoredQueryResponse',
  iti41: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  iti41Response: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse',
  iti43: 'urn:ihe:iti:2007:RetrieveDocumentSet',
  iti43Response: 'urn:ihe:iti:2007:RetrieveDocumentSetResponse',
  iti57: 'urn:ihe:iti:2010:UpdateDocumentSet',
  iti57Response: 'urn:ihe:iti:2010:UpdateDocumentSetResponse',
} as const;

/** Service paths under the DMPi base URL (kit App.config, dmp.md §1.1). */
export const DMP_PATHS = {
  patient: '/patient',
  habilitation: '/Habilitation',
  registry: '/DocumentRegistry_Service',
  repository: '/DocumentRepository_Service',
} as const;

/** The DMP's repository and device ids (official TD3.1/TD3.2 examples). */
export const DMP_REPOSITORY_UNIQUE_ID = '1.2.250.1.213.4.1.1.1.2';
export const DMP_DEVICE_ID = '1.2.250.1.213.4.1.1.1';

/** Namespaces. */
export const NS = {
  hl7: 'urn:hl7-org:v3',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  rmd: 'urn:ihe:iti:rmd:2017',
  saml2: 'urn:oasis:names:tc:SAML:2.0:assertion',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  habilitation: 'urn:si-dmp-habilitations',
} as const;

/** IHE ITI TF-3 §4.2.5 (stored query ids). */
export const STORED_QUERY = {
  FindDocuments: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
  FindSubmissionSets: 'urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9',
  GetDocuments: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4',
  GetAssociations: 'urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155',
  GetDocumentsAndAssociations: 'urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a',
} as const;

/** IHE ITI TF-3 Table 4.2.5-1 (classification schemes and external identifiers). */
export const XDS = {
  documentEntryType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  submissionSetClassification: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  author: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  eventCode: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  documentPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  documentUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  submissionSetAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  contentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  submissionSetPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  submissionSetSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  submissionSetUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  registryPackage: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage',
  classification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  association: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
} as const;

export const ASSOCIATION = {
  hasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  replace: 'urn:ihe:iti:2007:AssociationType:RPLC',
  updateAvailabilityStatus: 'urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus',
  /** IHE DSG: the signature document signs the submission set (official TD2.1 example). */
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
} as const;

/** Availability statuses: ebRIM + CI-SIS extensions (JDV_J52, dmp.md §3). */
export const STATUS = {
  Approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  Deprecated: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated',
  Archived: 'urn:asip:ci-sis:2010:StatusType:Archived',
  Deleted: 'urn:asip:ci-sis:2010:StatusType:Deleted',
} as const;

export type AvailabilityStatus = keyof typeof STATUS;

export function statusName(uri: string): AvailabilityStatus | null {
  for (const [name, value] of Object.entries(STATUS)) if (value === uri) return name as AvailabilityStatus;
  return null;
}

export const RESPONSE_STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  partialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
} as const;

/** Confidentiality codes: HL7 v3 Confidentiality (N/R/V) and TRE_A07 DMP restrictions (JDV_J58). */
export const CONFIDENTIALITY_SYSTEM = { hl7: '2.16.840.1.113883.5.25', dmp: '1.2.250.1.213.1.1.4.13' } as const;
export const DMP_RESTRICTIONS = ['MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX'] as const;
export type DmpRestriction = (typeof DMP_RESTRICTIONS)[number];

/** TD0.2 response codes (official TD0.2 response; DevBox doc for the other AUTORISATION values). */
export const TD02 = {
  reasonCode: 'TEST_EXST',
  reasonCodeSystem: '1.2.250.1.213.1.1.4.11',
  keyword: { authorisation: 'AUTORISATION', treatingDoctor: 'STATUT_MT' },
  authorisationSystem: '1.2.250.1.213.4.1.2.6.2',
  observation: { internetAccount: 'COMPTE_INTERNET_OUVERT', mesAttachment: 'RATTACHEMENT_ENS' },
  oppositions: ['OPPOSITION_BRIS_DE_GLACE', 'OPPOSITION_ACCES_URGENCE'],
} as const;

export const AUTHORISATIONS = ['VALIDE', 'EXPIRE', 'INTERDIT', 'NON_EXISTE'] as const;
export type Authorisation = (typeof AUTHORISATIONS)[number];

/** VIHF purpose of use (TRE_R248 ModeAcces, OID as in the official VIHF examples). */
export const PURPOSES_OF_USE = ['normal', 'bris_de_glace', 'centre_15'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];
export const PURPOSE_OF_USE_SYSTEM = '1.2.250.1.213.1.1.4.248';

/** The patient identifier in XDS (CX, assigning authority = INS OID, type NH). */
export function patientCx(matricule: string, oid: string): string {
  return `${matricule}^^^&${oid}&ISO^NH`;
}

export function parsePatientCx(value: string): { matricule: string; oid: string } | null {
  const match = /^([0-9AB]{15})\^\^\^&([0-9.]+)&ISO\^NH/.exec(value);
  return match === null ? null : { matricule: match[1] as string, oid: match[2] as string };
}
