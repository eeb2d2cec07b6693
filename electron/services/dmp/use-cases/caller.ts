/**
 * Who calls the DMP and about whom: the card session or the structure certificate, the patient's
 * qualified INS, the purpose of use (bris de glace audited), and whether a failure means the DMP
 * could not be reached.
 */
import { AppError, isAppError } from '../../../contract/errors';
import { isTransportError } from '../../../platform/http';
import { DmpError, type DmpCallContext } from '../client';
import type { PurposeOfUse } from '../codes';
import type { VihfSubject } from '../vihf';
import type { XdsAuthor } from '../xds';
import type { Caller, DmpAccess, DmpPatient, DmpPractitioner } from '../types';
import type { DmpContext } from './context';

export type QualifiedPatient = DmpPatient & { ins: { matricule: string; oid: string } };

function subjectOf(p: DmpPractitioner): VihfSubject {
  const subject: VihfSubject = {
    idNat: p.idNat,
    name: `${p.givenName} ${p.surname}`,
    // JDV_J65 SubjectRole: non-PS staff (CPE) as SECRETARIAT_MEDICAL (dmp.md §1.3).
    profession:
      p.profession === null
        ? { code: 'SECRETARIAT_MEDICAL', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'Secrétariat médical' }
        : { code: p.profession.code, codeSystem: '1.2.250.1.71.1.2.7', displayName: p.profession.label },
    structureId: p.structure.id,
    activitySector: p.structure.activitySector,
  };
  if (p.specialty !== null) subject.specialty = { code: p.specialty.code, codeSystem: '1.2.250.1.71.4.2.5', displayName: p.specialty.label };
  return subject;
}

/** The card session (direct mode); the structure certificate only where allowed (`indirect`). */
export function callerOf(ctx: DmpContext, purposeOfUse: PurposeOfUse, treatingDoctor: boolean, options: { indirectAuthor?: XdsAuthor } = {}): Caller | null {
  const { deps } = ctx;
  const practitioner = deps.practitioner();
  if (practitioner !== null) {
    return {
      credentials: { mode: 'DIRECTE', subject: subjectOf(practitioner), signer: practitioner.signer, http: deps.http('CPS') },
      actor: { credential: practitioner.cardType, profession: practitioner.profession?.code ?? null, treatingDoctor, purposeOfUse },
      idNat: practitioner.idNat,
      structureId: practitioner.structure.id,
    };
  }
  const structure = options.indirectAuthor === undefined ? null : (deps.structure?.() ?? null);
  if (structure !== null && options.indirectAuthor !== undefined) {
    const author = options.indirectAuthor;
    const subject: VihfSubject = {
      idNat: author.idNat,
      name: [author.given, author.family].filter(Boolean).join(' '),
      profession: author.role === undefined ? { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' } : { code: author.role.code.replace(/^G15_/, ''), codeSystem: '1.2.250.1.71.1.2.7', displayName: author.role.displayName },
      structureId: structure.id,
      activitySector: structure.activitySector,
    };
    return {
      credentials: { mode: 'INDIRECTE', subject, signer: structure.signer, http: deps.http('STRUCTURE') },
      actor: { credential: 'STRUCTURE', profession: null, treatingDoctor: false, purposeOfUse },
      idNat: author.idNat,
      structureId: structure.id,
    };
  }
  return null;
}

export function requireCaller(ctx: DmpContext, purposeOfUse: PurposeOfUse, treatingDoctor = false): Caller {
  const caller = callerOf(ctx, purposeOfUse, treatingDoctor);
  if (caller === null) throw new DmpError('DMP_CARD_REQUIRED', false, false);
  return caller;
}

export function qualifiedPatient(ctx: DmpContext, patientId: string): QualifiedPatient {
  const patient = ctx.deps.patient(patientId);
  // RNIV / référentiel INS: health data is exchanged only with a qualified INS (status QUAL).
  if (patient.status !== 'QUAL' || patient.ins === null) throw new AppError('DMP_INS_NOT_QUALIFIED');
  return patient as QualifiedPatient;
}

/** The key of an INS (matricule and OID) the DMP list kept here is recorded under. */
export function insKeyOf(ins: { matricule: string; oid: string }): string {
  return `${ins.matricule}|${ins.oid}`;
}

export function checkAccess(ctx: DmpContext, access: DmpAccess | undefined, patientId: string, actor: string): PurposeOfUse {
  const purpose = access?.purposeOfUse ?? 'normal';
  if (purpose !== 'normal') {
    const reason = access?.reason?.trim() ?? '';
    if (reason.length < 3) throw new AppError('DMP_BREAK_GLASS_REASON_REQUIRED');
    // The reason is kept locally, in the audit trail (never sent, never logged).
    ctx.deps.audit({ actor, patientRef: patientId, action: 'dmp.emergency-access', details: { purposeOfUse: purpose, reason } });
  }
  return purpose;
}

export function callContext(caller: Caller, patient: { matricule: string; oid: string }, purposeOfUse: PurposeOfUse): DmpCallContext {
  return { credentials: caller.credentials, patient, purposeOfUse };
}

/**
 * The DMP could not be reached (network down, service unavailable, no answer in time): for a read,
 * the caller shows what is known locally; nothing is resent later, the user asks again.
 */
export function isUnreachable(error: unknown): boolean {
  if (isTransportError(error)) return error.retryable || error.outcomeUnknown || error.code === 'TRANSPORT_TIMEOUT';
  return isAppError(error) && error.code === 'DMP_UNAVAILABLE';
}
