/**
 * Public types of the CDA service: XDS metadata derived from a CDA header (IHE ITI TF-3 §4.2.3,
 * CI-SIS "Volet structuration minimale des documents de santé" and "Volet partage de documents
 * de santé" — correspondence CDA header → XDS metadata) and the input of a CDA R2 N1 document
 * wrapping a PDF.
 */

/** A coded value (HL7 CE/CD; XDS classification with its coding scheme). */
export interface CodedValue {
  code: string;
  /** OID of the code system (e.g. 2.16.840.1.113883.6.1 for LOINC). */
  codeSystem: string;
  displayName: string;
}

/** An XDS author (CDA ClinicalDocument/author or legalAuthenticator). */
export interface XdsAuthor {
  /** Identifier of the professional (RPPS/ADELI national id, e.g. "899700123450" IdNat). */
  idNat: string;
  given?: string;
  family?: string;
  /** Profession (TRE_G15 / JDV_J01 authorRole). */
  role?: CodedValue;
  /** Specialty (TRE_R38 / JDV_J01 authorSpecialty). */
  specialty?: CodedValue;
  institution?: { id: string; name: string };
}

export interface XdsDocumentMetadata {
  /** CDA ClinicalDocument/id: root, or root^extension when an extension is present. */
  uniqueId: string;
  setId?: string;
  versionNumber?: number;
  title: string;
  mimeType: 'text/xml' | 'application/pdf';
  typeCode: CodedValue;
  classCode: CodedValue;
  formatCode: CodedValue;
  healthcareFacilityTypeCode: CodedValue;
  practiceSettingCode: CodedValue;
  /** N / R / V + MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX. */
  confidentialityCodes: CodedValue[];
  eventCodes: CodedValue[];
  languageCode: string;
  /** HL7 TS yyyyMMddHHmmss (UTC as XDS requires). */
  creationTime: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  /** INS^^^&1.2.250.1.213.1.4.8&ISO^NH */
  sourcePatientId: string;
  authors: XdsAuthor[];
  legalAuthenticator?: XdsAuthor;
  /** uniqueId of the replaced document (relatedDocument typeCode="RPLC"). */
  replaces?: string;
  /** Size in bytes of the CDA document (XDS size). */
  size?: number;
  /** SHA-1 hex of the CDA document bytes (XDS hash). */
  hash?: string;
  /**
   * XDS metadata the header does not give and the service could not derive (e.g.
   * "practiceSettingCode", "formatCode", "classCode"): the coded value is then empty. The sender
   * must have them completed (user choice, settings) before an ITI-41; absent when complete.
   */
  missing?: string[];
}

/** Options of extractXdsMetadata. */
export interface ExtractOptions {
  /**
   * DMP confidentiality codes chosen at sending (MASQUE_PS, INVISIBLE_PATIENT,
   * INVISIBLE_REPRESENTANTS_LEGAUX): a CDA header carries only N/R/V (CDA R2 confidentialityCode
   * is a single CE), the DMP ones exist only in XDS metadata (JDV_J08).
   */
  extraConfidentiality?: readonly string[];
}

export interface PdfDocumentInput {
  pdf: Uint8Array;
  title: string;
  /** LOINC type code (from documentTypes()). */
  typeCode: string;
  patient: {
    ins: string;
    /** OID of the INS (1.2.250.1.213.1.4.8 NIR, 1.2.250.1.213.1.4.10/11 NIA/test). */
    oid: string;
    birthName: string;
    firstNames: string;
    sex: 'M' | 'F' | 'U';
    /** yyyyMMdd (or yyyy-MM-dd). */
    birthDate: string;
    /**
     * Birth place, INSEE COG code (5 characters, 99xxx abroad). An INS trait: the structuration
     * minimale Schematron requires it with an INS (birthplace/place/addr/county).
     */
    birthPlaceCode?: string;
  };
  /**
   * Author, also legal authenticator and performer. role: TRE_G15 profession (codeSystem
   * 1.2.250.1.71.1.2.7, e.g. "10"), specialty: TRE_R38 (e.g. "SM26"); together they give the
   * JDV_J01 code "G15_10/SM26" of assignedAuthor/code. A JDV_J01 specialty is used as is.
   */
  author: XdsAuthor;
  custodian: { id: string; name: string };
  /** Time of the documented act (serviceEvent, encompassingEncounter): ISO 8601 with a zone, a date yyyy-MM-dd, or an HL7 TS. */
  serviceTime: { start: string; stop?: string };
  /** Extra confidentiality codes: N/R/V and MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX. */
  confidentiality?: string[];
  replaces?: { uniqueId: string; setId: string; version: number };
  /** JDV_J04 code (default AMBULATOIRE). */
  practiceSettingCode?: string;
  /** JDV_J02 code (default SA07 "Cabinet individuel"). */
  healthcareFacilityTypeCode?: string;
  /** Creation time of the document: ISO 8601 with a zone, or an HL7 TS. */
  effectiveTime: string;
}

/** Generates the OIDs of new documents (document id and setId). */
export interface OidGenerator {
  newOid(): string;
}

export interface BuiltCdaDocument {
  /** The document as sent (UTF-8, with its XML declaration, canonical after it). */
  bytes: Buffer;
  /** The same as text (decoded on each read: prefer `bytes`). */
  readonly xml: string;
  metadata: XdsDocumentMetadata;
  /** Digest of the canonical form (Canonical XML 1.0 with comments), for the XAdES manifest. */
  canonicalDigest: { algorithm: 'sha256'; value: string };
}
