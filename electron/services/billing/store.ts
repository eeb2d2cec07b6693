/**
 * Named prepared statements over the billing tables (STYLE.md: SQL next to the service that owns
 * the tables, never built by concatenation) and the typed rows they return.
 */
import type { Db } from '../../platform/db';

export interface SessionRow {
  id: string;
  practitioner: string;
  id_nat: string;
  practitioner_name: string;
  specialty: string;
  convention_sector: string;
  mode: 'online' | 'offline';
  place: 'cabinet' | 'domicile' | 'centre';
  status: 'open' | 'closed';
  session_date: string;
  opened_at: number;
  closed_at: number | null;
}

export interface InvoiceRow {
  id: string;
  practitioner: string;
  number: number;
  session_id: string;
  state: 'reserved' | 'abandoned' | 'validated' | 'cancelled';
  reserved_at: number;
  reserved_by: string;
  created_at: number | null;
  patient_id: string | null;
  care_date: string | null;
  first_care_date: string | null;
  securing: 'vitale' | 'apcv' | 'degradee' | null;
  mode: 'direct' | 'tiers-payant' | null;
  coverage: string | null;
  kind: 'fse' | 'fse-degradee' | null;
  regime: string | null;
  caisse: string | null;
  centre: string | null;
  deadline: string | null;
  total_cents: number | null;
  amo_cents: number | null;
  patient_cents: number | null;
  content: string | null;
  encoded: Buffer | null;
  encoding: string | null;
  cps_signature: Buffer | null;
  cps_certificate: string | null;
  vitale_signature: Buffer | null;
  vitale_kind: string | null;
  lot_id: string | null;
  paper_duplicate_at: number | null;
  paper_duplicate_sent_at: number | null;
  payment_status: 'P' | 'C' | 'R' | 'A' | null;
  payment_label: string | null;
  payment_cents: number | null;
  payment_at: number | null;
  retention_until: string | null;
  purged_at: number | null;
}

/** An invoice row with its lot's number, state and first sending day (views). */
export interface InvoiceWithLotRow extends InvoiceRow {
  lot_number: number | null;
  lot_state: LotRow['state'] | null;
  lot_first_sent_on: string | null;
}

export interface LotRow {
  id: string;
  practitioner: string;
  number: number;
  session_id: string | null;
  regime: string;
  caisse: string;
  centre: string;
  kind: 'fse' | 'fse-degradee';
  state: 'to_send' | 'sent' | 'acknowledged' | 'refused' | 'resent' | 'paper_duplicate';
  invoice_count: number;
  total_cents: number;
  deadline: string;
  created_at: number;
  first_sent_on: string | null;
  acknowledged_on: string | null;
  updated_at: number;
}

export interface EmissionRow {
  lot_id: string;
  emission: 1 | 2;
  job_id: string | null;
  queued_at: number;
  sent_at: number | null;
  sent_on: string | null;
  arl_positive: 0 | 1 | null;
  arl_at: number | null;
  arl_label: string | null;
  arl_return_id: string | null;
}

export interface MailboxRow {
  practitioner: string;
  cursor: string | null;
  fetched_at: number | null;
  error_code: string | null;
}

const INVOICE_WITH_LOT = `
  SELECT i.*, l.number AS lot_number, l.state AS lot_state, l.first_sent_on AS lot_first_sent_on
  FROM billing_invoice i LEFT JOIN billing_lot l ON l.id = i.lot_id`;

export function createBillingStore(db: Db) {
  return {
    // --- numbering -------------------------------------------------------------------------------
    /** Next number of a kind for a practitioner; only inside the transaction that uses it. */
    nextNumber: db
      .prepare<{ practitioner: string; kind: 'invoice' | 'lot' }, { last: number }>(
        `INSERT INTO billing_counter (practitioner, kind, last) VALUES (@practitioner, @kind, 1)
         ON CONFLICT (practitioner, kind) DO UPDATE SET last = last + 1
         RETURNING last`,
      ),

    // --- sessions --------------------------------------------------------------------------------
    insertSession: db.prepare(
      `INSERT INTO billing_session (id, practitioner, id_nat, practitioner_name, specialty, convention_sector, mode, place, status, session_date, opened_at)
       VALUES (@id, @practitioner, @idNat, @name, @specialty, @sector, @mode, @place, 'open', @date, @now)`,
    ),
    session: db.prepare<[string], SessionRow>('SELECT * FROM billing_session WHERE id = ?'),
    openSessionOf: db.prepare<[string], SessionRow>(`SELECT * FROM billing_session WHERE id_nat = ? AND status = 'open'`),
    /** The IdNat of the first card that billed under a numéro AM (the one it belongs to). */
    holderOfNumber: db.prepare<[string], { id_nat: string }>('SELECT id_nat FROM billing_session WHERE practitioner = ? ORDER BY opened_at, rowid LIMIT 1'),
    openSessions: db.prepare<[], SessionRow>(`SELECT * FROM billing_session WHERE status = 'open' ORDER BY opened_at`),
    sessions: db.prepare<[number], SessionRow>('SELECT * FROM billing_session ORDER BY opened_at DESC LIMIT ?'),
    setSessionMode: db.prepare<{ id: string; mode: string }>(`UPDATE billing_session SET mode = @mode WHERE id = @id AND status = 'open'`),
    closeSession: db.prepare<{ id: string; now: number }>(`UPDATE billing_session SET status = 'closed', closed_at = @now WHERE id = @id AND status = 'open'`),
    sessionTotals: db.prepare<[string], { n: number; total: number | null; amo: number | null; patient: number | null }>(
      `SELECT count(*) AS n, sum(total_cents) AS total, sum(amo_cents) AS amo, sum(patient_cents) AS patient
       FROM billing_invoice WHERE session_id = ? AND state = 'validated'`,
    ),

    // --- invoices --------------------------------------------------------------------------------
    reserveInvoice: db.prepare(
      `INSERT INTO billing_invoice (id, practitioner, number, session_id, state, reserved_at, reserved_by)
       VALUES (@id, @practitioner, @number, @sessionId, 'reserved', @now, @worker)`,
    ),
    validateInvoice: db.prepare(
      `UPDATE billing_invoice SET state = 'validated', created_at = @now, patient_id = @patientId, care_date = @careDate,
         first_care_date = @firstCareDate, securing = @securing, mode = @mode, coverage = @coverage, kind = @kind,
         regime = @regime, caisse = @caisse, centre = @centre, deadline = @deadline, total_cents = @total,
         amo_cents = @amo, patient_cents = @patient, content = @content, encoded = @encoded, encoding = @encoding,
         cps_signature = @cpsSignature, cps_certificate = @cpsCertificate, vitale_signature = @vitaleSignature,
         vitale_kind = @vitaleKind
       WHERE id = @id AND state = 'reserved'`,
    ),
    abandonInvoice: db.prepare<{ id: string }>(`UPDATE billing_invoice SET state = 'abandoned' WHERE id = @id AND state = 'reserved'`),
    staleReservations: db.prepare<[number], InvoiceRow>(`SELECT * FROM billing_invoice WHERE state = 'reserved' AND reserved_at < ?`),
    cancelInvoice: db.prepare<{ id: string }>(`UPDATE billing_invoice SET state = 'cancelled' WHERE id = @id AND state = 'validated' AND lot_id IS NULL`),
    invoice: db.prepare<[string], InvoiceWithLotRow>(`${INVOICE_WITH_LOT} WHERE i.id = ?`),
    invoiceByNumber: db.prepare<[string, number], InvoiceRow>('SELECT * FROM billing_invoice WHERE practitioner = ? AND number = ?'),
    invoicesOfSession: db.prepare<[string, number], InvoiceWithLotRow>(`${INVOICE_WITH_LOT} WHERE i.session_id = ? AND i.state IN ('validated', 'cancelled') ORDER BY i.number DESC LIMIT ?`),
    invoicesOfLot: db.prepare<[string, number], InvoiceWithLotRow>(`${INVOICE_WITH_LOT} WHERE i.lot_id = ? ORDER BY i.number LIMIT ?`),
    paperDuplicates: db.prepare<[number], InvoiceWithLotRow>(
      `${INVOICE_WITH_LOT} WHERE i.paper_duplicate_at IS NOT NULL ORDER BY i.paper_duplicate_sent_at IS NOT NULL, i.number LIMIT ?`,
    ),
    recentInvoices: db.prepare<[number], InvoiceWithLotRow>(`${INVOICE_WITH_LOT} WHERE i.state IN ('validated', 'cancelled') ORDER BY i.created_at DESC, i.number DESC LIMIT ?`),
    /** Invoices whose lot has not left yet (no lot, or a lot still to send): the deadline list. */
    untransmitted: db.prepare<[], InvoiceWithLotRow>(
      `${INVOICE_WITH_LOT} WHERE i.state = 'validated' AND (i.lot_id IS NULL OR l.first_sent_on IS NULL) ORDER BY i.deadline, i.number`,
    ),
    unlottedOfSession: db.prepare<[string], InvoiceRow>(`SELECT * FROM billing_invoice WHERE session_id = ? AND state = 'validated' AND lot_id IS NULL ORDER BY number`),
    unlottedDueBy: db.prepare<[string], InvoiceRow>(`SELECT * FROM billing_invoice WHERE state = 'validated' AND lot_id IS NULL AND deadline <= ? ORDER BY number`),
    setInvoiceLot: db.prepare<{ id: string; lotId: string }>(`UPDATE billing_invoice SET lot_id = @lotId WHERE id = @id AND state = 'validated' AND lot_id IS NULL`),
    lotInvoicesForSending: db.prepare<[string], Pick<InvoiceRow, 'number' | 'encoded' | 'cps_signature' | 'cps_certificate' | 'vitale_signature' | 'vitale_kind' | 'purged_at'>>(
      `SELECT number, encoded, cps_signature, cps_certificate, vitale_signature, vitale_kind, purged_at FROM billing_invoice WHERE lot_id = ? ORDER BY number`,
    ),
    setRetentionOfLot: db.prepare<{ lotId: string; until: string }>(`UPDATE billing_invoice SET retention_until = @until WHERE lot_id = @lotId AND retention_until IS NULL`),
    flagPaperDuplicates: db.prepare<{ lotId: string; now: number }>(`UPDATE billing_invoice SET paper_duplicate_at = @now WHERE lot_id = @lotId AND paper_duplicate_at IS NULL`),
    markPaperDuplicateSent: db.prepare<{ id: string; now: number; until: string }>(
      `UPDATE billing_invoice SET paper_duplicate_sent_at = @now, retention_until = coalesce(retention_until, @until)
       WHERE id = @id AND paper_duplicate_at IS NOT NULL AND paper_duplicate_sent_at IS NULL`,
    ),
    setPayment: db.prepare<{ id: string; status: string; label: string; cents: number | null; at: number }>(
      `UPDATE billing_invoice SET payment_status = @status, payment_label = @label, payment_cents = @cents, payment_at = @at WHERE id = @id`,
    ),
    purgeInvoices: db.prepare<{ today: string; now: number }>(
      `UPDATE billing_invoice SET encoded = NULL, cps_signature = NULL, vitale_signature = NULL, purged_at = @now
       WHERE purged_at IS NULL AND retention_until IS NOT NULL AND retention_until <= @today`,
    ),

    // --- lots ------------------------------------------------------------------------------------
    insertLot: db.prepare(
      `INSERT INTO billing_lot (id, practitioner, number, session_id, regime, caisse, centre, kind, state, invoice_count, total_cents, deadline, created_at, updated_at)
       VALUES (@id, @practitioner, @number, @sessionId, @regime, @caisse, @centre, @kind, 'to_send', @count, @total, @deadline, @now, @now)`,
    ),
    lot: db.prepare<[string], LotRow>('SELECT * FROM billing_lot WHERE id = ?'),
    lotByNumber: db.prepare<[string, number], LotRow>('SELECT * FROM billing_lot WHERE practitioner = ? AND number = ?'),
    lots: db.prepare<[number], LotRow>('SELECT * FROM billing_lot ORDER BY created_at DESC, number DESC LIMIT ?'),
    lotsInState: db.prepare<[string, number], LotRow>('SELECT * FROM billing_lot WHERE state = ? ORDER BY created_at DESC, number DESC LIMIT ?'),
    lotsAwaitingArl: db.prepare<[], LotRow>(`SELECT * FROM billing_lot WHERE state IN ('sent', 'resent', 'refused') ORDER BY number`),
    lotCounts: db.prepare<[], { state: LotRow['state']; n: number }>('SELECT state, count(*) AS n FROM billing_lot GROUP BY state'),
    setLotState: db.prepare<{ id: string; state: string; now: number }>('UPDATE billing_lot SET state = @state, updated_at = @now WHERE id = @id'),
    setLotFirstSent: db.prepare<{ id: string; on: string; now: number }>('UPDATE billing_lot SET first_sent_on = coalesce(first_sent_on, @on), updated_at = @now WHERE id = @id'),
    setLotAcknowledged: db.prepare<{ id: string; on: string; now: number }>(
      `UPDATE billing_lot SET state = 'acknowledged', acknowledged_on = @on, updated_at = @now WHERE id = @id`,
    ),
    /** Tiers-payant invoices acknowledged whose payment return has not come yet. */
    awaitingPayments: db.prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM billing_invoice i JOIN billing_lot l ON l.id = i.lot_id
       WHERE l.state = 'acknowledged' AND i.mode = 'tiers-payant' AND i.payment_status IS NULL`,
    ),
    practitionersWithLots: db.prepare<[], { practitioner: string }>(`SELECT DISTINCT practitioner FROM billing_lot`),

    // --- emissions -------------------------------------------------------------------------------
    insertEmission: db.prepare<{ lotId: string; emission: number; now: number }>(
      `INSERT INTO billing_emission (lot_id, emission, queued_at) VALUES (@lotId, @emission, @now)`,
    ),
    setEmissionJob: db.prepare<{ lotId: string; emission: number; jobId: string }>('UPDATE billing_emission SET job_id = @jobId WHERE lot_id = @lotId AND emission = @emission'),
    emission: db.prepare<[string, number], EmissionRow>('SELECT * FROM billing_emission WHERE lot_id = ? AND emission = ?'),
    unreadableReturnsOfLot: db.prepare<[string, number], { n: number }>(
      `SELECT count(*) AS n FROM billing_return WHERE practitioner = ? AND lot_number = ? AND kind = 'unreadable'`,
    ),
    emissionsOf: db.prepare<[string], EmissionRow>('SELECT * FROM billing_emission WHERE lot_id = ? ORDER BY emission'),
    markEmissionSent: db.prepare<{ lotId: string; emission: number; at: number; on: string }>(
      'UPDATE billing_emission SET sent_at = @at, sent_on = @on WHERE lot_id = @lotId AND emission = @emission AND sent_at IS NULL',
    ),
    emissionsSentSince: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM billing_emission WHERE sent_at >= ?'),
    emissionsWaiting: db.prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM billing_emission e JOIN billing_lot l ON l.id = e.lot_id
       WHERE e.sent_at IS NULL AND l.state NOT IN ('acknowledged', 'paper_duplicate')`,
    ),
    setEmissionArl: db.prepare<{ lotId: string; emission: number; positive: number; at: number; label: string; returnId: string }>(
      `UPDATE billing_emission SET arl_positive = @positive, arl_at = @at, arl_label = @label, arl_return_id = @returnId
       WHERE lot_id = @lotId AND emission = @emission`,
    ),

    // --- returns ---------------------------------------------------------------------------------
    insertReturn: db.prepare<{ id: string; practitioner: string; kind: string; lot: number | null; invoice: number | null; now: number; payload: string; matched: number }>(
      `INSERT OR IGNORE INTO billing_return (id, practitioner, kind, lot_number, invoice_number, received_at, payload, matched)
       VALUES (@id, @practitioner, @kind, @lot, @invoice, @now, @payload, @matched)`,
    ),
    setReturnMatched: db.prepare<{ id: string; matched: number; until: string | null }>('UPDATE billing_return SET matched = @matched, retention_until = coalesce(@until, retention_until) WHERE id = @id'),
    setReturnsRetentionOfLot: db.prepare<{ practitioner: string; lot: number; until: string }>(
      `UPDATE billing_return SET retention_until = @until WHERE practitioner = @practitioner AND lot_number = @lot AND retention_until IS NULL`,
    ),
    purgeReturns: db.prepare<{ today: string; now: number }>(
      `UPDATE billing_return SET payload = NULL, purged_at = @now WHERE purged_at IS NULL AND retention_until IS NOT NULL AND retention_until <= @today`,
    ),
    mailbox: db.prepare<[string], MailboxRow>('SELECT * FROM billing_mailbox WHERE practitioner = ?'),
    mailboxes: db.prepare<[], MailboxRow>('SELECT * FROM billing_mailbox ORDER BY fetched_at DESC'),
    saveMailbox: db.prepare<{ practitioner: string; cursor: string | null; now: number; error: string | null }>(
      `INSERT INTO billing_mailbox (practitioner, cursor, fetched_at, error_code) VALUES (@practitioner, @cursor, @now, @error)
       ON CONFLICT (practitioner) DO UPDATE SET cursor = coalesce(excluded.cursor, cursor), fetched_at = excluded.fetched_at, error_code = excluded.error_code`,
    ),
  };
}

export type BillingStore = ReturnType<typeof createBillingStore>;
