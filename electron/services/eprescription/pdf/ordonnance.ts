/**
 * The paper ordonnance numérique as a PDF (pdf-lib), in A4 or A5, with every mention of the
 * Assurance Maladie facsimile (research wave2.md §3, presentation to health centres, February 2025),
 * top to bottom:
 * - prescriber block: name, specialty, structure, address, telephone, « N° RPPS », « N° AM »;
 * - patient block: name, birth date, weight when given;
 * - place and date;
 * - the lines: product with its code, dose, route, conditions, maximum per day, duration (the
 *   posology in plain French), quantity, renewals, « non substituable » with its mention, ALD;
 * - the patient's answer (OUI/NON) on the prescriber consulting what was delivered;
 * - the fixed text on the prescription data sent to the Assurance Maladie and where to exercise
 *   one's rights (ameli.fr) — the exact official wording is in the CNAM specification (modelled);
 * - the QR code bottom left and, in plain text, « e-prescription N° » and the number.
 *
 * The QR code is drawn as vector modules (crisp at any printer resolution). Standard fonts
 * (Helvetica, WinAnsi): characters outside WinAnsi are replaced so that no text makes printing fail.
 * The output is deterministic for a given prescription (dates from the prescription).
 */
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { NON_SUBSTITUTION_LABELS, type Prescription, type PrescriptionLine } from '../model';
import { formatNumber, qrPayloadOf } from '../number';
import { posologyText } from '../posology';
import { qrModules } from './qr';

export type PaperFormat = 'A4' | 'A5';

const SIZES: Record<PaperFormat, [number, number]> = { A4: [595.28, 841.89], A5: [419.53, 595.28] };

/** The fixed sentences (modelled wording: the official text is in the CNAM specification). */
export const FIXED_DATA_SENTENCE =
  'Les données de cette prescription sont transmises par voie électronique à l’Assurance Maladie, qui les traite pour l’exercice de ses missions. ' +
  'Pour en savoir plus et exercer vos droits sur vos données : ameli.fr.';
export const CONSENT_QUESTION = 'J’accepte que mon prescripteur consulte les informations de délivrance de cette ordonnance :';

interface Layout {
  width: number;
  height: number;
  margin: number;
  /** Base font size. */
  size: number;
  qr: number;
}

function layoutOf(format: PaperFormat): Layout {
  const [width, height] = SIZES[format];
  return format === 'A4' ? { width, height, margin: 42, size: 10, qr: 96 } : { width, height, margin: 28, size: 8.5, qr: 78 };
}

const characterSets = new WeakMap<PDFFont, Set<number>>();

/** Text the standard font can encode (WinAnsi); other characters become « ? ». */
function encodable(font: PDFFont, text: string): string {
  let supported = characterSets.get(font);
  if (supported === undefined) {
    supported = new Set(font.getCharacterSet());
    characterSets.set(font, supported);
  }
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\n' || ch === '\t') out += ' ';
    else out += supported.has(code) ? ch : '?';
  }
  return out;
}

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\n/)) {
    let current = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) current = candidate;
      else {
        if (current !== '') lines.push(current);
        // A word longer than the line (a long code) is cut.
        let rest = word;
        while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
          let cut = rest.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
          lines.push(rest.slice(0, cut));
          rest = rest.slice(cut);
        }
        current = rest;
      }
    }
    lines.push(current);
  }
  return lines;
}

function frDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

/** The lines of one prescription line as printed. */
export function lineTexts(line: PrescriptionLine, index: number): { title: string; details: string[] } {
  const codes = line.codes.map((c) => `${c.system} ${c.code}`).join(' · ');
  const title = `${index + 1}. ${line.name}${codes === '' ? '' : ` (${codes})`}`;
  const details: string[] = [];
  if (line.kind === 'medication') {
    details.push(posologyText(line.posology));
    const extra: string[] = [];
    if (line.boxes !== undefined) extra.push(`Quantité : ${line.boxes} ${line.boxes > 1 ? 'boîtes' : 'boîte'}`);
    extra.push(line.renewals > 0 ? `À renouveler ${line.renewals} fois` : 'Non renouvelable');
    if (!line.substitution.allowed) extra.push(`NON SUBSTITUABLE (${line.substitution.reason}) — ${NON_SUBSTITUTION_LABELS[line.substitution.reason]}`);
    if (line.ald) extra.push('En rapport avec une affection de longue durée (ALD)');
    details.push(extra.join(' · '));
    if (line.patientInstructions) details.push(`Conseil : ${line.patientInstructions}`);
    if (line.dispenserInstructions) details.push(`Pour le pharmacien : ${line.dispenserInstructions}`);
  } else {
    const extra = [`Quantité : ${line.quantity}`];
    if (line.rentalDays !== undefined) extra.push(`Location : ${line.rentalDays} jours`);
    extra.push(line.renewals > 0 ? `À renouveler ${line.renewals} fois` : 'Non renouvelable');
    if (line.ald) extra.push('En rapport avec une affection de longue durée (ALD)');
    details.push(extra.join(' · '));
  }
  return { title, details };
}

function prescriberLines(p: Prescription['prescriber']): string[] {
  const title = p.profession?.code === '10' ? 'Dr ' : '';
  const specialty = [p.profession?.label, p.specialty?.label].filter((s): s is string => s !== undefined && s !== '').join(' — ');
  return [
    `${title}${p.givenName} ${p.surname}`,
    ...(specialty === '' ? [] : [specialty]),
    p.structure.name,
    ...p.structure.address.split(/\n/).map((l) => l.trim()).filter((l) => l !== ''),
    ...(p.structure.phone === '' ? [] : [`Tél. ${p.structure.phone}`]),
    `N° RPPS : ${p.rpps ?? p.idNat}`,
    `N° AM : ${p.amNumber}`,
  ];
}

function patientLines(patient: Prescription['patient']): string[] {
  const civility = patient.sex === 'F' ? 'Mme' : 'M.';
  const name = patient.usedName ?? patient.birthName;
  const first = patient.usedGivenName ?? patient.firstNames.split(/\s+/)[0] ?? '';
  const lines = [`${civility} ${name} ${first}`];
  if (patient.usedName !== null && patient.usedName !== patient.birthName) lines.push(`Né(e) ${patient.birthName}`);
  lines.push(`Né(e) le ${frDate(patient.birthDate)}`);
  if (patient.weightKg !== undefined) lines.push(`Poids : ${patient.weightKg.toLocaleString('fr-FR')} kg`);
  return lines;
}

/** Renders the ordonnance; the same prescription always gives the same bytes. */
export async function renderOrdonnancePdf(prescription: Prescription, format: PaperFormat = 'A4'): Promise<Uint8Array> {
  const layout = layoutOf(format);
  const doc = await PDFDocument.create();
  const created = new Date(prescription.createdAt);
  doc.setTitle('Ordonnance numérique');
  doc.setCreator('Pupitre');
  doc.setProducer('Pupitre (pdf-lib)');
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const modules = qrModules(qrPayloadOf(prescription.number));
  const { width, height, margin, size } = layout;
  const textWidth = width - 2 * margin;
  const footerHeight = layout.qr + 4 * size + 10;

  const pages: PDFPage[] = [];
  let page = doc.addPage([width, height]);
  pages.push(page);
  let y = height - margin;

  const write = (text: string, options: { font?: PDFFont; size?: number; x?: number; maxWidth?: number; color?: [number, number, number] } = {}): void => {
    const font = options.font ?? regular;
    const s = options.size ?? size;
    const x = options.x ?? margin;
    for (const line of wrap(font, encodable(font, text), s, options.maxWidth ?? textWidth - (x - margin))) {
      if (y - s < margin + footerHeight) newPage();
      page.drawText(line, { x, y: y - s, size: s, font, color: rgb(...(options.color ?? [0, 0, 0])) });
      y -= s * 1.3;
    }
  };
  const newPage = (): void => {
    page = doc.addPage([width, height]);
    pages.push(page);
    y = height - margin;
    write(`Ordonnance n° ${formatNumber(prescription.number)} (suite)`, { font: bold, size: size * 0.9 });
    y -= size * 0.5;
  };

  // Prescriber (left) and patient (right) blocks, side by side.
  const top = y;
  const columnWidth = textWidth / 2 - 6;
  for (const [index, line] of prescriberLines(prescription.prescriber).entries()) {
    write(line, { font: index === 0 ? bold : regular, size: index === 0 ? size * 1.2 : size, maxWidth: columnWidth });
  }
  const leftBottom = y;
  y = top;
  for (const [index, line] of patientLines(prescription.patient).entries()) {
    write(line, { font: index === 0 ? bold : regular, size: index === 0 ? size * 1.1 : size, x: margin + textWidth / 2 + 6, maxWidth: columnWidth });
  }
  y = Math.min(leftBottom, y) - size;
  write(`Fait à ${prescription.place}, le ${frDate(prescription.validFrom)}`, { x: margin + textWidth / 2 + 6, maxWidth: columnWidth });
  y -= size * 0.8;
  page.drawLine({ start: { x: margin, y }, end: { x: width - margin, y }, thickness: 0.6, color: rgb(0.4, 0.4, 0.4) });
  y -= size;
  write('Ordonnance', { font: bold, size: size * 1.3 });
  y -= size * 0.4;

  for (const [index, line] of prescription.lines.entries()) {
    const { title, details } = lineTexts(line, index);
    write(title, { font: bold });
    for (const detail of details) write(detail, { x: margin + 12 });
    y -= size * 0.6;
  }

  // Consent, signature, fixed sentence.
  y -= size * 0.4;
  const yes = prescription.consent === 'OUI';
  write(`${CONSENT_QUESTION}  ${yes ? '[X] OUI   [ ] NON' : '[ ] OUI   [X] NON'}`);
  y -= size * 0.5;
  write('Signature du prescripteur :', { x: margin + textWidth / 2 + 6 });
  y -= size * 3;

  // Footer of every page: QR code bottom left, the number in plain text, the fixed sentence.
  for (const [index, p] of pages.entries()) {
    const qrSide = layout.qr;
    const module = qrSide / (modules.size + 8);
    const originX = margin;
    const originY = margin;
    p.drawRectangle({ x: originX, y: originY, width: qrSide, height: qrSide, color: rgb(1, 1, 1) });
    for (let my = 0; my < modules.size; my++) {
      for (let mx = 0; mx < modules.size; mx++) {
        if (!modules.dark(mx, my)) continue;
        p.drawRectangle({ x: originX + (mx + 4) * module, y: originY + qrSide - (my + 5) * module, width: module, height: module, color: rgb(0, 0, 0) });
      }
    }
    const textX = originX + qrSide + 10;
    const numberLine = encodable(bold, `e-prescription N° ${formatNumber(prescription.number)}`);
    p.drawText(numberLine, { x: textX, y: originY + qrSide - size * 1.2, size: size * 1.1, font: bold });
    let fy = originY + qrSide - size * 2.8;
    for (const line of wrap(regular, encodable(regular, FIXED_DATA_SENTENCE), size * 0.8, width - margin - textX)) {
      p.drawText(line, { x: textX, y: fy, size: size * 0.8, font: regular, color: rgb(0.2, 0.2, 0.2) });
      fy -= size;
    }
    if (pages.length > 1) p.drawText(`Page ${index + 1}/${pages.length}`, { x: width - margin - size * 5, y: originY, size: size * 0.8, font: regular });
  }
  return doc.save({ useObjectStreams: false });
}
