/**
 * TD0.2 "Test d'existence et vérification de l'autorisation" (HL7v3 PRPA_IN201307UV02 with
 * reasonCode TEST_EXST), following the official example request and response
 * (shared/reference/dmp/examples/TD0.2_-_Test_dexistence_*.xml; dmp.md §1.1).
 */
import type { Element } from '@xmldom/xmldom';
import { attr, readText, selectElement, selectElements, xmlNamespace, type XmlElementNode } from '../../platform/xml';
import { AUTHORISATIONS, DMP_DEVICE_ID, NS, TD02, type Authorisation } from './codes';

const hl7 = xmlNamespace(NS.hl7);
const xsi = xmlNamespace(NS.xsi, 'xsi');
const ns = { h: NS.hl7, xsi: NS.xsi };

export interface Td02RequestInput {
  messageId: string;
  queryId: string;
  /** HL7 TS yyyyMMddHHmmss. */
  creationTime: string;
  patient: { matricule: string; oid: string };
  /** Root OID of the sender (the LPS) and its name. */
  sender: { root: string; name: string };
}

export function buildTd02Request(input: Td02RequestInput): XmlElementNode {
  const device = (root: string, name: string): XmlElementNode =>
    hl7.el('device', attr('classCode', 'DEV'), attr('determinerCode', 'INSTANCE'), hl7.el('id', attr('root', root)), hl7.el('softwareName', name));
  return hl7.el(
    'PRPA_IN201307UV02',
    hl7.declare(),
    attr('ITSVersion', 'XML_1.0'),
    hl7.el('id', attr('root', `${input.sender.root}.1.1`), attr('extension', input.messageId)),
    hl7.el('creationTime', attr('value', input.creationTime)),
    hl7.el('interactionId', attr('root', '2.16.840.1.113883.1.6'), attr('extension', 'PRPA_IN201307UV02')),
    hl7.el('processingCode', attr('code', 'P')),
    hl7.el('processingModeCode', attr('code', 'T')),
    hl7.el('acceptAckCode', attr('code', 'AL')),
    hl7.el('receiver', attr('typeCode', 'RCV'), device(DMP_DEVICE_ID, 'DMP')),
    hl7.el('sender', attr('typeCode', 'SND'), device(input.sender.root, input.sender.name)),
    hl7.el(
      'controlActProcess',
      attr('classCode', 'CACT'),
      attr('moodCode', 'EVN'),
      hl7.el('reasonCode', attr('code', TD02.reasonCode), attr('codeSystem', TD02.reasonCodeSystem), attr('displayName', "Test d'existence de dossier")),
      hl7.el(
        'queryByParameter',
        hl7.el('queryId', attr('root', `${input.sender.root}.2`), attr('extension', input.queryId)),
        hl7.el('statusCode', attr('code', 'new')),
        hl7.el(
          'parameterList',
          hl7.el(
            'patientIdentifier',
            hl7.el('value', attr('root', input.patient.oid), attr('extension', input.patient.matricule)),
            hl7.el('semanticsText', 'Patient.id'),
          ),
        ),
      ),
    ),
  );
}

export type DmpExistence = 'active' | 'closed' | 'absent';

export interface DmpStatus {
  existence: DmpExistence;
  /** Authorisation of the calling professional (null when the DMP does not exist). */
  authorisation: Authorisation | null;
  /** The caller is the patient's médecin traitant DMP. */
  treatingDoctor: boolean;
  /** The DMP is attached to Mon espace santé. */
  mesAttachment: boolean | null;
  internetAccount: boolean | null;
  /** Oppositions the patient expressed (bris de glace, accès d'urgence). */
  oppositions: string[];
}

function attentionLine(response: Element, keyword: string): Element | null {
  for (const line of selectElements(response, 'h:attentionLine', ns)) {
    if (selectElement(line, 'h:keyWordText', ns)?.getAttribute('code') === keyword) return selectElement(line, 'h:value', ns);
  }
  return null;
}

function observation(patient: Element, code: string): boolean | null {
  for (const obs of selectElements(patient, 'h:subjectOf/h:administrativeObservation', ns)) {
    if (selectElement(obs, 'h:code', ns)?.getAttribute('code') === code) {
      const value = selectElement(obs, 'h:value', ns)?.getAttribute('value');
      return value === undefined || value === null ? null : value === 'true';
    }
  }
  return null;
}

/**
 * Reads a PRPA_IN201308UV02 response. No patient subject (queryResponseCode NF) = no DMP;
 * statusCode other than active (e.g. terminated/nullified) = closed.
 */
export function parseTd02Response(response: Element): DmpStatus {
  if (response.localName !== 'PRPA_IN201308UV02' || response.namespaceURI !== NS.hl7) throw new TypeError('not a PRPA_IN201308UV02 response');
  const patient = selectElement(response, 'h:controlActProcess/h:subject/h:registrationEvent/h:subject1/h:patient', ns);
  const auth = attentionLine(response, TD02.keyword.authorisation)?.getAttribute('code') ?? null;
  const authorisation = auth !== null && (AUTHORISATIONS as readonly string[]).includes(auth) ? (auth as Authorisation) : null;
  const mt = attentionLine(response, TD02.keyword.treatingDoctor)?.getAttribute('value') === 'true';
  if (patient === null) {
    return { existence: 'absent', authorisation: null, treatingDoctor: false, mesAttachment: null, internetAccount: null, oppositions: [] };
  }
  const status = readText(patient, 'h:statusCode/@code', ns) ?? 'active';
  const oppositions = TD02.oppositions.filter((code) => observation(patient, code) === true);
  return {
    existence: status === 'active' ? 'active' : 'closed',
    authorisation,
    treatingDoctor: mt,
    mesAttachment: observation(patient, TD02.observation.mesAttachment),
    internetAccount: observation(patient, TD02.observation.internetAccount),
    oppositions,
  };
}

/** Builds a response (used by the simulator): the same shape as the official example. */
export function buildTd02Response(input: {
  requestId: string;
  queryId: string;
  creationTime: string;
  patient: { matricule: string; oid: string } | null;
  status: Omit<DmpStatus, 'existence'> & { existence: DmpExistence };
}): XmlElementNode {
  const { status } = input;
  const lines: XmlElementNode[] = [];
  if (status.authorisation !== null) {
    lines.push(
      hl7.el(
        'attentionLine',
        hl7.el('keyWordText', attr('code', TD02.keyword.authorisation), attr('codeSystem', '1.2.250.1.213.4.1.2.6.1')),
        hl7.el('value', xsi.declare(), attr('code', status.authorisation), attr('codeSystem', TD02.authorisationSystem), xsi.attr('type', 'CV')),
      ),
    );
  }
  if (status.existence !== 'absent') {
    lines.push(
      hl7.el(
        'attentionLine',
        hl7.el('keyWordText', attr('code', TD02.keyword.treatingDoctor), attr('codeSystem', '1.2.250.1.213.4.1.2.6.3')),
        hl7.el('value', xsi.declare(), attr('value', String(status.treatingDoctor)), xsi.attr('type', 'BL')),
      ),
    );
  }
  const obs = (code: string, system: string, value: boolean): XmlElementNode =>
    hl7.el(
      'subjectOf',
      attr('typeCode', 'SBJ'),
      hl7.el(
        'administrativeObservation',
        attr('classCode', 'OBS'),
        attr('moodCode', 'EVN'),
        hl7.el('code', attr('code', code), attr('codeSystem', system)),
        hl7.el('value', xsi.declare(), attr('value', String(value)), xsi.attr('type', 'BL')),
      ),
    );
  const subject =
    status.existence === 'absent' || input.patient === null
      ? null
      : hl7.el(
          'subject',
          attr('contextConductionInd', 'false'),
          attr('typeCode', 'SUBJ'),
          hl7.el(
            'registrationEvent',
            attr('classCode', 'REG'),
            attr('moodCode', 'EVN'),
            hl7.el('statusCode', attr('code', 'completed')),
            hl7.el(
              'subject1',
              attr('typeCode', 'SBJ'),
              hl7.el(
                'patient',
                attr('classCode', 'PAT'),
                hl7.el('id', attr('extension', input.patient.matricule), attr('root', input.patient.oid)),
                hl7.el('statusCode', attr('code', status.existence === 'active' ? 'active' : 'terminated')),
                obs(TD02.observation.internetAccount, '1.2.250.1.213.4.1.2.9', status.internetAccount === true),
                obs(TD02.observation.mesAttachment, '1.2.250.1.213.4.1.2.3', status.mesAttachment === true),
                status.oppositions.map((code) => obs(code, '1.2.250.1.213.4.1.2.3', true)),
              ),
            ),
            hl7.el('custodian', attr('typeCode', 'CST'), hl7.el('assignedEntity', attr('classCode', 'ASSIGNED'), hl7.el('id', attr('root', DMP_DEVICE_ID)))),
          ),
        );
  return hl7.el(
    'PRPA_IN201308UV02',
    hl7.declare(),
    attr('ITSVersion', 'XML_1.0'),
    hl7.el('id', attr('root', input.requestId)),
    hl7.el('creationTime', attr('value', input.creationTime)),
    hl7.el('interactionId', attr('extension', 'PRPA_IN201308UV02'), attr('root', '2.16.840.1.113883.1.6')),
    hl7.el('processingCode', attr('code', 'P')),
    hl7.el('processingModeCode', attr('code', 'T')),
    hl7.el('acceptAckCode', attr('code', 'NE')),
    lines,
    hl7.el(
      'controlActProcess',
      attr('classCode', 'CACT'),
      attr('moodCode', 'EVN'),
      hl7.el('reasonCode', attr('code', TD02.reasonCode), attr('codeSystem', TD02.reasonCodeSystem)),
      subject,
      hl7.el(
        'queryAck',
        hl7.el('queryId', attr('extension', input.queryId), attr('root', '1.3.6.1.4.1.48364.2')),
        hl7.el('queryResponseCode', attr('code', subject === null ? 'NF' : 'OK')),
      ),
    ),
  );
}

/** The patient INS a TD0.2 request asks about (simulator side). */
export function readTd02Patient(request: Element): { matricule: string; oid: string; queryId: string } | null {
  const value = selectElement(request, 'h:controlActProcess/h:queryByParameter/h:parameterList/h:patientIdentifier/h:value', ns);
  if (value === null) return null;
  return {
    matricule: value.getAttribute('extension') ?? '',
    oid: value.getAttribute('root') ?? '',
    queryId: readText(request, 'h:controlActProcess/h:queryByParameter/h:queryId/@extension', ns) ?? '',
  };
}
