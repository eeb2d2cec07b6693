/**
 * ADRi against its simulator over real HTTPS (demo PKI): the public request shape, rights open and
 * closed at the reference date, exonerations, and « droits non vérifiés » recorded with its reason
 * when the service is down, slow, refusing, not configured or the card session is missing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../platform/clock';
import { openDatabase, migrate, type Db } from '../../platform/db';
import { HttpClient } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { parseXml } from '../../platform/xml';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { DEMO_APPS, withKey } from '../../../fixtures/sim/apcv';
import { demoApcvPractitioner } from '../../../fixtures/wiring/apcv';
import { startAdriSimulator, type AdriSimulator } from '../../../fixtures/sim/adri';
import { DEMO_LPS } from '../../../fixtures/wiring/insi';
import { generateKeyHex } from '../../platform/db/key';
import type { AdriCoverage } from '../../contract/domains/adri';
import type { AuditInput } from '../audit';
import type { RecordIdentity } from './beneficiary-match';
import { AdriClient, type AdriCredentials } from './client';
import { ADRI_NS } from './request';
import { adriMigrations } from './store';
import { AdriService, beneficiaryOf } from './service';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
let pki: DemoPki;
let sim: AdriSimulator;
let transport: HttpClient;
let db: Db;
let credentials: AdriCredentials | null;
const audit: AuditInput[] = [];

function service(options: { client?: AdriClient | null; timeoutMs?: number } = {}): AdriService {
  const client =
    options.client === undefined
      ? new AdriClient({ transport, endpoint: () => sim.url, lps: () => DEMO_LPS, clock, ...(options.timeoutMs === undefined ? {} : { timeouts: { responseMs: options.timeoutMs, totalMs: options.timeoutMs * 2 } }) })
      : options.client;
  return new AdriService({
    db,
    client,
    clock,
    logger: createMemoryLogger(clock),
    audit: (entry) => audit.push(entry),
    credentials: () => credentials,
    patientIdentity: (id) => (id.startsWith('patient-') ? recordOf(coverageOfRecord(id)) : null),
  });
}

function coverageOfRecord(id: string): AdriCoverage {
  if (id === 'patient-ines') return coverageOf(dupont, 1);
  if (id === 'patient-petit') return coverageOf(petit);
  if (id === 'patient-c') return STRANGER;
  return coverageOf(dupont);
}

/** The local record of each test patient: the beneficiary it is asked for (beneficiary-match.ts). */
function recordOf(coverage: AdriCoverage): RecordIdentity {
  const d = coverage.birthDate;
  return { birthDate: { year: Number(d.slice(0, 4)), month: Number(d.slice(4, 6)) || null, day: Number(d.slice(6, 8)) || null }, nir: coverage.beneficiaryNir, mergedInto: null };
}

const dupont = DEMO_APPS.find((a) => a.id === 'app-dupont')!;
const petit = DEMO_APPS.find((a) => a.id === 'app-petit')!;
const coverageOf = (app: (typeof DEMO_APPS)[number], index = 0): AdriCoverage => {
  const b = app.beneficiaries[index]!;
  return {
    source: 'apcv',
    regime: app.regime,
    caisse: app.caisse,
    centre: app.centre,
    insuredNir: withKey(app.insuredNir13),
    beneficiaryNir: b.nir13 === null ? null : withKey(b.nir13),
    birthDate: b.birthDate,
    birthRank: b.birthRank ?? 1,
  };
};

// Unknown to the service: not-found.
const STRANGER: AdriCoverage = { ...coverageOf(dupont), insuredNir: withKey('1990199123456'), beneficiaryNir: null, birthDate: '19990101' };

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  sim = await startAdriSimulator({ pki, now: () => clock.now() });
  transport = new HttpClient({ tls: { ca: pki.caBundlePem } });
  const practitioner = demoApcvPractitioner(pki.practitioner);
  credentials = { holder: practitioner.holder, signer: practitioner.signer };
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-adri-'));
  db = openDatabase({ path: join(dir, 'test.db'), keyHex: generateKeyHex() });
  migrate(db, adriMigrations.map((step, index) => ({ version: index + 1, name: step.name, up: step.up })));
});

afterEach(async () => {
  await sim.setDown(false);
  sim.setLatency(0);
  const practitioner = demoApcvPractitioner(pki.practitioner);
  credentials = { holder: practitioner.holder, signer: practitioner.signer };
});

afterAll(async () => {
  transport.close();
  await sim.close();
  db.close();
});

describe('acquerirLesDroits', () => {
  it('sends the public request shape and keeps open rights with exonerations and their date', async () => {
    const adri = service();
    const rights = await adri.acquire('patient-dupont', coverageOf(dupont), 'poste');
    expect(rights).toMatchObject({
      status: 'open',
      reason: null,
      source: 'apcv',
      referenceDate: '2026-01-15',
      checkedAt: '2026-01-15T09:00:00.000Z',
      regime: { code: '02', label: 'Régime agricole (MSA)' },
      caisse: '691',
      centre: '0002',
      amo: { start: '2024-01-01', end: null },
    });
    expect(rights.exonerations).toEqual([{ code: 'ALD', label: 'Affection de longue durée (ALD)', start: '2021-03-01', end: '2031-02-28' }]);
    const doc = parseXml(Buffer.from(sim.requests.at(-1)!.xml));
    expect(doc.getElementsByTagNameNS(ADRI_NS.request, 'DatedeReference')[0]?.textContent).toBe('2026-01-15');
    expect(doc.getElementsByTagNameNS(ADRI_NS.request, 'RangdeNaissance')[0]?.textContent).toBe('1');
    expect(doc.getElementsByTagNameNS(ADRI_NS.ctxBam, 'GrandRegime')[0]?.textContent).toBe('02');
    expect(doc.getElementsByTagNameNS('http://www.w3.org/2005/08/addressing', 'Action')[0]?.textContent).toBe('urn:adr:1.1.0:acquerirLesDroits');
    expect(adri.rights('patient-dupont', 'poste')).toEqual(rights);
    expect(audit.filter((a) => a.patientRef === 'patient-dupont').map((a) => a.action)).toEqual(['adri.rights.acquired', 'adri.rights.read']);
  });

  it('asks a child without a NIR of its own by the insured NIR, birth date and rank', async () => {
    const adri = service();
    const rights = await adri.acquire('patient-ines', coverageOf(dupont, 1), 'poste');
    expect(rights.status).toBe('open');
    const doc = parseXml(Buffer.from(sim.requests.at(-1)!.xml));
    expect(doc.getElementsByTagNameNS(ADRI_NS.request, 'NIRcertifie')).toHaveLength(0);
    expect(doc.getElementsByTagNameNS(ADRI_NS.request, 'DatedeNaissance')[0]?.textContent).toBe('20120704');
  });

  it('says the rights are closed when they ended before the reference date', async () => {
    const rights = await service().acquire('patient-petit', coverageOf(petit), 'poste');
    expect(rights).toMatchObject({ status: 'closed', amo: { start: '2015-01-01', end: '2025-06-30' } });
  });

  it('records « droits non vérifiés » (offline) when the service cannot be reached, and the desk goes on', async () => {
    const adri = service();
    await sim.setDown(true);
    const rights = await adri.acquire('patient-dupont', coverageOf(dupont), 'poste');
    expect(rights).toMatchObject({ status: 'unverified', reason: 'offline', regime: { code: '02' }, amo: null });
    expect(adri.latestRights('patient-dupont', beneficiaryOf(coverageOf(dupont)))).toMatchObject({ status: 'unverified', reason: 'offline' });
  });

  it('records « non vérifiés » (unavailable) for a slow answer, a 503 and a service fault', async () => {
    sim.setLatency(800);
    await expect(service({ timeoutMs: 200 }).acquire('patient-x1', coverageOf(dupont), 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'unavailable' });
    sim.setLatency(0);
    sim.injectFaults('http-503');
    await expect(service().acquire('patient-x2', coverageOf(dupont), 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'unavailable' });
    sim.injectFaults('unavailable');
    await expect(service().acquire('patient-x3', coverageOf(dupont), 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'unavailable' });
  });

  it('records why rights were not checked: no card session, not configured, unknown beneficiary', async () => {
    credentials = null;
    await expect(service().acquire('patient-a', coverageOf(dupont), 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'card-session' });
    const practitioner = demoApcvPractitioner(pki.practitioner);
    credentials = { holder: practitioner.holder, signer: practitioner.signer };
    await expect(service({ client: null }).acquire('patient-b', coverageOf(dupont), 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'not-configured' });
    await expect(service().acquire('patient-c', STRANGER, 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'not-found' });
  });

  it('refuses an assertion the demo CA did not issue (fault → « non vérifiés », refused)', async () => {
    const foreign = (await import('../../platform/crypto')).PemSigner.fromPem({ privateKey: pki.foreign.insiAuto.privateKeyPem, certificate: pki.foreign.insiAuto.chainPem.join('') });
    credentials = { holder: { idNat: 'INSI-AUTO' }, signer: foreign };
    await expect(service().acquire('patient-d', coverageOf(dupont), 'poste')).resolves.toMatchObject({ status: 'unverified', reason: 'refused' });
    expect(sim.requests.at(-1)?.fault).toBe('AUTHENTIFICATION');
  });

  it('refuses an unknown patient', async () => {
    await expect(service().acquire('nobody', coverageOf(dupont), 'poste')).rejects.toMatchObject({ code: 'ADRI_PATIENT_UNKNOWN' });
  });
});
