/**
 * Use case: the prescriber validates a prescription. Its number is allocated (number.ts, modelled),
 * the paper ordonnance (PDF) and the eP-MED-DM copy are built, and in one transaction the
 * prescription, its registration job in the base (idempotency key: the number) and its DMP copy job
 * are written (ARCHITECTURE.md §5): a prescription written offline is registered when the network
 * comes back, exactly once.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract';
import type { LineInput } from '../../contract/domains/eprescription';
import { inTransaction } from '../../platform/db';
import { isAppError } from '../../contract/errors';
import { prescriberOf, requirePrescriber } from './card';
import { buildEpMedDm } from './cda/ep-med-dm';
import { CODE_SYSTEMS } from './cda/codes';
import { newOid } from './cda/parts';
import { livingPatient, type EprescriptionContext } from './context';
import type { DeviceLine, MedicationLine, Prescription, PrescriptionLine, ProductCode } from './model';
import { allocateNumber } from './number';
import { renderOrdonnancePdf } from './pdf/ordonnance';
import { qrPng } from './pdf/qr';
import { checkPosology, durationDays } from './posology';
import { ERX_REGISTER_QUEUE } from './queues';
import { prescriptionView } from './views';

export interface PrescribeInput {
  patientId: string;
  lines: LineInput[];
  consent: 'OUI' | 'NON';
  weightKg?: number | undefined;
  place?: string | undefined;
}

function invalid(field: string): AppError {
  return new AppError('ERX_PRESCRIPTION_INVALID', { field });
}

/** Codes a line may carry: CIS (8 digits), CIP13 (13 digits), UCD (7 or 13 digits), LPP (7 digits). */
function checkCodes(codes: readonly ProductCode[], field: string): ProductCode[] {
  return codes.map((c, i) => {
    const ok =
      (c.codeSystem === CODE_SYSTEMS.cis && /^\d{8}$/.test(c.code)) ||
      (c.codeSystem === CODE_SYSTEMS.cip && /^\d{13}$/.test(c.code)) ||
      (c.codeSystem === CODE_SYSTEMS.ucd && /^\d{7}(?:\d{6})?$/.test(c.code)) ||
      (c.codeSystem === CODE_SYSTEMS.lpp && /^\d{7}$/.test(c.code));
    if (!ok) throw invalid(`${field}.codes[${i}]`);
    return { code: c.code, codeSystem: c.codeSystem, system: c.system, ...(c.displayName === undefined ? {} : { displayName: c.displayName }) };
  });
}

function toLine(input: LineInput, index: number): PrescriptionLine {
  const field = `lines[${index}]`;
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length < 2) throw invalid(`${field}.name`);
  const id = randomUUID().toUpperCase();
  if (input.kind === 'device') {
    const line: DeviceLine = { kind: 'device', id, name, codes: checkCodes(input.codes, field), quantity: input.quantity, renewals: input.renewals, ald: input.ald };
    if (input.rentalDays !== undefined) line.rentalDays = input.rentalDays;
    return line;
  }
  checkPosology(input.posology, `${field}.posology`);
  const line: MedicationLine = {
    kind: 'medication',
    id,
    name,
    codes: checkCodes(input.codes, field),
    posology: input.posology.kind === 'text' ? { kind: 'text', text: input.posology.text.trim() } : { ...input.posology },
    renewals: input.renewals,
    substitution: input.substitution,
    ald: input.ald,
  };
  if (input.boxes !== undefined) line.boxes = input.boxes;
  const patientInstructions = input.patientInstructions?.trim();
  if (patientInstructions) line.patientInstructions = patientInstructions;
  const dispenserInstructions = input.dispenserInstructions?.trim();
  if (dispenserInstructions) line.dispenserInstructions = dispenserInstructions;
  return line;
}

/** yyyy-MM-dd of an instant in France (the date written on the ordonnance). */
export function frenchDay(epochMs: number): string {
  return new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(epochMs));
}

function addDays(isoDay: string, days: number): string {
  const date = new Date(`${isoDay}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * Validity of the prescription (serviceEvent effectiveTime, mandatory in eP-MED-DM): from the day
 * it is written, at least three months (first presentation of most medicines, CSP R5132-22), as
 * long as the treatment with its renewals lasts, at most twelve months (CSP R5123-2).
 */
export function validityUntil(validFrom: string, lines: readonly PrescriptionLine[]): string {
  let days = 91;
  for (const line of lines) {
    if (line.kind === 'medication' && line.posology.kind === 'structured') days = Math.max(days, durationDays(line.posology.duration) * (1 + line.renewals));
    if (line.kind === 'device' && line.rentalDays !== undefined) days = Math.max(days, line.rentalDays * (1 + line.renewals));
  }
  return addDays(validFrom, Math.min(days, 365) - 1);
}

/** « Fait à … »: the town of the practice's address (last line, without the postcode). */
export function placeFrom(address: string): string {
  const last = address.split(/\n/).map((l) => l.trim()).filter((l) => l !== '').pop() ?? '';
  return last.replace(/^\d{5}\s+/, '').trim();
}

export async function prescribe(ctx: EprescriptionContext, input: PrescribeInput, actor: string) {
  const session = requirePrescriber(ctx);
  const prescriber = prescriberOf(ctx, session);
  const patient = livingPatient(ctx, input.patientId, actor);
  const lines = input.lines.map(toLine);
  const now = ctx.clock.now();
  const validFrom = frenchDay(now);
  let number = allocateNumber();
  while (ctx.store.numberTaken(number)) number = allocateNumber();
  const { qualified, ...patientData } = patient;
  const prescription: Prescription = {
    number,
    createdAt: new Date(now).toISOString(),
    validFrom,
    validUntil: validityUntil(validFrom, lines),
    prescriber,
    patient: {
      ...patientData,
      ins: qualified ? patientData.ins : null,
      ...(input.weightKg === undefined ? {} : { weightKg: input.weightKg }),
    },
    lines,
    consent: input.consent,
    place: input.place?.trim() || placeFrom(prescriber.structure.address) || prescriber.structure.name,
  };

  const pdf = await renderOrdonnancePdf(prescription, 'A4');
  const png = await qrPng(number);
  const documentId = newOid();
  const cda = Buffer.from(
    buildEpMedDm({ prescription, pdf, qrPng: png, documentId, setId: newOid(), localPatientRoot: `${ctx.settings().lpsOid}.1` }),
    'utf8',
  );

  const environment = ctx.environment();
  inTransaction(ctx.db, () => {
    ctx.store.insertPrescription({ number, environment, patientId: input.patientId, createdAt: prescription.createdAt, actor, content: prescription, cdaId: documentId, cda, pdf });
    const job =
      ctx.outbox?.enqueue<{ number: string }>(ERX_REGISTER_QUEUE, {
        idempotencyKey: number,
        serialKey: `erx:${number}`,
        payload: { number },
        subject: { patientId: input.patientId, label: `Ordonnance numérique (${lines.length} ligne${lines.length > 1 ? 's' : ''})`, ref: number },
      }) ?? null;
    let dmpUniqueId: string | null = null;
    let dmpSkipped: string | null = null;
    if (!qualified || patientData.ins === null) dmpSkipped = 'Identité du patient non qualifiée : la copie n’est pas envoyée au DMP (qualifiez l’INS puis renvoyez-la depuis le DMP).';
    else if (ctx.dmp === undefined) dmpSkipped = 'L’envoi au DMP n’est pas disponible sur ce poste.';
    else {
      try {
        dmpUniqueId = ctx.dmp.queueCda(input.patientId, cda, `ordonnance-${number}.xml`, actor).uniqueId;
      } catch (error) {
        // The prescription stands without its DMP copy; the reason is shown to the prescriber.
        if (!isAppError(error)) throw error;
        dmpSkipped = error.message;
      }
    }
    ctx.store.setJobs(number, { jobId: job?.id ?? null, dmpUniqueId, dmpSkipped });
    ctx.audit({ actor, patientRef: input.patientId, action: 'eprescription.prescribed', details: { number, lines: lines.length, dmp: dmpUniqueId !== null } });
  });
  ctx.logger.info('eprescription.prescribed', { lines: lines.length });
  ctx.notify?.('eprescription.changed', { number, patientId: input.patientId, reason: 'prescribed' });
  ctx.outbox?.wake(ERX_REGISTER_QUEUE);
  const row = ctx.store.prescription(number, environment);
  if (row === null) throw new AppError('ERX_NOT_FOUND');
  return prescriptionView(ctx, row);
}
