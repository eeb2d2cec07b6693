/**
 * `pupitre scan decode` on photos generated at an angle with ImageMagick (perspective, rotation,
 * blur, noise, JPEG), and `pupitre scan listen --replay` on recorded HID-POS report sequences.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_QUAL_DATAMATRIX, RECORDINGS_DIR, URL_QR } from '../../../fixtures/hid/recordings';
import { imageMagickMissing, photoOf, workDir } from '../../../fixtures/scan/photos';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import { main } from './main';
import { contentLine } from './scan';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-scan-'));
const OPAQUE = 'PUPITRE-DEMO-0123456789-ABCDEFGHIJ';

interface DecodeOutput {
  files: Array<{ file: string; codes: Array<{ symbology: string; kind: string; text: string | null; summary: string; orientation: number }> }>;
}

async function decode(...files: string[]): Promise<{ code: number; output: DecodeOutput }> {
  const json = capture();
  const code = await main(['scan', 'decode', ...files, '--json', '--data-dir', dataDir], json.io);
  return { code, output: JSON.parse(json.out.join('')) as DecodeOutput };
}

async function decodeText(...files: string[]): Promise<{ code: number; text: string }> {
  const text = capture();
  const code = await main(['scan', 'decode', ...files, '--data-dir', dataDir], text.io);
  return { code, text: text.out.join('\n') };
}

describeWithPrerequisites('unit', imageMagickMissing, 'pupitre scan decode on photos taken at an angle', () => {
  it('reads a QR code and an INS datamatrix from one tilted, rotated, blurred JPEG, and classifies each', async () => {
    const photo = await photoOf([{ kind: 'qr', text: OPAQUE }, { kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX }], { tilt: 180, rotate: 17, blur: 1.2 });
    const { code, output } = await decode(photo);
    expect(code).toBe(0);
    const codes = output.files[0]?.codes ?? [];
    expect(codes.map((c) => [c.symbology, c.kind]).sort()).toEqual([
      ['datamatrix', 'ins-datamatrix'],
      ['qr', 'unknown'],
    ]);
    expect(codes.find((c) => c.symbology === 'qr')?.text).toBe(OPAQUE);
    expect(codes.find((c) => c.symbology === 'datamatrix')?.text).toBe(DEMO_QUAL_DATAMATRIX.replaceAll('\u001d', '<GS>'));
    const { text } = await decodeText(photo);
    expect(text).toContain('2 codes');
    expect(text).toContain('Datamatrix INS lu (INS-NIR de démonstration).');
  }, 60_000);

  it('reads codes upside down and sideways, and three codes in one PNG', async () => {
    const upside = await photoOf([{ kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX }], { rotate: 183, blur: 0.8, tilt: 80 });
    const three = await photoOf(
      [
        { kind: 'qr', text: URL_QR },
        { kind: 'datamatrix', text: 'LOT 42 / 2026' },
        { kind: 'qr', text: OPAQUE },
      ],
      { rotate: -95, format: 'png', width: 1800, height: 700, size: 260 },
    );
    const { code, output } = await decode(upside, three);
    expect(code).toBe(0);
    expect(output.files[0]?.codes.map((c) => c.kind)).toEqual(['ins-datamatrix']);
    expect(output.files[1]?.codes.map((c) => c.text).sort()).toEqual([OPAQUE, 'LOT 42 / 2026', URL_QR].sort());
  }, 60_000);

  it('tells the three kinds apart on one photo: appli carte Vitale, ordonnance numérique, INS datamatrix', async () => {
    const app = 'ApCV-DEMO:1:AbCdEfGhIjKlMnOpQrStUv';
    // The official eP-MED-DM example's number (ANS TestContenuCDA-3-0): the modelled shape.
    const ordonnance = '01S2TBPZ2JCNZZYGHZ';
    const photo = await photoOf(
      [
        { kind: 'qr', text: app },
        { kind: 'qr', text: ordonnance },
        { kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX },
      ],
      { tilt: 90, rotate: 6, blur: 0.6, width: 1800, height: 700, size: 260 },
    );
    const { code, output } = await decode(photo);
    expect(code).toBe(0);
    const kinds = Object.fromEntries((output.files[0]?.codes ?? []).map((c) => [c.kind, c.summary]));
    expect(kinds).toEqual({
      apcv: 'Appli carte Vitale (QR code).',
      eprescription: 'Ordonnance numérique (n° …YGHZ).',
      'ins-datamatrix': 'Datamatrix INS lu (INS-NIR de démonstration).',
    });
  }, 60_000);

  it('says there is no code, with what to do, and exits 1', async () => {
    const blank = await photoOf([], { blur: 2 });
    const { code, text } = await decodeText(blank);
    expect(code).toBe(1);
    expect(text).toContain('aucun code QR ou DataMatrix trouvé. Reprenez la photo plus près');
  }, 60_000);
});

describe('pupitre scan decode and listen without a camera', () => {
  it('refuses a file that is not a PNG or JPEG with a French message and its code', async () => {
    const out = capture();
    expect(await main(['scan', 'decode', join(RECORDINGS_DIR, 'permission-denied.json'), '--json', '--data-dir', dataDir], out.io)).toBe(1);
    expect(JSON.parse(out.out.join(''))).toMatchObject({ error: { code: 'SCAN_IMAGE_UNREADABLE' } });
    const usage = capture();
    expect(await main(['scan', 'decode', '--data-dir', dataDir], usage.io)).toBe(2);
    expect(usage.err.join('')).toContain('indiquez au moins un fichier');
  });

  it('prints what a replayed scanner sends, with --payload and --count, as JSON lines', async () => {
    const out = capture();
    const code = await main(['scan', 'listen', '--replay', join(RECORDINGS_DIR, 'honeywell-ins-datamatrix.json'), '--payload', '--count', '1', '--json', '--data-dir', dataDir], out.io);
    expect(code).toBe(0);
    const lines = out.out.map((l) => JSON.parse(l) as { type: string; kind?: string; payloadBase64?: string; label?: string });
    expect(lines.map((l) => l.type)).toEqual(['scanner', 'scan']);
    expect(lines[0]?.label).toBe('Honeywell Voyager 1400g');
    expect(lines[1]?.kind).toBe('ins-datamatrix');
    expect(Buffer.from(lines[1]?.payloadBase64 ?? '', 'base64').toString('latin1')).toBe(DEMO_QUAL_DATAMATRIX);
  });

  it('keeps the content out of the output without --payload, and says a scan was lost', async () => {
    const scan = capture();
    expect(await main(['scan', 'listen', '--replay', join(RECORDINGS_DIR, 'honeywell-ins-datamatrix.json'), '--data-dir', dataDir], scan.io)).toBe(0);
    expect(scan.out.join('\n')).toContain('Datamatrix INS lu');
    expect(scan.out.join('\n')).not.toMatch(/DUPONT|2580363113042/);
    const lost = capture();
    expect(await main(['scan', 'listen', '--replay', join(RECORDINGS_DIR, 'honeywell-removed-mid-scan.json'), '--data-dir', dataDir], lost.io)).toBe(0);
    expect(lost.out.join('\n')).toContain('a été débranchée pendant la lecture');
  });

  it('refuses a replay file that is not a recording', async () => {
    const out = capture();
    expect(await main(['scan', 'listen', '--replay', join(workDir(), 'nothing.json'), '--data-dir', dataDir], out.io)).toBe(2);
    expect(out.err.join('')).toContain('n’est pas un enregistrement de douchette lisible');
  });

  it('shows control characters by name and binary as hex', () => {
    expect(contentLine(Buffer.from('A\u001dB'))).toBe('A<GS>B');
    expect(contentLine(Uint8Array.of(0x00, 0xff, 0x10))).toBe('(binaire) 00ff10');
  });
});
