/**
 * The prescription as the pharmacist sees it: the lines read from the eP-MED-DM the base gave (any
 * software's), each with its posology in plain French and what is left to deliver (1 + renewals,
 * minus the deliveries the base knows and those recorded here and not yet transmitted), the
 * dispensations so far with their transmission state, and whether another one is possible.
 */
import { AppError } from '../../contract';
import type { DispensationView } from '../../contract/domains/eprescription';
import { lineKeysOf, readEprescriptionDocument, type ReadDocument } from './cda/read';
import { CODE_SYSTEMS, EDQM_BOX } from './cda/codes';
import type { EprescriptionContext } from './context';
import type { BaseStatus, DispensedLine } from './model';
import { formatNumber } from './number';
import type { DispensationRow, ReceivedRow } from './store';
import type { Execution } from './teleservice/wire';
import { dmpState, jobState } from './views';

export interface DispensationLineState {
  key: string;
  kind: 'medication' | 'device';
  name: string;
  codes: ReadDocument['medications'][number]['codes'];
  posology: string;
  quantity: string | null;
  /** Number of boxes prescribed (FR-Quantite-de-produit in boxes), for the dispensation document. */
  boxes: number | null;
  renewals: number;
  substitutable: boolean;
  nonSubstitution: string | null;
  delivered: number;
  remaining: number;
  ald: boolean;
}

export interface DispensationState {
  document: ReadDocument;
  received: ReceivedRow;
  lines: DispensationLineState[];
  local: DispensationRow[];
  /** Base executions and local ones not yet known to the base, in order. */
  executions: Array<Execution & { local: DispensationRow | null }>;
  status: BaseStatus;
}

const delivers = (line: DispensedLine): boolean => line.outcome.kind !== 'not-delivered';

function quantityText(q: ReadDocument['medications'][number]['quantity']): string | null {
  if (q === null) return null;
  if (q.unit === EDQM_BOX.code) return `${q.value} ${q.value > 1 ? 'boîtes' : 'boîte'}`;
  return `${q.value}${q.unitLabel === null ? '' : ` ${q.unitLabel.toLowerCase()}${q.value > 1 ? 's' : ''}`}`;
}

export function dispensationState(ctx: EprescriptionContext, number: string): DispensationState {
  const environment = ctx.environment();
  const received = ctx.store.received(environment, number);
  if (received === null) throw new AppError('ERX_NOT_FOUND');
  const document = readEprescriptionDocument(received.document);
  const keys = lineKeysOf(document);
  const local = ctx.store.dispensations(environment, number);
  const known = new Set(received.executions.map((e) => e.id));
  const executions: DispensationState['executions'] = [
    ...received.executions.map((e) => ({ ...e, local: local.find((l) => l.id === e.id) ?? null })),
    ...local
      .filter((l) => !known.has(l.id))
      .map((l) => ({ id: l.id, at: l.recordedAt, completeness: l.completeness, by: l.pharmacist.idNat, lines: l.lines, local: l })),
  ];
  const deliveredCount = (key: string): number => executions.reduce((n, e) => n + e.lines.filter((l) => l.lineId === key && delivers(l)).length, 0);
  const lines: DispensationLineState[] = [
    ...document.medications.map((m, i) => {
      const key = keys[i] as string;
      const renewals = m.renewals ?? 0;
      const delivered = deliveredCount(key);
      const boxes = m.quantity !== null && (m.quantity.unit === EDQM_BOX.code || m.quantity.unit === null) ? m.quantity.value : null;
      return {
        key,
        kind: 'medication' as const,
        name: m.name,
        codes: m.codes,
        posology: m.posology.text,
        quantity: quantityText(m.quantity),
        boxes,
        renewals,
        substitutable: m.substitution?.allowed ?? true,
        nonSubstitution: m.substitution !== null && !m.substitution.allowed ? (m.substitution.reason ?? 'Non substituable') : null,
        delivered,
        remaining: Math.max(0, 1 + renewals - delivered),
        ald: m.ald ?? false,
      };
    }),
    ...document.devices.map((d, i) => {
      const key = keys[document.medications.length + i] as string;
      const renewals = d.renewals ?? 0;
      const delivered = deliveredCount(key);
      return {
        key,
        kind: 'device' as const,
        name: d.name,
        codes: d.codes,
        posology: '',
        quantity: d.quantity === null ? null : String(d.quantity),
        boxes: d.quantity,
        renewals,
        substitutable: false,
        nonSubstitution: null,
        delivered,
        remaining: Math.max(0, 1 + renewals - delivered),
        ald: d.ald ?? false,
      };
    }),
  ];
  let status: BaseStatus;
  if (received.status === 'annulée') status = 'annulée';
  else if (lines.every((l) => l.delivered === 0)) status = 'non dispensée';
  else status = lines.every((l) => l.remaining === 0) ? 'dispensée' : 'partiellement dispensée';
  return { document, received, lines, local, executions, status };
}

export function dispensationView(ctx: EprescriptionContext, number: string, source: 'base' | 'copie locale'): DispensationView {
  const state = dispensationState(ctx, number);
  const { document } = state;
  return {
    number,
    numberText: formatNumber(number),
    status: state.status,
    source,
    fetchedAt: state.received.fetchedAt,
    prescriber: { name: document.author?.name ?? 'Prescripteur non précisé', idNat: document.author?.idNat ?? '', specialty: document.author?.code?.displayName ?? null },
    patient: { name: document.patient?.name ?? 'Patient non précisé', birthDate: document.patient?.birthDate ?? null, ins: (document.patient?.ins ?? null) !== null },
    createdAt: document.effectiveTime,
    validUntil: document.validity?.until ?? null,
    lines: state.lines.map((l) => ({
      id: l.key,
      kind: l.kind,
      name: l.name,
      codes: l.codes.map((c) => ({ code: c.code, codeSystem: c.codeSystem, system: c.system ?? (c.codeSystem === CODE_SYSTEMS.cis ? 'CIS' : ''), ...(c.displayName === null ? {} : { displayName: c.displayName }) })),
      posology: l.posology,
      quantity: l.quantity,
      renewals: l.renewals,
      substitutable: l.substitutable,
      nonSubstitution: l.nonSubstitution,
      delivered: l.delivered,
      remaining: l.remaining,
      ald: l.ald,
    })),
    dispensations: state.executions.map((e) => {
      const row = e.local;
      const job = row?.executionJobId ? (ctx.outbox?.get(row.executionJobId) ?? null) : null;
      return {
        id: e.id,
        recordedAt: e.at,
        pharmacist: row?.pharmacist.name ?? e.by,
        completeness: e.completeness,
        lines: e.lines,
        execution: row === null ? { state: 'done' as const, message: null, jobId: null } : jobState(job, row.executedAt !== null || state.received.executions.some((x) => x.id === e.id)),
        dmp: row === null ? { state: 'not-sent' as const, message: 'Délivrance enregistrée par une autre pharmacie.', jobId: null } : dmpState(ctx, row.patientId, row.edispUniqueId, row.edispSkipped),
        local: row !== null,
      };
    }),
    canDispense: state.status !== 'dispensée' && state.status !== 'annulée',
  };
}
