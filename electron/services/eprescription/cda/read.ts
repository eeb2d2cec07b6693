/**
 * Reads the lines of any CI-SIS eP-MED-DM (prescription) or eDISP-MED (dispensation) document,
 * whoever wrote it: this desk, the base e-prescription, another software (the official ANS examples
 * are the yardstick in the conformance tests). What the entries do not carry is taken from the
 * narrative block they reference, as the CDA R2 rules intend (the narrative is the attested text):
 * - a product named only in the narrative (magistral preparation: code nullFlavor NA with an
 *   originalText reference);
 * - a free-text posology: the narrative content `<entry ref>-posologie` (the convention of the ANS
 *   examples and of this desk), else the cell of the « Posologie » column in the row of the line;
 * - reasons (substitution mention, « si besoin » condition).
 * References are resolved exactly, then ignoring case and punctuation (the official examples write
 * `#DM001` for the narrative ID `DM-001`). Nothing here trusts the document: sizes are bounded by the
 * safe parser, and narrative text is read as text.
 */
import type { Element } from '@xmldom/xmldom';
import { AppError } from '../../../contract';
import { childElements, firstChildElement, parseXml, textOf } from '../../../platform/xml';
import { DOSE_UNITS, type DoseUnit, type StructuredPosology } from '../model';
import { EPRESCRIPTION_NUMBER_ROOT } from '../number';
import { posologyText } from '../posology';
import { CODE_SYSTEMS, ENTRIES, HL7_NS, SECTIONS, SYSTEM_NAMES, TEMPLATES, routeLabel } from './codes';

/** Largest document read (a PDF copy is embedded in eP-MED-DM): 40 MiB. */
export const MAX_READ_BYTES = 40 * 1024 * 1024;

export interface ReadCode {
  code: string;
  codeSystem: string;
  system: string | null;
  displayName: string | null;
}

/** What a structured posology says, as read (several phases for a tapered dose). */
export interface ReadStructuredPosology {
  phases: Array<{
    start: string | null;
    end: string | null;
    durationDays: number | null;
    /** Intakes per day (or per week with `per`), when the frequency is institution-specified. */
    times: number | null;
    per: 'jour' | 'semaine' | null;
    everyHours: number | null;
    dose: { low: number | null; high: number | null; unit: string | null } | null;
    /** The narrative the frequency points at (originalText), e.g. « 2 applications/j ». */
    frequencyText: string | null;
  }>;
  route: { code: string; displayName: string | null } | null;
  maxPerDay: { value: number; unit: string | null } | null;
  asNeeded: string | null;
}

export interface ReadMedication {
  id: string | null;
  codes: ReadCode[];
  name: string;
  posology: { text: string; structured: ReadStructuredPosology | null };
  quantity: { value: number; unit: string | null; unitLabel: string | null } | null;
  substitution: { allowed: boolean; code: string; reason: string | null } | null;
  renewals: number | null;
  /** FR-En-rapport-avec-ALD, when the entry says. */
  ald: boolean | null;
  /** eDISP-MED: the prescribed line this dispensed line refers to (FR-Reference-item-prescription). */
  prescriptionLineId?: string | null;
}

export interface ReadDevice {
  id: string | null;
  codes: ReadCode[];
  name: string;
  quantity: number | null;
  renewals: number | null;
  ald: boolean | null;
}

export interface ReadDocument {
  kind: 'eP-MED-DM' | 'eDISP-MED';
  /** The e-prescription number (serviceEvent id, or inFulfillmentOf/order id for a dispensation). */
  number: string | null;
  documentId: string | null;
  title: string | null;
  effectiveTime: string | null;
  author: {
    idNat: string | null;
    name: string | null;
    given: string | null;
    family: string | null;
    /** JDV_J01 profession/specialty (« G15_10/SM26 »). */
    code: { code: string; displayName: string | null } | null;
    organization: { id: string | null; name: string | null } | null;
  } | null;
  patient: { name: string | null; ins: string | null; birthDate: string | null } | null;
  validity: { from: string | null; until: string | null } | null;
  medications: ReadMedication[];
  devices: ReadDevice[];
}

/** EDQM packaging codes seen in the official examples (FR-Quantite-de-produit units). */
const PACKAGING_LABELS: Record<string, string> = { '30009000': 'Boîte', '30067000': 'Tube', '30015500': 'Récipient' };

const UNIT_BY_UCUM: Record<string, DoseUnit> = Object.fromEntries(
  (Object.entries(DOSE_UNITS) as Array<[DoseUnit, { ucum: string }]>).map(([unit, spec]) => [spec.ucum.toLowerCase(), unit]),
);

function kids(parent: Element, local: string): Element[] {
  return childElements(parent, HL7_NS, local);
}

function kid(parent: Element | null | undefined, local: string): Element | null {
  return parent === null || parent === undefined ? null : firstChildElement(parent, HL7_NS, local);
}

function path(parent: Element | null, ...locals: string[]): Element | null {
  let current: Element | null = parent;
  for (const local of locals) current = kid(current, local);
  return current;
}

function hasTemplate(element: Element, ...roots: string[]): boolean {
  return kids(element, 'templateId').some((t) => roots.includes(t.getAttribute('root') ?? ''));
}

function attrOf(element: Element | null, name: string): string | null {
  const value = element?.getAttribute(name);
  return value === undefined || value === null || value === '' ? null : value;
}

function num(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function hl7Day(value: string | null): string | null {
  if (value === null || !/^\d{8}/.test(value)) return null;
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

/** Narrative text of an element: `<br/>` and block boundaries become spaces, whitespace collapsed. */
function narrativeText(element: Element): string {
  let out = '';
  const walk = (node: Element): void => {
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType === 3 || child.nodeType === 4) out += child.nodeValue ?? '';
      else if (child.nodeType === 1) {
        const el = child as Element;
        if (el.localName === 'br') out += ' ';
        else {
          walk(el);
          if (['paragraph', 'td', 'th', 'tr', 'item'].includes(el.localName ?? '')) out += ' ';
        }
      }
    }
  };
  walk(element);
  return out.replace(/\s+/g, ' ').trim();
}

class Narrative {
  private readonly byId = new Map<string, Element>();
  private readonly byLoose = new Map<string, Element>();

  constructor(root: Element) {
    const stack: Element[] = [root];
    while (stack.length > 0) {
      const el = stack.pop() as Element;
      const id = el.getAttribute('ID');
      if (id) {
        this.byId.set(id, el);
        this.byLoose.set(loose(id), el);
      }
      for (const child of childElements(el)) stack.push(child);
    }
  }

  element(ref: string | null): Element | null {
    if (ref === null) return null;
    const id = ref.trim().replace(/^#/, '');
    return this.byId.get(id) ?? this.byLoose.get(loose(id)) ?? this.byPrefix(id);
  }

  /**
   * A reference to an ID that is only the prefix of the narrative's IDs (the official eDISP-MED
   * example points its second line at `#med-002` while the narrative holds `med-002-delivre`): the
   * one ID with that prefix, or the one naming the delivered product (`-delivre`).
   */
  private byPrefix(id: string): Element | null {
    const prefix = `${loose(id)}`;
    if (prefix.length < 3) return null;
    const candidates = [...this.byLoose.entries()].filter(([key]) => key.startsWith(prefix) && key !== prefix);
    if (candidates.length === 1) return candidates[0]?.[1] ?? null;
    return candidates.find(([key]) => key === `${prefix}delivre` || key === `${prefix}delivree`)?.[1] ?? null;
  }

  text(ref: string | null): string | null {
    const element = this.element(ref);
    if (element === null) return null;
    const text = narrativeText(element);
    return text === '' ? null : text;
  }

  /** The cell of a column (by header text) in the table row that holds the referenced element. */
  column(ref: string | null, header: RegExp): string | null {
    let row = this.element(ref);
    while (row !== null && row.localName !== 'tr') row = row.parentNode as Element | null;
    if (row === null) return null;
    const table = closest(row, 'table');
    const headers = table === null ? [] : (closestChildRows(table, 'thead')[0]?.getElementsByTagNameNS(HL7_NS, 'th') ?? []);
    const names = Array.from(headers).map((h) => narrativeText(h));
    const index = names.findIndex((n) => header.test(n));
    if (index < 0) return null;
    const cells = Array.from(row.childNodes).filter((n): n is Element => n.nodeType === 1 && ((n as Element).localName === 'td' || (n as Element).localName === 'th'));
    const cell = cells[index];
    if (cell === undefined) return null;
    const text = narrativeText(cell);
    return text === '' || text === '-' ? null : text;
  }
}

function loose(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function closest(element: Element, local: string): Element | null {
  let current: Element | null = element;
  while (current !== null && current.localName !== local) current = current.parentNode as Element | null;
  return current;
}

function closestChildRows(table: Element, local: string): Element[] {
  return childElements(table, HL7_NS, local);
}

/** The reference value of `<el><reference value="…"/></el>` or `<el><originalText><reference/></originalText></el>`. */
function refOf(element: Element | null): string | null {
  if (element === null) return null;
  const direct = attrOf(kid(element, 'reference'), 'value');
  if (direct !== null) return direct;
  return attrOf(kid(kid(element, 'originalText'), 'reference'), 'value');
}

function codeOf(element: Element | null): ReadCode | null {
  if (element === null || element.getAttribute('nullFlavor')) return null;
  const code = attrOf(element, 'code');
  const codeSystem = attrOf(element, 'codeSystem');
  if (code === null || codeSystem === null) return null;
  return { code, codeSystem, system: SYSTEM_NAMES[codeSystem] ?? attrOf(element, 'codeSystemName'), displayName: attrOf(element, 'displayName') };
}

/** A code and its translations (CIS + CIP13 + MV…). */
function codesOf(code: Element | null, ...extra: Array<Element | null>): ReadCode[] {
  const out: ReadCode[] = [];
  const push = (c: ReadCode | null): void => {
    if (c !== null && !out.some((o) => o.code === c.code && o.codeSystem === c.codeSystem)) out.push(c);
  };
  if (code !== null) {
    push(codeOf(code));
    for (const translation of kids(code, 'translation')) push(codeOf(translation));
  }
  for (const e of extra) push(codeOf(e));
  return out;
}

function ivlDays(effectiveTime: Element | null): { start: string | null; end: string | null; durationDays: number | null } {
  const start = hl7Day(attrOf(kid(effectiveTime, 'low'), 'value'));
  const end = hl7Day(attrOf(kid(effectiveTime, 'high'), 'value'));
  const width = kid(effectiveTime, 'width');
  let durationDays: number | null = null;
  const value = num(attrOf(width, 'value'));
  if (value !== null) {
    const unit = attrOf(width, 'unit') ?? 'd';
    durationDays = unit === 'wk' ? value * 7 : unit === 'mo' ? value * 30 : unit === 'h' ? value / 24 : value;
  } else if (start !== null && end !== null) {
    durationDays = Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000) + 1;
  }
  return { start, end, durationDays };
}

function xsiType(element: Element): string {
  return element.getAttributeNS('http://www.w3.org/2001/XMLSchema-instance', 'type') ?? '';
}

function frequencyNarrative(pivl: Element | null, narrative: Narrative): string | null {
  const period = kid(pivl, 'period');
  return narrative.text(refOf(kid(period, 'translation'))) ?? narrative.text(refOf(period));
}

function frequencyOf(pivl: Element | null): { times: number | null; per: 'jour' | 'semaine' | null; everyHours: number | null } {
  const period = kid(pivl, 'period');
  const value = num(attrOf(period, 'value'));
  const unit = attrOf(period, 'unit');
  if (value === null || value <= 0 || unit === null) return { times: null, per: null, everyHours: null };
  const hours = unit === 'h' ? value : unit === 'min' ? value / 60 : unit === 'd' ? value * 24 : unit === 'wk' ? value * 168 : null;
  if (hours === null) return { times: null, per: null, everyHours: null };
  const institution = pivl?.getAttribute('institutionSpecified') === 'true';
  // Explicitly « not institution-specified »: a real interval (« toutes les 8 heures »).
  if (pivl?.getAttribute('institutionSpecified') === 'false') return { times: null, per: null, everyHours: hours };
  const near = (x: number): boolean => Math.round(x) >= 1 && Math.abs(x - Math.round(x)) < 0.01;
  // A period in weeks says « n fois par semaine »; in days or hours, « n fois par jour » (24/n hours,
  // IHE PCC) — the official examples leave institutionSpecified out: a period dividing the unit evenly reads as such.
  if (unit === 'wk' && value <= 1 && (institution || near(1 / value))) return { times: Math.round(1 / value), per: 'semaine', everyHours: null };
  if (hours <= 24 && (institution || near(24 / hours))) return { times: Math.round(24 / hours), per: 'jour', everyHours: null };
  if (hours <= 168 && institution && near(168 / hours)) return { times: Math.round(168 / hours), per: 'semaine', everyHours: null };
  return { times: null, per: null, everyHours: hours };
}

function doseOf(doseQuantity: Element | null): { low: number | null; high: number | null; unit: string | null } | null {
  if (doseQuantity === null) return null;
  const low = kid(doseQuantity, 'low');
  const high = kid(doseQuantity, 'high');
  if (low === null && high === null) {
    const value = num(attrOf(doseQuantity, 'value'));
    return value === null ? null : { low: value, high: value, unit: attrOf(doseQuantity, 'unit') };
  }
  return { low: num(attrOf(low, 'value')), high: num(attrOf(high, 'value')), unit: attrOf(low, 'unit') ?? attrOf(high, 'unit') };
}

/** The structured posology of a FR-Traitement-prescrit (or a FR-Instructions-au-dosage), when it has one. */
function structuredOf(sa: Element, narrative: Narrative): ReadStructuredPosology | null {
  const times = kids(sa, 'effectiveTime');
  const ivl = times.find((t) => xsiType(t).endsWith('IVL_TS')) ?? null;
  // The frequency: a PIVL_TS effectiveTime, or the PIVL_TS part of an SXPR_TS one (eDISP-MED example).
  const sxpr = times.find((t) => xsiType(t).endsWith('SXPR_TS')) ?? null;
  const pivl = times.find((t) => xsiType(t).endsWith('PIVL_TS')) ?? (sxpr === null ? null : (kids(sxpr, 'comp').find((c) => xsiType(c).endsWith('PIVL_TS')) ?? null));
  const subordinates = kids(sa, 'entryRelationship')
    .filter((er) => er.getAttribute('typeCode') === 'COMP')
    .map((er) => kid(er, 'substanceAdministration'))
    .filter((s): s is Element => s !== null)
    .sort((a, b) => (num(attrOf(kid(a.parentNode as Element, 'sequenceNumber'), 'value')) ?? 0) - (num(attrOf(kid(b.parentNode as Element, 'sequenceNumber'), 'value')) ?? 0));
  const dose = doseOf(kid(sa, 'doseQuantity'));
  const phases: ReadStructuredPosology['phases'] = [];
  for (const sub of subordinates) {
    const sxpr = kids(sub, 'effectiveTime')[0] ?? null;
    const comps = sxpr === null ? [] : kids(sxpr, 'comp');
    const range = comps.find((c) => xsiType(c).endsWith('IVL_TS')) ?? null;
    const period = comps.find((c) => xsiType(c).endsWith('PIVL_TS')) ?? null;
    phases.push({ ...ivlDays(range), ...frequencyOf(period), dose: doseOf(kid(sub, 'doseQuantity')), frequencyText: frequencyNarrative(period, narrative) });
  }
  if (phases.length === 0 && (pivl !== null || dose !== null)) phases.push({ ...ivlDays(ivl), ...frequencyOf(pivl), dose, frequencyText: frequencyNarrative(pivl, narrative) });
  if (phases.length === 0) return null;
  const route = kid(sa, 'routeCode');
  const routeCode = route === null || route.getAttribute('nullFlavor') ? null : attrOf(route, 'code');
  const max = kid(sa, 'maxDoseQuantity');
  const maxValue = num(attrOf(kid(max, 'numerator'), 'value'));
  const condition = kids(sa, 'precondition').map((p) => narrative.text(refOf(kid(p, 'criterion') ? kid(kid(p, 'criterion'), 'text') : null))).find((t) => t !== null) ?? null;
  // A phase without a duration of its own takes the treatment's (IVL_TS of the entry).
  if (phases.length === 1 && phases[0]?.durationDays === null) Object.assign(phases[0], ivlDays(ivl));
  return {
    phases,
    route: routeCode === null ? null : { code: routeCode, displayName: attrOf(route, 'displayName') ?? routeLabel(routeCode) ?? null },
    maxPerDay: maxValue === null ? null : { value: maxValue, unit: attrOf(kid(max, 'numerator'), 'unit') },
    asNeeded: condition,
  };
}

function unitOf(ucum: string | null): DoseUnit | null {
  if (ucum === null) return null;
  return UNIT_BY_UCUM[ucum.toLowerCase()] ?? null;
}

/** French text of a structured posology as read: this desk's model when it fits, phase by phase otherwise. */
export function structuredText(s: ReadStructuredPosology): string {
  const frDate = (iso: string | null): string => (iso === null ? '' : `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`);
  const single = s.phases.length === 1;
  const phaseTexts = s.phases.map((phase) => {
    const unit = unitOf(phase.dose?.unit ?? null);
    const low = phase.dose?.low ?? null;
    // One phase that fits the desk's model reads exactly as the desk prints it (route, condition and maximum included).
    if (unit !== null && low !== null && phase.durationDays !== null && (phase.times !== null || phase.everyHours !== null)) {
      const high = phase.dose?.high ?? null;
      const maxUnit = s.maxPerDay === null ? null : (unitOf(s.maxPerDay.unit) ?? unit);
      const model: StructuredPosology = {
        kind: 'structured',
        dose: { low, ...(high !== null && high !== low ? { high } : {}), unit },
        frequency: phase.everyHours !== null ? { everyHours: phase.everyHours } : { times: phase.times ?? 1, per: phase.per ?? 'jour' },
        duration: { value: phase.durationDays, unit: 'jour' },
        ...(single && s.asNeeded !== null ? { asNeeded: { condition: s.asNeeded } } : {}),
        ...(single && s.route !== null && routeLabel(s.route.code) !== undefined ? { route: s.route.code } : {}),
        ...(single && s.maxPerDay !== null && maxUnit !== null ? { maxPerDay: { value: s.maxPerDay.value, unit: maxUnit } } : {}),
      };
      return posologyText(model);
    }
    const parts: string[] = [];
    if (low !== null) {
      const high = phase.dose?.high !== null && phase.dose?.high !== undefined && phase.dose.high !== low ? ` à ${phase.dose.high}` : '';
      parts.push(`${low}${high} ${unit === null ? (phase.dose?.unit ?? '') : DOSE_UNITS[unit].many}`.trim());
    }
    // Without a dose the frequency's own narrative says more (« 2 applications/j »).
    if (low === null && phase.frequencyText !== null) parts.push(phase.frequencyText);
    else if (phase.times !== null) parts.push(`${phase.times} fois par ${phase.per ?? 'jour'}`);
    else if (phase.everyHours !== null) parts.push(`toutes les ${phase.everyHours} heures`);
    if (phase.durationDays !== null) parts.push(`pendant ${phase.durationDays} jour${phase.durationDays > 1 ? 's' : ''}`);
    return parts.join(' ');
  });
  if (single) {
    const [only] = phaseTexts;
    const phase = s.phases[0];
    const fitted = phase !== undefined && unitOf(phase.dose?.unit ?? null) !== null && phase.dose?.low !== null && phase.durationDays !== null;
    if (fitted) return only ?? '';
  }
  let text = s.phases.map((phase, i) => (s.phases.length > 1 && phase.start !== null ? `à partir du ${frDate(phase.start)} : ${phaseTexts[i]}` : phaseTexts[i])).join(', puis ');
  if (s.asNeeded !== null) text += `, ${s.asNeeded}`;
  if (s.route !== null) text += `, ${(s.route.displayName ?? s.route.code).toLowerCase()}`;
  if (s.maxPerDay !== null) {
    const unit = unitOf(s.maxPerDay.unit);
    text += `, sans dépasser ${s.maxPerDay.value}${unit === null ? '' : ` ${DOSE_UNITS[unit].many}`} par jour`;
  }
  return text;
}

function nameOf(material: Element | null, entryTextRef: string | null, narrative: Narrative, fallback: string | null): string {
  const name = kid(material, 'name');
  const direct = name === null || name.getAttribute('nullFlavor') ? '' : textOf(name).replace(/\s+/g, ' ').trim();
  if (direct !== '') return direct;
  const code = kid(material, 'code');
  return narrative.text(refOf(code)) ?? narrative.text(entryTextRef) ?? attrOf(code, 'displayName') ?? fallback ?? '';
}

function idOf(element: Element): string | null {
  const id = kid(element, 'id');
  if (id === null || id.getAttribute('nullFlavor')) return null;
  const root = attrOf(id, 'root');
  const extension = attrOf(id, 'extension');
  return root === null ? null : extension === null ? root : `${root}^${extension}`;
}

function relationships(element: Element, typeCode: string, child: string, template: string): Element[] {
  return kids(element, 'entryRelationship')
    .filter((er) => er.getAttribute('typeCode') === typeCode)
    .map((er) => kid(er, child))
    .filter((c): c is Element => c !== null && hasTemplate(c, template));
}

/** FR-En-rapport-avec-ALD (TA_ASIP MED-574): its BL value, when the entry carries it. */
function aldOf(entry: Element): boolean | null {
  const observation = relationships(entry, 'COMP', 'observation', '1.2.250.1.213.1.1.3.48.13')[0] ?? null;
  const value = attrOf(kid(observation, 'value'), 'value');
  return value === null ? null : value === 'true';
}

function quantityOf(q: Element | null): ReadMedication['quantity'] {
  const value = num(attrOf(q, 'value'));
  if (value === null) return null;
  const unit = attrOf(q, 'unit');
  return { value, unit, unitLabel: unit === null ? null : (PACKAGING_LABELS[unit] ?? null) };
}

function readPrescribedMedication(sa: Element, narrative: Narrative): ReadMedication {
  const textRef = refOf(kid(sa, 'text'));
  const material = path(sa, 'consumable', 'manufacturedProduct', 'manufacturedMaterial');
  const structured = structuredOf(sa, narrative);
  const freeText =
    narrative.text(textRef === null ? null : `${textRef.replace(/^#/, '')}-posologie`) ??
    narrative.column(textRef, /^posologie/i) ??
    null;
  const posologyTextValue = structured !== null ? structuredText(structured) : (freeText ?? '');
  const quantitySupply = relationships(sa, 'COMP', 'supply', ENTRIES.quantity[0])[0] ?? null;
  const substitution = relationships(sa, 'COMP', 'act', ENTRIES.substitutionPermission[0])[0] ?? null;
  const substitutionCode = attrOf(kid(substitution, 'code'), 'code');
  return {
    id: idOf(sa),
    codes: codesOf(kid(material, 'code')),
    name: nameOf(material, textRef, narrative, null),
    posology: { text: posologyTextValue, structured },
    quantity: quantityOf(kid(quantitySupply, 'quantity')),
    substitution:
      substitutionCode === null
        ? null
        : { allowed: substitutionCode !== 'N', code: substitutionCode, reason: substitutionCode === 'N' ? narrative.text(refOf(kid(substitution, 'code'))) : null },
    renewals: num(attrOf(kid(sa, 'repeatNumber'), 'value')),
    ald: aldOf(sa),
  };
}

function readDispensedMedication(supply: Element, narrative: Narrative): ReadMedication {
  const textRef = refOf(kid(supply, 'text'));
  const material = path(supply, 'product', 'manufacturedProduct', 'manufacturedMaterial');
  const container = material === null ? null : firstChildElement(firstChildElement(firstChildElement(material, 'urn:ihe:pharm:medication', 'asContent') ?? material, 'urn:ihe:pharm:medication', 'containerPackagedMedicine') ?? material, 'urn:ihe:pharm:medication', 'code');
  const dosage = relationships(supply, 'COMP', 'substanceAdministration', ENTRIES.structuredDosage)[0] ?? null;
  const structured = dosage === null ? null : structuredOf(dosage, narrative);
  const substitution = relationships(supply, 'COMP', 'act', ENTRIES.substitutionAct[0])[0] ?? null;
  const reference = relationships(supply, 'REFR', 'substanceAdministration', ENTRIES.prescriptionReference[0])[0] ?? null;
  const code = attrOf(kid(substitution, 'code'), 'code');
  return {
    id: idOf(supply),
    codes: codesOf(kid(material, 'code'), container),
    name: nameOf(material, textRef, narrative, null),
    posology: { text: structured !== null ? structuredText(structured) : '', structured },
    quantity: quantityOf(kid(supply, 'quantity')),
    substitution: code === null ? null : { allowed: true, code, reason: narrative.text(refOf(kid(substitution, 'code'))) ?? attrOf(kid(substitution, 'code'), 'displayName') },
    renewals: null,
    ald: null,
    prescriptionLineId: reference === null ? null : idOf(reference),
  };
}

function readDevice(supply: Element, narrative: Narrative): ReadDevice {
  const textRef = refOf(kid(supply, 'text'));
  const device = path(kids(supply, 'participant').find((p) => p.getAttribute('typeCode') === 'DEV') ?? null, 'participantRole', 'playingDevice');
  const code = kid(device, 'code');
  const translationRef = kids(code ?? supply, 'translation').map((t) => narrative.text(refOf(t))).find((t) => t !== null) ?? null;
  const name = narrative.text(textRef) ?? narrative.text(refOf(code)) ?? translationRef ?? kids(code ?? supply, 'translation').map((t) => attrOf(t, 'displayName')).find((d) => d !== null) ?? attrOf(code, 'displayName') ?? '';
  return {
    id: idOf(supply),
    codes: codesOf(code),
    name,
    quantity: num(attrOf(kid(supply, 'quantity'), 'value')),
    renewals: num(attrOf(kid(supply, 'repeatNumber'), 'value')),
    ald: aldOf(supply),
  };
}

function sectionsOf(root: Element): Element[] {
  const body = path(root, 'component', 'structuredBody');
  if (body === null) return [];
  const out: Element[] = [];
  const visit = (parent: Element): void => {
    for (const component of kids(parent, 'component')) {
      const section = kid(component, 'section');
      if (section === null) continue;
      out.push(section);
      visit(section);
    }
  };
  visit(body);
  return out;
}

function authorOf(assigned: Element): NonNullable<ReadDocument['author']> {
  const name = path(assigned, 'assignedPerson', 'name');
  const given = name === null ? null : (kids(name, 'given').map((g) => textOf(g).trim()).find((g) => g !== '') ?? null);
  const family = name === null ? null : (kids(name, 'family').map((f) => textOf(f).trim()).find((f) => f !== '') ?? null);
  const code = kid(assigned, 'code');
  const organization = kid(assigned, 'representedOrganization');
  const software = kid(assigned, 'assignedAuthoringDevice');
  return {
    idNat: attrOf(kids(assigned, 'id')[0] ?? null, 'extension'),
    name: personNameOf(name) ?? (software === null ? null : textOf(kid(software, 'softwareName') ?? software).trim() || null),
    given,
    family,
    code: attrOf(code, 'code') === null ? null : { code: attrOf(code, 'code') as string, displayName: attrOf(code, 'displayName') },
    organization: organization === null ? null : { id: attrOf(kid(organization, 'id'), 'extension'), name: kid(organization, 'name') === null ? null : textOf(kid(organization, 'name') as Element).trim() },
  };
}

function personNameOf(name: Element | null): string | null {
  if (name === null) return null;
  const given = kids(name, 'given').filter((g) => !g.getAttribute('qualifier') || g.getAttribute('qualifier') === 'CL').map((g) => textOf(g).trim())[0] ?? kids(name, 'given').map((g) => textOf(g).trim())[0] ?? '';
  const family = kids(name, 'family').map((f) => textOf(f).trim())[0] ?? '';
  const text = `${given} ${family}`.trim();
  return text === '' ? null : text;
}

/** Reads an eP-MED-DM or eDISP-MED document. Throws ERX_DOCUMENT_UNREADABLE for anything else. */
export function readEprescriptionDocument(input: string | Uint8Array): ReadDocument {
  let root: Element;
  try {
    const doc = parseXml(input, { maxBytes: MAX_READ_BYTES });
    root = doc.documentElement as Element;
  } catch (error) {
    throw new AppError('ERX_DOCUMENT_UNREADABLE', { reason: 'xml' }, { cause: error });
  }
  if (root === null || root.namespaceURI !== HL7_NS || root.localName !== 'ClinicalDocument') throw new AppError('ERX_DOCUMENT_UNREADABLE', { reason: 'not-cda' });
  const docCode = attrOf(kid(root, 'code'), 'code');
  const kind: ReadDocument['kind'] | null =
    hasTemplate(root, TEMPLATES.epMedDm) || docCode === '57833-6' ? 'eP-MED-DM' : hasTemplate(root, TEMPLATES.eDispMed) || docCode === '60593-1' ? 'eDISP-MED' : null;
  if (kind === null) throw new AppError('ERX_DOCUMENT_UNREADABLE', { reason: 'profile', code: docCode ?? '' });

  const narrative = new Narrative(root);
  const sections = sectionsOf(root);
  const medications: ReadMedication[] = [];
  const devices: ReadDevice[] = [];
  for (const section of sections) {
    if (kind === 'eP-MED-DM' && hasTemplate(section, ...SECTIONS.medications.templates)) {
      for (const entry of kids(section, 'entry')) {
        const sa = kid(entry, 'substanceAdministration');
        if (sa !== null) medications.push(readPrescribedMedication(sa, narrative));
      }
    } else if (kind === 'eP-MED-DM' && hasTemplate(section, ...SECTIONS.devices.templates)) {
      for (const entry of kids(section, 'entry')) {
        const supply = kid(entry, 'supply');
        if (supply !== null) devices.push(readDevice(supply, narrative));
      }
    } else if (kind === 'eDISP-MED' && hasTemplate(section, ...SECTIONS.dispensed.templates)) {
      for (const entry of kids(section, 'entry')) {
        const supply = kid(entry, 'supply');
        if (supply !== null && hasTemplate(supply, ENTRIES.dispensed[2])) medications.push(readDispensedMedication(supply, narrative));
      }
    }
  }

  const serviceEvent = path(root, 'documentationOf', 'serviceEvent');
  const numberId =
    kind === 'eP-MED-DM'
      ? kids(root, 'documentationOf').map((d) => kid(kid(d, 'serviceEvent'), 'id')).find((id) => id !== null && id.getAttribute('root') === EPRESCRIPTION_NUMBER_ROOT)
      : kids(root, 'inFulfillmentOf').map((f) => kid(kid(f, 'order'), 'id')).find((id) => id !== null && id.getAttribute('root') === EPRESCRIPTION_NUMBER_ROOT);
  const patientRole = path(root, 'recordTarget', 'patientRole');
  const ins = kids(patientRole ?? root, 'id').find((id) => (id.getAttribute('root') ?? '').startsWith('1.2.250.1.213.1.4.'));
  const authorEl = path(root, 'author', 'assignedAuthor');
  const validity = kind === 'eP-MED-DM' ? kid(serviceEvent, 'effectiveTime') : null;
  return {
    kind,
    number: attrOf(numberId ?? null, 'extension'),
    documentId: idOf(root),
    title: kid(root, 'title') === null ? null : textOf(kid(root, 'title') as Element).trim() || null,
    effectiveTime: attrOf(kid(root, 'effectiveTime'), 'value'),
    author: authorEl === null ? null : authorOf(authorEl),
    patient: patientRole === null ? null : { name: personNameOf(path(patientRole, 'patient', 'name')), ins: attrOf(ins ?? null, 'extension'), birthDate: hl7Day(attrOf(path(patientRole, 'patient', 'birthTime'), 'value')) },
    validity: validity === null ? null : { from: hl7Day(attrOf(kid(validity, 'low'), 'value')), until: hl7Day(attrOf(kid(validity, 'high'), 'value')) },
    medications,
    devices,
  };
}

export { CODE_SYSTEMS };

/**
 * The key of each line of a prescription (medications then devices), as the base and the
 * dispensation refer to them: the entry id when the document gives every line its own, `ligne-N`
 * otherwise (the official examples give both medications the same id).
 */
export function lineKeysOf(document: Pick<ReadDocument, 'medications' | 'devices'>): string[] {
  const ids = [...document.medications.map((m) => m.id), ...document.devices.map((d) => d.id)];
  const unique = ids.every((id) => id !== null) && new Set(ids).size === ids.length;
  return ids.map((id, index) => (unique ? (id as string) : `ligne-${index + 1}`));
}
