/**
 * Contract handlers of the scan domain, and the doctor check of the scanners. `scan.submit` is
 * the door for renderer-side sources (keyboard wedge, webcam) and the Démo panel; the INS
 * datamatrix of a scan opens its patient through the patients service (audited there and here).
 */
import { AppError } from '../../contract';
import type { InsDatamatrixIdentity } from '../../contract/domains/scan';
import type { AuditWriter } from '../../services/audit';
import { DatamatrixPayloadError, readInsDatamatrix } from '../../services/identity';
import type { PatientsService } from '../../services/patients';
import { scannerStatus, udevInstallCommand, type ScanPipeline, type UdevRuleLocation } from '../../services/scan';
import type { DoctorCheck } from '../doctor';
import type { HandlerMap } from '../rpc';

export interface ScanHandlerDeps {
  scan: ScanPipeline;
  patients: PatientsService;
  audit: AuditWriter;
  actor: () => string;
  environment: () => string;
  udev: () => UdevRuleLocation | null;
}

type DifferingTrait = 'birthName' | 'birthGivenNames' | 'sex' | 'birthDate' | 'birthPlaceCode';

/** Takes an INS datamatrix scan and finds the patient holding that INS (matricule and OID). */
export function openInsDatamatrixScan(deps: ScanHandlerDeps, scanId: string): { identity: InsDatamatrixIdentity; patientId: string | null; differingTraits: DifferingTrait[] } {
  const taken = deps.scan.takePayload(scanId, { kind: 'ins-datamatrix', requireTrusted: true });
  let read;
  try {
    read = readInsDatamatrix(taken.payload);
  } catch (error) {
    if (error instanceof DatamatrixPayloadError) throw new AppError('SCAN_INS_DATAMATRIX_INVALID', undefined, { cause: error });
    throw error;
  } finally {
    taken.payload.fill(0);
  }
  const identity: InsDatamatrixIdentity = {
    matricule: read.matricule,
    oid: read.oid,
    birthName: read.birthName,
    birthGivenNames: read.birthGivenNames,
    sex: read.sex,
    birthDate: read.birthDate,
    birthPlaceCode: read.birthPlaceCode,
  };
  const actor = deps.actor();
  let patientId: string | null = null;
  let differingTraits: DifferingTrait[] = [];
  for (const candidate of deps.patients.search({ nir: identity.matricule, limit: 20 }, actor).results) {
    const { patient } = deps.patients.get(candidate.id, actor);
    if (patient.identity.ins?.matricule !== identity.matricule || patient.identity.ins.oid !== identity.oid) continue;
    patientId = patient.id;
    const traits = patient.strictTraits;
    const checks: Array<[DifferingTrait, boolean]> = [
      ['birthName', traits.birthName === identity.birthName],
      ['birthGivenNames', traits.birthGivenNames === identity.birthGivenNames],
      ['sex', traits.sex === identity.sex],
      ['birthDate', traits.birthDate.date === identity.birthDate],
      ['birthPlaceCode', identity.birthPlaceCode === null || traits.birthPlaceCode === identity.birthPlaceCode],
    ];
    differingTraits = checks.filter(([, same]) => !same).map(([name]) => name);
    break;
  }
  deps.audit({
    actor,
    patientRef: patientId,
    action: 'scan.ins-datamatrix.open',
    details: { source: taken.source, found: patientId !== null, differingTraits: differingTraits.length },
  });
  return { identity, patientId, differingTraits };
}

export function createScanHandlers(deps: ScanHandlerDeps): HandlerMap {
  return {
    'scan.submit': async (params) => {
      if (params.source === 'demo' && deps.environment() !== 'demo') throw new AppError('DEMO_ONLY');
      const payload = Buffer.from(params.payloadBase64, 'base64');
      return deps.scan.receive({
        source: params.source,
        symbology: params.symbology,
        aim: params.aim,
        payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength),
        trusted: params.trusted,
        trustNote: params.trustNote,
        alternative: params.alternativeBase64 === null ? null : Uint8Array.from(Buffer.from(params.alternativeBase64, 'base64')),
        device: params.device,
        clientRef: params.clientRef,
      });
    },
    'scan.scanners': async () => scannerStatus(deps.scan, deps.udev()),
    'scan.insDatamatrix.open': async ({ scanId }) => openInsDatamatrixScan(deps, scanId),
  };
}

export function scanDoctorCheck(scan: ScanPipeline, udev: () => UdevRuleLocation | null, ensureStarted: () => Promise<void>): DoctorCheck {
  return {
    id: 'scanners',
    label: 'Douchettes HID-POS et lecteurs sans contact',
    run: async () => {
      await ensureStarted();
      const scanners = scan.registry.list();
      const denied = scanners.filter((s) => s.state === 'permission-denied');
      const broken = scanners.filter((s) => s.state === 'error');
      const detail =
        scanners.length === 0
          ? 'aucune douchette HID-POS branchée (une douchette en mode clavier n’est pas listée : elle fonctionne sans réglage)'
          : scanners.map((s) => `${s.label} : ${s.mode}, ${s.state === 'ready' ? 'prête' : s.state === 'permission-denied' ? 'accès refusé' : 'ne s’ouvre pas'}`).join(' ; ');
      const rule = udev();
      if (denied.length > 0) {
        return {
          status: 'error',
          detail,
          next: rule === null ? 'Installez la règle udev de Pupitre (dossier build/udev) puis rebranchez la douchette.' : `Installez la règle udev de Pupitre, puis rebranchez la douchette : ${udevInstallCommand(rule)}`,
        };
      }
      if (broken.length > 0) return { status: 'warn', detail, next: broken[0]?.next ?? '' };
      return { status: 'ok', detail };
    },
  };
}
