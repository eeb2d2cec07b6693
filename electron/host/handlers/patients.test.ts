import { describe, expect, it } from 'vitest';
import { syntheticPatientsCsv } from '../../../fixtures/data/synthetic-patients';
import { AppError } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { AuditTrail, auditMigrations } from '../../services/audit';
import { PatientsService, patientsMigrations, patientsMigrations2 } from '../../services/patients';
import { RpcDispatcher } from '../rpc';
import { createPatientsHandlers } from './patients';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...auditMigrations, ...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const logger = createMemoryLogger(clock);
  const audit = new AuditTrail(db, clock);
  const service = new PatientsService({ db, clock, logger, audit: audit.write, environment: () => 'demo' });
  const dispatcher = new RpcDispatcher(logger);
  dispatcher.register(createPatientsHandlers(service, { actor: () => 'CPE 899700000001' }));
  return { dispatcher, audit, logger };
}

async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not-an-AppError';
  }
  return undefined;
}

describe('identity and patients handlers over the validated contract', () => {
  it('handles every method of both domains', () => {
    const { dispatcher } = setup();
    const mine = dispatcher.unhandledMethods().filter((m) => m.startsWith('patients.') || m.startsWith('ins.') || m.startsWith('identity.'));
    expect(mine).toEqual([]);
  });

  it('checks a matricule and normalises traits with their steps', async () => {
    const { dispatcher } = setup();
    expect(await dispatcher.invoke('ins.check', { matricule: '1 09 07 63 220 834 89', oid: '1.2.250.1.213.1.4.10' })).toMatchObject({
      valid: true,
      matricule: '109076322083489',
      oid: { kind: 'TEST', allowedHere: true },
    });
    const normalized = await dispatcher.invoke('ins.normalize', {
      values: [
        { field: 'birthName', value: 'D’Æion' },
        { field: 'birthGivenNames', value: 'Cœur Marie' },
        { field: 'firstGivenName', value: 'Cœur' },
      ],
    });
    expect(normalized.results.map((r) => (r.ok ? r.value : r.error.code))).toEqual(["D'AEION", 'COEUR MARIE', 'COEUR']);
    expect(normalized.firstGivenNameConsistent).toBe(true);
  });

  it('lists the identity devices with no default', async () => {
    const { dispatcher } = setup();
    const { devices } = await dispatcher.invoke('identity.devices', {});
    expect(devices.map((d) => d.code)).toContain('appli-carte-vitale');
    expect(devices.every((d) => !('default' in d))).toBe(true);
  });

  it('runs the desk workflow: create, search, check the document, read back, with the actor in the audit trail', async () => {
    const { dispatcher, audit } = setup();
    const { patient } = await dispatcher.invoke('patients.create', {
      strictTraits: { birthName: 'Adrtrois', birthGivenNames: 'Dominique', birthDate: '26/02/1997', sex: 'F', birthPlaceCode: '2A020' },
    });
    const found = await dispatcher.invoke('patients.search', { query: 'adrtrois' });
    expect(found.results.map((r) => r.id)).toEqual([patient.id]);
    // the device is mandatory: the contract refuses a call without it
    expect(await failureCode(dispatcher.call('patients.recordIdentityCheck', { id: patient.id }, { transport: 'in-process' }))).toBe('INVALID_PARAMS');
    const checked = await dispatcher.invoke('patients.recordIdentityCheck', { id: patient.id, device: 'passeport' });
    expect(checked.patient.identity.status).toBe('VALI');
    const { history } = await dispatcher.invoke('patients.get', { id: patient.id });
    expect(history.map((h) => h.event)).toEqual(['identity.created', 'document.checked']);
    expect(await failureCode(dispatcher.invoke('patients.datamatrix', { id: patient.id }))).toBe('IDENTITY_DATAMATRIX_NOT_QUALIFIED');
    const actions = audit.list({ limit: 20 }).map((e) => [e.actor, e.action]);
    expect(actions.reverse()).toEqual([
      ['CPE 899700000001', 'patient.create'],
      ['CPE 899700000001', 'patient.search'],
      ['CPE 899700000001', 'identity.document-check'],
      ['CPE 899700000001', 'patient.read'],
    ]);
    expect(audit.verify().ok).toBe(true);
  });

  it('imports a CSV sent as base64: preview with the suggested mapping, then commit', async () => {
    const { dispatcher } = setup();
    const contentBase64 = Buffer.from(syntheticPatientsCsv(40)).toString('base64');
    const first = await dispatcher.invoke('patients.import.preview', { contentBase64 });
    expect(first).toMatchObject({ encoding: 'windows-1252', separator: ';', validation: null });
    const second = await dispatcher.invoke('patients.import.preview', { contentBase64, mapping: first.suggestedMapping });
    expect(second.validation).toMatchObject({ lines: 40, invalid: 0, toCreate: 40 });
    expect(await dispatcher.invoke('patients.import.commit', { contentBase64, mapping: first.suggestedMapping })).toMatchObject({ created: 40 });
    expect(await dispatcher.invoke('patients.import.commit', { contentBase64, mapping: first.suggestedMapping })).toMatchObject({ alreadyImported: true, created: 0 });
  });

  it('turns a service refusal into its stable error code without health data', async () => {
    const { dispatcher } = setup();
    const frame = await dispatcher.handleFrame(
      { kind: 'request', id: 7, method: 'patients.create', params: { strictTraits: { birthName: 'DUP0NT', birthGivenNames: 'JEAN', birthDate: '01/01/1980', sex: 'M' } } },
      { transport: 'in-process' },
    );
    expect(frame).toMatchObject({ ok: false, error: { code: 'IDENTITY_TRAITS_INVALID', details: { fields: [{ field: 'birthName', code: 'FORBIDDEN_CHARACTERS' }] } } });
    expect(JSON.stringify(frame)).not.toContain('DUP0NT');
  });
});
