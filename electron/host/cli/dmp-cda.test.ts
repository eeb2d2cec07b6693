import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPdfDocument } from '../../services/cda';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre dmp metadata / validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-dmp-cda-'));
  let n = 0;
  const { xml, metadata } = buildPdfDocument(
    {
      pdf: Buffer.from('%PDF-1.4\n%%EOF\n'),
      title: 'Compte rendu',
      typeCode: '11488-4',
      patient: { ins: '279035121518989', oid: '1.2.250.1.213.1.4.10', birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE', sex: 'F', birthDate: '19790328' },
      author: { idNat: '899700123450', family: 'DEMO' },
      custodian: { id: '499700123450001', name: 'Cabinet' },
      serviceTime: { start: '2026-11-30T09:00:00Z' },
      effectiveTime: '2026-11-30T09:30:00Z',
    },
    { newOid: () => `1.2.250.1.999.5.${++n}` },
  );
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);

  it('lists the grouped commands in the help', async () => {
    const h = capture();
    expect(await main(['help'], h.io)).toBe(0);
    expect(h.out.join('\n')).toContain('dmp metadata');
    expect(h.out.join('\n')).toContain('dmp validate');
  });

  it('prints the XDS metadata of a CDA file as JSON, and as text', async () => {
    const json = capture();
    expect(await main(['dmp', 'metadata', file, '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out.join(''))).toEqual(metadata);
    const text = capture();
    expect(await main(['dmp', 'metadata', file], text.io)).toBe(0);
    expect(text.out.join('\n')).toContain('11488-4 — CR ou fiche de consultation ou de visite');
  });

  it('reports a file that is not a CDA document with its stable code', async () => {
    const bad = join(dir, 'bad.xml');
    writeFileSync(bad, '<html/>');
    const c = capture();
    expect(await main(['dmp', 'metadata', bad, '--json'], c.io)).toBe(1);
    expect(JSON.parse(c.out.join(''))).toMatchObject({ error: { code: 'CDA_NOT_A_DOCUMENT' } });
  });

  it('is a usage error without a file, and « fichier introuvable » for a missing one', async () => {
    expect(await main(['dmp', 'metadata'], capture().io)).toBe(2);
    const missing = capture();
    expect(await main(['dmp', 'metadata', join(dir, 'absent.xml'), '--json'], missing.io)).toBe(1);
    expect(JSON.parse(missing.out.join(''))).toMatchObject({ error: { code: 'FILE_NOT_FOUND', message: expect.stringContaining('Fichier introuvable') } });
  });

  it('says validation is unavailable without the reference folder', async () => {
    const c = capture();
    expect(await main(['dmp', 'validate', file, '--json', '--reference', join(dir, 'nowhere')], c.io)).toBe(1);
    expect(JSON.parse(c.out.join(''))).toMatchObject({ error: { code: 'CDA_VALIDATION_UNAVAILABLE' } });
  });
});
