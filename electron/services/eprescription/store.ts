/** SQL of prescriptions, received prescriptions and dispensations (tables in schema.ts). */
import type { Environment } from '../../contract';
import type { Db } from '../../platform/db';
import type { DispensationCompleteness, DispensedLine, Prescription } from './model';
import type { Execution } from './teleservice/wire';

export interface PrescriptionRow {
  number: string;
  environment: Environment;
  patientId: string;
  createdAt: string;
  actor: string;
  content: Prescription;
  cdaId: string;
  registerJobId: string | null;
  dmpUniqueId: string | null;
  dmpSkipped: string | null;
  registeredAt: string | null;
  baseStatus: string | null;
  printedAt: string | null;
}

interface PrescriptionSqlRow {
  number: string;
  environment: Environment;
  patient_id: string;
  created_at: string;
  actor: string;
  content: string;
  cda_id: string;
  register_job_id: string | null;
  dmp_unique_id: string | null;
  dmp_skipped: string | null;
  registered_at: string | null;
  base_status: string | null;
  printed_at: string | null;
}

export interface ReceivedRow {
  number: string;
  fetchedAt: string;
  status: string;
  document: Buffer;
  executions: Execution[];
}

export interface DispensationRow {
  id: string;
  number: string;
  recordedAt: string;
  actor: string;
  pharmacist: { idNat: string; name: string };
  completeness: DispensationCompleteness;
  lines: DispensedLine[];
  patientId: string | null;
  executionJobId: string | null;
  executedAt: string | null;
  edispUniqueId: string | null;
  edispSkipped: string | null;
}

interface DispensationSqlRow {
  id: string;
  number: string;
  recorded_at: string;
  actor: string;
  pharmacist: string;
  completeness: DispensationCompleteness;
  lines: string;
  patient_id: string | null;
  execution_job_id: string | null;
  executed_at: string | null;
  edisp_unique_id: string | null;
  edisp_skipped: string | null;
}

const PRESCRIPTION_COLUMNS = 'number, environment, patient_id, created_at, actor, content, cda_id, register_job_id, dmp_unique_id, dmp_skipped, registered_at, base_status, printed_at';

function prescription(row: PrescriptionSqlRow): PrescriptionRow {
  return {
    number: row.number,
    environment: row.environment,
    patientId: row.patient_id,
    createdAt: row.created_at,
    actor: row.actor,
    content: JSON.parse(row.content) as Prescription,
    cdaId: row.cda_id,
    registerJobId: row.register_job_id,
    dmpUniqueId: row.dmp_unique_id,
    dmpSkipped: row.dmp_skipped,
    registeredAt: row.registered_at,
    baseStatus: row.base_status,
    printedAt: row.printed_at,
  };
}

function dispensation(row: DispensationSqlRow): DispensationRow {
  return {
    id: row.id,
    number: row.number,
    recordedAt: row.recorded_at,
    actor: row.actor,
    pharmacist: JSON.parse(row.pharmacist) as { idNat: string; name: string },
    completeness: row.completeness,
    lines: JSON.parse(row.lines) as DispensedLine[],
    patientId: row.patient_id,
    executionJobId: row.execution_job_id,
    executedAt: row.executed_at,
    edispUniqueId: row.edisp_unique_id,
    edispSkipped: row.edisp_skipped,
  };
}

export function createPrescriptionStore(db: Db) {
  const insertPrescription = db.prepare(
    `INSERT INTO erx_prescription (number, environment, patient_id, created_at, actor, content, cda_id, cda, pdf)
     VALUES (@number, @environment, @patientId, @createdAt, @actor, @content, @cdaId, @cda, @pdf)`,
  );
  const byNumber = db.prepare<[string, string], PrescriptionSqlRow>(`SELECT ${PRESCRIPTION_COLUMNS} FROM erx_prescription WHERE number = ? AND environment = ?`);
  const byPatient = db.prepare<[string, string], PrescriptionSqlRow>(
    `SELECT ${PRESCRIPTION_COLUMNS} FROM erx_prescription WHERE environment = ? AND patient_id = ? ORDER BY created_at DESC LIMIT 200`,
  );
  const documents = db.prepare<[string, string], { cda: Buffer; pdf: Buffer }>('SELECT cda, pdf FROM erx_prescription WHERE number = ? AND environment = ?');
  const numberTaken = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM erx_prescription WHERE number = ?');
  const setJobs = db.prepare('UPDATE erx_prescription SET register_job_id = @jobId, dmp_unique_id = @dmpUniqueId, dmp_skipped = @dmpSkipped WHERE number = @number');
  const setRegistered = db.prepare('UPDATE erx_prescription SET registered_at = coalesce(registered_at, @at), base_status = @status WHERE number = @number');
  const setPrinted = db.prepare('UPDATE erx_prescription SET printed_at = @at WHERE number = @number');

  const upsertReceived = db.prepare(
    `INSERT INTO erx_received (number, environment, fetched_at, status, document, executions) VALUES (@number, @environment, @fetchedAt, @status, @document, @executions)
     ON CONFLICT (environment, number) DO UPDATE SET fetched_at = excluded.fetched_at, status = excluded.status, document = excluded.document, executions = excluded.executions`,
  );
  const received = db.prepare<[string, string], { number: string; fetched_at: string; status: string; document: Buffer; executions: string }>(
    'SELECT number, fetched_at, status, document, executions FROM erx_received WHERE environment = ? AND number = ?',
  );

  const insertDispensation = db.prepare(
    `INSERT INTO erx_dispensation (id, number, environment, recorded_at, actor, pharmacist, completeness, lines, patient_id)
     VALUES (@id, @number, @environment, @recordedAt, @actor, @pharmacist, @completeness, @lines, @patientId)`,
  );
  const setDispensationJobs = db.prepare('UPDATE erx_dispensation SET execution_job_id = @jobId, edisp_unique_id = @edispUniqueId, edisp_skipped = @edispSkipped WHERE id = @id');
  const setExecuted = db.prepare('UPDATE erx_dispensation SET executed_at = coalesce(executed_at, @at) WHERE id = @id');
  const dispensationsOf = db.prepare<[string, string], DispensationSqlRow>('SELECT * FROM erx_dispensation WHERE environment = ? AND number = ? ORDER BY recorded_at');
  const dispensationById = db.prepare<[string], DispensationSqlRow>('SELECT * FROM erx_dispensation WHERE id = ?');

  return {
    insertPrescription(row: { number: string; environment: Environment; patientId: string; createdAt: string; actor: string; content: Prescription; cdaId: string; cda: Buffer; pdf: Uint8Array }): void {
      insertPrescription.run({ ...row, content: JSON.stringify(row.content), pdf: Buffer.from(row.pdf) });
    },
    prescription(number: string, environment: Environment): PrescriptionRow | null {
      const row = byNumber.get(number, environment);
      return row === undefined ? null : prescription(row);
    },
    prescriptionsOf(environment: Environment, patientId: string): PrescriptionRow[] {
      return byPatient.all(environment, patientId).map(prescription);
    },
    documents(number: string, environment: Environment): { cda: Buffer; pdf: Buffer } | null {
      return documents.get(number, environment) ?? null;
    },
    /** Whether a number is already used on this desk (any environment: numbers are never reused). */
    numberTaken(number: string): boolean {
      return (numberTaken.get(number)?.n ?? 0) > 0;
    },
    setJobs(number: string, jobs: { jobId: string | null; dmpUniqueId: string | null; dmpSkipped: string | null }): void {
      setJobs.run({ number, ...jobs });
    },
    setRegistered(number: string, at: string, status: string): void {
      setRegistered.run({ number, at, status });
    },
    setPrinted(number: string, at: string): void {
      setPrinted.run({ number, at });
    },
    saveReceived(environment: Environment, row: ReceivedRow): void {
      upsertReceived.run({ number: row.number, environment, fetchedAt: row.fetchedAt, status: row.status, document: row.document, executions: JSON.stringify(row.executions) });
    },
    received(environment: Environment, number: string): ReceivedRow | null {
      const row = received.get(environment, number);
      return row === undefined ? null : { number: row.number, fetchedAt: row.fetched_at, status: row.status, document: row.document, executions: JSON.parse(row.executions) as Execution[] };
    },
    insertDispensation(environment: Environment, row: Omit<DispensationRow, 'executionJobId' | 'executedAt' | 'edispUniqueId' | 'edispSkipped'>): void {
      insertDispensation.run({
        id: row.id,
        number: row.number,
        environment,
        recordedAt: row.recordedAt,
        actor: row.actor,
        pharmacist: JSON.stringify(row.pharmacist),
        completeness: row.completeness,
        lines: JSON.stringify(row.lines),
        patientId: row.patientId,
      });
    },
    setDispensationJobs(id: string, jobs: { jobId: string | null; edispUniqueId: string | null; edispSkipped: string | null }): void {
      setDispensationJobs.run({ id, ...jobs });
    },
    setExecuted(id: string, at: string): void {
      setExecuted.run({ id, at });
    },
    dispensations(environment: Environment, number: string): DispensationRow[] {
      return dispensationsOf.all(environment, number).map(dispensation);
    },
    dispensation(id: string): DispensationRow | null {
      const row = dispensationById.get(id);
      return row === undefined ? null : dispensation(row);
    },
  };
}
