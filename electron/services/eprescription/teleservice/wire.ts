/**
 * MODELLED wire format of the base e-prescription teleservice (README, Status: « modélisé »). The
 * real operations are specified by the CNAM / GIE SESAM-Vitale under agreement; public material only
 * describes them in prose (research wave2.md §3.1: the prescriber registers; the pharmacist consults
 * by number and records the execution line by line; statuses « non dispensée », « partiellement
 * dispensée », « dispensée »). This module is the one place that would change with the real
 * specification. What it borrows from public CNAM teleservices is the envelope: SOAP 1.2 with
 * WS-Addressing and a SAML « assertion PS » signed with the CPS (as INSi), over TLS.
 *
 * Namespace `urn:pupitre:modele:ordonnance-numerique:1` says in every message that the format is
 * Pupitre's model, not the CNAM's. The prescription travels as its CI-SIS eP-MED-DM document (an
 * official format), so that the pharmacist's side reads what the prescriber's side wrote.
 * Used by the client (teleservice/client.ts) and by the simulator (fixtures/sim/eprescription).
 */
import type { Element } from '@xmldom/xmldom';
import { attr, childElements, firstChildElement, textOf, xmlNamespace, type XmlElementNode } from '../../../platform/xml';
import type { BaseStatus, DispensationCompleteness, LineOutcome } from '../model';

export const ERX_NS = 'urn:pupitre:modele:ordonnance-numerique:1';
export const erx = xmlNamespace(ERX_NS, 'erx');

export const ERX_ACTIONS = {
  register: `${ERX_NS}:EnregistrerPrescription`,
  read: `${ERX_NS}:ConsulterPrescription`,
  execute: `${ERX_NS}:ExecuterPrescription`,
  status: `${ERX_NS}:StatutPrescription`,
} as const;
export type ErxOperation = keyof typeof ERX_ACTIONS;

/** Fault subcodes of the model (local names in the ERX namespace). */
export const ERX_FAULTS = {
  unknown: 'PRESCRIPTION_INCONNUE',
  alreadyDispensed: 'DEJA_DISPENSEE',
  cancelled: 'PRESCRIPTION_ANNULEE',
  rights: 'DROITS_INSUFFISANTS',
  unavailable: 'SERVICE_INDISPONIBLE',
  numberTaken: 'NUMERO_DEJA_UTILISE',
  lineExhausted: 'LIGNE_EPUISEE',
  invalid: 'REQUETE_INVALIDE',
} as const;
export type ErxFault = (typeof ERX_FAULTS)[keyof typeof ERX_FAULTS];

export const BASE_STATUSES: readonly BaseStatus[] = ['non dispensée', 'partiellement dispensée', 'dispensée', 'annulée'];

export interface ExecutionLine {
  lineId: string;
  outcome: LineOutcome;
}

export interface Execution {
  id: string;
  /** ISO instant. */
  at: string;
  completeness: DispensationCompleteness;
  /** IdNat of the pharmacist who recorded it. */
  by: string;
  lines: ExecutionLine[];
}

export interface BasePrescription {
  number: string;
  status: BaseStatus;
  /** The eP-MED-DM the prescriber registered. */
  document: Buffer;
  executions: Execution[];
}

const text = (parent: Element, local: string): string | null => {
  const element = firstChildElement(parent, ERX_NS, local);
  const value = element === null ? '' : textOf(element).trim();
  return value === '' ? null : value;
};

// ------------------------------------------------------------------------------------------ requests

export function registerRequest(input: { number: string; consent: 'OUI' | 'NON'; document: Uint8Array }): XmlElementNode {
  return erx.el(
    'EnregistrerPrescription',
    erx.el('Numero', input.number),
    erx.el('Consentement', input.consent),
    erx.el('Document', attr('mediaType', 'text/xml'), attr('representation', 'B64'), Buffer.from(input.document).toString('base64')),
  );
}

export function readRequest(number: string): XmlElementNode {
  return erx.el('ConsulterPrescription', erx.el('Numero', number));
}

export function statusRequest(number: string): XmlElementNode {
  return erx.el('StatutPrescription', erx.el('Numero', number));
}

function lineElement(line: ExecutionLine): XmlElementNode {
  const o = line.outcome;
  const issue = o.kind === 'delivered' ? 'delivree' : o.kind === 'substituted' ? 'substituee' : o.kind === 'adapted' ? 'quantite-adaptee' : 'non-delivree';
  return erx.el(
    'Ligne',
    attr('ref', line.lineId),
    attr('issue', issue),
    attr('cip13', o.kind === 'substituted' ? o.cip13 : null),
    attr('libelle', o.kind === 'substituted' ? o.name : null),
    attr('quantite', o.kind === 'adapted' ? o.quantity : null),
    attr('motif', o.kind === 'adapted' || o.kind === 'not-delivered' ? o.reason : null),
  );
}

export function executeRequest(number: string, execution: Omit<Execution, 'by'>): XmlElementNode {
  return erx.el(
    'ExecuterPrescription',
    erx.el('Numero', number),
    erx.el('IdExecution', execution.id),
    erx.el('DateExecution', execution.at),
    erx.el('Completude', execution.completeness),
    execution.lines.map(lineElement),
  );
}

// ----------------------------------------------------------------------------------------- responses

export function statusResponse(local: 'EnregistrerPrescriptionReponse' | 'ExecuterPrescriptionReponse' | 'StatutPrescriptionReponse', number: string, status: BaseStatus): XmlElementNode {
  return erx.el(local, erx.el('Numero', number), erx.el('Statut', status));
}

export function readResponse(prescription: BasePrescription): XmlElementNode {
  return erx.el(
    'ConsulterPrescriptionReponse',
    erx.el('Numero', prescription.number),
    erx.el('Statut', prescription.status),
    erx.el('Document', attr('mediaType', 'text/xml'), attr('representation', 'B64'), prescription.document.toString('base64')),
    prescription.executions.map((e) =>
      erx.el('Execution', attr('id', e.id), attr('date', e.at), attr('completude', e.completeness), attr('par', e.by), e.lines.map(lineElement)),
    ),
  );
}

// ----------------------------------------------------------------------------------------- parsers

export class WireError extends Error {
  constructor(readonly field: string) {
    super(`wire: ${field}`);
  }
}

function required(parent: Element, local: string): string {
  const value = text(parent, local);
  if (value === null) throw new WireError(local);
  return value;
}

export function readStatus(value: string | null): BaseStatus {
  const status = BASE_STATUSES.find((s) => s === value);
  if (status === undefined) throw new WireError('Statut');
  return status;
}

export function parseLine(element: Element): ExecutionLine {
  const ref = element.getAttribute('ref') ?? '';
  if (ref === '' || ref.length > 200) throw new WireError('Ligne/@ref');
  const issue = element.getAttribute('issue');
  const reason = (element.getAttribute('motif') ?? '').slice(0, 300);
  let outcome: LineOutcome;
  if (issue === 'delivree') outcome = { kind: 'delivered' };
  else if (issue === 'substituee') {
    const cip13 = element.getAttribute('cip13') ?? '';
    if (!/^\d{13}$/.test(cip13)) throw new WireError('Ligne/@cip13');
    outcome = { kind: 'substituted', cip13, name: (element.getAttribute('libelle') ?? '').slice(0, 300) };
  } else if (issue === 'quantite-adaptee') {
    const quantity = Number(element.getAttribute('quantite'));
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 99) throw new WireError('Ligne/@quantite');
    outcome = { kind: 'adapted', quantity, reason };
  } else if (issue === 'non-delivree') outcome = { kind: 'not-delivered', reason };
  else throw new WireError('Ligne/@issue');
  return { lineId: ref, outcome };
}

const COMPLETENESS = ['FFC', 'FFP', 'RFC', 'RFP'] as const;

export function readCompleteness(value: string | null): DispensationCompleteness {
  const found = COMPLETENESS.find((c) => c === value);
  if (found === undefined) throw new WireError('Completude');
  return found;
}

function base64(element: Element | null, field: string): Buffer {
  if (element === null) throw new WireError(field);
  const value = textOf(element).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value === '') throw new WireError(field);
  return Buffer.from(value, 'base64');
}

export function parseRegisterRequest(content: Element): { number: string; consent: 'OUI' | 'NON'; document: Buffer } {
  const consent = required(content, 'Consentement');
  if (consent !== 'OUI' && consent !== 'NON') throw new WireError('Consentement');
  return { number: required(content, 'Numero'), consent, document: base64(firstChildElement(content, ERX_NS, 'Document'), 'Document') };
}

export function parseNumberRequest(content: Element): string {
  return required(content, 'Numero');
}

export function parseExecuteRequest(content: Element): { number: string; execution: Omit<Execution, 'by'> } {
  return {
    number: required(content, 'Numero'),
    execution: {
      id: required(content, 'IdExecution'),
      at: required(content, 'DateExecution'),
      completeness: readCompleteness(text(content, 'Completude')),
      lines: childElements(content, ERX_NS, 'Ligne').map(parseLine),
    },
  };
}

export function parseStatusResponse(content: Element): { number: string; status: BaseStatus } {
  return { number: required(content, 'Numero'), status: readStatus(text(content, 'Statut')) };
}

export function parseReadResponse(content: Element): BasePrescription {
  return {
    number: required(content, 'Numero'),
    status: readStatus(text(content, 'Statut')),
    document: base64(firstChildElement(content, ERX_NS, 'Document'), 'Document'),
    executions: childElements(content, ERX_NS, 'Execution').map((e) => ({
      id: e.getAttribute('id') ?? '',
      at: e.getAttribute('date') ?? '',
      completeness: readCompleteness(e.getAttribute('completude')),
      by: e.getAttribute('par') ?? '',
      lines: childElements(e, ERX_NS, 'Ligne').map(parseLine),
    })),
  };
}
