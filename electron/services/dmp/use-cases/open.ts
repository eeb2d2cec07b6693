/**
 * Opening a patient's DMP: status without a click (TD0.2), then the document list kept in sync with
 * the ANS "sans clic" procedure — first search limited to two years and the preferred types, then
 * only what changed since the last call (TD3.1). While the DMP cannot be reached, what is known
 * here. Every exchange is in the audit trail.
 */
import { performance } from 'node:perf_hooks';
import { AppError, isAppError } from '../../../contract/errors';
import { inTransaction } from '../../../platform/db';
import { recordAfterRollback } from '../../audit';
import { documentType, LOINC_OID } from '../../cda';
import { hl7Ts, type DmpCallContext } from '../client';
import { ASSOCIATION, patientCx, type PurposeOfUse } from '../codes';
import { findDocuments, findSubmissionSets, getAssociations, getDocumentsAndAssociations } from '../iti18';
import { isAllowed, type DmpActor } from '../rights';
import type { DmpStatus } from '../td02';
import type { Caller, DmpAccess } from '../types';
import type { DocumentEntry } from '../xds';
import { callContext, checkAccess, insKeyOf, isUnreachable, qualifiedPatient, requireCaller } from './caller';
import type { DmpContext } from './context';
import { rightsView } from './rights';
import { documentViews } from './views';

/** First automatic search: at most two years back (ANS "Exemples d'usages DMP", dmp.md §6). */
const FIRST_SEARCH_YEARS = 2;
/** GetDocumentsAndAssociations batch size (same source: 20, configurable). */
const BATCH = 20;

export async function openDmp(ctx: DmpContext, patientId: string, options: { access?: DmpAccess; widen?: boolean }, actorName: string) {
  const { deps, store, client } = ctx;
  await ctx.ready();
  const patient = qualifiedPatient(ctx, patientId);
  // What is kept here belongs to the INS it was fetched under. Another one (or a list kept before
  // the INS was recorded with it) is never shown and is replaced by a first search (identity safety).
  const insKey = insKeyOf(patient.ins);
  const known = store.state(patientId);
  const stale = known.insKey !== insKey;
  const purpose = checkAccess(ctx, options.access, patientId, actorName);
  const caller = requireCaller(ctx, purpose);
  const call = callContext(caller, patient.ins, purpose);
  const at = ctx.now();
  const td02Entry = { actor: actorName, patientRef: patientId, action: 'dmp.td02', details: { purposeOfUse: purpose } };
  let status: DmpStatus;
  try {
    status = await client.td02(call);
  } catch (error) {
    deps.audit(td02Entry);
    // The DMP cannot be reached: the panel keeps working on what is known here (issue 13).
    if (isUnreachable(error)) return offlineView(ctx, patientId, caller, purpose, stale ? null : known);
    throw error;
  }
  const actor: DmpActor = { ...caller.actor, treatingDoctor: status.treatingDoctor };
  const settings = deps.settings();
  const previous = stale ? null : known.lastCallAt;
  const firstSearch = previous === null || options.widen === true;
  const filter = {
    since: firstSearch && options.widen !== true ? new Date(deps.clock.now() - FIRST_SEARCH_YEARS * 365.25 * 86_400_000).toISOString() : null,
    typeCodes: firstSearch && options.widen !== true ? settings.preferredTypeCodes : [],
    widened: options.widen === true,
  };
  let listed = false;
  let listError: { code: string; message: string } | null = null;
  let newCount = 0;
  let searched = false;
  let found: Found | null = null;
  const td31Entry = () => ({ actor: actorName, patientRef: patientId, action: 'dmp.td31', details: { purposeOfUse: purpose, mode: firstSearch ? 'first' : 'changes', newCount } });
  /** The exchanges' entries without what they taught (an unexpected error stops the opening). */
  const recordExchangesAlone = (): void => recordAfterRollback(deps.db, deps.audit, searched ? [td02Entry, td31Entry()] : [td02Entry]);
  const consult = isAllowed('TD3.1', actor);
  if (status.existence === 'absent') listError = { code: 'DMP_NOT_FOUND', message: new AppError('DMP_NOT_FOUND').message };
  else if (status.existence === 'closed') listError = { code: 'DMP_CLOSED', message: new AppError('DMP_CLOSED').message };
  else if (!consult.allowed) listError = { code: 'DMP_FORBIDDEN_BY_RIGHTS', message: consult.reason };
  else if (purpose === 'normal' && status.authorisation !== 'VALIDE') {
    listError = { code: 'DMP_NOT_AUTHORIZED', message: new AppError('DMP_NOT_AUTHORIZED').message };
  } else {
    searched = true;
    try {
      found = firstSearch ? await firstSearchOf(ctx, call, patient.ins, filter) : await changesSince(ctx, call, patient.ins, previous as string);
    } catch (error) {
      if (!isAppError(error)) {
        recordExchangesAlone();
        throw error;
      }
      // A read is never « renvoyée »: the list waits for the service, the known documents stay.
      listError = isUnreachable(error) ? { code: 'DMP_OFFLINE_READ', message: new AppError('DMP_OFFLINE_READ').message } : { code: error.code, message: error.message };
    }
  }
  // What the opening learnt (status, documents, time of the call) and its exchanges' audit entries
  // in one commit: one synchronous write of the journal on the critical path instead of one per
  // step and per entry (issue 15). An opening stopped before it (the process killed mid-search)
  // kept and showed nothing, and has no entry here; the DMP's own access history has the exchange.
  const written = performance.now();
  try {
    inTransaction(deps.db, () => {
      // A list of another INS goes whole (putStatus drops it); one kept without its INS keeps the
      // entries found again.
      if (stale && known.insKey === null && found !== null) store.adoptList(patientId, insKey, found.uniqueIds);
      store.putStatus(patientId, status, at, insKey);
      if (found !== null) {
        newCount = found.write(patientId, at);
        store.putLastCall(patientId, at, insKey);
        listed = true;
      }
      deps.audit(td02Entry);
      if (searched) deps.audit(td31Entry());
    });
  } catch (error) {
    // Rolled back: what the opening learnt is not kept, its exchanges are still in the trail, and
    // the search's entry says that no new document was kept.
    newCount = 0;
    recordExchangesAlone();
    throw error;
  }
  deps.trace?.('db', performance.now() - written);
  ctx.logger.info('dmp.opened', { existence: status.existence, authorisation: status.authorisation, listed, newCount });
  deps.notify?.('dmp.changed', { patientId, reason: 'opened' });
  return {
    status: { ...status, checkedAt: at },
    rights: rightsView(actor),
    documents: documentViews(ctx, patientId, caller),
    newCount,
    filter,
    lastCallAt: listed ? at : previous,
    listed,
    listError,
    offline: null,
  };
}

/**
 * The panel of a patient while the DMP cannot be reached: the last known status (with the time it
 * was checked), the documents already listed here, the rights of the card in the reader (sending
 * goes through the outbox and waits for the service), and nothing invented.
 */
function offlineView(ctx: DmpContext, patientId: string, caller: Caller, purposeOfUse: PurposeOfUse, kept: ReturnType<DmpContext['store']['state']> | null) {
  // `kept` is null when what is kept belongs to another INS: nothing of it is shown (the patients
  // service drops such a list).
  const state = kept ?? { status: null, lastCallAt: null };
  const actor: DmpActor = { ...caller.actor, treatingDoctor: state.status?.treatingDoctor ?? false, purposeOfUse };
  ctx.logger.info('dmp.opened_offline', { known: state.status !== null });
  return {
    status: state.status,
    rights: rightsView(actor),
    documents: kept === null ? [] : documentViews(ctx, patientId, caller),
    newCount: 0,
    filter: { since: null, typeCodes: [], widened: false },
    lastCallAt: state.lastCallAt,
    listed: state.lastCallAt !== null,
    listError: { code: 'DMP_OFFLINE_READ', message: new AppError('DMP_OFFLINE_READ').message },
    offline: { lastCheckedAt: state.status?.checkedAt ?? null },
  };
}

/**
 * The code system of a document type (JDV_J07 mixes LOINC and ASIP-Santé codes: « ATTEST-HEBGT »
 * is 1.2.250.1.213.1.1.4.12); LOINC for a code the list does not hold.
 */
function typeCodeSystem(code: string): string {
  return documentType(code)?.codeSystem ?? LOINC_OID;
}

/** What a search found: its entries' ids, and their writing into the opening's transaction (returns how many are new here). */
interface Found {
  uniqueIds: ReadonlySet<string>;
  write(patientId: string, at: string): number;
}

async function firstSearchOf(ctx: DmpContext, call: DmpCallContext, ins: { matricule: string; oid: string }, filter: { since: string | null; typeCodes: string[] }): Promise<Found> {
  const result = await ctx.client.query(
    call,
    findDocuments(patientCx(ins.matricule, ins.oid), {
      statuses: ['Approved'],
      ...(filter.since === null ? {} : { serviceStartFrom: hl7Ts(Date.parse(filter.since)) }),
      ...(filter.typeCodes.length === 0 ? {} : { typeCodes: filter.typeCodes.map((code) => ({ code, codeSystem: typeCodeSystem(code) })) }),
    }),
  );
  return {
    uniqueIds: new Set(result.documents.map((entry) => entry.uniqueId)),
    write: (patientId, at) => {
      let fresh = 0;
      for (const entry of result.documents) if (ctx.store.upsertDocument(patientId, entry, at, false)) fresh++;
      return fresh;
    },
  };
}

/**
 * Later visits: FindSubmissionSets since the last call → GetAssociations → the documents they
 * touch, in batches (ANS "Exemples d'usages DMP": RPLC → the replaced one is Deprecated; same
 * logicalId → metadata change; otherwise new). Deduplicated by uniqueId.
 */
async function changesSince(ctx: DmpContext, call: DmpCallContext, ins: { matricule: string; oid: string }, since: string): Promise<Found> {
  const { client, store } = ctx;
  const sets = await client.query(call, findSubmissionSets(patientCx(ins.matricule, ins.oid), hl7Ts(Date.parse(since))));
  if (sets.submissionSets.length === 0) return { uniqueIds: new Set(), write: () => 0 };
  const associations = await client.query(call, getAssociations(sets.submissionSets.map((s) => s.entryUuid)));
  const targets = [
    ...new Set(
      associations.associations
        .filter((a) => a.type === ASSOCIATION.hasMember || a.type === ASSOCIATION.updateAvailabilityStatus)
        .map((a) => a.target)
        .filter((t) => t.startsWith('urn:uuid:')),
    ),
  ];
  const entries: DocumentEntry[] = [];
  const replaced: string[] = [];
  for (let i = 0; i < targets.length; i += BATCH) {
    const batch = await client.query(call, getDocumentsAndAssociations(targets.slice(i, i + BATCH)));
    entries.push(...batch.documents);
    replaced.push(...batch.associations.filter((a) => a.type === ASSOCIATION.replace).map((a) => a.target));
  }
  const write = (patientId: string, at: string): number => {
    let fresh = 0;
    for (const entry of entries) {
      const known = store.uniqueIdForLogicalId(patientId, entry.logicalId);
      if (known !== null && known !== entry.uniqueId) continue;
      if (store.upsertDocument(patientId, entry, at, false)) fresh++;
    }
    for (const stored of store.documents(patientId)) {
      if (replaced.includes(stored.entry.entryUuid) && stored.entry.status === 'Approved') {
        store.upsertDocument(patientId, { ...stored.entry, status: 'Deprecated' }, at, stored.seen);
      }
    }
    return fresh;
  };
  return { uniqueIds: new Set(entries.map((entry) => entry.uniqueId)), write };
}
