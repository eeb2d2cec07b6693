import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, sharedTestPkiDir } from '../../../fixtures/sim/pki';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const INS = '258036311304224';

describe('pupitre dmp status|list|get|send (démo: virtual CPS, simulator)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-dmp-'));
  beforeAll(async () => {
    await ensureSharedTestPki();
    cpSync(sharedTestPkiDir(), join(dataDir, 'demo-pki'), { recursive: true });
  });
  const run = async (...argv: string[]) => {
    const c = capture();
    const code = await main([...argv, '--data-dir', dataDir], c.io);
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };

  it('gives the status, lists, downloads and sends', async () => {
    const status = await run('dmp', 'status', INS, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ status: { existence: 'active', authorisation: 'VALIDE', treatingDoctor: true } });

    const list = await run('dmp', 'list', INS, '--all', '--json');
    expect(list.code).toBe(0);
    const { documents } = JSON.parse(list.out) as { documents: Array<{ uniqueId: string; formatCode: { code: string } | null }> };
    // --all: every one of Marie DUPONT's 14 documents in the simulator, not only the last two years'.
    expect(documents).toHaveLength(14);

    const pdfDoc = documents.find((d) => d.formatCode?.code === 'urn:ihe:iti:xds-sd:pdf:2008')!;
    const file = join(dataDir, 'out.pdf');
    const get = await run('dmp', 'get', INS, pdfDoc.uniqueId, '-o', file);
    expect(get.code).toBe(0);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

    const input = join(dataDir, 'cr.pdf');
    writeFileSync(input, makePdf('Compte rendu CLI'));
    const send = await run('dmp', 'send', INS, input, '--type', '11488-4', '--json');
    expect(send.code).toBe(0);
    expect(JSON.parse(send.out)).toMatchObject({ sending: { state: 'sent', typeCode: { code: '11488-4' } } });
  }, 180_000);

  it('says why in French for a patient unknown locally, and explains its usage', async () => {
    const unknown = await run('dmp', 'status', '185057512345673');
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/^Erreur : Ce patient n'existe pas/);
    expect(unknown.out).toContain('Code pour le support : PATIENT_NOT_FOUND');
    const usage = await run('dmp', 'get', INS);
    expect(usage.code).toBe(2);
  }, 60_000);
});
