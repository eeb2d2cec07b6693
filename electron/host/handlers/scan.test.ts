import { describe, expect, it } from 'vitest';
import { DEMO_QUAL_DATAMATRIX } from '../../../fixtures/hid/recordings';
import { AppError } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { AuditTrail, auditMigrations } from '../../services/audit';
import { computeMatriculeKey, INS_OID, insDatamatrixRecogniser } from '../../services/identity';
import { PatientsService, patientsMigrations, patientsMigrations2 } from '../../services/patients';
import { ScanPipeline } from '../../services/scan';
import { RpcDispatcher } from '../rpc';
import { udevRuleLocation } from '../wiring/scan';
import { createScanHandlers } from './scan';

const MATRICULE = `2580363113042${computeMatriculeKey('2580363113042')}`;

function setup(environment: 'demo' | 'production' = 'demo') {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...auditMigrations, ...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const logger = createMemoryLogger(clock);
  const audit = new AuditTrail(db, clock);
  const patients = new PatientsService({ db, clock, logger, audit: audit.write, environment: () => environment });
  const dispatcher = new RpcDispatcher(logger);
  const scan = new ScanPipeline({ clock, logger, recognisers: [insDatamatrixRecogniser], notify: (n) => dispatcher.emit(n.event, n.payload) });
  dispatcher.register(
    createScanHandlers({ scan, patients, audit: audit.write, actor: () => 'CPE 899700000001', environment: () => environment, udev: () => null }),
  );
  const events: Array<{ event: string; payload: unknown }> = [];
  dispatcher.subscribe((event, payload) => events.push({ event, payload }));
  return { dispatcher, patients, audit, logger, events, scan };
}

const base64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');

function qualDupont(patients: PatientsService): string {
  const { patient } = patients.create({ strictTraits: { birthName: 'Dupont', birthGivenNames: 'Marie-Hélène Louise', birthDate: '12/03/1958', sex: 'F', birthPlaceCode: '63113' } }, 'test');
  patients.recordIdentityCheck({ id: patient.id, device: 'carte-identite' }, 'test');
  patients.applyInsiResult({ id: patient.id, matricule: MATRICULE, oid: INS_OID.DEMO, traits: { birthName: 'DUPONT', birthGivenNames: 'MARIE-HELENE LOUISE', birthDate: '12/03/1958', sex: 'F', birthPlaceCode: '63113' } }, 'test');
  return patient.id;
}

async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not-an-AppError';
  }
  return undefined;
}

describe('scan handlers over the validated contract', () => {
  it('handles every method of the scan domain but the demo one (demo wiring)', () => {
    const { dispatcher } = setup();
    expect(dispatcher.unhandledMethods().filter((m) => m.startsWith('scan.'))).toEqual([]);
  });

  it('classifies what the renderer submits and broadcasts it without the payload', async () => {
    const { dispatcher, events } = setup();
    const result = await dispatcher.invoke('scan.submit', { source: 'webcam', symbology: 'datamatrix', payloadBase64: base64(DEMO_QUAL_DATAMATRIX), trusted: true, device: 'Caméra intégrée' });
    expect(result).toMatchObject({ kind: 'ins-datamatrix', source: 'webcam', device: 'Caméra intégrée', trusted: true });
    expect(events.map((e) => e.event)).toEqual(['scan.received']);
    expect(JSON.stringify(events)).not.toMatch(/DUPONT|2580363113042|MARIE/);
  });

  it('refuses the Démo source outside demo mode, and renderer-side claims of a HID or NFC source', async () => {
    const { dispatcher } = setup('production');
    expect(await failureCode(dispatcher.invoke('scan.submit', { source: 'demo', symbology: 'qr', payloadBase64: base64('x'), trusted: true }))).toBe('DEMO_ONLY');
    expect(await failureCode(dispatcher.call('scan.submit', { source: 'hid', symbology: 'qr', payloadBase64: base64('x'), trusted: true }, { transport: 'websocket', caller: 'desk' }))).toBe('INVALID_PARAMS');
    expect(await failureCode(dispatcher.call('scan.submit', { source: 'nfc', symbology: 'qr', payloadBase64: base64('x'), trusted: true }, { transport: 'websocket', caller: 'desk' }))).toBe('INVALID_PARAMS');
  });

  it('opens the record of the patient whose INS the datamatrix carries, once, with an audit entry', async () => {
    const { dispatcher, patients, audit } = setup();
    const id = qualDupont(patients);
    const scan = await dispatcher.invoke('scan.submit', { source: 'wedge', symbology: 'unknown', payloadBase64: base64(DEMO_QUAL_DATAMATRIX), trusted: true });
    const opened = await dispatcher.invoke('scan.insDatamatrix.open', { scanId: scan.id });
    expect(opened).toEqual({
      patientId: id,
      differingTraits: [],
      identity: { matricule: MATRICULE, oid: INS_OID.DEMO, birthName: 'DUPONT', birthGivenNames: 'MARIE-HELENE LOUISE', sex: 'F', birthDate: '1958-03-12', birthPlaceCode: '63113' },
    });
    const entry = audit.list({ limit: 50 }).find((e) => e.action === 'scan.ins-datamatrix.open');
    expect(entry).toMatchObject({ actor: 'CPE 899700000001', patientRef: id, details: { source: 'wedge', found: true, differingTraits: 0 } });
    expect(await failureCode(dispatcher.invoke('scan.insDatamatrix.open', { scanId: scan.id }))).toBe('SCAN_NOT_FOUND');
  });

  it('gives the identity read when no patient holds that INS, and names the traits that differ when one does', async () => {
    const { dispatcher, patients } = setup();
    const first = await dispatcher.invoke('scan.submit', { source: 'webcam', symbology: 'datamatrix', payloadBase64: base64(DEMO_QUAL_DATAMATRIX), trusted: true });
    expect(await dispatcher.invoke('scan.insDatamatrix.open', { scanId: first.id })).toMatchObject({ patientId: null, identity: { birthName: 'DUPONT' } });
    const id = qualDupont(patients);
    const other = DEMO_QUAL_DATAMATRIX.replace('S5FS612-03-1958', 'S5FS613-03-1958');
    const second = await dispatcher.invoke('scan.submit', { source: 'webcam', symbology: 'datamatrix', payloadBase64: base64(other), trusted: true });
    expect(await dispatcher.invoke('scan.insDatamatrix.open', { scanId: second.id })).toMatchObject({ patientId: id, differingTraits: ['birthDate'] });
  });

  it('refuses an untrusted wedge scan, a scan of another kind, and an invalid datamatrix', async () => {
    const { dispatcher } = setup();
    const untrusted = await dispatcher.invoke('scan.submit', { source: 'wedge', symbology: 'unknown', payloadBase64: base64(DEMO_QUAL_DATAMATRIX), trusted: false, trustNote: 'x' });
    expect(await failureCode(dispatcher.invoke('scan.insDatamatrix.open', { scanId: untrusted.id }))).toBe('SCAN_UNTRUSTED');
    const url = await dispatcher.invoke('scan.submit', { source: 'webcam', symbology: 'qr', payloadBase64: base64('https://example.org'), trusted: true });
    expect(await failureCode(dispatcher.invoke('scan.insDatamatrix.open', { scanId: url.id }))).toBe('SCAN_WRONG_KIND');
    const broken = await dispatcher.invoke('scan.submit', { source: 'webcam', symbology: 'datamatrix', payloadBase64: base64(DEMO_QUAL_DATAMATRIX.replace('S5F', 'S5X')), trusted: true });
    expect(broken.kind).toBe('ins-datamatrix');
    expect(await failureCode(dispatcher.invoke('scan.insDatamatrix.open', { scanId: broken.id }))).toBe('SCAN_INS_DATAMATRIX_INVALID');
  });

  it('reports scanners, per-source counts and the retention time', async () => {
    const { dispatcher } = setup();
    await dispatcher.invoke('scan.submit', { source: 'wedge', symbology: 'unknown', payloadBase64: base64('abc'), trusted: true });
    expect(await dispatcher.invoke('scan.scanners', {})).toMatchObject({ scanners: [], sources: [{ source: 'wedge', scans: 1, lastScanKind: 'unknown' }], udevRule: null, retentionSeconds: 120 });
  });
});

describe('where the udev rule is', () => {
  it('points at the shipped files on Linux and at nothing elsewhere', () => {
    expect(udevRuleLocation('win32')).toBeNull();
    const linux = udevRuleLocation('linux', '/nonexistent/resources');
    expect(linux?.rule).toMatch(/build\/udev\/70-pupitre-hidpos\.rules$/);
    expect(linux?.helper).toMatch(/build\/udev\/pupitre-hidpos-check$/);
  });
});
