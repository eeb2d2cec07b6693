import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEpMedDm, createEprescriptionService, renderOrdonnancePdf, unavailableBase } from '../../services/eprescription';
import { ensureSharedTestPki } from '../../../fixtures/sim/pki';
import { PemSigner } from '../../platform/crypto';
import { systemClock } from '../../platform/clock';
import { samplePrescription } from '../../../fixtures/data/prescriptions';
import { projectRoot } from '../../../fixtures/testing/tier';
import { decodeQrOnPage } from '../../../fixtures/testing/pdf';
import { generateKeyHex } from '../../platform/db/key';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre eprescription / drugs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-erx-cli-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-erx-cli-data-'));
  process.env.PUPITRE_DB_KEY ??= generateKeyHex();

  it('reads an eP-MED-DM document: text for a person, exactly { kind, medications, devices } with --json', async () => {
    const prescription = samplePrescription();
    const file = join(dir, 'ordonnance.xml');
    writeFileSync(file, buildEpMedDm({ prescription, pdf: await renderOrdonnancePdf(prescription), qrPng: Buffer.from('89504e47', 'hex'), documentId: '1.2.250.1.999.1.1', setId: '1.2.250.1.999.1', localPatientRoot: '1.2.250.1.999.2' }));
    const json = capture();
    expect(await main(['eprescription', 'read', file, '--json'], json.io)).toBe(0);
    const read = JSON.parse(json.out.join('')) as { kind: string; medications: Array<Record<string, unknown>>; devices: Array<Record<string, unknown>> };
    expect(Object.keys(read)).toEqual(['kind', 'medications', 'devices']);
    expect(read.kind).toBe('eP-MED-DM');
    expect(read.medications[0]).toMatchObject({
      name: 'DOLIPRANE 1000 mg, comprimé',
      codes: [
        { code: '60234100', codeSystem: '1.2.250.1.213.2.3.1', system: 'CIS' },
        { code: '3400935955838', codeSystem: '1.2.250.1.213.2.3.2', system: 'CIP' },
      ],
      posology: { text: '1 comprimé 3 fois par jour, si douleur ou fièvre, pendant 5 jours, voie orale, sans dépasser 3 comprimés par jour', structured: expect.objectContaining({ route: { code: '20053000', displayName: 'Voie orale' } }) },
      quantity: { value: 2, unit: '30009000', unitLabel: 'Boîte' },
      substitution: { allowed: true, code: 'G', reason: null },
    });
    expect(read.devices[0]).toMatchObject({ name: 'Lit médical, lit + 135 kg, forfait de livraison', codes: [{ code: '1215702', system: 'LPP' }] });
    const text = capture();
    expect(await main(['eprescription', 'read', file], text.io)).toBe(0);
    expect(text.out.join('\n')).toContain('2. AMOXICILLINE SANDOZ 1 g, comprimé dispersible [CIS 64672103]');
    expect(text.out.join('\n')).toContain('non substituable (Non (MTE : marge thérapeutique étroite))');
  });

  it('says in French when a file is missing or not an e-prescription document', async () => {
    const missing = capture();
    expect(await main(['eprescription', 'read', join(dir, 'absent.xml')], missing.io)).toBe(2);
    expect(missing.err.join('\n')).toContain('Fichier introuvable');
    const bad = join(dir, 'autre.xml');
    writeFileSync(bad, '<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="11488-4"/></ClinicalDocument>');
    const out = capture();
    expect(await main(['eprescription', 'read', bad, '--json'], out.io)).toBe(1);
    expect(JSON.parse(out.out.join('')).error.code).toBe('ERX_DOCUMENT_UNREADABLE');
  });

  it('imports the drug list from BDPM files and searches it', async () => {
    const imported = capture();
    expect(await main(['drugs', 'import', join(projectRoot, 'fixtures', 'data', 'bdpm'), '--json', '--data-dir', dataDir], imported.io)).toBe(0);
    expect(JSON.parse(imported.out.join(''))).toMatchObject({ specialties: 27, presentations: 60, rejectedCount: 0 });
    const found = capture();
    expect(await main(['drugs', 'search', 'clamoxyl', '--data-dir', dataDir], found.io)).toBe(0);
    expect(found.out.join('\n')).toContain('64539416  CLAMOXYL 1 g, comprimé dispersible');
    const usage = capture();
    expect(await main(['drugs', 'search', 'a', '--data-dir', dataDir], usage.io)).toBe(2);
  });

  it('prints nothing for a number unknown here, with the stable code', async () => {
    const out = capture();
    expect(await main(['eprescription', 'print', '01S2TBPZ2JCNZZYGHZ', '-o', join(dir, 'x.pdf'), '--json', '--data-dir', dataDir], out.io)).toBe(1);
    expect(JSON.parse(out.out.join('')).error.code).toBe('ERX_NOT_FOUND');
  });

  it('writes the ordonnance of a prescription written on this desk, whose QR code reads back', async () => {
    // Written by the prescribe use case on the desk's database, with the demo practitioner's card
    // (the card session itself is the subject of other tests).
    const { openHost, createCliContext } = await import('./context');
    const { parseArgs } = await import('./args');
    const ctx = createCliContext(parseArgs(['--data-dir', dataDir], new Set(['data-dir'])), capture().io);
    const host = await openHost(ctx, 'in-process');
    let number: string;
    try {
      const pki = await ensureSharedTestPki();
      const card = pki.practitioner;
      const service = createEprescriptionService({
        db: host.db,
        clock: systemClock,
        logger: host.logger,
        audit: host.audit.write,
        environment: () => host.environment,
        base: () => unavailableBase,
        session: () => ({
          holder: { ...card.holder, situations: [{ structureId: '10B9990001', structureName: 'CABINET MEDICAL PUPITRE DEMO', activitySector: 'SA07' }] },
          signer: PemSigner.fromPem({ privateKey: card.signature.privateKeyPem, certificate: card.signature.chainPem.join('') }),
        }),
        settings: () => ({ amNumber: '751234567', address: '12 rue des Lilas\n75020 Paris', phone: '', lpsOid: '1.2.250.1.999.42' }),
        patients: { get: () => ({ ...samplePrescription().patient, qualified: true }), findQualifiedByIns: () => null },
      });
      number = (await service.prescribe({ patientId: 'patient-test-1', consent: 'OUI', lines: [{ kind: 'medication', name: 'DOLIPRANE 1000 mg, comprimé', codes: [], posology: { kind: 'text', text: '1 comprimé si douleur' }, renewals: 0, substitution: { allowed: true }, ald: false }] }, 'test')).number;
    } finally {
      await host.close();
    }
    const file = join(dir, 'ordonnance-a5.pdf');
    const out = capture();
    expect(await main(['eprescription', 'print', number.toLowerCase(), '-o', file, '--format', 'A5', '--data-dir', dataDir], out.io)).toBe(0);
    expect(out.out.join('\n')).toContain('(A5,');
    expect(await decodeQrOnPage(readFileSync(file))).toBe(number);
  }, 120_000);
});
