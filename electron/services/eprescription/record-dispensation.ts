/**
 * Use case: the pharmacist records what was delivered, line by line — as prescribed, substituted by
 * a generic (with the delivered CIP13), quantity adapted, or not delivered with a reason. A line
 * cannot be delivered more often than the prescription allows (1 + renewals); a prescription fully
 * delivered (or cancelled) cannot be dispensed again. The dispensation, its execution job in the
 * base (idempotency key: its id, serialised per prescription) and, when the pharmacist chooses, its
 * eDISP-MED copy for the DMP are written in one transaction; they leave when the network allows.
 */
import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../contract/errors';
import { inTransaction } from '../../platform/db';
import { professionalOf, requirePharmacist } from './card';
import { buildEDispMed, type DispensedItem } from './cda/edisp-med';
import { newOid } from './cda/parts';
import { livingPatient, type EprescriptionContext } from './context';
import { dispensationState, dispensationView } from './dispensation-view';
import type { DispensationCompleteness, DispensedLine, LineOutcome } from './model';
import { normalizeNumber } from './number';
import { ERX_EXECUTE_QUEUE } from './queues';

export interface RecordDispensationInput {
  number: string;
  lines: Array<{ lineId: string; outcome: LineOutcome }>;
  sendToDmp: boolean;
  patientId?: string | undefined;
}

function invalid(line: number, reason: string): AppError {
  return new AppError('ERX_DISPENSATION_INVALID', { line: line + 1, reason });
}

function checkOutcome(outcome: LineOutcome, index: number, substitutable: boolean): LineOutcome {
  switch (outcome.kind) {
    case 'delivered':
      return outcome;
    case 'substituted': {
      if (!substitutable) throw invalid(index, 'non-substituable');
      if (!/^\d{13}$/.test(outcome.cip13)) throw invalid(index, 'cip13');
      const name = outcome.name.trim();
      if (name.length < 2) throw invalid(index, 'libelle');
      return { kind: 'substituted', cip13: outcome.cip13, name };
    }
    case 'adapted': {
      const reason = outcome.reason.trim();
      if (reason.length < 3) throw invalid(index, 'motif');
      return { kind: 'adapted', quantity: outcome.quantity, reason };
    }
    case 'not-delivered': {
      const reason = outcome.reason.trim();
      if (reason.length < 3) throw invalid(index, 'motif');
      return { kind: 'not-delivered', reason };
    }
  }
}

/**
 * A record the pharmacist chose must be the prescription's patient: the dispensation is kept under
 * it and its eDISP-MED copy goes to its DMP. With an INS in the prescription, the record must hold
 * that INS, qualified; without one, the birth date must at least agree. A homonym's record opened
 * by mistake would otherwise receive another person's dispensation (référentiel INS: health data
 * are exchanged under the INS of the person they concern). Without a chosen record, the patient is
 * the one record qualified with the prescription's INS, or none.
 */
function requirePrescriptionPatient(ctx: EprescriptionContext, patientId: string, prescribed: { ins: string | null; birthDate: string | null } | null, actor: string) {
  const patient = livingPatient(ctx, patientId, actor);
  const ins = prescribed?.ins ?? null;
  const birthDate = prescribed?.birthDate ?? null;
  if (ins !== null) {
    if (!patient.qualified || patient.ins?.matricule !== ins) throw new AppError('ERX_PATIENT_MISMATCH', { reason: 'ins' });
  } else if (birthDate !== null && patient.birthDate !== birthDate) {
    throw new AppError('ERX_PATIENT_MISMATCH', { reason: 'birth-date' });
  }
  return patient;
}

export async function recordDispensation(ctx: EprescriptionContext, input: RecordDispensationInput, actor: string) {
  const session = requirePharmacist(ctx);
  const number = normalizeNumber(input.number);
  if (number === null) throw new AppError('ERX_NUMBER_INVALID');
  const state = dispensationState(ctx, number);
  if (state.status === 'annulée') throw new AppError('ERX_CANCELLED');
  if (state.status === 'dispensée') throw new AppError('ERX_ALREADY_DISPENSED');

  const seen = new Set<string>();
  const lines: DispensedLine[] = input.lines.map((entry, index) => {
    const line = state.lines.find((l) => l.key === entry.lineId);
    if (line === undefined) throw invalid(index, 'ligne-inconnue');
    if (seen.has(entry.lineId)) throw invalid(index, 'ligne-en-double');
    seen.add(entry.lineId);
    const outcome = checkOutcome(entry.outcome, index, line.kind === 'medication' && line.substitutable);
    if (outcome.kind !== 'not-delivered' && line.remaining === 0) throw new AppError('ERX_LINE_EXHAUSTED', { line: index + 1 });
    return { lineId: entry.lineId, outcome };
  });
  if (!lines.some((l) => l.outcome.kind !== 'not-delivered')) throw new AppError('ERX_NOTHING_DELIVERED');

  // JDV_CompletudeDispensation_CISIS: first or next dispensation; complete when every line still
  // deliverable is delivered now.
  const first = state.executions.length === 0;
  const complete = state.lines.filter((l) => l.remaining > 0).every((l) => lines.some((d) => d.lineId === l.key && d.outcome.kind !== 'not-delivered'));
  const completeness: DispensationCompleteness = `${first ? 'F' : 'R'}F${complete ? 'C' : 'P'}` as DispensationCompleteness;

  const id = randomUUID().toUpperCase();
  const at = ctx.now();
  const pharmacist = professionalOf(session);
  const environment = ctx.environment();
  const insMatricule = state.document.patient?.ins ?? null;
  // The chosen record, read (and audited) once: checked here, reused for the DMP copy below.
  const chosen = input.patientId === undefined ? null : requirePrescriptionPatient(ctx, input.patientId, state.document.patient, actor);
  const patientId = input.patientId ?? (insMatricule === null ? null : ctx.patients.findQualifiedByIns(insMatricule, actor));

  // The eDISP-MED copy (built before the transaction: it only reads).
  let edisp: Buffer | null = null;
  let edispSkipped: string | null = null;
  if (!input.sendToDmp) edispSkipped = 'Copie au DMP non demandée.';
  else if (patientId === null) edispSkipped = 'Patient introuvable sur ce poste avec une identité qualifiée (INS) : ouvrez ou créez sa fiche pour envoyer la dispensation à son DMP.';
  else if (ctx.dmp === undefined) edispSkipped = 'L’envoi au DMP n’est pas disponible sur ce poste.';
  else {
    const patient = chosen ?? ctx.patients.get(patientId, actor);
    if (!patient.qualified || patient.ins === null) edispSkipped = 'Identité du patient non qualifiée : la dispensation n’est pas envoyée au DMP.';
    else {
      const author = state.document.author;
      const items: DispensedItem[] = lines.map((l) => {
        const line = state.lines.find((x) => x.key === l.lineId);
        return {
          lineId: l.lineId,
          prescribed: { name: line?.name ?? '', codes: (line?.codes ?? []).map((c) => ({ code: c.code, codeSystem: c.codeSystem, system: c.system ?? '', ...(c.displayName === null ? {} : { displayName: c.displayName }) })), boxes: line?.boxes ?? null },
          outcome: l.outcome,
        };
      });
      const { qualified: _qualified, ...patientData } = patient;
      edisp = Buffer.from(
        buildEDispMed({
          dispensationId: id,
          at,
          completeness,
          number,
          prescriptionDocumentId: state.document.documentId,
          prescribedAt: state.document.effectiveTime === null ? null : state.document.effectiveTime,
          prescriber: {
            idNat: author?.idNat ?? '',
            givenName: author?.given ?? '',
            surname: author?.family ?? author?.name ?? 'Prescripteur',
            code: author?.code === null || author?.code === undefined ? null : { code: author.code.code, displayName: author.code.displayName ?? author.code.code },
            structure: author?.organization?.id && author.organization.name ? { id: author.organization.id, name: author.organization.name } : null,
          },
          pharmacist,
          patient: patientData,
          items,
          documentId: newOid(),
          setId: newOid(),
          localPatientRoot: `${ctx.settings().lpsOid}.1`,
        }),
        'utf8',
      );
    }
  }

  inTransaction(ctx.db, () => {
    ctx.store.insertDispensation(environment, {
      id,
      number,
      recordedAt: at,
      actor,
      pharmacist: { idNat: session.holder.idNat, name: `${session.holder.givenName} ${session.holder.surname}` },
      completeness,
      lines,
      patientId,
    });
    const job =
      ctx.outbox?.enqueue<{ dispensationId: string }>(ERX_EXECUTE_QUEUE, {
        idempotencyKey: id,
        serialKey: `erx:${number}`,
        payload: { dispensationId: id },
        subject: { ...(patientId === null ? {} : { patientId }), label: `Délivrance d’ordonnance numérique (${lines.length} ligne${lines.length > 1 ? 's' : ''})`, ref: number },
      }) ?? null;
    let edispUniqueId: string | null = null;
    if (edisp !== null && patientId !== null && ctx.dmp !== undefined) {
      try {
        edispUniqueId = ctx.dmp.queueCda(patientId, edisp, `dispensation-${number}.xml`, actor).uniqueId;
      } catch (error) {
        if (!isAppError(error)) throw error;
        edispSkipped = error.message;
      }
    }
    ctx.store.setDispensationJobs(id, { jobId: job?.id ?? null, edispUniqueId, edispSkipped });
    ctx.audit({ actor, patientRef: patientId, action: 'eprescription.dispensed', details: { number, dispensationId: id, completeness, lines: lines.length } });
  });
  ctx.logger.info('eprescription.dispensed', { completeness, lines: lines.length });
  ctx.notify?.('eprescription.changed', { number, patientId, reason: 'dispensed' });
  ctx.outbox?.wake(ERX_EXECUTE_QUEUE);
  return dispensationView(ctx, number, 'copie locale');
}
